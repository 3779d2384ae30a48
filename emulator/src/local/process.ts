// Child processes of the local servers: started on loopback in their own process group, gated on a
// readiness check with a deadline, and stopped by group (SIGTERM, then SIGKILL).
import { ChildProcess, spawn } from "node:child_process";
import type { Writable } from "node:stream";
import { createWriteStream, readFileSync } from "node:fs";
import net from "node:net";

/** A free TCP port on 127.0.0.1 (the OS picks it; it can be taken again before use, so callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Where stdout and stderr go. */
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the process group at once (crash tests). */
  kill(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * One watchdog per parent process: a detached child that reads "add PGID"/"remove PGID" lines on its
 * stdin and, when that pipe closes (the parent exited, even by SIGKILL), stops every group still
 * registered. Servers started here therefore never outlive the test run or supervisor that started them.
 */
let watchdog: Writable | undefined;

const watchdogScript = `
const groups = new Set();
let buffer = "";
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf("\\n")) >= 0) {
    const [verb, pgid] = buffer.slice(0, nl).split(" ");
    buffer = buffer.slice(nl + 1);
    if (verb === "add") groups.add(Number(pgid)); else groups.delete(Number(pgid));
  }
});
process.stdin.on("end", () => {
  const signal = (sig) => { for (const g of groups) { try { process.kill(-g, sig); } catch { groups.delete(g); } } };
  signal("SIGTERM");
  // Gone as soon as every group is: a run that checks for leftovers right after must not find the watchdog.
  const started = Date.now();
  const poll = setInterval(() => {
    signal(0);
    if (groups.size === 0) process.exit(0);
    if (Date.now() - started >= 5000) { signal("SIGKILL"); process.exit(0); }
  }, 50);
  signal(0);
  if (groups.size === 0) process.exit(0);
});
`;

function watch(pgid: number, add: boolean): void {
  if (!watchdog) {
    const child = spawn(process.execPath, ["-e", watchdogScript], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
    child.unref();
    // The pipe must not keep the parent alive; it only has to close when the parent goes.
    (child.stdin as net.Socket).unref();
    watchdog = child.stdin;
  }
  watchdog.write(`${add ? "add" : "remove"} ${pgid}\n`);
}

export function startProcess(options: StartOptions): ManagedProcess {
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true, // its own process group, so stop() reaches its children too
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ?? `exit code ${code}`));
    child.once("error", (err) => resolve(`failed to start: ${err.message}`));
  });
  void exited.then(() => log.end());
  const pid = child.pid ?? -1;

  let running = pid > 0;
  if (running) watch(pid, true);
  void exited.then(() => {
    running = false;
    if (pid > 0) watch(pid, false);
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (!running) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    async stop(graceMs = 10_000) {
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      signalGroup("SIGKILL");
      await exited;
    },
  };
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Polls `check` until it returns true, the process exits, or `timeoutMs` passes; fails with the
 * process's log tail so a start-up problem explains itself.
 */
export async function waitUntilReady(proc: ManagedProcess, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void proc.exited.then((how) => (exitedWith = how));
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    if (exitedWith !== undefined) {
      throw new Error(`${proc.name} exited during start-up (${exitedWith}); log ${proc.logFile}:\n${logTail(proc.logFile)}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      await proc.stop(2_000);
      throw new Error(`${proc.name} was not ready after ${timeoutMs} ms; log ${proc.logFile}:\n${logTail(proc.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
