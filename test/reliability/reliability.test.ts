// Reliability and security: crashes (SIGKILL of `pulumi up` in a create and an update and of `pulumi
// destroy`, kill -9 of the emulator during up and while it pushes to the Shared Configuration Repo,
// kube-apiserver restarts), bad input, secrets in every output, and account isolation (faults on every
// step: faults.test.ts). Each part adds its counts to the report that `npm run test:reliability` prints as
// one line; under it (PULUMI_CODEFRESH_RELIABILITY_REPORT set) the crash scenarios run many rounds, under
// plain `npm test` one of each.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterProxy, kubeconfigFor, LocalKubernetes, startClusterProxy, startKubernetes } from "pulumi-codefresh-emulator";
import { cluster } from "pulumi-codefresh";
import { configure, get } from "pulumi-codefresh/provider";
import { generatedBadInputs, names } from "../harness/bad-input-table";
import { badInputs, valid } from "../harness/bad-inputs";
import { accountA, accountB, adminCall, graphqlCall, spawnEmulatorCli, testEmulator, TestEmulator } from "../harness/emulator";
import { runPulumi } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";
import { record } from "./report";
import {
  cli,
  convergesAfterCrash,
  expectDestroyed,
  expectUpdated,
  iscManifests,
  killCliAfter,
  killPoint,
  setUpdate,
  soak,
  stackFor,
  State,
  stateMatchesCodefresh,
  volume,
} from "./scenario";
import { expectNoSecretLeaks, expectStackClean } from "./secrets-sweep";

// One proxy in front of the shared cluster for the stacks of this file (each has its own ServiceAccount).
let proxy: ClusterProxy;
beforeAll(async () => {
  proxy = await startClusterProxy(sharedCluster());
});
afterAll(async () => {
  await proxy?.stop();
});

describe("crashes: nothing lost or duplicated", () => {
  test("SIGKILL of pulumi up at random points, then refresh and up", async () => {
    const emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA], installDelayMs: 1_000, gitSourceDelayMs: 1_500 });
    const admin = sharedCluster();
    const program = await stackFor(emulator.url, proxy.server, admin.caCert, admin.adminToken, `argocd-rel-kill-${process.pid}`);
    const rounds = soak ? 10 : volume ? 6 : 3;
    try {
      for (let round = 0; round < rounds; round++) {
        // Kill somewhere between the program's start and the end of the first up (~10-15 s).
        const delayMs = 2_500 + Math.floor((((round * 7919) % 97) / 97) * 9_000);
        const { kill, exit: exited } = runPulumi(program, ["up", "--yes", "--skip-preview"], { detached: true });
        await new Promise((r) => setTimeout(r, delayMs));
        kill(); // the CLI and its plugins; nothing if it had already finished
        await exited;
        record({ crashPoint: "pulumi killed in up" });
        // Destroyed after each round, so each kill lands in a create.
        await convergesAfterCrash(program, () => emulator.admin<State>("GET", "state"));
        // ...and the destroy after an interrupted create leaves nothing in the cluster: no credentials, no claim.
        const target = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken) });
        expect(await cluster.readManagerAccount(target, { serviceAccountName: `argocd-rel-kill-${process.pid}` })).toMatchObject({
          serviceAccountExists: false,
          clusterRoleBindingExists: false,
          tokenHash: undefined,
        });
        expect((await cluster.readRegistrationClaim(target, "codefresh-hosted")).holder).toBeUndefined();
      }
      await expectStackClean(program, emulator.dataDir);
    } finally {
      await program.dispose();
      await emulator.dispose();
    }
  });

  test("crashes on every step: the emulator killed while it pushes a git source, pulumi killed in an update and in a destroy; each recovers", async () => {
    // One stack through all three: the first up is where the emulator dies, the updates need the stack up, and the destroys end it.
    const dataDir = await mkdtemp(join(tmpdir(), "rel-emulator-steps-"));
    const caFile = join(dataDir, "gitea-ca.pem");
    await writeFile(caFile, sharedGitServer().caCert);
    const args = [
      "--data",
      dataDir,
      "--account",
      `${accountA.name}:${accountA.apiKey}`,
      "--install-delay-ms",
      "500",
      "--delete-delay-ms",
      "1500",
      "--git-ca-file",
      caFile,
    ];
    let emulator = await spawnEmulatorCli(args);
    const url = emulator.url;
    const admin = sharedCluster();
    const serviceAccount = `argocd-rel-kill-steps-${process.pid}`;
    const program = await stackFor(url, proxy.server, admin.caCert, admin.adminToken, serviceAccount);
    const org = (await program.stack.getConfig("gitOrg")).value;
    const state = () => adminCall<State>(url, "GET", "state");
    const kubeconfig = kubeconfigFor(proxy.server, admin.caCert, admin.adminToken);
    /** How many createGitSource requests this emulator process has begun (counted before the operation runs). */
    const begun = async () =>
      (await adminCall<{ byOperation: Record<string, { count: number }> }>(url, "GET", "counters")).byOperation.createGitSource?.count ?? 0;
    try {
      for (let round = 0; round < (volume ? 3 : 1); round++) {
        if (round > 0) await program.stack.destroy();
        // The createGitSource to die in: the 1st, 2nd or 3rd of this up. It commits the manifest, then records the source.
        const target = (await begun()) + 1 + (round % 3);
        const up = program.stack.up().catch((e: unknown) => e);
        const deadline = Date.now() + 120_000;
        while ((await begun()) < target) {
          if (Date.now() > deadline) throw new Error(`no createGitSource #${target} within 120 s`);
          await new Promise((r) => setTimeout(r, 10));
        }
        // Then a little later, so the kills spread over the push: at its start, a little into it, and (every
        // third round) once its commit is in git, where the emulator may not have recorded the source yet.
        const afterMs = killPoint(round, 0, 400);
        if (round % 3 === 2) while ((await iscManifests(org)).length === 0) await new Promise((r) => setTimeout(r, 5));
        else await new Promise((r) => setTimeout(r, afterMs));
        await emulator.kill("SIGKILL");
        emulator = await spawnEmulatorCli([...args, "--port", new URL(url).port]);
        // Where in the push it died: a manifest in git for a source Codefresh never recorded means mid-operation.
        const pushed = (await iscManifests(org)).length;
        const recorded = (await state()).accounts[0].gitSources.filter((s) => s.name !== "default-git-source").length;
        const when = round % 3 === 2 ? "once committed" : `+ ${afterMs} ms`;
        console.log(`crash point: emulator during push (createGitSource #${target} ${when}; ${pushed} manifests in git, ${recorded} sources recorded)`);
        record({ crashPoint: "emulator killed during a push" });
        await up; // failed, most likely: its emulator went away
        await convergesAfterCrash(program, state, { keep: true, check: (converged) => stateMatchesCodefresh(program, converged) });
      }
      for (let round = 0; round < (volume ? 6 : 1); round++) {
        // Each round changes every git source's glob and the cluster's label again, so each kill lands in updates.
        const glob = round % 2 === 0 ? "*.yaml" : "**/*.json";
        await setUpdate(program, glob, `round-${round}`);
        await killCliAfter(program, ["up", "--yes", "--skip-preview"], killPoint(round, 2_000, 5_000), "update");
        await convergesAfterCrash(program, state, {
          keep: true,
          check: async (converged) => {
            await expectUpdated(program, converged, glob, `round-${round}`);
            await stateMatchesCodefresh(program, converged);
          },
        });
      }
      for (let round = 0; round < (volume ? 5 : 1); round++) {
        if (round > 0) expect((await program.stack.up()).summary.result).toBe("succeeded");
        await killCliAfter(program, ["destroy", "--yes", "--skip-preview"], killPoint(round, 1_500, 5_000), "destroy");
        // The documented recovery, then the destroy the user asked for.
        await cli(program, ["cancel", "--yes"]);
        expect(await cli(program, ["refresh", "--yes", "--clear-pending-creates"])).toBe(0);
        await program.stack.destroy();
        await expectDestroyed(program, (await state()).accounts[0], kubeconfig, serviceAccount);
        record({ crashesTried: 1, crashesConverged: 1 });
      }
      await expectStackClean(program, dataDir);
    } finally {
      await program.dispose();
      await emulator.kill("SIGTERM");
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("the emulator restarted (kill -9) during up: the next up converges", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "rel-emulator-"));
    const caFile = join(dataDir, "gitea-ca.pem");
    await writeFile(caFile, sharedGitServer().caCert);
    const args = [
      "--data",
      dataDir,
      "--account",
      `${accountA.name}:${accountA.apiKey}`,
      "--install-delay-ms",
      "2000",
      "--git-source-delay-ms",
      "1500",
      "--git-ca-file",
      caFile,
    ];
    let emulator = await spawnEmulatorCli(args);
    const port = new URL(emulator.url).port;
    const admin = sharedCluster();
    const program = await stackFor(emulator.url, proxy.server, admin.caCert, admin.adminToken, `argocd-rel-restart-${process.pid}`);
    try {
      const up = program.stack.up().catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 4_000));
      await emulator.kill("SIGKILL");
      record({ crashPoint: "emulator killed during up" });
      emulator = await spawnEmulatorCli([...args, "--port", port]);
      await up; // may have failed or succeeded, depending on what the restart cut
      const url = emulator.url;
      await convergesAfterCrash(program, async () => (await (await fetch(`${url}/_emulator/state`)).json()) as State);
      await expectStackClean(program, dataDir);
    } finally {
      await program.dispose();
      await emulator.kill("SIGTERM");
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("the target's kube-apiserver restarted during up: the next up converges", async () => {
    const kube: LocalKubernetes = await startKubernetes();
    const emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA], installDelayMs: 3_000 });
    const program = await stackFor(emulator.url, kube.server, kube.caCert, kube.adminToken, "argocd-manager");
    try {
      const up = program.stack.up().catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 3_000));
      await kube.restartApiServer();
      record({ crashPoint: "kube-apiserver restarted during up" });
      await up;
      await convergesAfterCrash(program, () => emulator.admin<State>("GET", "state"));
      await expectStackClean(program, emulator.dataDir, [kube.adminToken]);
    } finally {
      await program.dispose();
      await emulator.dispose();
      await kube.stop();
    }
  });
});

describe("bad input: rejected in check, with no remote call", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await testEmulator({ accounts: [accountA] });
    configure({ config: { get: (key: string) => ({ "codefresh:apiUrl": emulator.url, "codefresh:apiKey": accountA.apiKey })[key] } });
  });
  afterAll(async () => {
    await emulator?.dispose();
  });

  test("every invalid input of every resource", async () => {
    emulator.resetCounters();
    let rejected = 0;
    for (const [key, , change, reason] of badInputs) {
      const result = await get(key).check({}, { ...valid[key], ...change });
      const failures = result.failures ?? [];
      if (failures.length > 0 && reason.test(failures.map((f) => f.reason).join("\n"))) rejected++;
    }
    // And the table generated from the declarations: rejected means a failure naming the field.
    const generated = generatedBadInputs();
    for (const row of generated) {
      const failures = (await get(row.resource).check({}, row.inputs)).failures ?? [];
      if (failures.some((f) => names(f.property, row.field))) rejected++;
    }
    const tried = badInputs.length + generated.length;
    record({ badInputsTried: tried, badInputsRejected: rejected });
    expect(rejected).toBe(tried);
    expect(emulator.counters().total).toBe(0);
  });
});

describe("secrets: never in state, output, logs or errors", () => {
  test("after up, preview, refresh, a failed up and destroy", async () => {
    const emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA] });
    const proxy = await startClusterProxy(sharedCluster());
    const admin = sharedCluster();
    const serviceAccount = `argocd-rel-secrets-${process.pid}`;
    const program = await stackFor(emulator.url, proxy.server, admin.caCert, admin.adminToken, serviceAccount);
    let output = "";
    const onOutput = (t: string) => (output += t);
    const errors: string[] = [];
    try {
      await program.stack.up({ onOutput });
      await program.stack.preview({ onOutput });
      await program.stack.refresh({ onOutput });
      // A failed up: the emulator answers every write with an error.
      await program.stack.setConfig("gitSources", {
        value: JSON.stringify([
          { name: "rel-a", path: "a" },
          { name: "rel-x", path: "x" },
        ]),
      });
      await emulator.admin("PUT", "faults", { rules: [{ kind: "500", operations: ["createGitSource"] }] });
      errors.push(String(await program.stack.up({ onOutput }).catch((e: unknown) => e)));
      await emulator.admin("DELETE", "faults");
      // The token of the stack's own ServiceAccount (ensure returns the one the stack made).
      const target = cluster.resolveKubeconfig({ kubeconfig: admin.kubeconfig });
      const clusterToken = (await cluster.ensureManagerAccount(target, { serviceAccountName: serviceAccount })).token;
      await program.stack.destroy({ onOutput });

      const secrets = [accountA.apiKey, sharedGitServer().adminToken, admin.adminToken, clusterToken];
      await expectNoSecretLeaks(secrets, {
        texts: { "CLI output": output, errors: errors.join("\n"), "emulator request log": JSON.stringify(emulator.requests()) },
        // Every file the file backend wrote (checkpoints, history, backups) and the emulator's data dir.
        dirs: [program.stateDir, emulator.dataDir],
        gitOrgs: [(await program.stack.getConfig("gitOrg")).value],
      });
    } finally {
      await program.dispose();
      await proxy.stop();
      await emulator.dispose();
    }
  });
});

describe("isolation", () => {
  test("one account's key cannot read or change another's objects; a wrong key leaks nothing", async () => {
    const emulator = await testEmulator({ accounts: [accountA, accountB] });
    try {
      await emulator.graphql(accountA.apiKey, "mutation { installHostedRuntime { name } }");
      const read = await emulator.graphql(accountB.apiKey, `query { runtime(name: "codefresh-hosted") { metadata { name } } }`);
      expect(read.body.data).toEqual({ runtime: null });
      const change = await emulator.graphql(accountB.apiKey, `mutation { deleteRuntime(name: "codefresh-hosted") }`);
      expect(change.body.errors?.[0].message).toBe("runtime 'codefresh-hosted' does not exist");
      const still = await emulator.graphql(accountA.apiKey, `query { runtime(name: "codefresh-hosted") { metadata { name } } }`);
      expect(still.body.data).toEqual({ runtime: { metadata: { name: "codefresh-hosted" } } });
      const wrong = await graphqlCall(`${emulator.url}/2.0/api/graphql`, "wrong-key", `query { me { activeAccount { name } } }`);
      expect(wrong.status).toBe(401);
      expect(JSON.stringify(wrong.body)).not.toMatch(/acme|globex|codefresh-hosted/);
    } finally {
      await emulator.dispose();
    }
  });
});
