#!/usr/bin/env node
// `npm run bench:emulator [-- --waves 3 --parallel 8 --cluster-waves 2 --latency-ms 20 --mode burst|spaced|pool]`
//
// The emulator's time per wave of writes, without Pulumi: a real Gitea, a real kube-apiserver behind cluster
// proxies, and the emulator with an injected latency, driven by the requests the SDK sends. Each wave is P
// concurrent `createGitSource` mutations (each followed by the `gitSources` read GitSource.create makes),
// then waves of `deleteApplication`, of REST `addCluster` and of `removeCluster`. Per wave it prints the wall
// time from the wave's first request to its last answer, beside the target of issue 19: 1.5 × (one idle
// push + the union of the wave's injected latencies). The idle push is one `git push` of a one-file commit
// to Gitea with nothing else in flight (median of 5).
//
// --mode burst   the wave's requests are sent at once (Pulumi's first wave)
// --mode spaced  they arrive spread evenly over --spread-ms (Pulumi's turn-around staggers them)
// --mode pool    P workers, each create → read → a turn-around of 100-250 ms → the next, as Pulumi's
//                parallelism does; prints the emulator's busy time (union of requests in flight) per wave
// Nothing here asserts a time. Run it under `flock /tmp/perf.lock` so that measurements never overlap.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    waves: { type: "string", default: "3" },
    "cluster-waves": { type: "string", default: "2" },
    parallel: { type: "string", default: "8" },
    "latency-ms": { type: "string", default: "20" },
    mode: { type: "string", default: "burst" },
    "spread-ms": { type: "string", default: "150" },
    idle: { type: "string", default: "5" },
    json: { type: "string" },
  },
});
const waves = Number(values.waves);
const clusterWaves = Number(values["cluster-waves"]);
const parallel = Number(values.parallel);
const latencyMs = Number(values["latency-ms"]);
const spreadMs = Number(values["spread-ms"]);
const idleSamples = Number(values.idle);
const mode = values.mode;
if (!["burst", "spaced", "pool"].includes(mode)) throw new Error(`--mode: burst, spaced or pool, got ${mode}`);

const emulatorLib = require("pulumi-codefresh-emulator");
const log = (message) => console.error(`[emulator-waves] ${message}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Total length of the union of [start, end] intervals. */
function unionMs(intervals) {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = sorted[0] ?? [0, 0];
  for (const [s, e] of sorted.slice(1)) {
    if (s > end) {
      total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  return total + (end - start);
}

/** A small seeded generator, so that two runs space their arrivals alike. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

// The documents the SDK sends (sdk/src/api/documents.ts), copied so the measurement does not move with the SDK.
const documents = {
  createGitSource: "mutation CreateGitSource($args: CreateGitSourceInput!) { createGitSource(args: $args) }",
  deleteApplication: "mutation DeleteApplication($args: DeleteApplicationInput!) { deleteApplication(args: $args) }",
  removeCluster: "mutation RemoveCluster($server: String!, $runtime: String!) { removeCluster(server: $server, runtime: $runtime) }",
  listGitSources: `query GitSources($runtime: String, $pagination: SlicePaginationArgs) {
  gitSources(runtime: $runtime, pagination: $pagination) {
    edges { node { metadata { name labels { key value } } self { path repoURL revision include exclude
      destination { server namespace } status { syncStatus healthStatus } } } }
    pageInfo { endCursor hasNextPage } } }`,
};

async function main() {
  const base = await mkdtemp(join(tmpdir(), "emulator-waves-"));
  const [kube, gitea] = await Promise.all([
    emulatorLib.startKubernetes({ workDir: join(base, "kube") }),
    emulatorLib.startGitea({ workDir: join(base, "gitea") }),
  ]);
  const account = { name: "waves", apiKey: "cf-waves-key-0123456789abcdef" };
  const emulator = await emulatorLib.startEmulator({
    dataDir: join(base, "emulator"),
    accounts: [account],
    gitCaBundle: gitea.caCert,
    latencyMs,
    installDelayMs: 0,
    deleteDelayMs: 0,
    gitSourceDelayMs: 0,
  });
  const proxies = [];
  for (let i = 0; i < clusterWaves * parallel; i++) proxies.push(await emulatorLib.startClusterProxy(kube));
  const runtime = "codefresh-hosted";
  const org = "waves";
  try {
    await gitea.createOrg(org);
    const admin = async (method, path, body) => {
      const answer = await fetch(`${emulator.url}/_emulator/${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!answer.ok) throw new Error(`admin ${path}: ${answer.status} ${await answer.text()}`);
      return answer.json();
    };
    await admin("POST", "ui/hosted-runtime", { account: account.name });
    await admin("POST", "ui/connect-git", {
      account: account.name,
      provider: "GITHUB",
      apiUrl: gitea.apiUrl,
      token: gitea.adminToken,
      suggestedIscRepo: `${gitea.url}/${org}/codefresh-isc.git`,
      suggestedGsRepo: `${gitea.url}/${org}/codefresh-apps.git`,
    });
    const accountId = (await (await fetch(`${emulator.url}/_emulator/state`)).json()).accounts.find((a) => a.name === account.name).id;
    const appProxy = `${emulator.url}/ingress/${accountId}/${runtime}/app-proxy/api`;

    const post = async (url, body) => {
      const answer = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: account.apiKey },
        body: JSON.stringify(body),
      });
      const text = await answer.text();
      if (!answer.ok || text.includes('"errors"')) throw new Error(`${url}: ${answer.status} ${text.slice(0, 300)}`);
      return text;
    };
    const graphql = (url, query, variables) => post(url, { query, variables });
    const caData = Buffer.from(kube.caCert).toString("base64");
    const kubeconfigOf = (server, name) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": name,
        clusters: [{ name: server.replace(/^https?:\/\//, ""), cluster: { server, "certificate-authority-data": caData } }],
        contexts: [{ name, context: { cluster: server.replace(/^https?:\/\//, ""), user: name } }],
        users: [{ name, user: { token: kube.adminToken } }],
      });

    // The SDK's calls, one function per write: each resolves once its answers are in.
    const operations = {
      createGitSource: async (i) => {
        await graphql(`${appProxy}/graphql`, documents.createGitSource, {
          args: {
            appName: `source-${i}`,
            appSpecifier: `${gitea.url}/${org}/codefresh-apps.git/s${i}`,
            destServer: "https://kubernetes.default.svc",
            labels: `codefresh.io/stack: waves\ncodefresh.io/resource: source-${i}\n`,
            include: "initial/*.yaml",
          },
        });
        await graphql(`${emulator.url}/2.0/api/graphql`, documents.listGitSources, { runtime, pagination: { first: 100 } });
      },
      deleteApplication: (i) => graphql(`${appProxy}/graphql`, documents.deleteApplication, { args: { appName: `source-${i}` } }),
      addCluster: (i) =>
        post(`${appProxy}/clusters`, {
          name: `cluster-${i}`,
          kubeConfig: Buffer.from(kubeconfigOf(proxies[i].server, `cluster-${i}`)).toString("base64"),
          annotations: Buffer.from("{}\n").toString("base64"),
          labels: Buffer.from("v: initial\n").toString("base64"),
        }),
      removeCluster: (i) => graphql(`${appProxy}/graphql`, documents.removeCluster, { server: proxies[i].server, runtime }),
    };

    const commitCount = async () => {
      const { stdout } = await run("git", ["-C", join(gitea.workDir, "repos", org, "codefresh-isc.git"), "rev-list", "--count", "HEAD"]);
      return Number(stdout.trim());
    };

    // The idle push: a scratch repository of the same Gitea, one one-file commit pushed at a time.
    const idlePushMs = await (async () => {
      const created = await gitea.api("POST", `/orgs/${org}/repos`, { name: "idle-probe", auto_init: true, default_branch: "main" });
      if (created.status !== 201) throw new Error(`idle-probe: ${created.status}`);
      const dir = join(base, "idle-probe");
      const ca = join(base, "gitea-ca.pem");
      await writeFile(ca, gitea.caCert);
      await mkdir(join(base, "capath"), { recursive: true });
      const env = {
        ...process.env,
        GIT_SSL_CAINFO: ca,
        // As the emulator's committer: only that CA, not the system's store too (git-commits.ts).
        GIT_SSL_CAPATH: join(base, "capath"),
        GIT_TERMINAL_PROMPT: "0",
        GIT_CONFIG_NOSYSTEM: "1",
        HOME: base,
        GIT_AUTHOR_NAME: "probe",
        GIT_AUTHOR_EMAIL: "probe@example.invalid",
        GIT_COMMITTER_NAME: "probe",
        GIT_COMMITTER_EMAIL: "probe@example.invalid",
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: "http.extraHeader",
        GIT_CONFIG_VALUE_0: `Authorization: token ${gitea.adminToken}`,
      };
      await run("git", ["clone", "--quiet", `${gitea.url}/${org}/idle-probe.git`, dir], { env });
      const samples = [];
      for (let i = 0; i < idleSamples; i++) {
        await writeFile(join(dir, `probe-${i}.yaml`), `probe: ${i}\n`);
        await run("git", ["add", "--all"], { cwd: dir, env });
        await run("git", ["commit", "--quiet", "-m", `probe ${i}`], { cwd: dir, env });
        const started = performance.now();
        await run("git", ["push", "--quiet", "origin", "HEAD:refs/heads/main"], { cwd: dir, env });
        samples.push(performance.now() - started);
      }
      return median(samples);
    })();

    // A lone write through the emulator (gather, commit, push, state): the floor of a wave of one.
    const loneSamples = [];
    for (let i = 0; i < idleSamples; i++) {
      const started = performance.now();
      await operations.createGitSource(1_000_000 + i);
      loneSamples.push(performance.now() - started);
      await operations.deleteApplication(1_000_000 + i);
    }
    const loneMs = median(loneSamples);
    log(`idle push ${idlePushMs.toFixed(0)} ms (median of ${idleSamples}); a lone createGitSource + read ${loneMs.toFixed(0)} ms`);

    const rows = [];
    const next = random(19);
    /** One wave of `operation` over items [from, from + parallel): wall time, latency union, commits. */
    async function wave(operation, from) {
      const before = await commitCount();
      const intervals = [];
      const latencies = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: parallel }, async (_, k) => {
          if (mode === "spaced") await sleep(parallel === 1 ? 0 : (k * spreadMs) / (parallel - 1));
          const sent = performance.now();
          latencies.push([sent, sent + latencyMs * (operation === "createGitSource" ? 2 : 1)]);
          await operations[operation](from + k);
          intervals.push([sent, performance.now()]);
        }),
      );
      const wallMs = performance.now() - started;
      const latencyUnionMs = unionMs(latencies);
      const row = {
        operation,
        wallMs,
        busyMs: unionMs(intervals),
        latencyUnionMs,
        targetMs: 1.5 * (idlePushMs + latencyUnionMs),
        commits: (await commitCount()) - before,
      };
      rows.push(row);
      return row;
    }

    /** P workers with Pulumi's turn-around between a worker's resources; `count` items in all. */
    async function pool(operation, count, offset) {
      const before = await commitCount();
      const intervals = [];
      let nextItem = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          for (;;) {
            const item = nextItem++;
            if (item >= count) return;
            const sent = performance.now();
            await operations[operation](offset + item);
            intervals.push([sent, performance.now()]);
            await sleep(100 + 150 * next());
          }
        }),
      );
      const wallMs = performance.now() - started;
      const waveCount = count / parallel;
      const row = {
        operation,
        waves: waveCount,
        wallMs,
        busyMs: unionMs(intervals),
        busyPerWaveMs: unionMs(intervals) / waveCount,
        targetMs: 1.5 * (idlePushMs + latencyMs * (operation === "createGitSource" ? 2 : 1)),
        commits: (await commitCount()) - before,
      };
      rows.push(row);
      return row;
    }

    const plan = [
      ["createGitSource", waves],
      ["deleteApplication", waves],
      ["addCluster", clusterWaves],
      ["removeCluster", clusterWaves],
    ];
    const fmt = (x) => x.toFixed(0).padStart(6);
    if (mode === "pool") {
      console.log(`\npool of ${parallel} workers, turn-around 100-250 ms, latency ${latencyMs} ms; idle push ${idlePushMs.toFixed(0)} ms\n`);
      console.log("| operation         | items | wall ms | busy ms | busy/wave ms | target/wave ms | commits |");
      console.log("| ----------------- | ----- | ------- | ------- | ------------ | -------------- | ------- |");
      for (const [operation, count] of plan) {
        const row = await pool(operation, count * parallel, 0);
        console.log(
          `| ${operation.padEnd(17)} | ${String(count * parallel).padStart(5)} | ${fmt(row.wallMs)}  | ${fmt(row.busyMs)}  | ${fmt(row.busyPerWaveMs)}       | ${fmt(row.targetMs)}         | ${String(row.commits).padStart(7)} |`,
        );
      }
    } else {
      console.log(
        `\n${mode} waves of ${parallel}${mode === "spaced" ? ` spread over ${spreadMs} ms` : ""}, latency ${latencyMs} ms; idle push ${idlePushMs.toFixed(0)} ms; lone write ${loneMs.toFixed(0)} ms\n`,
      );
      console.log("| operation         | wave | wall ms | latency ∪ ms | target ms | wall/target | commits |");
      console.log("| ----------------- | ---- | ------- | ------------ | --------- | ----------- | ------- |");
      for (const [operation, count] of plan) {
        for (let w = 0; w < count; w++) {
          const row = await wave(operation, w * parallel);
          console.log(
            `| ${operation.padEnd(17)} | ${String(w + 1).padStart(4)} | ${fmt(row.wallMs)}  | ${fmt(row.latencyUnionMs)}       | ${fmt(row.targetMs)}    | ${(row.wallMs / row.targetMs).toFixed(2).padStart(11)} | ${String(row.commits).padStart(7)} |`,
          );
        }
      }
      console.log("\nmedian wall per wave (ms):");
      for (const [operation] of plan) console.log(`  ${operation}: ${median(rows.filter((r) => r.operation === operation).map((r) => r.wallMs)).toFixed(0)}`);
    }
    if (values.json) await writeFile(values.json, JSON.stringify({ mode, parallel, latencyMs, idlePushMs, loneMs, rows }, null, 2));
  } finally {
    for (const proxy of proxies) await proxy.stop();
    await emulator.stop();
    await Promise.all([gitea.stop(), kube.stop()]);
    await rm(base, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
