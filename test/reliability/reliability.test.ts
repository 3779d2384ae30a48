// Reliability and security: faults of every kind, crashes (SIGKILL of `pulumi up`, emulator and
// kube-apiserver restarts), bad input, secrets in every output, and account isolation. Each part adds
// its counts to the report that `npm run test:reliability` prints as one line.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterProxy, kubeconfigFor, LocalKubernetes, startClusterProxy, startKubernetes } from "pulumi-codefresh-emulator";
import { cluster } from "pulumi-codefresh";
import { configure, get } from "pulumi-codefresh/provider";
import { generatedBadInputs, names } from "../harness/bad-input-table";
import { badInputs, valid } from "../harness/bad-inputs";
import { accountA, accountB, graphqlCall, spawnEmulatorCli, testEmulator, TestEmulator } from "../harness/emulator";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { runPulumi, testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";
import { record } from "./report";

type State = { accounts: { name: string; runtimes: { name: string }[]; gitSources: { name: string }[]; clusters: { name: string; status: string }[] }[] };

const soak = process.env.PULUMI_CODEFRESH_SOAK === "1";
let orgCounter = 0;

async function stackFor(url: string, kubeServer: string, caCert: string, adminToken: string, serviceAccount: string) {
  const org = `rel-${process.pid}-${++orgCounter}`;
  await sharedGitServer().createOrg(org);
  return testProgram(
    "codefresh-stack",
    codefreshStackConfig({
      apiUrl: url,
      org,
      gitSources: [
        { name: "rel-a", path: "a" },
        { name: "rel-b", path: "b" },
        { name: "rel-c", path: "c" },
      ],
      clusters: [{ name: "rel", kubeconfig: kubeconfigFor(kubeServer, caCert, adminToken), serviceAccountName: serviceAccount }],
      extra: { "codefresh:requestTimeoutMs": "2000" },
    }),
  );
}

/** The converged state of the stack: one runtime, default + three git sources, one Successful cluster. */
function expectConverged(account: State["accounts"][number]): void {
  expect(account.runtimes).toHaveLength(1);
  expect(account.gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", "rel-a", "rel-b", "rel-c"]);
  expect(account.clusters.map((c) => [c.name, c.status])).toEqual([["rel", "Successful"]]);
}

describe("faults: up converges to the clean result with no duplicates", () => {
  let proxy: ClusterProxy;
  beforeAll(async () => {
    proxy = await startClusterProxy(sharedCluster());
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  const kinds: [string, object[]][] = [
    ["429", [{ kind: "429", rate: 0.25, retryAfterSeconds: 0 }]],
    [
      "5xx",
      [
        { kind: "502", rate: 0.12 },
        { kind: "503", rate: 0.12, retryAfterSeconds: 0 },
      ],
    ],
    ["slow", [{ kind: "slow", rate: 0.15, delayMs: 2_500 }]],
    ["drop", [{ kind: "drop", rate: 0.2 }]],
    ["graphql-error", [{ kind: "graphql-error", rate: 0.2 }]],
  ];

  test.each(kinds)("%s", async (kind, rules) => {
    const emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA], installDelayMs: 500 });
    const admin = sharedCluster();
    const program = await stackFor(emulator.url, proxy.server, admin.caCert, admin.adminToken, `argocd-rel-${kind}-${process.pid}`);
    try {
      await emulator.admin("PUT", "faults", { seed: 11, rules });
      const up = await program.stack.up();
      const { injected } = await emulator.admin<{ injected: Record<string, number> }>("GET", "faults");
      await emulator.admin("DELETE", "faults");
      const count = Object.values(injected).reduce((a, b) => a + b, 0);
      expect(up.summary.result).toBe("succeeded");
      expectConverged((await emulator.admin<State>("GET", "state")).accounts[0]);
      expect((await program.stack.preview()).changeSummary).toEqual({ same: 7 });
      record({ faultsInjected: count, faultsSurvived: count });
      await program.stack.destroy();
    } finally {
      await program.dispose();
      await emulator.dispose();
    }
  });
});

const cli = (program: TestProgram, args: string[]) => runPulumi(program, args).exit;

/**
 * Recovers a stack after a crash, the documented way: clear the lock, drop pending creates, converge.
 * Git sources and clusters carry the stack's marker and are adopted by themselves. A hosted runtime can
 * carry none: if the kill landed while it was installing, `up` says to set `adopt: true`, and that
 * documented step is taken (and counted).
 */
async function recover(program: TestProgram): Promise<void> {
  await cli(program, ["cancel", "--yes"]);
  expect(await cli(program, ["refresh", "--yes", "--clear-pending-creates"])).toBe(0);
  const first = await program.stack.up().catch((e: unknown) => e);
  if (first instanceof Error) {
    expect(first.message).toMatch(/If an interrupted `pulumi up` of this stack installed it .* take it back/s);
    record({ runtimeAdoptions: 1 });
    await program.stack.setConfig("adoptRuntime", { value: "true" });
    const up = await program.stack.up();
    expect(up.summary.result).toBe("succeeded");
    await program.stack.setConfig("adoptRuntime", { value: "false" });
  }
  expect((await program.stack.preview()).changeSummary).toEqual({ same: 7 });
}

/** After a crash: recover, check nothing was lost or duplicated, count it, and tear down for the next. */
async function convergesAfterCrash(program: TestProgram, state: () => Promise<State>): Promise<void> {
  await recover(program);
  expectConverged((await state()).accounts[0]);
  record({ crashesTried: 1, crashesConverged: 1 });
  await program.stack.destroy();
}

describe("crashes: nothing lost or duplicated", () => {
  let proxy: ClusterProxy;
  beforeAll(async () => {
    proxy = await startClusterProxy(sharedCluster());
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  test("SIGKILL of pulumi up at random points, then refresh and up", async () => {
    const emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA], installDelayMs: 1_000, gitSourceDelayMs: 1_500 });
    const admin = sharedCluster();
    const program = await stackFor(emulator.url, proxy.server, admin.caCert, admin.adminToken, `argocd-rel-kill-${process.pid}`);
    const rounds = soak ? 10 : 3;
    try {
      for (let round = 0; round < rounds; round++) {
        // Kill somewhere between the program's start and the end of the first up (~10-15 s).
        const delayMs = 2_500 + Math.floor((((round * 7919) % 97) / 97) * 9_000);
        const { kill, exit: exited } = runPulumi(program, ["up", "--yes", "--skip-preview"], { detached: true });
        await new Promise((r) => setTimeout(r, delayMs));
        kill(); // the CLI and its plugins; nothing if it had already finished
        await exited;
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
    } finally {
      await program.dispose();
      await emulator.dispose();
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
      emulator = await spawnEmulatorCli([...args, "--port", port]);
      await up; // may have failed or succeeded, depending on what the restart cut
      const url = emulator.url;
      await convergesAfterCrash(program, async () => (await (await fetch(`${url}/_emulator/state`)).json()) as State);
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
      await up;
      await convergesAfterCrash(program, () => emulator.admin<State>("GET", "state"));
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
      await program.stack.destroy({ onOutput });

      const clusterToken = await cluster
        .ensureManagerAccount(cluster.resolveKubeconfig({ kubeconfig: admin.kubeconfig }), { serviceAccountName: `${serviceAccount}-probe` })
        .then((c) => c.token);
      const secrets = [accountA.apiKey, sharedGitServer().adminToken, admin.adminToken, clusterToken];
      const places: [string, string][] = [
        ["CLI output", output],
        ["errors", errors.join("\n")],
        ["emulator request log", JSON.stringify(emulator.requests())],
      ];
      // Every file the file backend wrote: checkpoints, history, backups.
      const walk = async (dir: string): Promise<string[]> => {
        const entries = await readdir(dir, { withFileTypes: true });
        const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
        return nested.flat();
      };
      for (const file of await walk(program.stateDir)) places.push([file, await readFile(file, "utf8").catch(() => "")]);
      // Provider and engine logs Pulumi keeps under PULUMI_HOME.
      const home = process.env.PULUMI_HOME;
      if (home) {
        for (const file of await walk(join(home, "logs")).catch(() => [])) places.push([file, await readFile(file, "utf8").catch(() => "")]);
      }
      let leaks = 0;
      for (const secret of secrets) {
        for (const form of [secret, Buffer.from(secret).toString("base64")]) {
          for (const [where, text] of places) {
            if (text.includes(form)) {
              leaks++;
              console.error(`secret found in ${where}`);
            }
          }
        }
      }
      record({ secretLeaks: leaks });
      expect(leaks).toBe(0);
      await cluster.removeManagerAccount(cluster.resolveKubeconfig({ kubeconfig: admin.kubeconfig }), { serviceAccountName: `${serviceAccount}-probe` });
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
