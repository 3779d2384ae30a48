#!/usr/bin/env node
// `npm run test:reliability`: the reliability suite alone, ending with one line
// `reliability: faults injected=A survived=B; crashes tried=C converged=D; bad inputs tried=E rejected=F; secret leaks=G;
// racing runs=H clean=I; hostile requests=J rejected=K`.
// `-- --soak` runs the longer soak (more crash rounds).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const soak = process.argv.includes("--soak");
const dir = mkdtempSync(join(tmpdir(), "reliability-"));
const report = join(dir, "report.jsonl");
const run = spawnSync(process.execPath, [new URL("./run-tests.mjs", import.meta.url).pathname, "--selectProjects", "reliability"], {
  stdio: "inherit",
  env: { ...process.env, PULUMI_CODEFRESH_RELIABILITY_REPORT: report, ...(soak ? { PULUMI_CODEFRESH_SOAK: "1" } : {}) },
});
const totals = {
  faultsInjected: 0,
  faultsSurvived: 0,
  crashesTried: 0,
  crashesConverged: 0,
  badInputsTried: 0,
  badInputsRejected: 0,
  secretLeaks: 0,
  runtimeAdoptions: 0,
  racingRuns: 0,
  racingClean: 0,
  hostileRequests: 0,
  hostileRejected: 0,
};
try {
  for (const line of readFileSync(report, "utf8").split("\n").filter(Boolean)) {
    for (const [key, value] of Object.entries(JSON.parse(line))) totals[key] += value;
  }
} catch {
  // no test recorded anything
}
rmSync(dir, { recursive: true, force: true });
console.log(
  `  (of the crashes, ${totals.runtimeAdoptions} landed while the hosted runtime was installing and were recovered with its documented \`adopt: true\`)`,
);
console.log(
  `reliability: faults injected=${totals.faultsInjected} survived=${totals.faultsSurvived}; crashes tried=${totals.crashesTried} converged=${totals.crashesConverged}; bad inputs tried=${totals.badInputsTried} rejected=${totals.badInputsRejected}; secret leaks=${totals.secretLeaks}; racing runs=${totals.racingRuns} clean=${totals.racingClean}; hostile requests=${totals.hostileRequests} rejected=${totals.hostileRejected}`,
);
process.exit(run.status ?? 1);
