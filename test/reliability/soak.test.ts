// The soak (`npm run test:reliability -- --soak [--minutes N] [--seed S]`, never part of `npm test`): one
// stack driven through random sequences of what the suite does one at a time — steps under a random fault
// kind at a random place (Codefresh, the git server, the cluster), `pulumi` killed at a random point of
// up, an update or destroy, the emulator killed mid-update — for a bounded time, checking after each
// action that the stack converged (or was destroyed without leftovers), and ending with the secrets sweep.
// The seed is printed so a failing sequence can be replayed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaultRule, kubeconfigFor, mulberry32, startClusterProxy } from "pulumi-codefresh-emulator";
import { cluster } from "pulumi-codefresh";
import { accountA, adminCall, spawnEmulatorCli } from "../harness/emulator";
import { sharedCluster, sharedGitServer, startGitFaultProxy } from "../harness/shared";
import { record } from "./report";
import {
  cli,
  convergesAfterCrash,
  counting,
  expectConverged,
  expectDestroyed,
  expectUpdated,
  faultKindsUnderTest,
  killCliAfter,
  setUpdate,
  stackFor,
  State,
  stateMatchesCodefresh,
} from "./scenario";
import { expectNoSecretLeaks } from "./secrets-sweep";

const minutes = Number(process.env.PULUMI_CODEFRESH_SOAK_MINUTES ?? 20);
const seed = Number(process.env.PULUMI_CODEFRESH_SOAK_SEED ?? Date.now() % 1_000_000);

test(`soak: random faulted steps and crashes for ${minutes} min (seed ${seed})`, async () => {
  const random = mulberry32(seed); // the emulator's own generator: a seed replays the sequence
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const deadline = Date.now() + minutes * 60_000;
  console.log(`soak: seed ${seed}, until ${new Date(deadline).toISOString()} (replay with --seed ${seed})`);

  const gitea = sharedGitServer();
  const admin = sharedCluster();
  const dataDir = await mkdtemp(join(tmpdir(), "rel-soak-"));
  const caFile = join(dataDir, "gitea-ca.pem");
  await writeFile(caFile, gitea.caCert);
  const args = ["--data", join(dataDir, "emulator"), "--account", `${accountA.name}:${accountA.apiKey}`, "--install-delay-ms", "500", "--git-ca-file", caFile];
  let emulator = await spawnEmulatorCli(args);
  const url = emulator.url;
  const [gitProxy, kubeProxy] = await Promise.all([startGitFaultProxy(), startClusterProxy(admin)]);
  const serviceAccount = `argocd-rel-soak-${process.pid}`;
  const program = await stackFor(url, kubeProxy.server, admin.caCert, admin.adminToken, serviceAccount, { gitUrl: gitProxy.url });
  const kubeconfig = kubeconfigFor(kubeProxy.server, admin.caCert, admin.adminToken);
  const state = () => adminCall<State>(url, "GET", "state");
  const account = async () => (await state()).accounts[0];
  const secrets = [accountA.apiKey, gitea.adminToken, admin.adminToken];
  let output = "";
  const onOutput = (text: string) => (output += text);
  let up = false;
  let round = 0;
  const done: Record<string, number> = {};

  /** Runs `go` with one random kind at one or more random places; counts what was injected. */
  const faulted = async <T>(what: string, go: () => Promise<T>): Promise<T> => {
    const [, kind] = pick(faultKindsUnderTest);
    const places = kind.kind === "graphql-error" ? ["codefresh"] : (["codefresh", "git", "cluster"] as const).filter(() => random() < 0.6);
    if (places.length === 0) places.push("codefresh");
    // A random rate, and a cap per place no operation's retries can run out against: an operation of
    // Codefresh's that makes several git requests fails whole on any of them, as its retried attempts do.
    const rate = 0.2 + random() * 0.5;
    const rule: FaultRule = { ...kind, rate, count: 4 };
    const faultSeed = Math.floor(random() * 1e6);
    if (places.includes("codefresh")) await adminCall(url, "PUT", "faults", { seed: faultSeed, rules: [rule] });
    // The cluster's own checks stand for Argo CD's: only the resources' requests are faulted there.
    gitProxy.faults.set(places.includes("git") ? [{ ...rule, count: 3 }] : [], faultSeed);
    kubeProxy.faults.set(places.includes("cluster") ? [{ ...rule, count: 3, callers: ["ManagedCluster"] }] : [], faultSeed);
    console.log(`soak #${round}: ${what} with ${kind.kind} at ${places.join(", ")}`);
    return counting(go, async (survived) => {
      const atCodefresh = places.includes("codefresh")
        ? Object.values((await adminCall<{ injected: Record<string, number> }>(url, "GET", "faults")).injected).reduce((a, b) => a + b, 0)
        : 0;
      await adminCall(url, "DELETE", "faults");
      const count =
        atCodefresh + Object.values(gitProxy.faults.injected).reduce((a, b) => a + b, 0) + Object.values(kubeProxy.faults.injected).reduce((a, b) => a + b, 0);
      gitProxy.faults.set([]);
      kubeProxy.faults.set([]);
      record({ faultsInjected: count, faultsSurvived: survived ? count : 0 });
    });
  };

  /** After a crash in an update: the documented recovery, then the update applied and nothing doubled. */
  const convergesUpdated = (glob: string, labelValue: string) =>
    convergesAfterCrash(program, state, {
      keep: true,
      check: async (converged) => {
        await expectUpdated(program, converged, glob, labelValue);
        await stateMatchesCodefresh(program, converged);
      },
    });

  const actionsWhenDown = ["faulted up", "killed up"] as const;
  const actionsWhenUp = ["faulted update", "faulted refresh", "killed update", "emulator killed in update", "faulted destroy", "killed destroy"] as const;
  try {
    while (Date.now() < deadline) {
      round++;
      const action = up ? pick(actionsWhenUp) : pick(actionsWhenDown);
      done[action] = (done[action] ?? 0) + 1;
      const glob = pick(["*.yaml", "**/*.json", "apps/**"]);
      const labelValue = `soak-${round}`;
      switch (action) {
        case "faulted up":
          expect((await faulted(action, () => program.stack.up({ onOutput }))).summary.result).toBe("succeeded");
          expectConverged(await account());
          await stateMatchesCodefresh(program, await account());
          up = true;
          break;
        case "killed up":
          await killCliAfter(program, ["up", "--yes", "--skip-preview"], 1_500 + random() * 12_000, "up");
          await convergesAfterCrash(program, state, { keep: true, check: (converged) => stateMatchesCodefresh(program, converged) });
          up = true;
          break;
        case "faulted update":
          await setUpdate(program, glob, labelValue);
          expect((await faulted(action, () => program.stack.up({ onOutput }))).summary.result).toBe("succeeded");
          await expectUpdated(program, await account(), glob, labelValue);
          await stateMatchesCodefresh(program, await account());
          break;
        case "faulted refresh":
          await faulted(action, () => program.stack.refresh({ onOutput }));
          expect((await program.stack.preview()).changeSummary).toEqual({ same: 7 });
          break;
        case "killed update":
          await setUpdate(program, glob, labelValue);
          await killCliAfter(program, ["up", "--yes", "--skip-preview"], 1_000 + random() * 6_000, "update");
          await convergesUpdated(glob, labelValue);
          break;
        case "emulator killed in update": {
          await setUpdate(program, glob, labelValue);
          const update = program.stack.up().catch((e: unknown) => e);
          await new Promise((r) => setTimeout(r, 500 + random() * 4_000));
          await emulator.kill("SIGKILL");
          record({ crashPoint: "emulator killed during an update" });
          emulator = await spawnEmulatorCli([...args, "--port", new URL(url).port]);
          await update;
          await convergesUpdated(glob, labelValue);
          break;
        }
        case "faulted destroy":
          // The stack's own cluster token, to look for it everywhere at the end (ensure returns the existing one).
          secrets.push(
            (await cluster.ensureManagerAccount(cluster.resolveKubeconfig({ kubeconfig: admin.kubeconfig }), { serviceAccountName: serviceAccount })).token,
          );
          await faulted(action, () => program.stack.destroy({ onOutput }));
          await expectDestroyed(program, await account(), kubeconfig, serviceAccount);
          up = false;
          break;
        case "killed destroy":
          await killCliAfter(program, ["destroy", "--yes", "--skip-preview"], 1_000 + random() * 5_000, "destroy");
          await cli(program, ["cancel", "--yes"]);
          expect(await cli(program, ["refresh", "--yes", "--clear-pending-creates"])).toBe(0);
          await program.stack.destroy();
          await expectDestroyed(program, await account(), kubeconfig, serviceAccount);
          record({ crashesTried: 1, crashesConverged: 1 });
          up = false;
          break;
      }
    }
    if (up) await program.stack.destroy({ onOutput });
    console.log(`soak: ${round} actions in ${minutes} min: ${JSON.stringify(done)}`);
    await expectNoSecretLeaks(secrets, {
      texts: { "CLI output": output, "git proxy log": JSON.stringify(gitProxy.log.requests()), "cluster proxy log": JSON.stringify(kubeProxy.log.requests()) },
      dirs: [program.stateDir, dataDir],
      gitOrgs: [(await program.stack.getConfig("gitOrg")).value],
    });
  } finally {
    await program.dispose();
    await emulator.kill("SIGTERM");
    await Promise.all([gitProxy.stop(), kubeProxy.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
});
