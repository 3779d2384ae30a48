// sdk/src/git's GitHub adapter against the real Gitea of the shared harness: Gitea's /api/v1 answers
// the GitHub-shaped calls the adapter makes (repos, orgs, contents), so repositories, commits, sizes,
// permissions and tokens here are real, and pushes go through real smart HTTP with the git CLI.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitError, git } from "pulumi-codefresh";
import { sharedGitServer } from "../harness/shared";

const gitea = () => sharedGitServer();
const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const org = `cf-${run}`;
let counter = 0;
const uniqueName = (label: string) => `${label}-${++counter}`;

/** Every token the tests use, so every error can be checked for leaks. */
const tokens: string[] = [];
const client = (token = gitea().adminToken, extra: Partial<git.GitClientOptions> = {}) => {
  tokens.push(token);
  return git.createGitClient({ provider: "GITHUB", apiUrl: gitea().apiUrl, token, caBundle: gitea().caCert, ...extra });
};
const repoRef = (name: string, suffix = "", owner = org) => git.parseRepoUrl(`${gitea().url}/${owner}/${name}.git${suffix}`);

async function failure(promise: Promise<unknown>): Promise<GitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitError);
  for (const token of [...tokens, gitea().adminPassword]) expect((error as Error).message).not.toContain(token);
  return error as GitError;
}

/** Runs git with the server's CA and the token in an HTTP header set through the environment (never in argv or the URL). */
function gitCli(cwd: string, token: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      GIT_SSL_CAINFO: gitea().caCertPath,
      GIT_AUTHOR_NAME: "test",
      GIT_AUTHOR_EMAIL: "test@example.invalid",
      GIT_COMMITTER_NAME: "test",
      GIT_COMMITTER_EMAIL: "test@example.invalid",
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: token ${token}`,
    },
  });
}

async function commitMessages(repo: git.RepoRef): Promise<string[]> {
  const reply = await gitea().api("GET", `/repos/${repo.owner}/${repo.name}/commits?sha=main&limit=50&stat=false`);
  expect(reply.status).toBe(200);
  return (reply.body as { commit: { message: string } }[]).map((c) => c.commit.message.trim());
}

beforeAll(async () => {
  await gitea().createOrg(org);
});

describe("repositories", () => {
  test("createRepo makes a private org repository with an initialised main branch; a second create returns it", async () => {
    const repo = repoRef(uniqueName("isc"));
    const c = client();
    await expect(c.getRepo(repo)).resolves.toBeUndefined();
    const created = await c.createRepo(repo, { description: "shared configuration" });
    expect(created).toMatchObject({
      fullName: `${org}/${repo.name}`,
      defaultBranch: "main",
      private: true,
      canPush: true,
      cloneUrl: repo.cloneUrl,
      htmlUrl: `${gitea().url}/${org}/${repo.name}`,
    });
    expect(await commitMessages(repo)).toHaveLength(1); // auto_init: the default branch exists

    const again = await c.createRepo(repo);
    expect(again.fullName).toBe(created.fullName);
    const list = await gitea().api("GET", `/orgs/${org}/repos?limit=50`);
    expect((list.body as { name: string }[]).filter((r) => r.name === repo.name)).toHaveLength(1);

    const publicRepo = await c.createRepo(repoRef(uniqueName("public")), { private: false });
    expect(publicRepo.private).toBe(false);
  });

  test("createRepo for the token's own user posts to /user/repos; an owner that is neither user nor org is not-found", async () => {
    const user = await gitea().createUser(`u-${run}-${++counter}`);
    const own = repoRef("mine", "", user.username);
    await expect(client(user.token).createRepo(own)).resolves.toMatchObject({ fullName: `${user.username}/mine`, private: true, canPush: true });

    const elsewhere = repoRef("x", "", `nobody-${run}`);
    const error = await failure(client(user.token).createRepo(elsewhere));
    expect(error.problem).toBe("not-found");
    expect(error.message).toMatch(new RegExp(`nobody-${run} is neither an organisation the token can see nor the token's user \\(${user.username}\\)`));
  });

  test("getRepo and checkAccess report the default branch and a known size", async () => {
    const repo = repoRef(uniqueName("read"));
    await client().createRepo(repo);
    const info = await client().checkAccess(repo);
    expect(info.defaultBranch).toBe("main");
    expect(typeof info.sizeBytes).toBe("number");
    expect(info.sizeBytes).toBeLessThan(git.defaultMaxSizeBytes);
  });

  test("a repository over maxSizeBytes (1 MB of random data pushed with git over HTTPS) is too-large", async () => {
    const repo = repoRef(uniqueName("big"));
    await client().createRepo(repo);
    const dir = mkdtempSync(join(tmpdir(), "git-push-"));
    try {
      gitCli(dir, gitea().adminToken, "clone", "--quiet", repo.cloneUrl, "work");
      const work = join(dir, "work");
      writeFileSync(join(work, "blob.bin"), randomBytes(1_300_000));
      gitCli(work, gitea().adminToken, "add", "blob.bin");
      gitCli(work, gitea().adminToken, "commit", "--quiet", "-m", "1.3 MB of random data");
      gitCli(work, gitea().adminToken, "push", "--quiet", "origin", "main");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Gitea recomputes `size` after the push, asynchronously: poll briefly.
    const limit = 1024 * 1024;
    let size: number | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      size = (await client().getRepo(repo))?.sizeBytes;
      if (size !== undefined && size > limit) break;
    }
    expect(size).toBeGreaterThan(limit);
    const error = await failure(client().checkAccess(repo, { maxSizeBytes: limit }));
    expect(error.problem).toBe("too-large");
    expect(error.message).toMatch(new RegExp(`${org}/${repo.name} is 1\\.\\d MB, over the limit of 1\\.0 MB \\(maxSizeBytes\\)`));
    await expect(client().checkAccess(repo)).resolves.toBeDefined(); // well under the default 100 MB
  });

  test("Gitea's hooks see every push: a pushed branch enters its branch table, and a push to refs/pull/… is refused", async () => {
    const repo = repoRef(uniqueName("hooks"));
    await client().createRepo(repo);
    const dir = mkdtempSync(join(tmpdir(), "git-push-"));
    try {
      gitCli(dir, gitea().adminToken, "clone", "--quiet", repo.cloneUrl, "work");
      const work = join(dir, "work");
      writeFileSync(join(work, "a.yaml"), "a: 1\n");
      gitCli(work, gitea().adminToken, "add", "a.yaml");
      gitCli(work, gitea().adminToken, "commit", "--quiet", "-m", "a");
      gitCli(work, gitea().adminToken, "push", "--quiet", "origin", "HEAD:refs/heads/feature");
      const head = gitCli(work, gitea().adminToken, "rev-parse", "HEAD").trim();
      // Gitea knows a branch from its own table, which its post-receive hook fills, asynchronously: poll briefly.
      let branchHead: string | undefined;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline && branchHead !== head; await new Promise((r) => setTimeout(r, 250))) {
        const reply = await gitea().api("GET", `/repos/${org}/${repo.name}/branches/feature`);
        branchHead = (reply.body as { commit?: { id?: string } }).commit?.id;
      }
      expect(branchHead).toBe(head);
      // Only Gitea itself writes pull request refs (its update hook refuses anyone else).
      expect(() => gitCli(work, gitea().adminToken, "push", "--quiet", "origin", "HEAD:refs/pull/1/head")).toThrow(/refs\/pull\/1\/head/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("Gitea's pre-receive hook checks every push: a push to a protected branch is refused with Gitea's reason, and the branch stays", async () => {
    const repo = repoRef(uniqueName("protected"));
    await client().createRepo(repo);
    const protection = await gitea().api("POST", `/repos/${org}/${repo.name}/branch_protections`, { rule_name: "main", enable_push: false });
    expect(protection.status).toBe(201);
    const dir = mkdtempSync(join(tmpdir(), "git-push-"));
    try {
      gitCli(dir, gitea().adminToken, "clone", "--quiet", repo.cloneUrl, "work");
      const work = join(dir, "work");
      const before = gitCli(work, gitea().adminToken, "rev-parse", "HEAD").trim();
      writeFileSync(join(work, "b.yaml"), "b: 1\n");
      gitCli(work, gitea().adminToken, "add", "b.yaml");
      gitCli(work, gitea().adminToken, "commit", "--quiet", "-m", "b");
      // The reason comes from Gitea's server (routers/private/hook_pre_receive.go), relayed by the hook.
      expect(() => gitCli(work, gitea().adminToken, "push", "--quiet", "origin", "HEAD:main")).toThrow(/protected branch main/i);
      const reply = await gitea().api("GET", `/repos/${org}/${repo.name}/branches/main`);
      expect((reply.body as { commit?: { id?: string } }).commit?.id).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("deleteRepo is true, then false once it is gone", async () => {
    const repo = repoRef(uniqueName("gone"));
    await client().createRepo(repo);
    await expect(client().deleteRepo(repo)).resolves.toBe(true);
    await expect(client().getRepo(repo)).resolves.toBeUndefined();
    await expect(client().deleteRepo(repo)).resolves.toBe(false);
  });
});

describe("files", () => {
  test("putFiles, readFile and deleteFile make real commits under the URL's directory and branch", async () => {
    const name = uniqueName("files");
    await client().createRepo(repoRef(name));
    const repo = repoRef(name, "/apps?ref=main");
    const c = client();

    await c.putFiles(
      repo,
      [
        { path: "a.yaml", content: "a: 1\n" },
        { path: "nested/b c.yaml", content: "b: ünïcødé\n" },
      ],
      "Add a and b",
    );
    await expect(c.readFile(repo, "a.yaml")).resolves.toBe("a: 1\n");
    await expect(c.readFile(repo, "nested/b c.yaml")).resolves.toBe("b: ünïcødé\n");
    await expect(c.readFile(repo, "missing.yaml")).resolves.toBeUndefined();
    // Paths are relative to the URL's directory: the files are at apps/… from the repository root.
    const root = repoRef(name);
    await expect(c.readFile(root, "apps/a.yaml")).resolves.toBe("a: 1\n");
    expect(await commitMessages(repo)).toEqual(["Add a and b", "Add a and b", "Initial commit"]);

    // Unchanged content makes no commit; a change makes one.
    await c.putFiles(repo, [{ path: "a.yaml", content: "a: 1\n" }], "No-op");
    await c.putFiles(repo, [{ path: "a.yaml", content: "a: 2\n" }], "Update a");
    await expect(c.readFile(repo, "a.yaml")).resolves.toBe("a: 2\n");
    expect((await commitMessages(repo))[0]).toBe("Update a");
    expect(await commitMessages(repo)).not.toContain("No-op");

    await expect(c.deleteFile(repo, "a.yaml", "Remove a")).resolves.toBe(true);
    await expect(c.readFile(repo, "a.yaml")).resolves.toBeUndefined();
    await expect(c.deleteFile(repo, "a.yaml", "Remove a again")).resolves.toBe(false);
    expect((await commitMessages(repo))[0]).toBe("Remove a");

    // The commits are real: a clone sees the remaining file.
    const dir = mkdtempSync(join(tmpdir(), "git-clone-"));
    try {
      gitCli(dir, gitea().adminToken, "clone", "--quiet", repo.cloneUrl, "work");
      expect(gitCli(join(dir, "work"), gitea().adminToken, "show", "HEAD:apps/nested/b c.yaml")).toBe("b: ünïcødé\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a file path that leaves the directory is refused before any request", async () => {
    const repo = repoRef(uniqueName("paths"), "/apps");
    for (const path of ["../x", "/etc/passwd", "a//b", ""]) {
      const error = await failure(client().readFile(repo, path));
      expect(error.problem).toBe("invalid-url");
    }
  });
});

describe("credentials and access", () => {
  let privateRepo: git.RepoRef;
  beforeAll(async () => {
    privateRepo = repoRef(uniqueName("guarded"));
    await client().createRepo(privateRepo);
  });

  test("a wrong token is unauthorized, and the message names the fix without the token", async () => {
    const wrong = `wrong-${randomBytes(16).toString("hex")}`;
    const error = await failure(client(wrong).checkAccess(privateRepo));
    expect(error.problem).toBe("unauthorized");
    expect(error.message).toMatch(/the GitHub token was refused \(401\): it is wrong, expired or revoked/);
    expect(error.message).not.toContain(wrong);
  });

  test("a user without access to the private repository gets not-found (or the token cannot see it)", async () => {
    const stranger = await gitea().createUser(`s-${run}-${++counter}`);
    await expect(client(stranger.token).getRepo(privateRepo)).resolves.toBeUndefined();
    const error = await failure(client(stranger.token).checkAccess(privateRepo));
    expect(error.problem).toBe("not-found");
    expect(error.message).toMatch(/was not found .*, or the token cannot see it/);
  });

  test("a collaborator with read (pull) access only is forbidden for write, allowed for read", async () => {
    const reader = await gitea().createUser(`r-${run}-${++counter}`);
    const added = await gitea().api("PUT", `/repos/${org}/${privateRepo.name}/collaborators/${reader.username}`, { permission: "read" });
    expect(added.status).toBe(204);
    const error = await failure(client(reader.token).checkAccess(privateRepo));
    expect(error.problem).toBe("forbidden");
    expect(error.message).toMatch(/can read .* but cannot push to it/);
    await expect(client(reader.token).checkAccess(privateRepo, { requireWrite: false })).resolves.toMatchObject({ canPush: false });
    const write = await failure(client(reader.token).putFiles(privateRepo, [{ path: "x.yaml", content: "x" }], "try"));
    expect(write.problem).toBe("forbidden");
  });

  test("a read-only scoped token (read:repository): the write is forbidden", async () => {
    // Gitea cannot express a token's scopes through these APIs: GET /repos/{o}/{r} reports the user's
    // permissions (push: true for the admin), and Gitea sends no X-OAuth-Scopes header (GitHub does,
    // for classic tokens; that check is tested against recorded GitHub answers). So checkAccess cannot
    // see the scope here, and the write itself is what fails: Gitea answers 403 "token does not have
    // at least one of required scope(s)", which the adapter reports as `forbidden` with the fix.
    const readOnly = await gitea().createToken(gitea().adminUser, ["read:repository"]);
    await expect(client(readOnly).checkAccess(privateRepo)).resolves.toMatchObject({ canPush: true });
    const error = await failure(client(readOnly).putFiles(privateRepo, [{ path: "x.yaml", content: "x" }], "try"));
    expect(error.problem).toBe("forbidden");
    expect(error.message).toMatch(/forbidden \(403\): token does not have at least one of required scope\(s\).*The token needs push access/);
    const create = await failure(client(readOnly).createRepo(repoRef(uniqueName("ro"))));
    expect(create.problem).toBe("forbidden");
  });

  test("without the server's CA the TLS failure says to pass caBundle", async () => {
    const error = await failure(client(gitea().adminToken, { caBundle: undefined, attempts: 1 }).getRepo(privateRepo));
    expect(error.problem).toBe("unreachable");
    expect(error.message).toMatch(/TLS verification failed .*caBundle/);
  });
});
