#!/usr/bin/env node
// `npm run bench [-- --n 100 --m 20 --latency-ms 20 --repeat 3 --json out.json]`
//
// Measures, in one run, our stack (1 hosted runtime, 1 shared configuration repo, N git sources, M
// clusters, against the emulator with a per-request latency, the real kube-apiserver and Gitea) and a
// baseline stack of the same shape made of trivial dynamic resources: wall time of up, a no-change
// preview, a no-change refresh, an update touching 10% of the resources, and destroy; Codefresh API calls
// per operation; state bytes per resource; peak memory of the program's Node process. Each measurement
// is repeated; the median and the spread (min-max) are reported. Nothing here asserts a time.
import { cp, mkdtemp, readFile, readdir, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { cpus, totalmem, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    n: { type: "string", default: "100" },
    m: { type: "string", default: "20" },
    "latency-ms": { type: "string", default: "20" },
    repeat: { type: "string", default: "3" },
    json: { type: "string" },
  },
});
const n = Number(values.n);
const m = Number(values.m);
const latencyMs = Number(values["latency-ms"]);
const repeat = Number(values.repeat);
const touched = Math.max(1, Math.round(n * 0.1));
const clustersTouched = Math.max(1, Math.round(m * 0.1));

const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
const emulatorLib = require("pulumi-codefresh-emulator");

const log = (message) => console.error(`[bench] ${message}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Peak RSS (MB) of the program's Node process (`@pulumi/pulumi/cmd/run`) while `work` runs. */
async function withPeakRss(work) {
  let peak = 0;
  const timer = setInterval(async () => {
    for (const pid of await readdir("/proc").catch(() => [])) {
      if (!/^\d+$/.test(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (!cmdline.includes("cmd/run")) continue;
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

async function main() {
  const base = await mkdtemp(join(tmpdir(), "codefresh-bench-"));
  log(`shape: N=${n} git sources, M=${m} clusters, emulator latency ${latencyMs} ms, ${repeat} repeats`);
  const [kube, gitea] = await Promise.all([emulatorLib.startKubernetes({ workDir: join(base, "kube") }), emulatorLib.startGitea({ workDir: join(base, "gitea") })]);
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
  const proxies = [];
  for (let i = 0; i < m; i++) proxies.push(await emulatorLib.startClusterProxy(kube));
  const kubeconfigs = proxies.map((p) => emulatorLib.kubeconfigFor(p.server, kube.caCert, kube.adminToken));
  const pulumiCommand = await PulumiCommand.get({ root: dirname(process.env.PULUMI_CODEFRESH_PULUMI_BIN_DIR) });

  async function stackFor(mode, round) {
    const dir = join(base, `${mode}-${round}`);
    await cp(join(root, "bench", "program"), join(dir, "program"), { recursive: true });
    await cp(join(root, "tsconfig.base.json"), join(dir, "tsconfig.base.json"));
    const tsconfig = join(dir, "program", "tsconfig.json");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(tsconfig, (await readFile(tsconfig, "utf8")).replace("../../tsconfig.base.json", "../tsconfig.base.json"));
    await symlink(join(root, "node_modules"), join(dir, "program", "node_modules"), "dir");
    const envVars = { PULUMI_BACKEND_URL: `file://${join(dir, "state")}`, PULUMI_CONFIG_PASSPHRASE: "bench-only" };
    await import("node:fs/promises").then((fs) => fs.mkdir(join(dir, "state"), { recursive: true }));
    const stack = await LocalWorkspace.createOrSelectStack({ workDir: join(dir, "program"), stackName: "bench" }, { envVars, pulumiCommand });
    // One org for every round: the account keeps its Shared Configuration Repo after a destroy (Codefresh
    // never removes account settings), so each round reconnects the same repos.
    const org = "bench";
    if (mode === "ours" && round === 0) await gitea.createOrg(org);
    const config = {
      mode: { value: mode },
      n: { value: String(n) },
      m: { value: String(m) },
      touched: { value: "0" },
      "codefresh:apiUrl": { value: emulator.url },
      "codefresh:apiKey": { value: account.apiKey, secret: true },
      gitUrl: { value: gitea.url },
      gitApiUrl: { value: gitea.apiUrl },
      gitOrg: { value: org },
      gitToken: { value: gitea.adminToken, secret: true },
      kubeconfigs: { value: JSON.stringify(kubeconfigs), secret: true },
    };
    await stack.setAllConfig(config);
    const statePath = join(dir, "state", ".pulumi", "stacks", "codefresh-bench", "bench.json");
    return { stack, statePath };
  }

  const operations = ["up", "preview", "refresh", "update", "destroy"];
  const samples = { ours: {}, baseline: {} };
  const calls = {};
  let stateBytesPerResource = 0;
  let peakRssMb = 0;
  for (const op of operations) {
    samples.ours[op] = [];
    samples.baseline[op] = [];
    calls[op] = [];
  }

  for (let round = 0; round < repeat; round++) {
    for (const mode of ["baseline", "ours"]) {
      const { stack, statePath } = await stackFor(mode, round);
      const steps = {
        up: () => stack.up(),
        preview: () => stack.preview(),
        refresh: () => stack.refresh(),
        update: async () => {
          await stack.setConfig("touched", { value: String(Math.max(touched, clustersTouched)) });
          return stack.up();
        },
        destroy: () => stack.destroy(),
      };
      for (const op of operations) {
        emulator.resetCounters();
        const started = process.hrtime.bigint();
        const { peakRssMb: rss } = await withPeakRss(steps[op]);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        samples[mode][op].push(seconds);
        if (mode === "ours") {
          const counters = emulator.counters();
          calls[op].push({ total: counters.total, writes: counters.writes });
          peakRssMb = Math.max(peakRssMb, rss);
        }
        if (op === "up" && mode === "ours") {
          const raw = await readFile(statePath, "utf8");
          const resources = JSON.parse(raw).checkpoint.latest.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/codefresh:"));
          stateBytesPerResource = Math.round(resources.reduce((sum, r) => sum + JSON.stringify(r).length, 0) / resources.length);
        }
        log(`round ${round + 1} ${mode} ${op}: ${seconds.toFixed(1)} s`);
      }
    }
  }

  const result = { n, m, latency_ms: latencyMs, repeat, machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30) }, operations: {}, state_bytes_per_resource: stateBytesPerResource, peak_rss_mb: Math.round(peakRssMb) };
  const rows = [];
  for (const op of operations) {
    const ours = median(samples.ours[op]);
    const baseline = median(samples.baseline[op]);
    const apiCalls = median(calls[op].map((c) => c.total));
    const writeCalls = median(calls[op].map((c) => c.writes));
    result.operations[op] = {
      ours_s: Number(ours.toFixed(2)),
      ours_spread_s: [Number(Math.min(...samples.ours[op]).toFixed(2)), Number(Math.max(...samples.ours[op]).toFixed(2))],
      baseline_s: Number(baseline.toFixed(2)),
      baseline_spread_s: [Number(Math.min(...samples.baseline[op]).toFixed(2)), Number(Math.max(...samples.baseline[op]).toFixed(2))],
      ratio: Number((ours / baseline).toFixed(2)),
      api_calls: apiCalls,
      write_calls: writeCalls,
    };
    rows.push(`| ${op.padEnd(8)} | ${ours.toFixed(1).padStart(7)} (${Math.min(...samples.ours[op]).toFixed(1)}-${Math.max(...samples.ours[op]).toFixed(1)}) | ${baseline.toFixed(1).padStart(7)} (${Math.min(...samples.baseline[op]).toFixed(1)}-${Math.max(...samples.baseline[op]).toFixed(1)}) | ${(ours / baseline).toFixed(2).padStart(5)} | ${String(apiCalls).padStart(9)} | ${String(writeCalls).padStart(6)} |`);
  }
  console.log(`\nN=${n} git sources, M=${m} clusters, emulator latency ${latencyMs} ms, median of ${repeat} (min-max)\n`);
  console.log("| step     | ours (s)          | baseline (s)      | ratio | API calls | writes |");
  console.log("| -------- | ----------------- | ----------------- | ----- | --------- | ------ |");
  for (const row of rows) console.log(row);
  console.log(`\nstate per resource: ${stateBytesPerResource} bytes; peak RSS of the program: ${Math.round(peakRssMb)} MB`);
  if (values.json) {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(values.json, JSON.stringify(result, null, 2));
    console.log(`wrote ${values.json}`);
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
