// The GitHub adapter against RECORDED real api.github.com exchanges from @octokit/fixtures 23.1.2
// (scenarios/api.github.com/*/{normalized,raw}-fixture.json), replayed by a local HTTP server on
// 127.0.0.1 that the adapter is pointed at (apiUrl). Only the JSON files are read; the package's
// nock-based helpers are not used.
//
// What the fixtures do not contain is labelled where it is used, with the source of the stand-in:
// - no rate-limit exhaustion, no secondary rate limit, no 404 for a repository the token cannot see
//   (the recorded token could see everything), no GET /user: those answers are copied from GitHub's
//   REST documentation (docs.github.com, "Rate limits for the REST API", "Best practices for using the
//   REST API", "Get a repository");
// - no token without the `repo` scope: that test replays the recorded get-repository answer with only
//   its X-OAuth-Scopes header changed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GitError, git } from "pulumi-codefresh";
import { repoRoot } from "../harness/pulumi";
import { RecordedRequest, Recorder, Reply, startRecorder } from "../harness/http-recorder";

const scenarios = join(repoRoot, "node_modules", "@octokit", "fixtures", "scenarios", "api.github.com");
/** The token every recording was made with (already a placeholder in the fixtures). */
const recordedToken = "0000000000000000000000000000000000000001";

interface Exchange {
  method: string;
  path: string;
  status: number;
  body?: unknown;
  reqheaders: Record<string, string | number>;
  response: unknown;
  headers: Record<string, string>;
}

/** One scenario's exchanges; raw fixtures keep the real repository names and header arrays. */
function scenario(name: string, kind: "normalized" | "raw" = "normalized"): Exchange[] {
  const list = JSON.parse(readFileSync(join(scenarios, name, `${kind}-fixture.json`), "utf8")) as (Exchange & { rawHeaders?: string[] })[];
  return list.map((e) => {
    const headers: Record<string, string> = {};
    if (e.rawHeaders) {
      for (let i = 0; i < e.rawHeaders.length; i += 2) {
        const key = e.rawHeaders[i].toLowerCase();
        headers[key] = headers[key] ? `${headers[key]}, ${e.rawHeaders[i + 1]}` : e.rawHeaders[i + 1];
      }
    } else {
      for (const [k, v] of Object.entries(e.headers ?? {})) headers[k.toLowerCase()] = String(v);
    }
    return { ...e, method: e.method.toUpperCase(), headers };
  });
}

function exchange(name: string, method: string, pathStart: string, kind: "normalized" | "raw" = "normalized"): Exchange {
  const found = scenario(name, kind).find((e) => e.method === method && e.path.startsWith(pathStart));
  if (!found) throw new Error(`no ${method} ${pathStart} in fixture ${name}`);
  return found;
}

const replay = (e: Exchange, override: Partial<Reply> = {}): Reply => ({
  status: e.status,
  headers: e.headers,
  body: e.response === "" ? undefined : e.response,
  ...override,
});

/** GitHub's documented 404 body (docs.github.com "Get a repository": a repository that does not exist or is not visible to the token). */
const documentedNotFound = (e: Exchange): Reply => ({
  status: 404,
  headers: { ...e.headers, "content-type": "application/json; charset=utf-8" },
  body: { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/repos#get-a-repository", status: "404" },
});

/** A request as the recording made it: same method, path and the headers that carry meaning. */
function expectSameRequest(actual: RecordedRequest, recorded: Exchange): void {
  expect(`${actual.method} ${actual.url}`).toBe(`${recorded.method} ${recorded.path}`);
  expect(actual.headers.authorization).toBe(recorded.reqheaders.authorization);
  expect(actual.headers.accept).toBe(recorded.reqheaders.accept);
  // Ours, not octokit's default: the version, and the resource operation when one is running.
  expect(actual.headers["user-agent"]).toMatch(/^pulumi-codefresh\/\d+\.\d+\.\d+/);
}

const recorders: Recorder[] = [];
afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.close()));
});

async function serve(handler: (request: RecordedRequest) => Reply | Promise<Reply>): Promise<Recorder> {
  const recorder = await startRecorder(handler);
  recorders.push(recorder);
  return recorder;
}

const client = (url: string, extra: Partial<git.GitClientOptions> = {}) =>
  git.createGitClient({ provider: "GITHUB", apiUrl: url, token: recordedToken, attempts: 3, ...extra });

async function failure(promise: Promise<unknown>): Promise<GitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitError);
  expect((error as Error).message).not.toContain(recordedToken);
  return error as GitError;
}

const helloWorld = git.parseRepoUrl("https://github.com/octokit-fixture-org/hello-world.git");

describe("recorded: get-repository", () => {
  const recorded = exchange("get-repository", "GET", "/repos/octokit-fixture-org/hello-world");

  test("getRepo sends the recorded request and maps the recorded answer", async () => {
    const server = await serve(() => replay(recorded));
    const info = await client(server.url).getRepo(helloWorld);
    expect(info).toEqual({
      fullName: "octokit-fixture-org/hello-world",
      defaultBranch: "master",
      private: false,
      canPush: true,
      sizeBytes: 0,
      cloneUrl: "https://github.com/octokit-fixture-org/hello-world.git",
      htmlUrl: "https://github.com/octokit-fixture-org/hello-world",
    });
    expect(server.requests).toHaveLength(1);
    expectSameRequest(server.requests[0], recorded);
  });

  test("checkAccess accepts a classic token with the repo scope (recorded X-OAuth-Scopes) and push permission", async () => {
    expect(recorded.headers["x-oauth-scopes"]).toContain("repo");
    const server = await serve(() => replay(recorded));
    await expect(client(server.url).checkAccess(helloWorld)).resolves.toMatchObject({ canPush: true });
  });

  test("checkAccess refuses a classic token without the repo scope (recorded answer, X-OAuth-Scopes changed)", async () => {
    const server = await serve(() => replay(recorded, { headers: { ...recorded.headers, "x-oauth-scopes": "gist, read:org" } }));
    const error = await failure(client(server.url).checkAccess(helloWorld));
    expect(error.problem).toBe("forbidden");
    expect(error.message).toMatch(/scopes \(gist, read:org\) do not allow writing: a classic token needs the "repo" scope/);
    // Read-only use needs no write scope.
    await expect(client(server.url).checkAccess(helloWorld, { requireWrite: false })).resolves.toBeDefined();
  });

  test("public_repo is enough for a public repository", async () => {
    const server = await serve(() => replay(recorded, { headers: { ...recorded.headers, "x-oauth-scopes": "public_repo" } }));
    await expect(client(server.url).checkAccess(helloWorld)).resolves.toMatchObject({ private: false });
  });

  test("a 404 (documented body: a private repository the token cannot see) is undefined for getRepo and not-found for checkAccess", async () => {
    const server = await serve(() => documentedNotFound(recorded));
    await expect(client(server.url).getRepo(helloWorld)).resolves.toBeUndefined();
    const error = await failure(client(server.url).checkAccess(helloWorld));
    expect(error.problem).toBe("not-found");
    expect(error.message).toMatch(/octokit-fixture-org\/hello-world was not found .* or the token cannot see it/);
    expect(error.message).toContain('a classic token needs the "repo" scope for a private repository');
  });
});

describe("recorded: contents", () => {
  test("readFile asks for the raw media type, as the recording did, and returns the file", async () => {
    const recorded = exchange("get-content", "GET", "/repos/octokit-fixture-org/hello-world/contents/README.md");
    const server = await serve(() => replay(recorded));
    await expect(client(server.url).readFile(helloWorld, "README.md")).resolves.toBe("# hello-world");
    expectSameRequest(server.requests[0], recorded);
  });

  test("putFiles creates a file with exactly the recorded request body", async () => {
    const recorded = exchange("create-file", "PUT", "/repos/octokit-fixture-org/create-file/contents/test.txt");
    const repo = git.parseRepoUrl("https://github.com/octokit-fixture-org/create-file.git");
    const server = await serve((request) => (request.method === "GET" ? documentedNotFound(recorded) : replay(recorded)));
    await client(server.url).putFiles(repo, [{ path: "test.txt", content: "Test content" }], "create test.txt");
    const [read, write] = server.requests;
    expect(`${read.method} ${read.url}`).toBe("GET /repos/octokit-fixture-org/create-file/contents/test.txt");
    expectSameRequest(write, recorded);
    expect(write.headers["content-type"]).toBe(recorded.reqheaders["content-type"]);
    expect(JSON.parse(write.body)).toEqual(recorded.body);
  });

  test("putFiles skips a file whose content is unchanged", async () => {
    const recorded = exchange("get-content", "GET", "/repos/octokit-fixture-org/hello-world/contents/");
    const entry = (recorded.response as { name: string; sha: string }[]).find((f) => f.name === "README.md")!;
    const server = await serve(() => ({
      status: 200,
      headers: recorded.headers,
      body: { ...entry, type: "file", encoding: "base64", content: Buffer.from("# hello-world").toString("base64") },
    }));
    await client(server.url).putFiles(helloWorld, [{ path: "README.md", content: "# hello-world" }], "no-op");
    expect(server.requests.map((r) => r.method)).toEqual(["GET"]);
  });
});

describe("recorded: create and delete a repository", () => {
  const created = exchange("errors", "POST", "/orgs/octokit-fixture-org/repos", "raw");
  const deleted = exchange("errors", "DELETE", "/repos/octokit-fixture-org/tmp-scenario-errors", "raw");
  const org = exchange("get-organization", "GET", "/orgs/octokit-fixture-org");
  const name = (created.body as { name: string }).name;
  const repo = git.parseRepoUrl(`https://github.com/octokit-fixture-org/${name}.git`);

  test("createRepo looks up the organisation and posts to /orgs/{org}/repos, private and initialised", async () => {
    const server = await serve((request) => {
      if (request.method === "GET" && request.url === "/orgs/octokit-fixture-org") return replay(org);
      if (request.method === "POST") return replay(created);
      return documentedNotFound(created);
    });
    const info = await client(server.url).createRepo(repo);
    expect(info).toMatchObject({ fullName: `octokit-fixture-org/${name}`, defaultBranch: "main", canPush: true, private: false });
    const post = server.requests.find((r) => r.method === "POST")!;
    expect(post.url).toBe(created.path);
    expect(post.headers.authorization).toBe(created.reqheaders.authorization);
    expect(JSON.parse(post.body)).toEqual({ name, private: true, auto_init: true });
  });

  test("a create that failed with 502 but happened is read back, not repeated", async () => {
    let exists = false;
    const server = await serve((request) => {
      if (request.url === "/orgs/octokit-fixture-org") return replay(org);
      if (request.method === "POST") {
        exists = true;
        return { status: 502, body: { message: "Server Error" } };
      }
      return exists ? replay(created, { status: 200 }) : documentedNotFound(created);
    });
    const retries: (number | undefined)[] = [];
    const info = await client(server.url, { onRetry: ({ status }) => retries.push(status) }).createRepo(repo);
    expect(info.fullName).toBe(`octokit-fixture-org/${name}`);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  test("a create that failed with 502 and did not happen is tried again after the read", async () => {
    let posts = 0;
    const server = await serve((request) => {
      if (request.url === "/orgs/octokit-fixture-org") return replay(org);
      if (request.method === "POST") return ++posts === 1 ? { status: 502, body: { message: "Server Error" } } : replay(created);
      return documentedNotFound(created);
    });
    const retries: (number | undefined)[] = [];
    await client(server.url, { onRetry: ({ status }) => retries.push(status) }).createRepo(repo);
    expect(posts).toBe(2);
    expect(retries).toEqual([502]);
    const order = server.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`);
    const firstPost = order.indexOf(`POST ${created.path}`);
    expect(order[firstPost + 1]).toBe(`GET /repos/octokit-fixture-org/${name}`);
  });

  test("deleteRepo sends the recorded DELETE; a second delete finds nothing", async () => {
    let gone = false;
    const server = await serve(() => {
      if (gone) return documentedNotFound(deleted);
      gone = true;
      return replay(deleted);
    });
    await expect(client(server.url).deleteRepo(repo)).resolves.toBe(true);
    expect(server.requests[0].method).toBe("DELETE");
    expect(server.requests[0].url).toBe(deleted.path);
    expect(server.requests[0].headers.authorization).toBe(deleted.reqheaders.authorization);
    await expect(client(server.url).deleteRepo(repo)).resolves.toBe(false);
  });
});

describe("rate limits and transient failures (headers and bodies from GitHub's documentation, then the recorded answer)", () => {
  const recorded = exchange("get-repository", "GET", "/repos/octokit-fixture-org/hello-world");
  // docs.github.com "Rate limits for the REST API": exceeding the primary limit answers 403 (or 429)
  // with x-ratelimit-remaining: 0 and x-ratelimit-reset in epoch seconds.
  const primaryLimit = (resetInSeconds: number): Reply => ({
    status: 403,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-used": "5000",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + resetInSeconds),
      "x-ratelimit-resource": "core",
    },
    body: {
      message: "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
      documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
    },
  });

  test("primary limit: waits until x-ratelimit-reset, then succeeds", async () => {
    let calls = 0;
    const server = await serve(() => (++calls === 1 ? primaryLimit(1) : replay(recorded)));
    const waits: { delayMs: number; status?: number }[] = [];
    const started = Date.now();
    const info = await client(server.url, { onRetry: ({ delayMs, status }) => waits.push({ delayMs, status }) }).getRepo(helloWorld);
    expect(info?.fullName).toBe("octokit-fixture-org/hello-world");
    expect(waits).toHaveLength(1);
    expect(waits[0].status).toBe(403);
    expect(waits[0].delayMs).toBeGreaterThanOrEqual(1000);
    expect(waits[0].delayMs).toBeLessThanOrEqual(2100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test("primary limit resetting later than the longest wait fails at once with rate-limited and the reset time", async () => {
    const server = await serve(() => primaryLimit(3600));
    const started = Date.now();
    const error = await failure(client(server.url).getRepo(helloWorld));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
    expect(error.problem).toBe("rate-limited");
    expect(error.message).toMatch(/rate limit reached \(403\).*the quota resets at \d{4}-\d\d-\d\dT/);
    expect(error.message).not.toMatch(/forbidden/);
  });

  test("secondary limit: 403 with retry-after waits that long", async () => {
    let calls = 0;
    // docs.github.com "Rate limits for the REST API" / "Best practices": secondary limits answer 403 or
    // 429; with a retry-after header, wait that many seconds.
    const server = await serve(() =>
      ++calls === 1
        ? {
            status: 403,
            headers: { "content-type": "application/json; charset=utf-8", "retry-after": "1" },
            body: {
              message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
              documentation_url: "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            },
          }
        : replay(recorded),
    );
    const waits: number[] = [];
    await expect(client(server.url, { onRetry: ({ delayMs }) => waits.push(delayMs) }).getRepo(helloWorld)).resolves.toBeDefined();
    expect(waits).toEqual([1000]);
  });

  test("429 with Retry-After and 502/503 are retried; a 403 without rate-limit signs is not", async () => {
    const answers: Reply[] = [
      { status: 429, headers: { "retry-after": "0" }, body: { message: "Too Many Requests" } },
      { status: 502, body: "<html>Bad Gateway</html>", headers: { "content-type": "text/html" } },
      { status: 503, body: { message: "Service Unavailable" } },
    ];
    const server = await serve(() => answers.shift() ?? replay(recorded));
    const statuses: (number | undefined)[] = [];
    await expect(client(server.url, { attempts: 4, onRetry: ({ status }) => statuses.push(status) }).getRepo(helloWorld)).resolves.toBeDefined();
    expect(statuses).toEqual([429, 502, 503]);

    const forbidden = await serve(() => ({ status: 403, body: { message: "Resource not accessible by personal access token" } }));
    const error = await failure(client(forbidden.url).getRepo(helloWorld));
    expect(error.problem).toBe("forbidden");
    expect(forbidden.requests).toHaveLength(1);
  });

  test("a slow answer times out per attempt; the next attempt can succeed", async () => {
    let calls = 0;
    const server = await serve(async () => {
      if (++calls === 1) await new Promise((r) => setTimeout(r, 1500));
      return replay(recorded);
    });
    await expect(client(server.url, { requestTimeoutMs: 300 }).getRepo(helloWorld)).resolves.toBeDefined();
    expect(calls).toBe(2);

    const stuck = await serve(async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return replay(recorded);
    });
    const error = await failure(client(stuck.url, { requestTimeoutMs: 200, attempts: 2 }).getRepo(helloWorld));
    expect(error.problem).toBe("unreachable");
    expect(error.message).toMatch(/no answer within 200 ms/);
  });

  test("401 is unauthorized, names the fix, and never contains the token", async () => {
    const server = await serve(() => ({
      status: 401,
      body: { message: `Bad credentials for token ${recordedToken}`, documentation_url: "https://docs.github.com/rest" },
    }));
    const error = await failure(client(server.url).checkAccess(helloWorld));
    expect(error.problem).toBe("unauthorized");
    expect(error.message).toMatch(/the GitHub token was refused \(401\): it is wrong, expired or revoked/);
    expect(error.message).toContain("[redacted]");
  });

  test("nothing listening is unreachable", async () => {
    const server = await serve(() => replay(recorded));
    const url = server.url;
    await recorders.pop()!.close();
    const error = await failure(client(url, { attempts: 1 }).getRepo(helloWorld));
    expect(error.problem).toBe("unreachable");
    expect(error.message).toMatch(/cannot connect \(ECONNREFUSED\)/);
  });
});
