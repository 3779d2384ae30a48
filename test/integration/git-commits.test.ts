// The emulated app-proxy's commits (emulator/src/git-commits.ts) against the real Gitea of the shared
// harness: concurrent changes share commits, every caller waits for the push that carries its change,
// and another writer moving the branch (or deleting a file) between commits is neither lost nor fatal.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitCommitter, type GitCommitterOptions } from "pulumi-codefresh-emulator";
import { git } from "pulumi-codefresh";
import { sharedGitServer, startGitFaultProxy } from "../harness/shared";

const gitea = () => sharedGitServer();
const org = `commits-${process.pid.toString(36)}${Date.now().toString(36)}`;
let workDir: string;
let counter = 0;

const api = () => git.createGitClient({ provider: "GITHUB", apiUrl: gitea().apiUrl, token: gitea().adminToken, caBundle: gitea().caCert });
const committer = (options: Partial<GitCommitterOptions> = {}) =>
  new GitCommitter({ workDir: join(workDir, `clones-${++counter}`), caBundle: gitea().caCert, ...options });
const credentials = () => ({ token: gitea().adminToken });

async function newRepo(): Promise<git.RepoRef> {
  const repo = git.parseRepoUrl(`${gitea().url}/${org}/isc-${++counter}.git`);
  await api().createRepo(repo);
  return repo;
}

async function commitCount(repo: git.RepoRef): Promise<number> {
  const reply = await gitea().api("GET", `/repos/${repo.owner}/${repo.name}/commits?sha=main&limit=100&stat=false`);
  expect(reply.status).toBe(200);
  return (reply.body as unknown[]).length;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "git-commits-"));
  await gitea().createOrg(org);
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

test("twelve concurrent changes land in fewer commits, each caller resolving once its file is on the branch", async () => {
  const repo = await newRepo();
  const before = await commitCount(repo);
  const writer = committer();
  const names = Array.from({ length: 12 }, (_, i) => `resources/rt/source-${i}.yaml`);
  await Promise.all(
    names.map(async (path, i) => {
      await writer.commit(repo, credentials(), [{ path, content: `index: ${i}\n` }], `Git source ${i}`);
      // Resolved means pushed: the file is readable through the server's API at once.
      expect(await api().readFile(repo, path)).toBe(`index: ${i}\n`);
    }),
  );
  const added = (await commitCount(repo)) - before;
  expect(added).toBeGreaterThanOrEqual(1);
  expect(added).toBeLessThan(names.length);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a burst whose changes arrive a few ms apart is one commit, and the callers a push releases share the next", async () => {
  const repo = await newRepo();
  // A wider idle gap than the default 25 ms, so that a loaded machine's late timers cannot split the burst;
  // the gap after a push is the default.
  const writer = committer({ quietMs: 60 });
  await writer.commit(repo, credentials(), [{ path: "seed.yaml", content: "seed: 1\n" }], "seed"); // clone made, branch known
  await sleep(1_200); // idle again: the first burst is gathered by the short quiet gap
  const before = await commitCount(repo);
  // Six callers, 10 ms apart (as Pulumi starts resources): without waiting for the burst the first goes alone.
  const wave = (round: number, gapMs: number) =>
    Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        await sleep(i * gapMs);
        await writer.commit(repo, credentials(), [{ path: `wave-${round}/source-${i}.yaml`, content: `index: ${i}\n` }], `source ${round}/${i}`);
      }),
    );
  await wave(1, 10);
  expect((await commitCount(repo)) - before).toBe(1);
  // Right after a push its callers come back with their next change a round trip apart (40 ms here,
  // longer than the idle gap): they still share one commit instead of a lone one and the rest.
  await wave(2, 40);
  expect((await commitCount(repo)) - before).toBe(2);
  for (const i of [0, 5]) expect(await api().readFile(repo, `wave-2/source-${i}.yaml`)).toBe(`index: ${i}\n`);
});

test("a wave as large as the last push is pushed as soon as its last change arrives, as one commit", async () => {
  const repo = await newRepo();
  // Gaps no test could wait out: the second wave's push can only start because the whole wave is back.
  const writer = committer({ busyQuietMs: 3_600_000, busyWindowMs: 3_600_000, maxGatherMs: 3_600_000 });
  const wave = (round: number) =>
    Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        writer.commit(repo, credentials(), [{ path: `wave-${round}/source-${i}.yaml`, content: `index: ${i}\n` }], `source ${round}/${i}`),
      ),
    );
  await wave(1);
  const before = await commitCount(repo);
  await wave(2);
  expect((await commitCount(repo)) - before).toBe(1);
  expect(await api().readFile(repo, "wave-2/source-3.yaml")).toBe("index: 3\n");
});

test("a branch moved by another writer between two commits: the next push re-bases on it and keeps both", async () => {
  const repo = await newRepo();
  const writer = committer();
  await writer.commit(repo, credentials(), [{ path: "a.yaml", content: "a: 1\n" }], "first");
  await api().putFiles(repo, [{ path: "b.yaml", content: "b: 1\n" }], "someone else"); // the clone is now behind
  await writer.commit(repo, credentials(), [{ path: "c.yaml", content: "c: 1\n" }], "second");
  expect(await api().readFile(repo, "a.yaml")).toBe("a: 1\n");
  expect(await api().readFile(repo, "b.yaml")).toBe("b: 1\n");
  expect(await api().readFile(repo, "c.yaml")).toBe("c: 1\n");
});

test("a file deleted behind the clone's back is written again, and removing a missing file is not an error", async () => {
  const repo = await newRepo();
  const writer = committer();
  await writer.commit(repo, credentials(), [{ path: "drift.yaml", content: "x: 1\n" }], "write");
  await api().deleteFile(repo, "drift.yaml", "drift"); // the clone still has it
  await writer.commit(repo, credentials(), [{ path: "drift.yaml", content: "x: 1\n" }], "repair");
  expect(await api().readFile(repo, "drift.yaml")).toBe("x: 1\n");
  await api().deleteFile(repo, "drift.yaml", "drift again");
  await expect(writer.commit(repo, credentials(), [{ path: "drift.yaml", content: null }], "remove")).resolves.toBeUndefined();
  expect(await api().readFile(repo, "drift.yaml")).toBeUndefined();
});

test("a wrong token fails every waiting caller with git's reason and without the token", async () => {
  const repo = await newRepo();
  const token = "0123456789abcdef0123456789abcdef01234567";
  const writer = committer();
  const results = await Promise.allSettled([1, 2].map((i) => writer.commit(repo, { token }, [{ path: `f${i}.yaml`, content: "x\n" }], `change ${i}`)));
  for (const result of results) {
    expect(result.status).toBe("rejected");
    const message = ((result as PromiseRejectedResult).reason as Error).message;
    expect(message).toMatch(/git (ls-remote|fetch|push)/);
    expect(message).not.toContain(token);
  }
});

test("paths outside the repository are refused before anything runs", () => {
  expect(() => committer().commit(git.parseRepoUrl(`${gitea().url}/${org}/any.git`), credentials(), [{ path: "../x", content: "" }], "escape")).toThrow(
    /not a path inside the repository/,
  );
});

test("a clone a killed process left half-written (its index.lock) does not stop the next process's commits", async () => {
  const repo = await newRepo();
  const clones = join(workDir, `clones-${++counter}`);
  const first = new GitCommitter({ workDir: clones, caBundle: gitea().caCert });
  await first.commit(repo, credentials(), [{ path: "resources/rt/a.yaml", content: "a: 1\n" }], "Git source a");
  // What kill -9 in the middle of `git checkout` or `git add` leaves: git's lock file in the clone.
  // The work dir also holds the CA file and its empty CA path; the clone is the directory with a .git.
  const [clone] = readdirSync(clones, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(clones, e.name, ".git")));
  expect(clone).toBeDefined();
  writeFileSync(join(clones, clone.name, ".git", "index.lock"), "");

  const restarted = new GitCommitter({ workDir: clones, caBundle: gitea().caCert });
  await restarted.commit(repo, credentials(), [{ path: "resources/rt/b.yaml", content: "b: 1\n" }], "Git source b");
  expect(await api().readFile(repo, "resources/rt/a.yaml")).toBe("a: 1\n");
  expect(await api().readFile(repo, "resources/rt/b.yaml")).toBe("b: 1\n");
});

test("the git server's own failures reject as transient (Codefresh answers them INTERNAL_SERVER_ERROR, which clients retry); a refusal does not", async () => {
  const repo = await newRepo();
  const proxy = await startGitFaultProxy();
  try {
    const viaProxy = git.parseRepoUrl(`${proxy.url}/${repo.owner}/${repo.name}.git`);
    const attempt = async (token: string) => {
      const error: unknown = await committer()
        .commit(viaProxy, { token }, [{ path: "resources/rt/x.yaml", content: "x: 1\n" }], "Git source x")
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      return { transient: (error as { transient?: unknown } | undefined)?.transient, message: String(error) };
    };
    for (const kind of ["503", "reset", "drop"] as const) {
      proxy.faults.set([{ kind, count: 1 }]);
      expect({ kind, ...(await attempt(gitea().adminToken)) }).toMatchObject({ kind, transient: true });
    }
    proxy.faults.set([]);
    expect(await attempt("not-a-token")).toMatchObject({ transient: false, message: expect.stringMatching(/git .* the repository failed/) });
  } finally {
    await proxy.stop();
  }
});
