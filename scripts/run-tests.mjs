#!/usr/bin/env node
// Runs the whole test suite (or the jest arguments given) and ends with one plain line,
// `N passed, N failed` (`, N skipped` when any), counting every test. Exits non-zero on any failure.
// Called through scripts/tools, which puts Node, Pulumi and the offline settings on PATH first.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { summaryLine } from "./summary.mjs";

const require = createRequire(import.meta.url);
/** A package's command-line script, from its package.json `bin` (its `exports` may not list it). */
function binOf(name) {
  const manifest = require.resolve(`${name}/package.json`);
  const { bin } = JSON.parse(readFileSync(manifest, "utf8"));
  return join(dirname(manifest), typeof bin === "string" ? bin : bin[name]);
}
const root = new URL("..", import.meta.url).pathname;

/** Runs a check; its failure is one failed test in the summary line (the tests still run). */
let staticFailures = 0;
function staticCheck(name, bin, args) {
  const started = Date.now();
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status === 0) console.log(`${name}: clean (${seconds} s)`);
  else {
    console.error(`${name}: failed (${seconds} s)`);
    staticFailures += 1;
  }
}

// The whole suite (no jest arguments) checks the format first.
const wholeSuite = process.argv.length <= 2;
if (wholeSuite) staticCheck("format (prettier --check; npm run format fixes it)", binOf("prettier"), ["--check", "--log-level", "warn", "."]);

// Build the SDK and type-check the tests first: a type error is a failed run, reported as such.
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b"], {
  cwd: root,
  stdio: "inherit",
});
if (tsc.status !== 0) {
  console.error("type-check failed (tsc -b): no test was run");
  console.log(summaryLine({ passed: 0, failed: 1 + staticFailures, skipped: 0 }));
  process.exit(1);
}

// Lint after the build: its type-aware rules read the packages' declarations (dist/*.d.ts).
if (wholeSuite) {
  staticCheck("lint (eslint)", binOf("eslint"), ["--cache", "--cache-location", "node_modules/.cache/eslint/", "--max-warnings", "0", "."]);
}

const outDir = mkdtempSync(join(tmpdir(), "jest-results-"));
const outFile = join(outDir, "results.json");
const jest = spawnSync(process.execPath, [require.resolve("jest/bin/jest"), "--json", `--outputFile=${outFile}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});

let counts = { passed: 0, failed: 1, skipped: 0 };
try {
  const results = JSON.parse(readFileSync(outFile, "utf8"));
  counts = {
    passed: results.numPassedTests,
    // A suite that could not run (syntax error, failing beforeAll) has no failed tests of its own: count it.
    failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
    skipped: results.numPendingTests + results.numTodoTests,
  };
} catch (err) {
  console.error(`could not read jest results: ${err.message}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
counts.failed += staticFailures;
console.log(summaryLine(counts));
process.exit(jest.status === 0 && counts.failed === 0 ? 0 : 1);
