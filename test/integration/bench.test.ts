// `npm run bench` stays runnable and keeps its promises that are not about time: a tiny shape (2 git
// sources, 1 cluster, 1 repeat) through the real CLI, emulator, Gitea and kube-apiserver, checking the
// JSON it writes and the call counts the issue sets as targets. No wall-clock time is asserted.
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
}
interface BenchResult {
  n: number;
  m: number;
  repeat: number;
  operations: Record<(typeof operations)[number], BenchOperation>;
  state_bytes_per_resource: number;
  baseline_state_bytes_per_resource: number;
  peak_rss_mb: number;
}

test("a tiny bench run writes every figure, and no-change preview and refresh write nothing", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bench-test-"));
  try {
    const json = join(dir, "bench.json");
    const { stdout } = await run(process.execPath, [join(repoRoot, "bench", "run.mjs"), "--n", "2", "--m", "1", "--repeat", "1", "--json", json], {
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
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
