#!/usr/bin/env node
// `npm run demo`: starts (or reuses) the local stack — a Kubernetes API server, Gitea and the Codefresh
// emulator, all on 127.0.0.1 — then runs `pulumi up` on the root program (Pulumi.yaml) with a local file
// backend, and prints a summary. Running it again reuses everything and reports no changes.
// `npm run demo -- --down` destroys the stack, stops the servers and removes their data.
// Run through scripts/tools, which puts Node and Pulumi on PATH and exports the offline settings.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: flags } = parseArgs({
  options: { down: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
});
if (flags.help) {
  console.log(
    "usage: npm run demo [-- --down]\n  (no flag) start or reuse the local stack, then pulumi up\n  --down    destroy the demo, stop the local servers, remove their data",
  );
  process.exit(0);
}

const require = createRequire(import.meta.url);
const root = new URL("..", import.meta.url).pathname;
const cache = process.env.PULUMI_CODEFRESH_CACHE;
if (!cache) throw new Error("run through `npm run demo`, which sets up the tools first");
const demoDir = join(cache, "demo");
const stateDir = join(demoDir, "state");
const stackDir = join(demoDir, "local-stack");
const stackInfoFile = join(stackDir, "stack.json");
const stack = "demo";
const step = (message) => console.log(`\n▶ ${message}`);

// A local stack only: the file backend and passphrase below are never used for a user's own stacks.
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "pulumi-codefresh-local-demo",
};

function run(command, args, { capture = false, allowFailure = false, input } = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    env,
    input,
    stdio: capture || input !== undefined ? ["pipe", capture ? "pipe" : "inherit", "inherit"] : "inherit",
    encoding: "utf8",
  });
  if (result.status !== 0 && !allowFailure) {
    console.error(`\ndemo: \`${command} ${args.join(" ")}\` failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
  return result;
}
const pulumi = (args, options) => run("pulumi", [...args, "--non-interactive"], options);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningStack() {
  if (!existsSync(stackInfoFile)) return undefined;
  const info = JSON.parse(readFileSync(stackInfoFile, "utf8"));
  return alive(info.pid) ? info : undefined;
}

function hasPulumiStack() {
  mkdirSync(stateDir, { recursive: true });
  return pulumi(["stack", "ls", "--json"], { capture: true }).stdout.includes(`"name": "${stack}"`);
}

/** The local stack's own CLI, which starts it in the background (reusing a running one) or stops it. */
function localStack(flag) {
  run(process.execPath, [join(root, "emulator", "dist", "local-stack-cli.js"), "--dir", stackDir, flag]);
}

if (flags.down) {
  const info = runningStack();
  if (hasPulumiStack()) {
    if (info) {
      step("pulumi destroy");
      pulumi(["destroy", "--yes", "--stack", stack]);
    } else {
      console.log("demo: the local servers are not running, so there is nothing left to destroy in them");
    }
    pulumi(["stack", "rm", "--yes", "--force", stack]);
  }
  if (info) {
    step("stopping the local stack");
    localStack("--stop");
  }
  rmSync(demoDir, { recursive: true, force: true });
  console.log("\ndemo: destroyed; no server of the demo is running and its data is removed.");
  process.exit(0);
}

step("building the package (tsc -b)");
run(process.execPath, [require.resolve("typescript/bin/tsc"), "-b"]);

mkdirSync(demoDir, { recursive: true });
let info = runningStack();
if (info) {
  step(`reusing the running local stack (Codefresh emulator ${info.codefresh.apiUrl})`);
} else {
  if (hasPulumiStack()) {
    // Its servers are gone (a reboot, a kill): their objects went with them, so the old state is stale.
    console.log("demo: the local servers from a previous run are gone; starting over with a fresh stack");
    pulumi(["stack", "rm", "--yes", "--force", stack]);
  }
  step("starting the local stack: Kubernetes API server, Gitea, Codefresh emulator (first time: ~10 s)");
  rmSync(stackDir, { recursive: true, force: true });
  localStack("--detach");
  info = runningStack();
}

if (!hasPulumiStack()) pulumi(["stack", "init", stack]);
const set = (key, value, secret = false) => pulumi(["config", "set", "--stack", stack, ...(secret ? ["--secret"] : []), key], { input: value });
set("codefresh:apiUrl", info.codefresh.apiUrl);
set("codefresh:apiKey", info.codefresh.apiKey, true);
set("gitUrl", info.git.url);
set("gitApiUrl", info.git.apiUrl);
set("gitOrg", info.git.org);
set("gitToken", info.git.token, true);
set("kubeconfigPath", info.kubernetes.kubeconfigPath);

step("pulumi up");
pulumi(["up", "--yes", "--stack", stack, "--skip-preview"]);

const outputs = JSON.parse(pulumi(["stack", "output", "--json", "--stack", stack], { capture: true }).stdout);
console.log(`
=== demo summary ===
  hosted runtime:        ${outputs.runtimeName} (${outputs.runtimeStatus}, version ${outputs.runtimeVersion})
  shared config repo:    ${outputs.sharedConfigRepo}
  git source repo:       ${outputs.gitSourceRepo}
  git sources:           ${outputs.gitSources.join(", ")}
  clusters:              ${outputs.clusters.join("; ")}

Next:
  browse the repos:       ${info.git.url}/${info.git.org}  (Gitea; its certificate is self-signed)
  preview (no changes):   eval "$(bash scripts/tools env)"; export PULUMI_BACKEND_URL=file://${stateDir} \\
                            PULUMI_CONFIG_PASSPHRASE=${env.PULUMI_CONFIG_PASSPHRASE}; pulumi preview --stack ${stack}
  what Codefresh saw:     curl -s ${info.codefresh.apiUrl}/_emulator/state
  run it again:           npm run demo        (safe; reports no changes)
  tear it all down:       npm run demo -- --down`);
