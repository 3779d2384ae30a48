#!/usr/bin/env node
// `npm run demo`: runs `pulumi up` on the root program (Pulumi.yaml) with a local file backend kept in
// the cache, prints a summary and what to do next. `npm run demo -- --down` destroys it all.
// Run through scripts/tools, which puts Node and Pulumi on PATH and exports the offline settings.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: flags } = parseArgs({
  options: { down: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
});
if (flags.help) {
  console.log("usage: npm run demo [-- --down]\n  (no flag) create or update the demo stack\n  --down    destroy it and remove its state");
  process.exit(0);
}

const root = new URL("..", import.meta.url).pathname;
const cache = process.env.PULUMI_CODEFRESH_CACHE;
if (!cache) throw new Error("run through `npm run demo`, which sets up the tools first");
const demoDir = join(cache, "demo");
const stateDir = join(demoDir, "state");
const stack = "demo";
mkdirSync(stateDir, { recursive: true });

// A local stack only: the file backend and passphrase below are never used for a user's own stacks.
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "pulumi-codefresh-local-demo",
};

function pulumi(args, { capture = false, allowFailure = false } = {}) {
  const result = spawnSync("pulumi", [...args, "--non-interactive"], {
    cwd: root,
    env,
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
  });
  if (result.status !== 0 && !allowFailure) {
    console.error(`\ndemo: \`pulumi ${args.join(" ")}\` failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
  return result;
}

const hasStack = pulumi(["stack", "ls", "--json"], { capture: true }).stdout.includes(`"name": "${stack}"`);

if (flags.down) {
  if (hasStack) {
    pulumi(["destroy", "--yes", "--stack", stack]);
    pulumi(["stack", "rm", "--yes", stack]);
  }
  rmSync(demoDir, { recursive: true, force: true });
  console.log("\ndemo: destroyed; nothing of the demo is left running or stored.");
  process.exit(0);
}

if (!hasStack) pulumi(["stack", "init", stack]);
pulumi(["config", "set", "--stack", stack, "path", join(demoDir, "greeting.txt")]);
pulumi(["up", "--yes", "--stack", stack, "--skip-preview"]);

const outputs = JSON.parse(pulumi(["stack", "output", "--json", "--stack", stack], { capture: true }).stdout);
console.log("\n=== demo summary ===");
for (const [key, value] of Object.entries(outputs)) console.log(`  ${key}: ${JSON.stringify(value)}`);
console.log(`
Next:
  look at the state:      ls ${stateDir}/.pulumi/stacks
  preview (no changes):   eval "$(bash scripts/tools env)"; PULUMI_BACKEND_URL=file://${stateDir} \\
                            PULUMI_CONFIG_PASSPHRASE=${env.PULUMI_CONFIG_PASSPHRASE} pulumi preview --stack ${stack}
  run it again:           npm run demo        (safe; reports no changes)
  tear it all down:       npm run demo -- --down`);
