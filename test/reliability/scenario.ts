// What the reliability suite's files share: the stack every scenario runs (a hosted runtime, its Shared
// Configuration Repo, three git sources, one cluster), and the checks that it converged, updated, was
// destroyed without leftovers, and that Pulumi state, Codefresh and the Shared Configuration Repo agree.
import { FaultRule, kubeconfigFor } from "pulumi-codefresh-emulator";
import { cluster, git } from "pulumi-codefresh";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { runPulumi, testProgram, TestProgram } from "../harness/pulumi";
import { sharedGitServer } from "../harness/shared";
import { record } from "./report";

export type State = {
  accounts: {
    name: string;
    runtimes: { name: string }[];
    gitSources: { name: string }[];
    clusters: { name: string; status: string; labels?: Record<string, string> }[];
  }[];
};
export type Account = State["accounts"][number];

export const soak = process.env.PULUMI_CODEFRESH_SOAK === "1";
/** `npm run test:reliability`: every fault kind on every step and many crashes; plain `npm test`: one of each. */
export const volume = (process.env.PULUMI_CODEFRESH_RELIABILITY_REPORT ?? "") !== "";
let orgCounter = 0;
/**
 * The stacks' Codefresh request timeout: short, so the `slow` and `late` faults ({@link lateDelayMs}) make the
 * client give up on requests that are then applied, yet long enough for an emulator several stacks load at once.
 */
export const requestTimeoutMs = 5_000;
export const lateDelayMs = requestTimeoutMs + 1_000;

/** A fault kind as a rule without rate, count or callers, which each scenario chooses. */
export type FaultKind = Omit<FaultRule, "rate" | "count" | "callers">;

// Every kind the emulator has (emulator/src/faults.ts) but the business fault install-failure. slow and
// late wait longer than the stack's Codefresh request timeout, so the client gives up on a request that is applied.
export const faultKindsUnderTest: [string, FaultKind][] = [
  // The two that wait first: they take the longest, so they start first and the others fill the slots beside them.
  ["slow", { kind: "slow", delayMs: lateDelayMs }],
  ["late", { kind: "late", delayMs: lateDelayMs }],
  ["429-retry-after", { kind: "429", retryAfterSeconds: 1 }],
  ["429-no-retry-after", { kind: "429", retryAfterSeconds: null }],
  ["500", { kind: "500" }],
  ["502", { kind: "502" }],
  ["503", { kind: "503", retryAfterSeconds: 0 }],
  ["504", { kind: "504" }],
  ["drop", { kind: "drop" }],
  ["reset", { kind: "reset" }],
  ["graphql-error", { kind: "graphql-error" }],
];

/**
 * The reliability stack in a new git org. `git` points it at a proxy in front of Gitea instead of Gitea
 * (the program's git calls and the emulator's pushes then go through it).
 */
export async function stackFor(url: string, kubeServer: string, caCert: string, adminToken: string, serviceAccount: string, options: { gitUrl?: string } = {}) {
  // Unique in the shared Gitea: test files of one jest worker share its pid, each with its own counter.
  const org = `rel-${process.pid}-${Date.now().toString(36)}-${++orgCounter}`;
  await sharedGitServer().createOrg(org);
  const gitUrls: Record<string, string> = options.gitUrl ? { gitUrl: options.gitUrl, gitApiUrl: `${options.gitUrl}/api/v1` } : {};
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
      extra: { "codefresh:requestTimeoutMs": String(requestTimeoutMs), ...gitUrls },
    }),
  );
}

/** The converged state of the stack: one runtime, default + three git sources, one Successful cluster. */
export function expectConverged(account: Account): void {
  expect(account.runtimes).toHaveLength(1);
  expect(account.gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", "rel-a", "rel-b", "rel-c"]);
  expect(account.clusters.map((c) => [c.name, c.status])).toEqual([["rel", "Successful"]]);
}

export type Rule = { kind: string; rate: number; retryAfterSeconds?: number | null; delayMs?: number };
export const hostedRuntime = "codefresh-hosted";
export const ours = "pulumi-nodejs:dynamic/codefresh:";

/** The Application manifests of the hosted runtime's git sources in the Shared Configuration Repository: name and text, one per file. */
export async function iscManifests(org: string): Promise<{ name: string; text: string }[]> {
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
export async function namesInState(program: TestProgram, type: string): Promise<string[]> {
  const resources = (await program.readState()).resources.filter((r) => r.type === `${ours}${type}`);
  return resources.map((r) => String(r.outputs?.name)).sort();
}

/**
 * Pulumi state and Codefresh agree: every git source and cluster in state exists in Codefresh and none
 * twice, Codefresh has none the stack does not (but the default git source), and the Shared Configuration
 * Repo holds exactly one Application manifest per git source in state.
 */
export async function stateMatchesCodefresh(program: TestProgram, account: Account): Promise<void> {
  const org = (await program.stack.getConfig("gitOrg")).value;
  const sources = await namesInState(program, "GitSource");
  expect(account.gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", ...sources].sort());
  expect(account.clusters.map((c) => c.name).sort()).toEqual(await namesInState(program, "ManagedCluster"));
  expect(account.runtimes.map((r) => r.name)).toEqual(await namesInState(program, "HostedRuntime"));
  expect((await iscManifests(org)).map((m) => m.name).sort()).toEqual(sources);
}

/** Nothing left: no runtime, git source or cluster in Codefresh or in state, no credentials or claim in the cluster. */
export async function expectDestroyed(program: TestProgram, account: Account, kubeconfig: string, serviceAccountName: string): Promise<void> {
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
export async function setUpdate(program: TestProgram, glob: string, label: string): Promise<void> {
  const paths = ["a", "b", "c"];
  await program.stack.setConfig("gitSources", { value: JSON.stringify(paths.map((path) => ({ name: `rel-${path}`, path, include: glob }))) });
  await program.stack.setConfig("clusterLabels0", { value: JSON.stringify({ "rel-step": label }) });
}

/** Codefresh and the Shared Configuration Repo show the update: every manifest's include, the cluster's label. */
export async function expectUpdated(program: TestProgram, account: Account, glob: string, label: string): Promise<void> {
  const org = (await program.stack.getConfig("gitOrg")).value;
  const sources = await iscManifests(org);
  expect(sources.map((m) => [m.name, /include: "?([^"\n]*)"?$/m.exec(m.text)?.[1]])).toEqual(["rel-a", "rel-b", "rel-c"].map((n) => [n, glob]));
  expect(account.clusters[0].labels).toMatchObject({ "rel-step": label });
}

export const cli = (program: TestProgram, args: string[]) => runPulumi(program, args).exit;

/**
 * Recovers a stack after a crash, the documented way: clear the lock, drop pending creates, converge.
 * Git sources and clusters carry the stack's marker and are adopted by themselves. A hosted runtime can
 * carry none: if the kill landed while it was installing, `up` says to set `adopt: true`, and that
 * documented step is taken (and counted).
 */
export async function recover(program: TestProgram): Promise<void> {
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
export async function convergesAfterCrash(
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
export const killPoint = (round: number, fromMs: number, spanMs: number) => fromMs + Math.floor((((round * 7919 + 13) % 97) / 97) * spanMs);

/** Starts `pulumi <args>`, SIGKILLs it (and its plugins) after `delayMs`, and says where, for the report. */
export async function killCliAfter(program: TestProgram, args: string[], delayMs: number, step: string): Promise<void> {
  const { kill, exit } = runPulumi(program, args, { detached: true });
  await new Promise((r) => setTimeout(r, delayMs));
  kill(); // nothing if it had already finished
  await exit;
  console.log(`crash point: ${step} after ${(delayMs / 1000).toFixed(1)} s`);
  record({ crashPoint: `pulumi killed in ${step}` });
}

/** Runs `go`, then `counted(survived)` whether it succeeded or threw: a faulted step's counts are taken either way. */
export async function counting<T>(go: () => Promise<T>, counted: (survived: boolean) => Promise<void>): Promise<T> {
  let survived = false;
  try {
    const result = await go();
    survived = true;
    return result;
  } finally {
    await counted(survived);
  }
}
