// `npm run bench` stays runnable and keeps its promises that are not about time: a tiny shape (2 git
// sources, 1 cluster, 1 repeat) through the real CLI, emulator, Gitea and kube-apiserver, checking the
// JSON it writes, the call counts the issue sets as targets, and that its decomposition is consistent
// (R within the step's time, L the rest, pushes and waves where there are changes, nothing remote in a
// no-change preview). No wall-clock time is asserted.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../harness/pulumi";

const run = promisify(execFile);
const operations = ["up", "preview", "refresh", "update", "destroy"] as const;

interface BenchOperation {
  ours_s: number;
  ours_spread_s: [number, number];
  baseline_s: number;
  baseline_spread_s: [number, number];
  ratio: number;
  api_calls: number;
  write_calls: number;
  remote_s: number;
  local_s: number;
  local_vs_baseline: number;
  idle_push_s: number;
  remote_by_server_s: { emulator: number; gitea: number; clusters: number; emulator_install_delete: number };
  calls_by_operation: Record<string, number>;
  calls_by_type: Record<string, number>;
  gitea_requests: { total: number; pushes: number; fetches: number; api: number; discovery: number; other: number };
  push_s: { median: number; max: number } | null;
  cluster_requests: number;
  waves: number;
  wave_phase_s: number;
  wave_phase_remote_s: number;
  remote_per_wave_s: number | null;
  injected_per_wave_s: number | null;
  target_per_wave_s: number | null;
}
interface ProcessRss {
  program: number;
  engine: number;
  provider: number;
}
interface SpanTrace {
  name: string;
  type: string;
  start: number;
  end?: number;
  remote_s?: number;
  local_s?: number;
}
interface BenchResult {
  n: number;
  m: number;
  repeat: number;
  operations: Record<(typeof operations)[number], BenchOperation>;
  state_bytes_per_resource: number;
  baseline_state_bytes_per_resource: number;
  peak_rss_mb: number;
  peak_rss_by_process_mb: { ours: ProcessRss; baseline: ProcessRss };
  idle_push: { proxied_s: number; direct_s: number; receive_pack_s: number };
}
interface BenchTrace {
  definition: string;
  runs: { n: number; m: number; operations: Record<(typeof operations)[number], SpanTrace[]> }[];
}

/** Within the rounding of two figures to 0.01 s each. */
const rounding = 0.011;

test("a tiny bench run writes every figure, and no-change preview and refresh write nothing; remote and local time add up", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bench-test-"));
  try {
    const json = join(dir, "bench.json");
    const traceFile = join(dir, "trace.json");
    const args = ["--n", "2", "--m", "1", "--repeat", "1", "--json", json, "--trace", traceFile];
    const { stdout } = await run(process.execPath, [join(repoRoot, "bench", "run.mjs"), ...args], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toMatch(/\| up +\| /);
    const result = JSON.parse(await readFile(json, "utf8")) as BenchResult;
    expect(result).toMatchObject({ n: 2, m: 1, repeat: 1 });
    for (const op of operations) {
      const figures = result.operations[op];
      expect(figures.ours_s).toBeGreaterThan(0);
      expect(figures.baseline_s).toBeGreaterThan(0);
      expect(figures.ratio).toBeCloseTo(figures.ours_s / figures.baseline_s, 1);
      expect(figures.ours_spread_s[0]).toBeLessThanOrEqual(figures.ours_spread_s[1]);
    }
    // Creating 5 resources writes; a no-change preview needs no call at all (state suffices), a no-change
    // refresh only reads; the 10% update writes the touched resources; destroy writes.
    expect(result.operations.up.write_calls).toBeGreaterThanOrEqual(5);
    expect(result.operations.preview).toMatchObject({ api_calls: 0, write_calls: 0 });
    expect(result.operations.refresh.write_calls).toBe(0);
    expect(result.operations.refresh.api_calls).toBeGreaterThan(0);
    expect(result.operations.update.write_calls).toBeGreaterThan(0);
    expect(result.operations.destroy.write_calls).toBeGreaterThan(0);
    expect(result.state_bytes_per_resource).toBeGreaterThan(0);
    expect(result.baseline_state_bytes_per_resource).toBeGreaterThan(0);
    expect(result.peak_rss_mb).toBeGreaterThan(0);

    // Every process of both stacks was seen; the program's figure is the one reported before.
    for (const stack of ["ours", "baseline"] as const) {
      for (const role of ["program", "engine", "provider"] as const) expect(result.peak_rss_by_process_mb[stack][role]).toBeGreaterThan(0);
    }
    expect(result.peak_rss_by_process_mb.ours.program).toBe(result.peak_rss_mb);
    expect(result.idle_push.proxied_s).toBeGreaterThan(0);
    expect(result.idle_push.direct_s).toBeGreaterThan(0);

    // R is a part of the step's time, L the rest; each server's share is a part of R.
    for (const op of operations) {
      const figures = result.operations[op];
      expect(figures.remote_s).toBeGreaterThanOrEqual(0);
      expect(figures.remote_s).toBeLessThanOrEqual(figures.ours_s);
      expect(Math.abs(figures.local_s - (figures.ours_s - figures.remote_s))).toBeLessThanOrEqual(rounding);
      expect(figures.local_vs_baseline).toBeCloseTo(figures.local_s / figures.baseline_s, 1);
      for (const seconds of Object.values(figures.remote_by_server_s)) expect(seconds).toBeLessThanOrEqual(figures.remote_s + rounding);
      const callsByOperation = Object.values(figures.calls_by_operation).reduce((a, b) => a + b, 0);
      expect(callsByOperation).toBe(figures.api_calls);
      expect(Object.values(figures.calls_by_type).reduce((a, b) => a + b, 0)).toBe(figures.api_calls);
      expect(figures.calls_by_type.other).toBeUndefined(); // every operation the SDK sends is attributed
      const g = figures.gitea_requests;
      expect(g.pushes + g.fetches + g.api + g.discovery + g.other).toBe(g.total);
      expect(figures.waves).toBeLessThanOrEqual(g.pushes);
      if (figures.waves > 0) {
        expect(figures.wave_phase_remote_s).toBeLessThanOrEqual(figures.wave_phase_s + rounding);
        expect(figures.remote_per_wave_s).toBeCloseTo(figures.wave_phase_remote_s / figures.waves, 1);
        expect(figures.target_per_wave_s).toBeCloseTo(1.5 * (figures.idle_push_s + (figures.injected_per_wave_s as number)), 2);
      }
    }
    // up connects git and commits each git source and cluster: pushes, in at least one wave; the cluster is
    // checked at its API server. A no-change preview sends nothing anywhere.
    const { up, preview } = result.operations;
    expect(up.gitea_requests.pushes).toBeGreaterThanOrEqual(1);
    expect(up.waves).toBeGreaterThanOrEqual(1);
    expect(up.push_s?.median).toBeGreaterThan(0);
    expect(up.cluster_requests).toBeGreaterThan(0);
    expect(up.calls_by_type).toMatchObject({ GitSource: expect.any(Number), ManagedCluster: expect.any(Number) });
    expect(preview).toMatchObject({ remote_s: 0, gitea_requests: { total: 0, pushes: 0 }, cluster_requests: 0, waves: 0 });

    // Each resource's span splits into remote and local time.
    const trace = JSON.parse(await readFile(traceFile, "utf8")) as BenchTrace;
    expect(trace.definition).toMatch(/remote_s/);
    const upSpans = trace.runs[0].operations.up.filter((span) => span.end !== undefined);
    expect(upSpans.map((span) => span.type)).toEqual(expect.arrayContaining(["HostedRuntime", "SharedConfigRepo", "GitSource", "ManagedCluster"]));
    for (const span of upSpans) {
      expect(span.remote_s).toBeGreaterThanOrEqual(0);
      expect(span.local_s).toBeGreaterThanOrEqual(-0.001);
      expect((span.remote_s as number) + (span.local_s as number)).toBeCloseTo((span.end as number) - span.start, 2);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
