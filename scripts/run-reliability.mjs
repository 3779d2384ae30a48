#!/usr/bin/env node
// `npm run test:reliability`: the reliability suite alone, in volume (every fault kind at every place, many
// crashes), ending with the breakdown of faults per step × resource type × kind and one line
// `reliability: faults injected=A survived=B (cells=C, each ≥5: yes); crashes tried=… converged=…; bad inputs
// tried=… rejected=…; secret leaks=… (sweeps=…); racing runs=… clean=…; hostile requests=… rejected=…`.
// `-- --soak [--minutes N] [--seed S]` runs the soak instead: random sequences of faulted steps and crashes
// for a bounded time (default 20 minutes), then the same line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { soak: { type: "boolean", default: false }, minutes: { type: "string" }, seed: { type: "string" } },
  allowPositionals: false,
});
const minutes = Number(values.minutes ?? 20);
if (!(minutes > 0)) {
  console.error(`--minutes must be a positive number, got ${values.minutes}`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "reliability-"));
const report = join(dir, "report.jsonl");
const soakEnv = values.soak
  ? { PULUMI_CODEFRESH_SOAK: "1", PULUMI_CODEFRESH_SOAK_MINUTES: String(minutes), ...(values.seed ? { PULUMI_CODEFRESH_SOAK_SEED: values.seed } : {}) }
  : {};
const started = Date.now();
const run = spawnSync(
  process.execPath,
  [
    new URL("./run-tests.mjs", import.meta.url).pathname,
    "--selectProjects",
    "reliability",
    // Its files side by side (jest's default on 2 cores is one worker): they wait on servers more than they compute.
    "--maxWorkers",
    "2",
    // The soak alone, or everything but it: jest's timeout must outlast its bounded time.
    ...(values.soak ? ["--testPathPatterns", "reliability/soak\\.", "--testTimeout", String((minutes + 15) * 60_000)] : []),
  ],
  { stdio: "inherit", env: { ...process.env, PULUMI_CODEFRESH_RELIABILITY_REPORT: report, ...soakEnv } },
);
const totals = {
  faultsInjected: 0,
  faultsSurvived: 0,
  crashesTried: 0,
  crashesConverged: 0,
  badInputsTried: 0,
  badInputsRejected: 0,
  secretLeaks: 0,
  secretSweeps: 0,
  runtimeAdoptions: 0,
  racingRuns: 0,
  racingClean: 0,
  hostileRequests: 0,
  hostileRejected: 0,
};
/** Faults per `step type kind`, over the whole run. */
const cells = {};
const crashPoints = {};
try {
  for (const line of readFileSync(report, "utf8").split("\n").filter(Boolean)) {
    for (const [key, value] of Object.entries(JSON.parse(line))) {
      if (key === "faultCells") for (const [cell, count] of Object.entries(value)) cells[cell] = (cells[cell] ?? 0) + count;
      else if (key === "crashPoint") crashPoints[value] = (crashPoints[value] ?? 0) + 1;
      else totals[key] += value;
    }
  }
} catch {
  // no test recorded anything
}
rmSync(dir, { recursive: true, force: true });

const cellNames = Object.keys(cells).sort();
if (cellNames.length > 0) {
  // One row per step × resource type, one column per kind: what a reader checks against "at least 5 each".
  const kinds = [...new Set(cellNames.map((c) => c.split(" ").at(-1)))];
  const rows = [...new Set(cellNames.map((c) => c.split(" ").slice(0, -1).join(" ")))];
  console.log(`\nfaults per step × resource type × kind (— : no request of that type there):`);
  console.log(["step resource".padEnd(40), ...kinds.map((k) => k.padStart(Math.max(k.length, 4)))].join(" "));
  for (const row of rows) {
    console.log([row.padEnd(40), ...kinds.map((k) => String(cells[`${row} ${k}`] ?? "—").padStart(Math.max(k.length, 4)))].join(" "));
  }
}
const under = cellNames.filter((c) => cells[c] < 5);
if (under.length > 0) console.log(`cells under 5: ${under.map((c) => `${c}=${cells[c]}`).join(", ")}`);
// The soak draws its faults at random: it has no breakdown to hold to the 5 per cell.
const breakdown = cellNames.length === 0 ? "" : ` (cells=${cellNames.length}, each ≥5: ${under.length === 0 ? "yes" : "no"})`;
const points = Object.entries(crashPoints);
if (points.length > 0) console.log(`crash points: ${points.map(([point, n]) => `${point} ×${n}`).join(", ")}`);
console.log(
  `  (of the crashes, ${totals.runtimeAdoptions} landed while the hosted runtime was installing and were recovered with its documented \`adopt: true\`)`,
);
console.log(`  (${((Date.now() - started) / 60_000).toFixed(1)} min)`);
console.log(
  `reliability: faults injected=${totals.faultsInjected} survived=${totals.faultsSurvived}${breakdown}; crashes tried=${totals.crashesTried} converged=${totals.crashesConverged}; bad inputs tried=${totals.badInputsTried} rejected=${totals.badInputsRejected}; secret leaks=${totals.secretLeaks} (sweeps=${totals.secretSweeps}); racing runs=${totals.racingRuns} clean=${totals.racingClean}; hostile requests=${totals.hostileRequests} rejected=${totals.hostileRejected}`,
);
process.exit(run.status ?? 1);
