// Bitbucket Cloud and Gerrit adapters: no live service can be reached here, so these tests check the
// exact requests (method, URL, headers, body) against the providers' documented API, answered by a
// local HTTP server on 127.0.0.1 with the documented response shapes:
// - Bitbucket Cloud REST 2.0, developer.atlassian.com/cloud/bitbucket/rest: "Get a repository",
//   "Create a repository", "List repositories in a workspace" (role, q), "Get file or directory
//   contents" (GET /src/{commit}/{path}), "Create a commit by uploading a file" (POST /src, form fields
//   `/path`=content, `files`, `message`, `branch`), "Delete a repository"; error body {type, error{message}}.
// - Gerrit REST, gerrit-review.googlesource.com/Documentation/rest-api-projects.html: "Get Project",
//   "Get HEAD", "Create Project" (PUT), "Get Content" (base64 text), "List Access Rights for Project";
//   rest-api.html: the )]}' prefix, /a/ for authenticated calls, plain-text errors.
import { GitError, git } from "pulumi-codefresh";
import { RecordedRequest, Recorder, Reply, startRecorder } from "../harness/http-recorder";

const recorders: Recorder[] = [];
afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.close()));
});

/** Routes `METHOD /path?query` (exact) to replies; anything else is a 404 the test will notice. */
async function serve(routes: Record<string, Reply | ((request: RecordedRequest) => Reply)>): Promise<Recorder> {
  const recorder = await startRecorder((request) => {
    const route = routes[`${request.method} ${request.url}`];
    if (route === undefined) return { status: 404, headers: { "content-type": "text/plain" }, body: `no route for ${request.method} ${request.url}` };
    return typeof route === "function" ? route(request) : route;
  });
  recorders.push(recorder);
  return recorder;
}

async function failure(promise: Promise<unknown>, ...secrets: string[]): Promise<GitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitError);
  for (const secret of secrets) expect((error as Error).message).not.toContain(secret);
  return error as GitError;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("Bitbucket Cloud", () => {
  const appPassword = "ATBBappPassword0123456789abcdef";
  const user = "jdoe";
  const repo = git.parseRepoUrl("https://bitbucket.org/acme/isc.git/runtimes?ref=main");
  const repoNoRef = git.parseRepoUrl("https://bitbucket.org/acme/isc.git/runtimes");
  const client = (url: string, extra: Partial<git.GitClientOptions> = {}) =>
    git.createGitClient({ provider: "BITBUCKET", apiUrl: url, token: appPassword, username: user, attempts: 3, ...extra });

  // The documented repository object, trimmed to the fields the adapter reads plus a few neighbours.
  const repository = (size = 2_048_000, mainbranch: string | null = "main") => ({
    type: "repository",
    uuid: "{5ea6c8b0-0000-4000-8000-000000000001}",
    full_name: "acme/isc",
    name: "isc",
    slug: "isc",
    is_private: true,
    scm: "git",
    size,
    mainbranch: mainbranch === null ? null : { type: "branch", name: mainbranch },
    links: {
      self: { href: "https://api.bitbucket.org/2.0/repositories/acme/isc" },
      html: { href: "https://bitbucket.org/acme/isc" },
      clone: [
        { name: "https", href: "https://jdoe@bitbucket.org/acme/isc.git" },
        { name: "ssh", href: "git@bitbucket.org:acme/isc.git" },
      ],
    },
  });
  const page = (values: unknown[]) => ({ pagelen: 10, size: values.length, page: 1, values });
  const roleQuery = (role: string) => `GET /repositories/acme?role=${role}&q=full_name%3D%22acme%2Fisc%22`;
  const bitbucketError = (status: number, message: string): Reply => ({ status, body: { type: "error", error: { message } } });

  test("getRepo: GET /repositories/{workspace}/{repo_slug} with Basic auth, push right from the contributor role", async () => {
    const server = await serve({
      "GET /repositories/acme/isc": { status: 200, body: repository() },
      [roleQuery("contributor")]: { status: 200, body: page([repository()]) },
    });
    const info = await client(server.url).getRepo(repo);
    expect(info).toEqual({
      fullName: "acme/isc",
      defaultBranch: "main",
      private: true,
      canPush: true,
      sizeBytes: 2_048_000, // Bitbucket reports bytes
      cloneUrl: "https://bitbucket.org/acme/isc.git", // the username part of the clone link dropped
      htmlUrl: "https://bitbucket.org/acme/isc",
    });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /repositories/acme/isc", roleQuery("contributor")]);
    for (const request of server.requests) {
      expect(request.headers.authorization).toBe(basic(user, appPassword));
      expect(request.headers.accept).toBe("application/json");
    }
  });

  test("without a username the token is sent as Bearer (access tokens)", async () => {
    const server = await serve({
      "GET /repositories/acme/isc": { status: 200, body: repository() },
      [roleQuery("contributor")]: { status: 200, body: page([]) },
      [roleQuery("admin")]: { status: 200, body: page([repository()]) },
    });
    const info = await client(server.url, { username: undefined }).getRepo(repo);
    expect(info?.canPush).toBe(true); // admin role
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${appPassword}`);
  });

  test("checkAccess: too-large names both sizes, forbidden without a write role, not-found on 404", async () => {
    const big = await serve({
      "GET /repositories/acme/isc": { status: 200, body: repository(150 * 1024 * 1024) },
      [roleQuery("contributor")]: { status: 200, body: page([repository()]) },
    });
    const tooLarge = await failure(client(big.url).checkAccess(repo), appPassword);
    expect(tooLarge.problem).toBe("too-large");
    expect(tooLarge.message).toContain("acme/isc is 150.0 MB, over the limit of 100.0 MB");

    const readOnly = await serve({
      "GET /repositories/acme/isc": { status: 200, body: repository() },
      [roleQuery("contributor")]: { status: 200, body: page([]) },
      [roleQuery("admin")]: { status: 200, body: page([]) },
    });
    const forbidden = await failure(client(readOnly.url).checkAccess(repo), appPassword);
    expect(forbidden.problem).toBe("forbidden");
    expect(forbidden.message).toMatch(/did not confirm write access to acme\/isc/);
    await expect(client(readOnly.url).checkAccess(repo, { requireWrite: false })).resolves.toMatchObject({ canPush: false });

    const missing = await serve({ "GET /repositories/acme/isc": bitbucketError(404, "Repository acme/isc not found") });
    await expect(client(missing.url).getRepo(repo)).resolves.toBeUndefined();
    const notFound = await failure(client(missing.url).checkAccess(repo), appPassword);
    expect(notFound.problem).toBe("not-found");
    expect(notFound.message).toMatch(/was not found .* or the credentials cannot see it/);
  });

  test("createRepo: POST the repository (private, git), then one commit creates the default branch", async () => {
    let created = false;
    const server = await serve({
      "GET /repositories/acme/isc": () => (created ? { status: 200, body: repository(1024) } : bitbucketError(404, "Repository acme/isc not found")),
      "POST /repositories/acme/isc": () => ((created = true), { status: 200, body: repository(0) }),
      "POST /repositories/acme/isc/src": { status: 201, body: "" },
      [roleQuery("contributor")]: { status: 200, body: page([repository()]) },
    });
    const info = await client(server.url).createRepo(repo, { description: "shared configuration" });
    expect(info.fullName).toBe("acme/isc");
    const create = server.requests.find((r) => r.method === "POST" && r.url === "/repositories/acme/isc")!;
    expect(create.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(create.body)).toEqual({ scm: "git", is_private: true, description: "shared configuration" });
    const commit = server.requests.find((r) => r.url === "/repositories/acme/isc/src")!;
    expect(commit.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect([...new URLSearchParams(commit.body)]).toEqual([
      ["message", "Initial commit"],
      ["branch", "main"],
      ["/README.md", "# isc\n"],
    ]);
  });

  test("createRepo returns a repository that already exists, also when it appears between the read and the create", async () => {
    const existing = await serve({
      "GET /repositories/acme/isc": { status: 200, body: repository() },
      [roleQuery("contributor")]: { status: 200, body: page([repository()]) },
    });
    await expect(client(existing.url).createRepo(repo)).resolves.toMatchObject({ fullName: "acme/isc" });
    expect(existing.requests.some((r) => r.method === "POST")).toBe(false);

    let reads = 0;
    const race = await serve({
      "GET /repositories/acme/isc": () => (++reads === 1 ? bitbucketError(404, "not found") : { status: 200, body: repository() }),
      "POST /repositories/acme/isc": bitbucketError(400, "Repository with this Slug and Owner already exists."),
      [roleQuery("contributor")]: { status: 200, body: page([repository()]) },
    });
    await expect(client(race.url).createRepo(repo)).resolves.toMatchObject({ fullName: "acme/isc" });
  });

  test("readFile: GET /src/{branch}/{path} under the URL's directory; 404 is undefined", async () => {
    const server = await serve({
      "GET /repositories/acme/isc/src/main/runtimes/a.yaml": { status: 200, headers: { "content-type": "text/plain" }, body: "a: 1\n" },
    });
    await expect(client(server.url).readFile(repo, "a.yaml")).resolves.toBe("a: 1\n");
    await expect(client(server.url).readFile(repo, "missing.yaml")).resolves.toBeUndefined();
    expect(server.requests[0].headers.accept).toBe("*/*");
  });

  test("readFile without ?ref reads the repository's main branch first", async () => {
    const server = await serve({
      "GET /repositories/acme/isc": { status: 200, body: repository(1, "trunk") },
      "GET /repositories/acme/isc/src/trunk/runtimes/a.yaml": { status: 200, body: "a: 1\n", headers: { "content-type": "text/plain" } },
    });
    await expect(client(server.url).readFile(repoNoRef, "a.yaml")).resolves.toBe("a: 1\n");
  });

  test("putFiles: one commit with only the changed files; unchanged content sends nothing", async () => {
    const server = await serve({
      "GET /repositories/acme/isc/src/main/runtimes/same.yaml": { status: 200, body: "same\n", headers: { "content-type": "text/plain" } },
      "POST /repositories/acme/isc/src": { status: 201, body: "" },
    });
    await client(server.url).putFiles(
      repo,
      [
        { path: "new.yaml", content: "new: true\n" },
        { path: "same.yaml", content: "same\n" },
        { path: "dir/x y.yaml", content: "x\n" },
      ],
      "Update runtime config",
    );
    const posts = server.requests.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(1);
    expect([...new URLSearchParams(posts[0].body)]).toEqual([
      ["message", "Update runtime config"],
      ["branch", "main"],
      ["/runtimes/new.yaml", "new: true\n"],
      ["/runtimes/dir/x y.yaml", "x\n"],
    ]);
    expect(server.requests.map((r) => r.url)).toContain("/repositories/acme/isc/src/main/runtimes/dir/x%20y.yaml");

    const unchanged = await serve({
      "GET /repositories/acme/isc/src/main/runtimes/same.yaml": { status: 200, body: "same\n", headers: { "content-type": "text/plain" } },
    });
    await client(unchanged.url).putFiles(repo, [{ path: "same.yaml", content: "same\n" }], "noop");
    expect(unchanged.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  test("deleteFile commits a `files` field; a missing file is false. deleteRepo: 204 true, 404 false", async () => {
    const server = await serve({
      "GET /repositories/acme/isc/src/main/runtimes/a.yaml": { status: 200, body: "a\n", headers: { "content-type": "text/plain" } },
      "POST /repositories/acme/isc/src": { status: 201, body: "" },
      "DELETE /repositories/acme/isc": { status: 204 },
    });
    await expect(client(server.url).deleteFile(repo, "a.yaml", "Remove a")).resolves.toBe(true);
    const post = server.requests.find((r) => r.method === "POST")!;
    expect([...new URLSearchParams(post.body)]).toEqual([
      ["message", "Remove a"],
      ["branch", "main"],
      ["files", "/runtimes/a.yaml"],
    ]);
    await expect(client(server.url).deleteFile(repo, "gone.yaml", "Remove")).resolves.toBe(false);
    await expect(client(server.url).deleteRepo(repo)).resolves.toBe(true);
    const gone = await serve({ "DELETE /repositories/acme/isc": bitbucketError(404, "Repository acme/isc not found") });
    await expect(client(gone.url).deleteRepo(repo)).resolves.toBe(false);
  });

  test("401 is unauthorized without the password (plain or inside Basic auth); 429 with Retry-After is retried", async () => {
    const server = await serve({
      "GET /repositories/acme/isc": bitbucketError(401, `Invalid credentials ${appPassword} ${basic(user, appPassword)}`),
    });
    const error = await failure(client(server.url).getRepo(repo), appPassword, Buffer.from(`${user}:${appPassword}`).toString("base64"));
    expect(error.problem).toBe("unauthorized");
    expect(error.message).toMatch(/Bitbucket username and app password \/ API token was refused \(401\)/);

    let calls = 0;
    const limited = await serve({
      "GET /repositories/acme/isc": () => (++calls === 1 ? { status: 429, headers: { "retry-after": "0" }, body: "" } : { status: 200, body: repository() }),
      [roleQuery("contributor")]: { status: 200, body: page([repository()]) },
    });
    const statuses: (number | undefined)[] = [];
    await expect(client(limited.url, { onRetry: ({ status }) => statuses.push(status) }).getRepo(repo)).resolves.toBeDefined();
    expect(statuses).toEqual([429]);
  });
});

describe("Gerrit", () => {
  const password = "gerritHttpPassword0123456789";
  const user = "jdoe";
  const repo = git.parseRepoUrl("https://review.example.com/platform/build/soong.git/apps?ref=main", "repoUrl", "GERRIT");
  const project = "/projects/platform%2Fbuild%2Fsoong";
  const client = (url: string) => git.createGitClient({ provider: "GERRIT", apiUrl: `${url}/a`, token: password, username: user, attempts: 3 });
  const json = (value: unknown): Reply => ({
    status: 200,
    headers: { "content-type": "application/json; charset=UTF-8" },
    body: `)]}'\n${JSON.stringify(value)}`,
  });
  const text = (status: number, body: string): Reply => ({ status, headers: { "content-type": "text/plain; charset=UTF-8" }, body });
  // "Get Project" example, with this test's project.
  const projectInfo = {
    id: "platform%2Fbuild%2Fsoong",
    name: "platform/build/soong",
    parent: "All-Projects",
    description: "Soong build system",
    state: "ACTIVE",
    web_links: [{ name: "browse", url: "plugins/gitiles/platform/build/soong", target: "_blank" }],
  };
  // "List Access Rights for Project" example fields.
  const access = (canUpload: boolean) => ({
    revision: "61157ed63e14d261b6dca40650472a9b0bd88474",
    inherits_from: { id: "All-Projects", name: "All-Projects" },
    local: {},
    is_owner: false,
    owner_of: [],
    can_upload: canUpload,
    can_add: false,
    can_add_tags: false,
    config_visible: false,
  });

  const readable = (canUpload = true) => ({
    [`GET /a${project}`]: json(projectInfo),
    [`GET /a${project}/HEAD`]: json("refs/heads/main"),
    [`GET /a${project}/access`]: json(access(canUpload)),
    [`GET ${project}`]: text(404, "Not found: platform/build/soong"), // anonymous: not visible
  });

  test("getRepo: GET /a/projects/{encoded name}, its HEAD and access rights, with Basic auth; size unknown", async () => {
    const server = await serve(readable());
    const info = await client(server.url).getRepo(repo);
    expect(info).toEqual({
      fullName: "platform/build/soong",
      defaultBranch: "main",
      private: true,
      canPush: true,
      sizeBytes: undefined,
      cloneUrl: `${server.url}/platform/build/soong.git`,
      htmlUrl: `${server.url}/plugins/gitiles/platform/build/soong`,
    });
    const authenticated = server.requests.filter((r) => r.url.startsWith("/a/"));
    expect(authenticated.map((r) => r.url)).toEqual([`/a${project}`, `/a${project}/HEAD`, `/a${project}/access`]);
    for (const request of authenticated) expect(request.headers.authorization).toBe(basic(user, password));
    const anonymous = server.requests.find((r) => r.url === project)!;
    expect(anonymous.headers.authorization).toBeUndefined();
  });

  test("checkAccess cannot check size (Gerrit does not report it) and refuses an account that cannot upload", async () => {
    const server = await serve(readable());
    await expect(client(server.url).checkAccess(repo, { maxSizeBytes: 1 })).resolves.toMatchObject({ sizeBytes: undefined });
    const readOnly = await serve(readable(false));
    const error = await failure(client(readOnly.url).checkAccess(repo), password);
    expect(error.problem).toBe("forbidden");
    expect(error.message).toMatch(/can read platform\/build\/soong but cannot upload to it/);
  });

  test("a project Gerrit does not know is undefined / not-found", async () => {
    const server = await serve({ [`GET /a${project}`]: text(404, "Not found: platform/build/soong") });
    await expect(client(server.url).getRepo(repo)).resolves.toBeUndefined();
    expect((await failure(client(server.url).checkAccess(repo), password)).problem).toBe("not-found");
  });

  test("createRepo: PUT /a/projects/{name} with an empty initial commit on the URL's branch; 409 means it exists", async () => {
    let created = false;
    const routes = readable();
    const server = await serve({
      ...routes,
      [`GET /a${project}`]: () => (created ? json(projectInfo) : text(404, "Not found: platform/build/soong")),
      [`PUT /a${project}`]: () => ((created = true), { ...json(projectInfo), status: 201 }),
    });
    await expect(client(server.url).createRepo(repo, { description: "Soong build system" })).resolves.toMatchObject({ fullName: "platform/build/soong" });
    const put = server.requests.find((r) => r.method === "PUT")!;
    expect(put.headers["content-type"]).toBe("application/json; charset=UTF-8");
    expect(put.headers.authorization).toBe(basic(user, password));
    expect(JSON.parse(put.body)).toEqual({ name: "platform/build/soong", create_empty_commit: true, description: "Soong build system", branches: ["main"] });

    let reads = 0;
    const race = await serve({
      ...routes,
      [`GET /a${project}`]: () => (++reads === 1 ? text(404, "Not found") : json(projectInfo)),
      [`PUT /a${project}`]: text(409, "Project already exists"),
    });
    await expect(client(race.url).createRepo(repo)).resolves.toMatchObject({ fullName: "platform/build/soong" });
  });

  test("readFile: GET …/branches/{branch}/files/{encoded path}/content, base64 decoded", async () => {
    const server = await serve({
      [`GET /a${project}/branches/main/files/apps%2Fa.yaml/content`]: text(200, Buffer.from("a: 1\n").toString("base64")),
    });
    await expect(client(server.url).readFile(repo, "a.yaml")).resolves.toBe("a: 1\n");
    await expect(client(server.url).readFile(repo, "missing.yaml")).resolves.toBeUndefined();
  });

  test("writes and project deletion say they are not supported for Gerrit and what to do instead", async () => {
    const server = await serve({});
    const put = await failure(client(server.url).putFiles(repo, [{ path: "a", content: "b" }], "m"));
    expect(put.problem).toBe("unsupported-provider");
    expect(put.message).toMatch(/writing files is not supported for Gerrit .*push a commit with git/);
    expect((await failure(client(server.url).deleteFile(repo, "a", "m"))).message).toMatch(/deleting files is not supported for Gerrit/);
    expect((await failure(client(server.url).deleteRepo(repo))).message).toMatch(/cannot delete projects \(only the delete-project plugin can\)/);
    expect(server.requests).toHaveLength(0);
  });

  test("401 is unauthorized and never contains the HTTP password", async () => {
    const server = await serve({ [`GET /a${project}`]: text(401, `Unauthorized ${password}`) });
    const error = await failure(client(server.url).getRepo(repo), password);
    expect(error.problem).toBe("unauthorized");
    expect(error.message).toMatch(/Gerrit username and HTTP password was refused \(401\)/);
  });
});
