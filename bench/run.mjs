#!/usr/bin/env node
// `npm run bench [-- --n 100 --m 20 --latency-ms 20 --repeat 3 --parallel P[,P2,...] --steps up,destroy --scaling --json out.json --trace spans.json]`
//
// Measures, in one run, our stack (1 hosted runtime, 1 shared configuration repo, N git sources, M
// clusters, against the emulator with a per-request latency, the real kube-apiserver and Gitea) and a
// baseline stack of the same shape made of trivial dynamic resources: wall time of up, a no-change
// preview, a no-change refresh, an update touching 10% of the resources, and destroy; state bytes per
// resource; peak memory of the program, the engine and the dynamic provider of both stacks. Each
// measurement is repeated; the median and the spread (min-max) are reported. `--scaling` measures the
// shape again with N and M doubled and prints how much each operation grew; `--parallel 8,32,128`
// measures every step at each value; `--steps` measures only some steps (at least up and destroy).
// Nothing here asserts a time.
//
// Where ours' time goes, per step (the round whose time is the median):
// - R, the remote critical path: the union of the intervals during which at least one request of the
//   stack is in flight at the emulator (its own request log: arrival and answer), at Gitea (a logging
//   proxy in front of it: the SDK's Gitea API calls and the emulator's pushes and fetches go through it),
//   or at a cluster's API server (the per-cluster proxies), and while the emulator's modeled install (1 s)
//   or delete (0.5 s) of the hosted runtime goes on after its request was answered (remote work the stack
//   polls for). Nothing remote is going on outside R, so the stack cannot be faster than R without a
//   faster remote side (or fewer, or more parallel, requests).
// - L = ours − R, the local time: Pulumi, our program and provider, with nothing of ours in flight.
// - A wave: one push to the Shared Configuration Repository during the phase of git source and cluster
//   changes (from the first create/edit/delete of one to the end of the last). Pulumi runs at most
//   `--parallel` steps at once and the emulator groups the changes in flight into one push, so resources
//   go through in waves. R per wave is R within that phase divided by the waves; its target (issue 19) is
//   1.5 × (one idle push + the union of the injected latencies of the phase's emulator requests, per wave).
// - One idle push: `git push` of a one-file commit to a scratch repository through the Gitea proxy with
//   nothing else in flight, the median of 5, measured before the stacks (and the same without the proxy:
//   the difference is what the proxy adds to a push).
// - `--trace`: each resource's span (from its step's start event to its outputs) split into remote (the
//   part of the span inside R) and local (the rest).
//
// The program installs pulumi-codefresh as a user's `npm install` does (a copy under node_modules), so
// state holds what a user's state holds.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { cpus, totalmem, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { installLikeAUser } from "../scripts/install-like-a-user.mjs";

const require = createRequire(import.meta.url);
const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    n: { type: "string", default: "100" },
    m: { type: "string", default: "20" },
    "latency-ms": { type: "string", default: "20" },
    repeat: { type: "string", default: "3" },
    parallel: { type: "string" },
    scaling: { type: "boolean", default: false },
    json: { type: "string" },
    trace: { type: "string" },
    steps: { type: "string" },
  },
});
const n = Number(values.n);
const m = Number(values.m);
const latencyMs = Number(values["latency-ms"]);
const repeat = Number(values.repeat);
/** Pulumi's `--parallel` values, each measured for both stacks; unset, Pulumi's default (4 × CPUs). */
const parallels = values.parallel === undefined ? [undefined] : values.parallel.split(",").map((p) => Number(p.trim()));
for (const [name, value] of [["n", n], ["m", m], ["latency-ms", latencyMs], ["repeat", repeat], ...parallels.map((p) => ["parallel", p ?? 1])]) {
  if (!Number.isInteger(value) || value < (name === "latency-ms" ? 0 : 1))
    throw new Error(
      `--${name}: expected a whole number${name === "latency-ms" ? "" : " of at least 1"}${name === "parallel" ? " (or a comma list of them)" : ""}, got ${JSON.stringify(values[name])}`,
    );
}

const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
const emulatorLib = require("pulumi-codefresh-emulator");
const run = promisify(execFile);

const allOperations = ["up", "preview", "refresh", "update", "destroy"];
/** The steps measured, in their order (`--steps up,destroy`: a quicker look at a large shape or many `--parallel` values). */
const operations = values.steps === undefined ? allOperations : allOperations.filter((op) => values.steps.split(",").includes(op));
const unknownSteps = (values.steps ?? "").split(",").filter((op) => op !== "" && !allOperations.includes(op));
// Every round starts from nothing remote and leaves nothing behind (one hosted runtime per account).
if (unknownSteps.length > 0 || !operations.includes("up") || !operations.includes("destroy"))
  throw new Error(`--steps: a comma list of ${allOperations.join(", ")} with at least up and destroy, got ${JSON.stringify(values.steps)}`);
const log = (message) => console.error(`[bench] ${message}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x) => Number(x.toFixed(2));
const round3 = (x) => Number(x.toFixed(3));

// Intervals are [startMs, endMs] pairs.
/** Sorted, non-overlapping intervals covering the same time as `intervals`. */
function union(intervals) {
  const sorted = intervals.filter(([s, e]) => e >= s).sort((x, y) => x[0] - y[0]);
  const merged = [];
  for (const [s, e] of sorted) {
    const last = merged.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}
/** Milliseconds of the merged `intervals` within [from, to]. */
function covered(merged, from = -Infinity, to = Infinity) {
  let total = 0;
  for (const [s, e] of merged) total += Math.max(0, Math.min(e, to) - Math.max(s, from));
  return total;
}

/**
 * The resource type that sends each Codefresh operation (the SDK's client, by resource). `runtime` is also
 * the ingress look-up before a git source's or cluster's first app-proxy call; `gitSources` is also read
 * by the shared configuration repo (its default git source).
 */
const typeOfOperation = {
  runtime: "HostedRuntime",
  installHostedRuntime: "HostedRuntime",
  deleteRuntime: "HostedRuntime",
  deleteManagedRuntime: "HostedRuntime",
  me: "SharedConfigRepo",
  runtimes: "SharedConfigRepo",
  updateCsdpSettings: "SharedConfigRepo",
  suggestIscRepo: "SharedConfigRepo",
  initManagedRuntime: "SharedConfigRepo",
  gitIntegrations: "SharedConfigRepo",
  removeGitIntegration: "SharedConfigRepo",
  removeRuntimeFromIscRepo: "SharedConfigRepo",
  gitSources: "GitSource",
  createGitSource: "GitSource",
  editGitSource: "GitSource",
  deleteApplication: "GitSource",
  clusters: "ManagedCluster",
  addCluster: "ManagedCluster",
  removeCluster: "ManagedCluster",
};
/** The operations that change a git source or cluster, each a change the app-proxy pushes to the Shared Configuration Repository. */
const changeOperations = new Set(["createGitSource", "editGitSource", "deleteApplication", "addCluster", "removeCluster"]);
const iscRepoName = "codefresh-isc";
/** How long the emulator takes to install and to delete the hosted runtime, with no request in flight meanwhile. */
const installDelayMs = 1_000;
const deleteDelayMs = 500;
const modeledDelayOf = { installHostedRuntime: installDelayMs, deleteRuntime: deleteDelayMs, deleteManagedRuntime: deleteDelayMs };

/** What a request to Gitea was: a push, a fetch (or clone), a ref discovery before either, or an API call. */
function giteaKind(request) {
  const path = request.path.split("?")[0];
  if (path.startsWith("/api/")) return "api";
  if (request.method === "POST" && path.endsWith("/git-receive-pack")) return "push";
  if (request.method === "POST" && path.endsWith("/git-upload-pack")) return "fetch";
  if (path.endsWith("/info/refs")) return "discovery";
  return "other";
}

/** Which of the Pulumi processes this command line is, if any. */
function roleOf(argv) {
  if (argv.some((a) => a.includes("cmd/dynamic-provider"))) return "provider";
  if (argv.some((a) => a.includes("cmd/run"))) return "program";
  if (basename(argv[0] ?? "") === "pulumi") return "engine";
  return undefined;
}

/** The text of a /proc file, "" once the process is gone. Read synchronously: these reads take microseconds, and a promise each cost more than the read. */
function readProc(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/**
 * Peak RSS (MB, the kernel's VmHWM) of the program's Node process (`@pulumi/pulumi/cmd/run`), the engine
 * (the `pulumi` CLI) and the dynamic provider (`cmd/dynamic-provider`) among this process's descendants
 * while `work` runs. Only our own process tree counts: other Pulumi runs on the machine are not ours.
 */
async function withPeakRss(work) {
  const peak = { program: 0, engine: 0, provider: 0 };
  const self = String(process.pid);
  // Each process is looked at once, unless its command line may still change (a shell, node, the language
  // host or the provider's wrapper, which fork and exec): a process found not to be one of ours, or not
  // ours at all, is not read again. Scanning every command line of the machine five times a second
  // cost ~4% of a core here, taken from what is being measured.
  const settled = new Map([[self, null]]);
  const parentOf = (pid) => {
    const stat = readProc(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
  };
  const descendsFromUs = (pid) => {
    for (let p = parentOf(pid), depth = 0; p && p !== "0" && depth < 64; p = parentOf(p), depth++) if (p === self) return true;
    return false;
  };
  const sample = () => {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid) || settled.get(pid) === null) continue;
      let role = settled.get(pid);
      if (role === undefined) {
        if (!descendsFromUs(pid)) {
          settled.set(pid, null);
          continue;
        }
        const argv = readProc(`/proc/${pid}/cmdline`).split("\0").filter(Boolean);
        role = roleOf(argv);
        if (role) settled.set(pid, role);
        else if (argv.length > 0 && !/^(node|sh|bash|pulumi.*)$/.test(basename(argv[0]))) settled.set(pid, null);
        if (!role) continue;
      }
      const rss = /VmHWM:\s+(\d+) kB/.exec(readProc(`/proc/${pid}/status`));
      if (rss) peak[role] = Math.max(peak[role], Number(rss[1]) / 1024);
    }
  };
  const timer = setInterval(sample, 200);
  try {
    const result = await work();
    sample();
    return { result, peakRssMb: peak };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Per resource of one operation: when its step began and ended, in seconds since the operation began, and
 * how much of that span was remote (inside R, `remote`: merged intervals in ms since the operation began)
 * and local (the rest).
 */
function spans(events, startedMs, remote) {
  const byUrn = new Map();
  for (const event of events) {
    const pre = event.resourcePreEvent?.metadata;
    const out = event.resOutputsEvent?.metadata;
    if (pre) byUrn.set(pre.urn, { name: pre.urn.split("::").pop(), type: pre.type.split(":").pop(), op: pre.op, start: (event.receivedAt - startedMs) / 1000 });
    if (out && byUrn.has(out.urn)) byUrn.get(out.urn).end = (event.receivedAt - startedMs) / 1000;
  }
  return [...byUrn.values()].map((span) => {
    if (span.end === undefined) return span;
    const remoteS = covered(remote, span.start * 1000, span.end * 1000) / 1000;
    return { ...span, remote_s: round3(remoteS), local_s: round3(span.end - span.start - remoteS) };
  });
}

/** Average bytes of state per resource of the given type prefix. */
async function stateBytes(statePath, typePrefix) {
  const resources = JSON.parse(await readFile(statePath, "utf8")).checkpoint.latest.resources.filter((r) => r.type.startsWith(typePrefix));
  return Math.round(resources.reduce((sum, r) => sum + JSON.stringify(r).length, 0) / resources.length);
}

async function main() {
  const base = await mkdtemp(join(tmpdir(), "codefresh-bench-"));
  const shapes = values.scaling
    ? [
        { n, m },
        { n: 2 * n, m: 2 * m },
      ]
    : [{ n, m }];
  const maxM = Math.max(...shapes.map((s) => s.m));
  log(
    `shapes: ${shapes.map((s) => `N=${s.n} M=${s.m}`).join(", ")}; emulator latency ${latencyMs} ms; ${repeat} repeats; parallel ${parallels.map((p) => p ?? "Pulumi's default").join(", ")}`,
  );
  const [kube, gitea] = await Promise.all([
    emulatorLib.startKubernetes({ workDir: join(base, "kube") }),
    emulatorLib.startGitea({ workDir: join(base, "gitea") }),
  ]);
  // Every request to Gitea, the SDK's and the emulator's, goes through this proxy, which logs it. It serves
  // Gitea's own certificate (made by `gitea cert` in Gitea's work directory), so what trusts Gitea trusts it.
  const giteaProxy = await emulatorLib.startRequestLogProxy({
    upstream: gitea.url,
    upstreamCa: gitea.caCert,
    cert: gitea.caCert,
    key: await readFile(join(gitea.workDir, "key.pem")),
  });
  const account = { name: "bench", apiKey: "cf-bench-key-0123456789abcdef" };
  const emulator = await emulatorLib.startEmulator({
    dataDir: join(base, "emulator"),
    accounts: [account],
    gitCaBundle: gitea.caCert,
    latencyMs,
    installDelayMs,
    deleteDelayMs,
    gitSourceDelayMs: 0,
  });
  // One loopback port per cluster (the decision for several clusters on one API server).
  const proxies = [];
  for (let i = 0; i < maxM; i++) proxies.push(await emulatorLib.startClusterProxy(kube));
  // One kubeconfig with a placeholder server, and the clusters' servers: the program fills in each. A list
  // of M whole kubeconfigs (2.7 KB each) is one argument of `pulumi config set-all`, and at M=100 longer
  // than the kernel allows one argument (E2BIG).
  const serverPlaceholder = "https://cluster.placeholder.invalid";
  const kubeconfigTemplate = emulatorLib.kubeconfigFor(serverPlaceholder, kube.caCert, kube.adminToken);
  const pulumiCommand = await PulumiCommand.get({ root: dirname(process.env.PULUMI_CODEFRESH_PULUMI_BIN_DIR) });
  // One org for every round: the account keeps its Shared Configuration Repo after a destroy (Codefresh
  // never removes account settings), so each round reconnects the same repos.
  const org = "bench";
  await gitea.createOrg(org);
  const idlePush = await measureIdlePush();
  log(
    `one idle push: ${idlePush.proxied_s.toFixed(3)} s through the proxy, ${idlePush.direct_s.toFixed(3)} s direct (median of 5; receive-pack ${idlePush.receive_pack_s.toFixed(3)} s)`,
  );

  /**
   * `git push` of a one-file commit to a scratch repository with nothing else in flight, 5 times through
   * the proxy and 5 times straight to Gitea, alternating; the token in an HTTP header as the emulator's
   * committer sends it, never in a URL.
   */
  async function measureIdlePush() {
    const repo = "bench-idle-push";
    const created = await gitea.api("POST", `/orgs/${org}/repos`, { name: repo, auto_init: true, default_branch: "main" });
    if (created.status !== 201) throw new Error(`gitea: creating ${repo} answered ${created.status}`);
    const home = join(base, "idle-push");
    const dir = join(home, "clone");
    await mkdir(home, { recursive: true });
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "bench",
      GIT_AUTHOR_EMAIL: "bench@example.invalid",
      GIT_COMMITTER_NAME: "bench",
      GIT_COMMITTER_EMAIL: "bench@example.invalid",
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${gitea.adminUser}:${gitea.adminToken}`).toString("base64")}`,
      GIT_SSL_CAINFO: gitea.caCertPath,
      // As the emulator's committer: only that CA, not the system's store too (git-commits.ts).
      GIT_SSL_CAPATH: join(home, "capath"),
    };
    await mkdir(env.GIT_SSL_CAPATH, { recursive: true });
    const git = (args, cwd = dir) => run("git", args, { cwd, env });
    await git(["clone", "--quiet", "--depth=1", `${giteaProxy.url}/${org}/${repo}.git`, dir], home);
    const seconds = { proxied: [], direct: [] };
    const receivePackSeconds = [];
    const proxyAddedMs = [];
    const requestsPerPush = [];
    for (let i = 0; i < 5; i++) {
      for (const via of ["proxied", "direct"]) {
        await writeFile(join(dir, "change.txt"), `${via} ${i}\n`);
        await git(["add", "change.txt"]);
        await git(["commit", "--quiet", "-m", `idle push ${i} (${via})`]);
        giteaProxy.log.clear();
        const started = process.hrtime.bigint();
        await git(["push", "--quiet", `${via === "proxied" ? giteaProxy.url : gitea.url}/${org}/${repo}.git`, "HEAD:refs/heads/main"]);
        seconds[via].push(Number(process.hrtime.bigint() - started) / 1e9);
        if (via === "direct") continue;
        const requests = giteaProxy.log.requests();
        requestsPerPush.push(requests.length);
        for (const r of requests) {
          if (giteaKind(r) === "push") receivePackSeconds.push((r.endMs - r.startMs) / 1000);
          if (r.upstreamMs !== undefined) proxyAddedMs.push(r.endMs - r.startMs - r.upstreamMs);
        }
      }
    }
    giteaProxy.log.clear();
    return {
      proxied_s: round3(median(seconds.proxied)),
      direct_s: round3(median(seconds.direct)),
      receive_pack_s: round3(median(receivePackSeconds)),
      requests_per_push: median(requestsPerPush),
      proxy_added_ms_per_request: median(proxyAddedMs),
    };
  }

  async function stackFor(shape, mode, round, parallel) {
    const dir = join(base, `${shape.n}x${shape.m}-p${parallel ?? "default"}-${mode}-${round}`);
    await cp(join(root, "bench", "program"), join(dir, "program"), { recursive: true });
    await cp(join(root, "tsconfig.base.json"), join(dir, "tsconfig.base.json"));
    const tsconfig = join(dir, "program", "tsconfig.json");
    await writeFile(tsconfig, (await readFile(tsconfig, "utf8")).replace("../../tsconfig.base.json", "../tsconfig.base.json"));
    await installLikeAUser(join(dir, "program"));
    await mkdir(join(dir, "state"), { recursive: true });
    const envVars = { PULUMI_BACKEND_URL: `file://${join(dir, "state")}`, PULUMI_CONFIG_PASSPHRASE: "bench-only" };
    const stack = await LocalWorkspace.createOrSelectStack({ workDir: join(dir, "program"), stackName: "bench" }, { envVars, pulumiCommand });
    await stack.setAllConfig({
      mode: { value: mode },
      n: { value: String(shape.n) },
      m: { value: String(shape.m) },
      touched: { value: "0" },
      "codefresh:apiUrl": { value: emulator.url },
      "codefresh:apiKey": { value: account.apiKey, secret: true },
      gitUrl: { value: giteaProxy.url },
      gitApiUrl: { value: `${giteaProxy.url}/api/v1` },
      gitOrg: { value: org },
      gitToken: { value: gitea.adminToken, secret: true },
      kubeconfigTemplate: { value: kubeconfigTemplate, secret: true },
      kubeconfigServerPlaceholder: { value: serverPlaceholder },
      clusterServers: { value: JSON.stringify(proxies.slice(0, shape.m).map((p) => p.server)) },
    });
    return { stack, statePath: join(dir, "state", ".pulumi", "stacks", "codefresh-bench", "bench.json") };
  }

  /** Where one step of ours spent its time, from the three request logs (see the header). */
  function decompose(startedMs, endedMs, counters) {
    const inStep = ([s, e]) => [Math.max(s, startedMs), Math.min(e, endedMs)];
    const emulatorRequests = emulator
      .requests()
      .map((r) => ({ ...r, startMs: Date.parse(r.at), endMs: Date.parse(r.at) + r.ms }))
      .filter((r) => r.startMs >= startedMs && r.startMs <= endedMs);
    const giteaRequests = giteaProxy.log.requests(startedMs);
    // Not the emulated Argo CD's background connection checks: nothing of the stack waits for them (a check
    // that a create waits for runs inside that emulator request, which R already holds).
    const clusterRequests = proxies.flatMap((p) => p.log.requests(startedMs)).filter((r) => r.userAgent !== emulatorLib.clusterUserAgent);
    const atEmulator = union(emulatorRequests.map((r) => inStep([r.startMs, r.endMs])));
    const atGitea = union(giteaRequests.map((r) => inStep([r.startMs, r.endMs])));
    const atClusters = union(clusterRequests.map((r) => inStep([r.startMs, r.endMs])));
    // The runtime's install and delete go on in the emulator after their request was answered: remote
    // work the stack waits for (polling), not ours.
    const modeled = union(
      emulatorRequests
        .filter((r) => modeledDelayOf[r.operation] !== undefined && r.status === 200)
        .map((r) => inStep([r.startMs, r.startMs + modeledDelayOf[r.operation]])),
    );
    const remote = union([...atEmulator, ...atGitea, ...atClusters, ...modeled]);

    const callsByOperation = Object.fromEntries(Object.entries(counters.byOperation).map(([op, entry]) => [op, entry.count]));
    const callsByType = {};
    for (const [op, count] of Object.entries(callsByOperation))
      callsByType[typeOfOperation[op] ?? "other"] = (callsByType[typeOfOperation[op] ?? "other"] ?? 0) + count;
    const byKind = { push: [], fetch: [], discovery: [], api: [], other: [] };
    for (const r of giteaRequests) byKind[giteaKind(r)].push(r);
    const pushSeconds = byKind.push.map((r) => (r.endMs - r.startMs) / 1000);

    // The phase of git source and cluster changes, its waves and its remote time.
    const changes = emulatorRequests.filter((r) => changeOperations.has(r.operation));
    let wave = { waves: 0, wave_phase_s: 0, wave_phase_remote_s: 0, remote_per_wave_s: null, injected_per_wave_s: null, target_per_wave_s: null };
    if (changes.length > 0) {
      const from = Math.min(...changes.map((r) => r.startMs));
      const to = Math.max(...changes.map((r) => r.endMs));
      const waves = byKind.push.filter((r) => r.path.includes(`/${iscRepoName}.git/`) && r.startMs >= from && r.startMs <= to).length;
      const injectedMs = covered(
        union(emulatorRequests.filter((r) => r.startMs >= from && r.startMs <= to).map((r) => [r.startMs, r.startMs + latencyMs])),
        from,
        to,
      );
      const phaseRemoteMs = covered(remote, from, to);
      wave = {
        waves,
        wave_phase_s: round2((to - from) / 1000),
        wave_phase_remote_s: round2(phaseRemoteMs / 1000),
        remote_per_wave_s: waves > 0 ? round3(phaseRemoteMs / 1000 / waves) : null,
        injected_per_wave_s: waves > 0 ? round3(injectedMs / 1000 / waves) : null,
        target_per_wave_s: waves > 0 ? round3(1.5 * (idlePush.proxied_s + injectedMs / 1000 / waves)) : null,
      };
    }
    // What each proxy added to a request: its time at the proxy less its time upstream.
    const proxyAdded = (requests) => {
      const ms = requests.filter((r) => r.upstreamMs !== undefined).map((r) => r.endMs - r.startMs - r.upstreamMs);
      return ms.length > 0 ? { median: median(ms), max: Math.max(...ms), total: ms.reduce((a, b) => a + b, 0) } : null;
    };
    return {
      remote: remote.map(([s, e]) => [s - startedMs, e - startedMs]),
      figures: {
        remote_s: covered(remote) / 1000,
        remote_by_server_s: {
          emulator: round2(covered(atEmulator) / 1000),
          gitea: round2(covered(atGitea) / 1000),
          clusters: round2(covered(atClusters) / 1000),
          emulator_install_delete: round2(covered(modeled) / 1000),
        },
        calls_by_operation: callsByOperation,
        calls_by_type: callsByType,
        gitea_requests: {
          total: giteaRequests.length,
          pushes: byKind.push.length,
          fetches: byKind.fetch.length,
          api: byKind.api.length,
          discovery: byKind.discovery.length,
          other: byKind.other.length,
        },
        push_s: pushSeconds.length > 0 ? { median: round3(median(pushSeconds)), max: round3(Math.max(...pushSeconds)) } : null,
        cluster_requests: clusterRequests.length,
        ...wave,
        proxy_added_ms: { gitea: proxyAdded(giteaRequests), clusters: proxyAdded(clusterRequests) },
      },
    };
  }

  /** Every operation on both stacks of one shape at one `--parallel`, `repeat` times, baseline and ours alternating. */
  async function measure(shape, parallel) {
    const touched = Math.max(1, Math.round(shape.n * 0.1), Math.round(shape.m * 0.1));
    const samples = { ours: {}, baseline: {} };
    const calls = {};
    const decomposed = {};
    const state = { ours: 0, baseline: 0 };
    const trace = {};
    const peakRss = { ours: { program: 0, engine: 0, provider: 0 }, baseline: { program: 0, engine: 0, provider: 0 } };
    for (const op of operations) {
      samples.ours[op] = [];
      samples.baseline[op] = [];
      calls[op] = [];
      decomposed[op] = [];
    }
    for (let round = 0; round < repeat; round++) {
      for (const mode of ["baseline", "ours"]) {
        const { stack, statePath } = await stackFor(shape, mode, round, parallel);
        let events = [];
        const onEvent = (event) => events.push({ ...event, receivedAt: Date.now() });
        const steps = {
          up: () => stack.up({ onEvent, parallel }),
          preview: () => stack.preview({ onEvent, parallel }),
          refresh: () => stack.refresh({ onEvent, parallel }),
          update: async () => {
            await stack.setConfig("touched", { value: String(touched) });
            return stack.up({ onEvent, parallel });
          },
          destroy: () => stack.destroy({ onEvent, parallel }),
        };
        for (const op of operations) {
          events = [];
          emulator.resetCounters();
          giteaProxy.log.clear();
          for (const proxy of proxies) proxy.log.clear();
          const startedMs = Date.now();
          const started = process.hrtime.bigint();
          const { peakRssMb: rss } = await withPeakRss(steps[op]);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          samples[mode][op].push(seconds);
          for (const role of Object.keys(rss)) peakRss[mode][role] = Math.max(peakRss[mode][role], rss[role]);
          let remoteNote = "";
          if (mode === "ours") {
            const counters = emulator.counters();
            calls[op].push({ total: counters.total, writes: counters.writes });
            const { remote, figures } = decompose(startedMs, startedMs + seconds * 1000, counters);
            decomposed[op].push(figures);
            if (round === 0) trace[op] = spans(events, startedMs, remote);
            remoteNote = ` (R ${figures.remote_s.toFixed(1)} s, ${counters.total} calls, ${figures.gitea_requests.pushes} pushes, ${figures.waves} waves)`;
          }
          if (op === "up" && round === 0) {
            state[mode] = await stateBytes(statePath, mode === "ours" ? "pulumi-nodejs:dynamic/codefresh:" : "pulumi-nodejs:dynamic/bench:");
          }
          log(`N=${shape.n} M=${shape.m} parallel ${parallel ?? "default"} round ${round + 1} ${mode} ${op}: ${seconds.toFixed(1)} s${remoteNote}`);
        }
      }
    }
    const roundMb = (peaks) => Object.fromEntries(Object.entries(peaks).map(([role, mb]) => [role, Math.round(mb)]));
    const result = {
      n: shape.n,
      m: shape.m,
      parallel: parallel ?? null,
      operations: {},
      state_bytes_per_resource: state.ours,
      baseline_state_bytes_per_resource: state.baseline,
      peak_rss_mb: Math.round(peakRss.ours.program),
      peak_rss_by_process_mb: { ours: roundMb(peakRss.ours), baseline: roundMb(peakRss.baseline) },
    };
    for (const op of operations) {
      const ours = median(samples.ours[op]);
      const baseline = median(samples.baseline[op]);
      // R, L and the counts of the round whose time is the median, so that they add up to it.
      const { remote_s: remoteS, ...figures } = decomposed[op][samples.ours[op].indexOf(ours)];
      result.operations[op] = {
        ours_s: round2(ours),
        ours_spread_s: [round2(Math.min(...samples.ours[op])), round2(Math.max(...samples.ours[op]))],
        baseline_s: round2(baseline),
        baseline_spread_s: [round2(Math.min(...samples.baseline[op])), round2(Math.max(...samples.baseline[op]))],
        ratio: round2(ours / baseline),
        api_calls: median(calls[op].map((c) => c.total)),
        write_calls: median(calls[op].map((c) => c.writes)),
        remote_s: round2(remoteS),
        local_s: round2(ours - remoteS),
        local_vs_baseline: round2((ours - remoteS) / baseline),
        idle_push_s: idlePush.proxied_s,
        ...figures,
      };
    }
    return { result, trace };
  }

  const measured = [];
  for (const shape of shapes) for (const parallel of parallels) measured.push({ shape, parallel, ...(await measure(shape, parallel)) });

  const first = measured[0].result;
  const output = {
    ...first,
    latency_ms: latencyMs,
    repeat,
    parallel: parallels[0] ?? null,
    idle_push: idlePush,
    // The emulator and the proxies run in this process.
    emulator_process_peak_rss_mb: Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(await readFile("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30) },
  };
  if (parallels.length > 1) {
    output.parallels = parallels;
    output.by_parallel = measured.filter((x) => x.shape === shapes[0]).map(({ result }) => result);
  }
  const spread = (s) => `${s[0].toFixed(1)}-${s[1].toFixed(1)}`;
  const fixed = (x, digits = 2) => (x === null || x === undefined ? "-" : x.toFixed(digits));
  for (const { result } of measured) {
    console.log(
      `\nN=${result.n} git sources, M=${result.m} clusters, emulator latency ${latencyMs} ms, parallel ${result.parallel ?? "default"}, median of ${repeat} (min-max); R, L and the counts are those of the median run\n`,
    );
    console.log("| step | ours (s) | baseline (s) | ratio | R (s) | L = ours − R (s) | L / baseline | calls | pushes | waves | R per wave (s) |");
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const op of operations) {
      const o = result.operations[op];
      console.log(
        `| ${op.padEnd(7)} | ${o.ours_s.toFixed(1)} (${spread(o.ours_spread_s)}) | ${o.baseline_s.toFixed(1)} (${spread(o.baseline_spread_s)}) | ${o.ratio.toFixed(2)} | ${o.remote_s.toFixed(1)} | ${o.local_s.toFixed(1)} | ${o.local_vs_baseline.toFixed(2)} | ${o.api_calls} | ${o.gitea_requests.pushes} | ${o.waves} | ${fixed(o.remote_per_wave_s)} |`,
      );
    }
    console.log(
      `\nOne idle push ${idlePush.proxied_s.toFixed(3)} s (${idlePush.direct_s.toFixed(3)} s without the proxy). Per step: R at the emulator / Gitea / the clusters (s); Codefresh calls by resource type; Gitea requests; push time; cluster API requests; R per wave against its target 1.5 × (idle push + the wave's injected latency)\n`,
    );
    console.log(
      "| step | R: emulator / Gitea / clusters / install-delete | calls by type | Gitea: pushes / fetches / API / ref discoveries | push s median (max) | cluster requests | R per wave / target (s) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const op of operations) {
      const o = result.operations[op];
      const r = o.remote_by_server_s;
      const g = o.gitea_requests;
      const types = Object.entries(o.calls_by_type)
        .map(([type, count]) => `${type} ${count}`)
        .join(", ");
      console.log(
        `| ${op} | ${fixed(r.emulator, 1)} / ${fixed(r.gitea, 1)} / ${fixed(r.clusters, 1)} / ${fixed(r.emulator_install_delete, 1)} | ${types || "-"} | ${g.pushes} / ${g.fetches} / ${g.api} / ${g.discovery} | ${o.push_s ? `${fixed(o.push_s.median)} (${fixed(o.push_s.max)})` : "-"} | ${o.cluster_requests} | ${o.waves > 0 ? `${fixed(o.remote_per_wave_s)} / ${fixed(o.target_per_wave_s)} (injected ${fixed(o.injected_per_wave_s, 3)})` : "-"} |`,
      );
    }
    console.log("");
    for (const op of operations) console.log(`- ${whatDominates(op, result.operations[op])}`);
    const added = result.operations.up.proxy_added_ms;
    if (added.gitea)
      console.log(
        `\nThe Gitea proxy added a median of ${added.gitea.median} ms to a request of up (max ${added.gitea.max} ms, ${added.gitea.total} ms summed over ${result.operations.up.gitea_requests.total} requests); a cluster proxy ${added.clusters?.median ?? "-"} ms (max ${added.clusters?.max ?? "-"} ms).`,
      );
    const rss = result.peak_rss_by_process_mb;
    console.log(
      `\nstate per resource: ${result.state_bytes_per_resource} bytes (baseline ${result.baseline_state_bytes_per_resource}); peak RSS (MB), ours (baseline): program ${rss.ours.program} (${rss.baseline.program}), engine ${rss.ours.engine} (${rss.baseline.engine}), dynamic provider ${rss.ours.provider} (${rss.baseline.provider})`,
    );
  }
  if (values.scaling) {
    const [small, large] = measured.filter((x) => x.parallel === parallels[0]).map((x) => x.result);
    output.scaling = { n: large.n, m: large.m, operations: {} };
    console.log(`\nScaling: N=${small.n}, M=${small.m} → N=${large.n}, M=${large.m} (time ratio; at most 2 means linear or better)\n`);
    console.log("| step     | ours ×  | baseline × | R ×   | L ×   |");
    console.log("| -------- | ------- | ---------- | ----- | ----- |");
    for (const op of operations) {
      const [a, b] = [small.operations[op], large.operations[op]];
      const grow = (x, y) => (x > 0 ? y / x : null);
      output.scaling.operations[op] = {
        ours_s: b.ours_s,
        baseline_s: b.baseline_s,
        ours_growth: round2(b.ours_s / a.ours_s),
        baseline_growth: round2(b.baseline_s / a.baseline_s),
        remote_growth: grow(a.remote_s, b.remote_s) === null ? null : round2(grow(a.remote_s, b.remote_s)),
        local_growth: grow(a.local_s, b.local_s) === null ? null : round2(grow(a.local_s, b.local_s)),
      };
      const g = output.scaling.operations[op];
      console.log(
        `| ${op.padEnd(8)} | ${fixed(g.ours_growth).padStart(7)} | ${fixed(g.baseline_growth).padStart(10)} | ${fixed(g.remote_growth).padStart(5)} | ${fixed(g.local_growth).padStart(5)} |`,
      );
    }
    output.scaling.state_bytes_per_resource = large.state_bytes_per_resource;
    output.scaling.peak_rss_by_process_mb = large.peak_rss_by_process_mb;
  }
  if (values.json) {
    await writeFile(values.json, JSON.stringify(output, null, 2));
    console.log(`wrote ${values.json}`);
  }
  if (values.trace) {
    const trace = {
      definition:
        "Per run (shape and --parallel) and step, each resource of ours: its span from the step's start event to its outputs (seconds since the step began), remote_s = the part of the span during which a request of the stack was in flight at the emulator, Gitea or a cluster's API server (the step's R), local_s = the rest.",
      runs: measured.map(({ result, trace: operationsTrace }) => ({ n: result.n, m: result.m, parallel: result.parallel, operations: operationsTrace })),
    };
    await writeFile(values.trace, JSON.stringify(trace, null, 1));
    console.log(`wrote ${values.trace}`);
  }

  for (const proxy of proxies) await proxy.stop();
  await giteaProxy.stop();
  await emulator.stop();
  await Promise.all([gitea.stop(), kube.stop()]);
  await rm(base, { recursive: true, force: true });
}

/** One line on what dominates a step: remote or local, and within R which server. */
function whatDominates(op, o) {
  if (o.remote_s === 0)
    return `${op}: local only (no request in flight anywhere); L ${o.local_s.toFixed(1)} s = ${o.local_vs_baseline.toFixed(2)} × the baseline`;
  const share = o.remote_s / o.ours_s;
  const byServer = o.remote_by_server_s;
  const servers = Object.entries({
    "the emulator": byServer.emulator,
    Gitea: byServer.gitea,
    "the clusters": byServer.clusters,
    "the runtime's modeled install/delete": byServer.emulator_install_delete,
  })
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
    .join(", ");
  const head =
    share >= 0.5
      ? `remote dominates: R ${o.remote_s.toFixed(1)} s of ${o.ours_s.toFixed(1)} s (${Math.round(share * 100)}%)`
      : `local dominates: L ${o.local_s.toFixed(1)} s of ${o.ours_s.toFixed(1)} s (${Math.round((1 - share) * 100)}%), ${o.local_vs_baseline.toFixed(2)} × the baseline`;
  const waves =
    o.waves > 0
      ? `; ${o.waves} wave${o.waves === 1 ? "" : "s"} of ${o.remote_per_wave_s.toFixed(2)} s remote each (target ${o.target_per_wave_s.toFixed(2)} s)`
      : "";
  const local = share >= 0.5 ? `; L ${o.local_s.toFixed(1)} s = ${o.local_vs_baseline.toFixed(2)} × the baseline` : "";
  return `${op}: ${head}; remote: ${servers}${waves}${local}`;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
