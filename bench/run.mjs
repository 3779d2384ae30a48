#!/usr/bin/env node
// `npm run bench [-- --n 100 --m 20 --latency-ms 20 --repeat 3 --parallel P --scaling --json out.json]`
//
// Measures, in one run, our stack (1 hosted runtime, 1 shared configuration repo, N git sources, M
// clusters, against the emulator with a per-request latency, the real kube-apiserver and Gitea) and a
// baseline stack of the same shape made of trivial dynamic resources: wall time of up, a no-change
// preview, a no-change refresh, an update touching 10% of the resources, and destroy; Codefresh API calls
// per operation; state bytes per resource; peak memory of the program's Node process. Each measurement
// is repeated; the median and the spread (min-max) are reported. `--scaling` measures the shape again
// with N and M doubled and prints how much each operation grew. Nothing here asserts a time.
//
// The program installs pulumi-codefresh as a user's `npm install` does (a copy under node_modules), so
// state holds what a user's state holds.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { cpus, totalmem, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
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
  },
});
const n = Number(values.n);
const m = Number(values.m);
const latencyMs = Number(values["latency-ms"]);
const repeat = Number(values.repeat);
/** Pulumi's `--parallel` for both stacks; unset, Pulumi's default (4 × CPUs). */
const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
for (const [name, value] of Object.entries({ n, m, "latency-ms": latencyMs, repeat, parallel: parallel ?? 1 })) {
  if (!Number.isInteger(value) || value < (name === "latency-ms" ? 0 : 1))
    throw new Error(`--${name}: expected a whole number${name === "latency-ms" ? "" : " of at least 1"}, got ${JSON.stringify(values[name])}`);
}

const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
const emulatorLib = require("pulumi-codefresh-emulator");

const operations = ["up", "preview", "refresh", "update", "destroy"];
const log = (message) => console.error(`[bench] ${message}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x) => Number(x.toFixed(2));

/** Peak RSS (MB) of the program's Node process (`@pulumi/pulumi/cmd/run`) while `work` runs. */
async function withPeakRss(work) {
  let peak = 0;
  // Processes seen not to be the program are not read again: scanning every command line of the machine
  // five times a second cost ~4% of a core here, taken from what is being measured. A process whose
  // command line may still change (empty, or the language host that forks and then execs the program) is.
  const others = new Set();
  const timer = setInterval(async () => {
    for (const pid of await readdir("/proc").catch(() => [])) {
      if (!/^\d+$/.test(pid) || others.has(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (!cmdline.includes("cmd/run")) {
        if (cmdline !== "" && !cmdline.includes("pulumi-language")) others.add(pid);
        continue;
      }
      const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
      const rss = /VmHWM:\s+(\d+) kB/.exec(status);
      if (rss) peak = Math.max(peak, Number(rss[1]) / 1024);
    }
  }, 200);
  try {
    const result = await work();
    return { result, peakRssMb: peak };
  } finally {
    clearInterval(timer);
  }
}

/** Per resource of one operation: when its step began and ended, in seconds since the operation began. */
function spans(events, startedMs) {
  const byUrn = new Map();
  for (const event of events) {
    const pre = event.resourcePreEvent?.metadata;
    const out = event.resOutputsEvent?.metadata;
    if (pre) byUrn.set(pre.urn, { name: pre.urn.split("::").pop(), type: pre.type.split(":").pop(), op: pre.op, start: (event.receivedAt - startedMs) / 1000 });
    if (out && byUrn.has(out.urn)) byUrn.get(out.urn).end = (event.receivedAt - startedMs) / 1000;
  }
  return [...byUrn.values()];
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
    `shapes: ${shapes.map((s) => `N=${s.n} M=${s.m}`).join(", ")}; emulator latency ${latencyMs} ms; ${repeat} repeats; parallel ${parallel ?? "Pulumi's default"}`,
  );
  const [kube, gitea] = await Promise.all([
    emulatorLib.startKubernetes({ workDir: join(base, "kube") }),
    emulatorLib.startGitea({ workDir: join(base, "gitea") }),
  ]);
  const account = { name: "bench", apiKey: "cf-bench-key-0123456789abcdef" };
  const emulator = await emulatorLib.startEmulator({
    dataDir: join(base, "emulator"),
    accounts: [account],
    gitCaBundle: gitea.caCert,
    latencyMs,
    installDelayMs: 1_000,
    deleteDelayMs: 500,
    gitSourceDelayMs: 0,
  });
  // One loopback port per cluster (the decision for several clusters on one API server).
  const proxies = [];
  for (let i = 0; i < maxM; i++) proxies.push(await emulatorLib.startClusterProxy(kube));
  const kubeconfigs = proxies.map((p) => emulatorLib.kubeconfigFor(p.server, kube.caCert, kube.adminToken));
  const pulumiCommand = await PulumiCommand.get({ root: dirname(process.env.PULUMI_CODEFRESH_PULUMI_BIN_DIR) });
  // One org for every round: the account keeps its Shared Configuration Repo after a destroy (Codefresh
  // never removes account settings), so each round reconnects the same repos.
  const org = "bench";
  await gitea.createOrg(org);

  async function stackFor(shape, mode, round) {
    const dir = join(base, `${shape.n}x${shape.m}-${mode}-${round}`);
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
      gitUrl: { value: gitea.url },
      gitApiUrl: { value: gitea.apiUrl },
      gitOrg: { value: org },
      gitToken: { value: gitea.adminToken, secret: true },
      kubeconfigs: { value: JSON.stringify(kubeconfigs.slice(0, shape.m)), secret: true },
    });
    return { stack, statePath: join(dir, "state", ".pulumi", "stacks", "codefresh-bench", "bench.json") };
  }

  /** Every operation on both stacks of one shape, `repeat` times, baseline and ours alternating. */
  async function measure(shape) {
    const touched = Math.max(1, Math.round(shape.n * 0.1), Math.round(shape.m * 0.1));
    const samples = { ours: {}, baseline: {} };
    const calls = {};
    const state = { ours: 0, baseline: 0 };
    const trace = {};
    let peakRssMb = 0;
    for (const op of operations) {
      samples.ours[op] = [];
      samples.baseline[op] = [];
      calls[op] = [];
    }
    for (let round = 0; round < repeat; round++) {
      for (const mode of ["baseline", "ours"]) {
        const { stack, statePath } = await stackFor(shape, mode, round);
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
          const startedMs = Date.now();
          const started = process.hrtime.bigint();
          const { peakRssMb: rss } = await withPeakRss(steps[op]);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          samples[mode][op].push(seconds);
          if (mode === "ours") {
            const counters = emulator.counters();
            calls[op].push({ total: counters.total, writes: counters.writes });
            peakRssMb = Math.max(peakRssMb, rss);
            if (round === 0) trace[op] = spans(events, startedMs);
          }
          if (op === "up" && round === 0) {
            state[mode] = await stateBytes(statePath, mode === "ours" ? "pulumi-nodejs:dynamic/codefresh:" : "pulumi-nodejs:dynamic/bench:");
          }
          log(`N=${shape.n} M=${shape.m} round ${round + 1} ${mode} ${op}: ${seconds.toFixed(1)} s`);
        }
      }
    }
    const result = {
      n: shape.n,
      m: shape.m,
      operations: {},
      state_bytes_per_resource: state.ours,
      baseline_state_bytes_per_resource: state.baseline,
      peak_rss_mb: Math.round(peakRssMb),
    };
    for (const op of operations) {
      const ours = median(samples.ours[op]);
      const baseline = median(samples.baseline[op]);
      result.operations[op] = {
        ours_s: round2(ours),
        ours_spread_s: [round2(Math.min(...samples.ours[op])), round2(Math.max(...samples.ours[op]))],
        baseline_s: round2(baseline),
        baseline_spread_s: [round2(Math.min(...samples.baseline[op])), round2(Math.max(...samples.baseline[op]))],
        ratio: round2(ours / baseline),
        api_calls: median(calls[op].map((c) => c.total)),
        write_calls: median(calls[op].map((c) => c.writes)),
      };
    }
    return { result, trace };
  }

  const measured = [];
  for (const shape of shapes) measured.push(await measure(shape));

  const first = measured[0].result;
  const output = {
    ...first,
    latency_ms: latencyMs,
    repeat,
    parallel: parallel ?? null,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30) },
  };
  const spread = (s) => `${s[0].toFixed(1)}-${s[1].toFixed(1)}`;
  for (const { result } of measured) {
    console.log(
      `\nN=${result.n} git sources, M=${result.m} clusters, emulator latency ${latencyMs} ms, parallel ${parallel ?? "default"}, median of ${repeat} (min-max)\n`,
    );
    console.log("| step     | ours (s)          | baseline (s)      | ratio | API calls | writes |");
    console.log("| -------- | ----------------- | ----------------- | ----- | --------- | ------ |");
    for (const op of operations) {
      const o = result.operations[op];
      console.log(
        `| ${op.padEnd(8)} | ${`${o.ours_s.toFixed(1)} (${spread(o.ours_spread_s)})`.padEnd(17)} | ${`${o.baseline_s.toFixed(1)} (${spread(o.baseline_spread_s)})`.padEnd(17)} | ${o.ratio.toFixed(2).padStart(5)} | ${String(o.api_calls).padStart(9)} | ${String(o.write_calls).padStart(6)} |`,
      );
    }
    console.log(
      `\nstate per resource: ${result.state_bytes_per_resource} bytes (baseline ${result.baseline_state_bytes_per_resource}); peak RSS of the program: ${result.peak_rss_mb} MB`,
    );
  }
  if (values.scaling) {
    const [small, large] = measured.map((x) => x.result);
    output.scaling = { n: large.n, m: large.m, operations: {} };
    console.log(`\nScaling: N=${small.n}, M=${small.m} → N=${large.n}, M=${large.m} (time ratio; at most 2 means linear or better)\n`);
    console.log("| step     | ours ×  | baseline × |");
    console.log("| -------- | ------- | ---------- |");
    for (const op of operations) {
      const ours = large.operations[op].ours_s / small.operations[op].ours_s;
      const baseline = large.operations[op].baseline_s / small.operations[op].baseline_s;
      output.scaling.operations[op] = {
        ours_s: large.operations[op].ours_s,
        baseline_s: large.operations[op].baseline_s,
        ours_growth: round2(ours),
        baseline_growth: round2(baseline),
      };
      console.log(`| ${op.padEnd(8)} | ${ours.toFixed(2).padStart(7)} | ${baseline.toFixed(2).padStart(10)} |`);
    }
    output.scaling.state_bytes_per_resource = large.state_bytes_per_resource;
  }
  if (values.json) {
    await writeFile(values.json, JSON.stringify(output, null, 2));
    console.log(`wrote ${values.json}`);
  }
  if (values.trace) {
    await writeFile(
      values.trace,
      JSON.stringify(
        measured.map(({ result, trace }) => ({ n: result.n, m: result.m, operations: trace })),
        null,
        1,
      ),
    );
    console.log(`wrote ${values.trace}`);
  }

  for (const proxy of proxies) await proxy.stop();
  await emulator.stop();
  await Promise.all([gitea.stop(), kube.stop()]);
  await rm(base, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
