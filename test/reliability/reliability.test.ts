// Reliability and security: faults of every kind on every step (up, an update, refresh, destroy), crashes
// (SIGKILL of `pulumi up` in a create and an update and of `pulumi destroy`, kill -9 of the emulator during
// up and while it pushes to the Shared Configuration Repo, kube-apiserver restarts), bad input, secrets in
// every output, and account isolation. Each part adds its counts to the report that `npm run
// test:reliability` prints as one line; under it (PULUMI_CODEFRESH_RELIABILITY_REPORT set) the fault and
// crash scenarios run every kind and many rounds, under plain `npm test` one of each.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterProxy, kubeconfigFor, LocalKubernetes, startClusterProxy, startKubernetes } from "pulumi-codefresh-emulator";
import { cluster, git } from "pulumi-codefresh";
import { configure, get } from "pulumi-codefresh/provider";
import { generatedBadInputs, names } from "../harness/bad-input-table";
import { badInputs, valid } from "../harness/bad-inputs";
import { accountA, accountB, adminCall, graphqlCall, spawnEmulatorCli, testEmulator, TestEmulator } from "../harness/emulator";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { runPulumi, testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";
import { record } from "./report";

type State = {
  accounts: {
    name: string;
    runtimes: { name: string }[];
    gitSources: { name: string }[];
    clusters: { name: string; status: string; labels?: Record<string, string> }[];
  }[];
};

const soak = process.env.PULUMI_CODEFRESH_SOAK === "1";
/** `npm run test:reliability`: every fault kind on every step and many crashes; plain `npm test`: one of each. */
const volume = (process.env.PULUMI_CODEFRESH_RELIABILITY_REPORT ?? "") !== "";
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

// One proxy in front of the shared cluster for the stacks of this file (each has its own ServiceAccount).
let proxy: ClusterProxy;
beforeAll(async () => {
  proxy = await startClusterProxy(sharedCluster());
});
afterAll(async () => {
  await proxy?.stop();
});

describe("faults: up converges to the clean result with no duplicates", () => {
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

type Account = State["accounts"][number];
type Rule = { kind: string; rate: number; retryAfterSeconds?: number | null; delayMs?: number };
const hostedRuntime = "codefresh-hosted";
const ours = "pulumi-nodejs:dynamic/codefresh:";

/** The Application manifests of the hosted runtime's git sources in the Shared Configuration Repository: name and text, one per file. */
async function iscManifests(org: string): Promise<{ name: string; text: string }[]> {
  const gitea = sharedGitServer();
  const listed = await gitea.api("GET", `/repos/${org}/codefresh-isc/contents/resources/${hostedRuntime}`);
  if (listed.status !== 200 && listed.status !== 404) throw new Error(`gitea: listing the ISC answered ${listed.status}`);
  const entries = listed.status === 200 ? (listed.body as { name: string; path: string; type: string }[]) : [];
  const repos = git.createGitClient({ provider: "GITHUB", apiUrl: gitea.apiUrl, token: gitea.adminToken, caBundle: gitea.caCert });
  const isc = git.parseRepoUrl(`${gitea.url}/${org}/codefresh-isc.git`);
  const manifests: { name: string; text: string }[] = [];
  for (const entry of entries.filter((e) => e.type === "file" && e.name.endsWith(".yaml"))) {
    const text = (await repos.readFile(isc, entry.path)) ?? "";
    if (/^kind: Application$/m.test(text)) manifests.push({ name: /^metadata:\n {2}name: (\S+)$/m.exec(text)?.[1] ?? entry.name, text });
  }
  return manifests;
}

/** The stack's resources of one of this package's types, by their names in Codefresh. */
async function namesInState(program: TestProgram, type: string): Promise<string[]> {
  const resources = (await program.readState()).resources.filter((r) => r.type === `${ours}${type}`);
  return resources.map((r) => String(r.outputs?.name)).sort();
}

/**
 * Pulumi state and Codefresh agree: every git source and cluster in state exists in Codefresh and none
 * twice, Codefresh has none the stack does not (but the default git source), and the Shared Configuration
 * Repo holds exactly one Application manifest per git source in state.
 */
async function stateMatchesCodefresh(program: TestProgram, account: Account): Promise<void> {
  const org = (await program.stack.getConfig("gitOrg")).value;
  const sources = await namesInState(program, "GitSource");
  expect(account.gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", ...sources].sort());
  expect(account.clusters.map((c) => c.name).sort()).toEqual(await namesInState(program, "ManagedCluster"));
  expect(account.runtimes.map((r) => r.name)).toEqual(await namesInState(program, "HostedRuntime"));
  expect((await iscManifests(org)).map((m) => m.name).sort()).toEqual(sources);
}

/** Nothing left: no runtime, git source or cluster in Codefresh or in state, no credentials or claim in the cluster. */
async function expectDestroyed(program: TestProgram, account: Account, kubeconfig: string, serviceAccountName: string): Promise<void> {
  expect({ runtimes: account.runtimes, gitSources: account.gitSources, clusters: account.clusters }).toEqual({ runtimes: [], gitSources: [], clusters: [] });
  expect((await program.readState()).resources.filter((r) => r.type.startsWith(ours))).toEqual([]);
  const target = cluster.resolveKubeconfig({ kubeconfig });
  expect(await cluster.readManagerAccount(target, { serviceAccountName })).toMatchObject({
    serviceAccountExists: false,
    clusterRoleBindingExists: false,
    tokenHash: undefined,
  });
  expect((await cluster.readRegistrationClaim(target, hostedRuntime)).holder).toBeUndefined();
}

/** The update every fault and crash test applies: a new include glob on every git source, a cluster label. */
async function setUpdate(program: TestProgram, glob: string, label: string): Promise<void> {
  const paths = ["a", "b", "c"];
  await program.stack.setConfig("gitSources", { value: JSON.stringify(paths.map((path) => ({ name: `rel-${path}`, path, include: glob }))) });
  await program.stack.setConfig("clusterLabels0", { value: JSON.stringify({ "rel-step": label }) });
}

/** Codefresh and the Shared Configuration Repo show the update: every manifest's include, the cluster's label. */
async function expectUpdated(program: TestProgram, account: Account, glob: string, label: string): Promise<void> {
  const org = (await program.stack.getConfig("gitOrg")).value;
  const sources = await iscManifests(org);
  expect(sources.map((m) => [m.name, /include: "?([^"\n]*)"?$/m.exec(m.text)?.[1]])).toEqual(["rel-a", "rel-b", "rel-c"].map((n) => [n, glob]));
  expect(account.clusters[0].labels).toMatchObject({ "rel-step": label });
}

describe("faults on every step: up, an update of every resource, refresh and destroy each end clean", () => {
  // Every kind the emulator has (emulator/src/faults.ts) but the business fault install-failure. slow and
  // late wait longer than the stack's 2 s request timeout, so the client gives up on a request that is applied.
  const all: [string, Rule[]][] = [
    ["429-retry-after", [{ kind: "429", rate: 0.25, retryAfterSeconds: 1 }]],
    ["429-no-retry-after", [{ kind: "429", rate: 0.25, retryAfterSeconds: null }]],
    ["500", [{ kind: "500", rate: 0.15 }]],
    ["502", [{ kind: "502", rate: 0.15 }]],
    ["503", [{ kind: "503", rate: 0.15, retryAfterSeconds: 0 }]],
    ["504", [{ kind: "504", rate: 0.15 }]],
    ["slow", [{ kind: "slow", rate: 0.1, delayMs: 2_500 }]],
    ["late", [{ kind: "late", rate: 0.1, delayMs: 2_500 }]],
    ["drop", [{ kind: "drop", rate: 0.2 }]],
    ["reset", [{ kind: "reset", rate: 0.2 }]],
    ["graphql-error", [{ kind: "graphql-error", rate: 0.2 }]],
  ];
  const kinds = volume ? all : all.filter(([name]) => name === "drop");

  test.each(kinds)("%s", async (name, rules) => {
    const emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA], installDelayMs: 500 });
    const admin = sharedCluster();
    const serviceAccount = `argocd-rel-steps-${name}-${process.pid}`;
    const program = await stackFor(emulator.url, proxy.server, admin.caCert, admin.adminToken, serviceAccount);
    const account = async () => (await emulator.admin<State>("GET", "state")).accounts[0];
    let seed = 23;
    /** Runs one step with the faults in force; counts what was injected, and survived if the step succeeded. */
    const faulted = async <T>(step: string, run: () => Promise<T>): Promise<T> => {
      await emulator.admin("PUT", "faults", { seed: seed++, rules });
      let survived = false;
      try {
        const result = await run();
        survived = true;
        return result;
      } finally {
        const { injected } = await emulator.admin<{ injected: Record<string, number> }>("GET", "faults");
        await emulator.admin("DELETE", "faults");
        const count = Object.values(injected).reduce((a, b) => a + b, 0);
        console.log(`faults ${name}: ${count} injected during ${step}${survived ? "" : ", which failed"}`);
        record({ faultsInjected: count, faultsSurvived: survived ? count : 0 });
      }
    };
    try {
      expect((await faulted("up", () => program.stack.up())).summary.result).toBe("succeeded");
      expectConverged(await account());
      await stateMatchesCodefresh(program, await account());

      // Every resource with something Codefresh changes in place: git sources, the cluster, and the
      // Shared Configuration Repo's token (rotated). The hosted runtime has nothing to change in place.
      await setUpdate(program, "*.yaml", "updated");
      const rotated = await sharedGitServer().createToken(sharedGitServer().adminUser, ["all"]);
      await program.stack.setConfig("gitToken", { value: rotated, secret: true });
      const update = await faulted("update", () => program.stack.up());
      expect(update.summary.resourceChanges).toMatchObject({ update: 5, same: 2 });
      expectConverged(await account());
      await expectUpdated(program, await account(), "*.yaml", "updated");
      await stateMatchesCodefresh(program, await account());
      expect((await program.stack.preview()).changeSummary).toEqual({ same: 7 });

      await faulted("refresh", () => program.stack.refresh());
      expect((await program.stack.preview()).changeSummary).toEqual({ same: 7 });
      await stateMatchesCodefresh(program, await account());

      await faulted("destroy", () => program.stack.destroy());
      await expectDestroyed(program, await account(), kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), serviceAccount);
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

/**
 * After a crash: recover, check nothing was lost or duplicated (`check`: more to check), count it, and
 * tear down for the next unless `keep`.
 */
async function convergesAfterCrash(
  program: TestProgram,
  state: () => Promise<State>,
  options: { check?: (account: Account) => Promise<void>; keep?: boolean } = {},
): Promise<void> {
  await recover(program);
  const account = (await state()).accounts[0];
  expectConverged(account);
  await options.check?.(account);
  record({ crashesTried: 1, crashesConverged: 1 });
  if (!options.keep) await program.stack.destroy();
}

/** A kill point in [fromMs, fromMs + spanMs), spread over the rounds without a random source to replay. */
const killPoint = (round: number, fromMs: number, spanMs: number) => fromMs + Math.floor((((round * 7919 + 13) % 97) / 97) * spanMs);

/** Starts `pulumi <args>`, SIGKILLs it (and its plugins) after `delayMs`, and says where, for the report. */
async function killCliAfter(program: TestProgram, args: string[], delayMs: number, step: string): Promise<void> {
  const { kill, exit } = runPulumi(program, args, { detached: true });
  await new Promise((r) => setTimeout(r, delayMs));
  kill(); // nothing if it had already finished
  await exit;
  console.log(`crash point: ${step} after ${(delayMs / 1000).toFixed(1)} s`);
}

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
