#!/usr/bin/env node
// codefresh-local-stack: starts a Kubernetes control plane, Gitea and the Codefresh emulator on 127.0.0.1,
// writes how to reach them to DIR/stack.json and the environment a program needs to DIR/env.sh (both mode
// 0600: they hold the API key and git token), prints that environment (secrets masked) and "ready", and runs
// until SIGTERM or SIGINT, then stops them all.
//
//   codefresh-local-stack --dir DIR            in the foreground
//   codefresh-local-stack --dir DIR --detach   in the background (log: DIR/local-stack.log); reuses a running one
//   codefresh-local-stack --dir DIR --stop     stops the one started with --detach
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type LocalStackInfo, startLocalStack } from "./local/stack";

const usage = "usage: codefresh-local-stack --dir DIR [--detach | --stop]";
const readyTimeoutMs = 180_000;

interface RunningInfo extends LocalStackInfo {
  pid: number;
}

/** Each variable a program needs, its value, and whether it is a secret (masked when printed). */
function environmentOf(info: LocalStackInfo): { name: string; value: string; secret: boolean }[] {
  return [
    { name: "CODEFRESH_API_URL", value: info.codefresh.apiUrl, secret: false },
    { name: "CODEFRESH_API_KEY", value: info.codefresh.apiKey, secret: true },
    { name: "CODEFRESH_LOCAL_GIT_URL", value: info.git.url, secret: false },
    { name: "CODEFRESH_LOCAL_GIT_API_URL", value: info.git.apiUrl, secret: false },
    { name: "CODEFRESH_LOCAL_GIT_ORG", value: info.git.org, secret: false },
    { name: "CODEFRESH_LOCAL_GIT_TOKEN", value: info.git.token, secret: true },
    { name: "CODEFRESH_LOCAL_GIT_CA_FILE", value: info.git.caCertPath, secret: false },
    { name: "KUBECONFIG", value: info.kubernetes.kubeconfigPath, secret: false },
  ];
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function printEnvironment(dir: string, info: LocalStackInfo): void {
  console.log(`codefresh-local-stack: Codefresh ${info.codefresh.apiUrl}, git ${info.git.url}, Kubernetes ${info.kubernetes.server}`);
  console.log(`the environment a program needs (all of it, secrets too: . ${join(dir, "env.sh")}):`);
  for (const variable of environmentOf(info)) console.log(`  ${variable.name}=${variable.secret ? "<secret, in env.sh>" : variable.value}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The stack a --detach started, while its process lives. */
function running(dir: string): RunningInfo | undefined {
  const file = join(dir, "stack.json");
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, "utf8")) as RunningInfo;
  return alive(info.pid) ? info : undefined;
}

async function foreground(dir: string): Promise<void> {
  const stack = await startLocalStack({ dir });
  const infoFile = join(dir, "stack.json");
  const envFile = join(dir, "env.sh");
  writeFileSync(
    envFile,
    ["# codefresh-local-stack: the environment a program needs", ...environmentOf(stack.info).map((v) => `export ${v.name}=${shellQuote(v.value)}`), ""].join(
      "\n",
    ),
    { mode: 0o600 },
  );
  // Written last: its presence means ready (--detach waits for it).
  writeFileSync(infoFile, JSON.stringify({ pid: process.pid, ...stack.info }, null, 2), { mode: 0o600 });
  printEnvironment(dir, stack.info);
  console.log("ready");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    rmSync(infoFile, { force: true });
    rmSync(envFile, { force: true });
    void stack.stop().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

async function detach(dir: string): Promise<void> {
  const existing = running(dir);
  if (existing) {
    console.log(`codefresh-local-stack: reusing the stack running in ${dir} (pid ${existing.pid})`);
    printEnvironment(dir, existing);
    return;
  }
  rmSync(join(dir, "stack.json"), { force: true });
  const logFile = join(dir, "local-stack.log");
  const log = openSync(logFile, "a");
  // Its own process group, so that it outlives this command and --stop stops the servers with it.
  const child = spawn(process.execPath, [__filename, "--dir", dir], { detached: true, stdio: ["ignore", log, log], env: process.env });
  child.unref();
  const started = Date.now();
  for (;;) {
    const info = running(dir);
    if (info) {
      printEnvironment(dir, info);
      console.log(`ready (in the background, pid ${info.pid}; stop it with: codefresh-local-stack --dir ${dir} --stop)`);
      return;
    }
    if (child.exitCode !== null) throw new Error(`the local stack exited (${child.exitCode}) before it was ready; see ${logFile}`);
    if (Date.now() - started > readyTimeoutMs) {
      process.kill(-child.pid!, "SIGTERM");
      throw new Error(`the local stack was not ready in ${readyTimeoutMs / 1000} s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(dir: string): Promise<void> {
  const info = running(dir);
  if (!info) {
    console.log(`codefresh-local-stack: no stack is running in ${dir}`);
    return;
  }
  process.kill(-info.pid, "SIGTERM");
  for (let i = 0; i < 100 && alive(info.pid); i++) await new Promise((r) => setTimeout(r, 200));
  if (alive(info.pid)) process.kill(-info.pid, "SIGKILL");
  rmSync(join(dir, "stack.json"), { force: true });
  rmSync(join(dir, "env.sh"), { force: true });
  console.log(`codefresh-local-stack: stopped (its data stays in ${dir}; remove the directory to start afresh)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string" },
      detach: { type: "boolean", default: false },
      stop: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || !values.dir || (values.detach && values.stop)) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const dir = resolve(values.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (values.stop) await stop(dir);
  else if (values.detach) await detach(dir);
  else await foreground(dir);
}

main().catch((error: unknown) => {
  console.error(`codefresh-local-stack: ${(error as Error).message}`);
  process.exit(1);
});
