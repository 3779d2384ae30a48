// How the emulated app-proxy writes to a repository: like Codefresh's (go-git), it keeps a clone, commits and
// pushes. Changes that arrive while a push is in flight are grouped into the next commit, so a hundred
// concurrent `createGitSource` calls cost a few pushes, not a hundred one-file commits through a contents
// API. Before each push the committer waits briefly for the rest of a burst (see `gather`). Each caller's
// promise settles when the commit that carries its change is on the remote branch.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import type { RepoRef } from "./repo-url";
import { UpstreamError } from "./errors";

/** One file to write (content) or remove (null: a file or a whole directory), relative to the repository's root. */
export interface FileChange {
  path: string;
  content: string | null;
}

export interface GitCredentials {
  /** The user name of HTTP basic auth; tokens of GitHub-like servers take any (default `x-access-token`). */
  username?: string | undefined;
  token: string;
}

export interface GitCommitterOptions {
  /** Where the clones live (one per repository). */
  workDir: string;
  /** Extra CA bundle for the git server (a local server with its own certificate). */
  caBundle?: string | undefined;
  /** Bound on each git command (default 60 s). */
  commandTimeoutMs?: number;
  /** Pushes tried when another writer moved the branch first (default 5). */
  attempts?: number;
  /**
   * How long a push waits for the next change of a burst: it starts once no change has arrived for this
   * long (default 25 ms), or, within `busyWindowMs` of a push that carried several changes (or saw more
   * arrive while it ran), for `busyQuietMs`. A lone writer only ever waits `quietMs`.
   */
  quietMs?: number;
  /**
   * The quiet gap awaited right after a push (default 150 ms). Its callers come back with their next change
   * a round trip later (Pulumi starts the next resources as these finish): pushing the first straggler at
   * once would make them wait for a one-change push, then share the next, doubling every wave. The push
   * starts without waiting out the gap once as many changes are pending as the last push carried: the
   * whole wave is back.
   */
  busyQuietMs?: number;
  /** How long after a push the committer counts as busy (default 1 s). */
  busyWindowMs?: number;
  /** The longest a change waits for others before its push starts (default 500 ms). */
  maxGatherMs?: number;
}

interface Pending {
  arrivedAt: number;
  changes: FileChange[];
  message: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface RepoQueue {
  pending: Pending[];
  flushing: boolean;
  credentials: GitCredentials;
  branch?: string;
  /** Whether the clone's branch is known to be the remote's tip. */
  inSync?: boolean;
  /** When the last push ended (ms since the epoch; 0 before any). */
  lastPushEnd: number;
  /** Whether the last push carried several changes or more came while it ran: callers are concurrent. */
  lastPushShared: boolean;
  /** How many changes the last push carried: concurrent callers come back as many. */
  lastBatchSize: number;
  /** Wakes a waiting `gather` when a change arrives. */
  arrived?: (() => void) | undefined;
}

export class GitCommitter {
  private readonly queues = new Map<string, RepoQueue>();
  private readonly initialised = new Set<string>();
  private caFile?: Promise<string>;

  constructor(private readonly options: GitCommitterOptions) {}

  /** Commits `changes` (grouped with whatever else is waiting for the same repository) and pushes. */
  commit(repo: RepoRef, credentials: GitCredentials, changes: FileChange[], message: string): Promise<void> {
    for (const change of changes) {
      if (change.path.startsWith("/") || normalize(change.path).startsWith("..")) throw new Error(`${change.path}: not a path inside the repository`);
    }
    let queue = this.queues.get(repo.cloneUrl);
    if (!queue) {
      queue = { pending: [], flushing: false, credentials, lastPushEnd: 0, lastPushShared: false, lastBatchSize: 0 };
      this.queues.set(repo.cloneUrl, queue);
    }
    queue.credentials = credentials; // the newest token wins (a rotated one)
    const done = new Promise<void>((resolve, reject) => queue.pending.push({ arrivedAt: Date.now(), changes, message, resolve, reject }));
    queue.arrived?.();
    if (!queue.flushing) void this.flush(repo, queue);
    return done;
  }

  private async flush(repo: RepoRef, queue: RepoQueue): Promise<void> {
    queue.flushing = true;
    try {
      while (queue.pending.length > 0) {
        await this.gather(queue);
        const batch = queue.pending.splice(0);
        try {
          await this.push(repo, queue, batch);
          for (const item of batch) item.resolve();
        } catch (error) {
          queue.inSync = false;
          for (const item of batch) item.reject(error instanceof Error ? error : new Error(String(error)));
        } finally {
          queue.lastPushEnd = Date.now();
          queue.lastPushShared = batch.length > 1 || queue.pending.length > 0;
          queue.lastBatchSize = batch.length;
        }
      }
    } finally {
      queue.flushing = false;
    }
  }

  /** Waits until the burst the pending changes belong to has stopped arriving (bounded by `maxGatherMs`). */
  private async gather(queue: RepoQueue): Promise<void> {
    const { quietMs = 25, busyQuietMs = 150, busyWindowMs = 1_000, maxGatherMs = 500 } = this.options;
    const busy = queue.lastPushShared && Date.now() - queue.lastPushEnd < busyWindowMs;
    const quiet = busy ? busyQuietMs : quietMs;
    // A change left over from the previous push counts from that push's end, so it waits for its wave.
    const first = queue.pending[0];
    if (!first) return; // flush gathers only while changes are pending
    const deadline = Math.max(first.arrivedAt, queue.lastPushEnd) + maxGatherMs;
    for (;;) {
      // The callers of the last shared push are all back: nobody else is coming, push now.
      if (busy && queue.lastBatchSize > 1 && queue.pending.length >= queue.lastBatchSize) return;
      const lastArrival = (queue.pending[queue.pending.length - 1] ?? first).arrivedAt; // changes only join the end
      const due = Math.min(Math.max(lastArrival, queue.lastPushEnd) + quiet, deadline);
      const wait = due - Date.now();
      if (wait <= 0) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          queue.arrived = undefined;
          resolve();
        };
        const timer = setTimeout(wake, wait);
        queue.arrived = wake;
      });
    }
  }

  private async push(repo: RepoRef, queue: RepoQueue, batch: Pending[]): Promise<void> {
    const dir = join(this.options.workDir, createHash("sha256").update(repo.cloneUrl).digest("hex").slice(0, 16));
    const git = await this.runner(dir, queue.credentials);
    if (!this.initialised.has(dir)) {
      // A clone left by an earlier process is only a cache, and may be half-written: a process killed in
      // the middle of a git command leaves its lock files (.git/index.lock), which would fail every later
      // command. Each process starts its clone afresh; the first push fetches the branch anyway.
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await git(["init", "--quiet"]);
      await git(["remote", "add", "origin", repo.cloneUrl]);
      this.initialised.add(dir);
    }
    queue.branch ??= repo.ref ?? (await defaultBranch(git));
    const branch = queue.branch;
    const [only] = batch;
    const message = batch.length === 1 && only ? only.message : `${batch.length} changes\n\n${batch.map((item) => `- ${item.message}`).join("\n")}`;
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      // After our own push the clone is the branch's tip: skip the fetch, and let a rejected push (someone
      // else moved the branch) send us back to fetching.
      const fetched = !queue.inSync;
      if (!queue.inSync) {
        await git(["fetch", "--quiet", "--depth=1", "origin", `+refs/heads/${branch}:refs/remotes/origin/${branch}`]);
        await git(["checkout", "--quiet", "--force", "-B", branch, `refs/remotes/origin/${branch}`]);
        await git(["clean", "--quiet", "-fdx"]);
        queue.inSync = true;
      }
      for (const change of batch.flatMap((item) => item.changes)) {
        const file = join(dir, change.path);
        if (change.content === null) await rm(file, { force: true, recursive: true });
        else {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, change.content);
        }
      }
      await git(["add", "--all"]);
      if (!(await commitStaged(git, message))) {
        if (queue.inSync && attempt === 1 && !fetched) {
          // Nothing to commit against a clone that may be stale (another writer deleted the file): look again.
          queue.inSync = false;
          continue;
        }
        return; // nothing changed: as the contents API, no empty commit
      }
      try {
        await git(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`]);
        return;
      } catch (error) {
        queue.inSync = false;
        if (attempt >= attempts) throw error; // another writer kept moving the branch
      }
    }
  }

  /** Runs git in `dir` with the token in an HTTP header (never in a URL, argv or .git/config). */
  private async runner(dir: string, credentials: GitCredentials): Promise<(args: string[]) => Promise<string>> {
    const caFile = this.options.caBundle ? await this.writeCaFile() : undefined;
    return gitRunner({ workDir: this.options.workDir, caFile, timeoutMs: this.options.commandTimeoutMs }, dir, credentials);
  }

  private writeCaFile(): Promise<string> {
    this.caFile ??= (async () => {
      const file = join(this.options.workDir, "ca.pem");
      await mkdir(this.options.workDir, { recursive: true });
      await writeFile(file, this.options.caBundle ?? "");
      return file;
    })();
    return this.caFile;
  }
}

/** A git command that failed: transient when git's output shows the server or the network failed. */
export class GitCommandError extends UpstreamError {
  constructor(command: string, detail: string, timedOut = false) {
    super(
      `git ${command} ${command === "push" || command === "fetch" ? "to" : "in"} the repository failed: ${detail}`,
      timedOut ||
        /HTTP (429|5\d\d)|returned error: (429|5\d\d)|RPC failed|Connection reset|Connection refused|Empty reply|early EOF|unexpected disconnect|expected flush|Failed to connect|timed out|transfer closed|Recv failure|GnuTLS recv error|TLS connection was non-properly terminated|SSL_ERROR_SYSCALL|SSL_read|unexpected EOF/i.test(
          detail,
        ),
    );
    this.name = "GitCommandError";
  }
}

/** Commits what is staged; false when nothing is (git's commit refuses, and the index matches HEAD). */
async function commitStaged(git: (args: string[]) => Promise<string>, message: string): Promise<boolean> {
  try {
    await git(["commit", "--quiet", "-m", message]);
    return true;
  } catch (error) {
    // Only on the rare path: a commit that failed with changes staged is a real failure.
    const nothingStaged = await git(["diff", "--cached", "--quiet"]).then(
      () => true,
      () => false,
    );
    if (nothingStaged) return false;
    throw error;
  }
}

async function defaultBranch(git: (args: string[]) => Promise<string>): Promise<string> {
  const answer = await git(["ls-remote", "--symref", "origin", "HEAD"]);
  const match = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(answer);
  if (!match) throw new Error("the repository has no default branch yet (no commit): create it with an initial commit");
  return match[1] ?? ""; // the group always matches
}

/** An empty directory beside `caFile`, made once per process. */
const emptyCaPaths = new Set<string>();
function emptyCaPath(caFile: string): string {
  const dir = `${caFile}.capath`;
  if (!emptyCaPaths.has(dir)) {
    mkdirSync(dir, { recursive: true });
    emptyCaPaths.add(dir);
  }
  return dir;
}

/** git in `dir`, as the app-proxy runs it: the token in an HTTP header (never in a URL, argv or .git/config). */
export function gitRunner(
  options: { workDir: string; caFile?: string | undefined; timeoutMs?: number | undefined },
  dir: string,
  credentials: GitCredentials,
): (args: string[]) => Promise<string> {
  const basic = Buffer.from(`${credentials.username ?? "x-access-token"}:${credentials.token}`).toString("base64");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: options.workDir,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Codefresh app-proxy (emulator)",
    GIT_AUTHOR_EMAIL: "app-proxy@codefresh.local",
    GIT_COMMITTER_NAME: "Codefresh app-proxy (emulator)",
    GIT_COMMITTER_EMAIL: "app-proxy@codefresh.local",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    // With a CA file, it alone is trusted; the empty directory stops git's curl (GnuTLS) from also parsing the
    // system's ~430 certificates on every connection, ~25 ms of each push and fetch here.
    ...(options.caFile ? { GIT_SSL_CAINFO: options.caFile, GIT_SSL_CAPATH: emptyCaPath(options.caFile) } : {}),
  };
  const timeout = options.timeoutMs ?? 60_000;
  return (args) =>
    new Promise((resolve, reject) => {
      execFile("git", args, { cwd: dir, env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new GitCommandError(args[0] ?? "", stderr.trim() || error.message, error.killed));
        else resolve(stdout);
      });
    });
}
