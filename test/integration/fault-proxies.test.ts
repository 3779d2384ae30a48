// The fault-injecting proxies in front of the git server and a cluster's API server: they inject the
// emulator's own fault kinds, before the request reaches the server (nothing applied) or after it
// answered (applied, answer lost or late), only for the callers and operations a rule names.
import https from "node:https";
import { ClusterProxy, kubeconfigFor, RequestLogProxy, startClusterProxy } from "pulumi-codefresh-emulator";
import { cluster, git } from "pulumi-codefresh";
import { sharedCluster, sharedGitServer, startGitFaultProxy } from "../harness/shared";

type Outcome = { status: number; headers: Record<string, string | string[] | undefined> } | "closed";

/** One request through the proxy; "closed" when the connection ended with no answer. */
function send(url: string, ca: string, options: { method?: string; path: string; userAgent?: string; token?: string; body?: unknown }): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = https.request(
      `${url}${options.path}`,
      {
        method: options.method ?? "GET",
        ca,
        agent: false,
        headers: {
          "user-agent": options.userAgent ?? "curl/8",
          ...(options.token ? { authorization: `token ${options.token}` } : {}),
          ...(body ? { "content-type": "application/json" } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on("error", () => resolve("closed"));
    req.end(body);
  });
}

describe("a fault proxy in front of the git server", () => {
  let proxy: RequestLogProxy;
  const gitea = sharedGitServer();
  const org = `faultproxy-${process.pid}`;
  beforeAll(async () => {
    proxy = await startGitFaultProxy();
    await gitea.createOrg(org);
  });
  afterAll(async () => {
    await proxy?.stop();
  });
  afterEach(() => proxy.faults.set([]));

  test("a status fault answers in the server's stead, with Retry-After when the rule gives one, then the server answers", async () => {
    proxy.faults.set([{ kind: "429", count: 1, retryAfterSeconds: 2, operations: ["GET /api/v1/version"] }]);
    const first = await send(proxy.url, gitea.caCert, { path: "/api/v1/version" });
    expect(first).toMatchObject({ status: 429, headers: { "retry-after": "2" } });
    expect(await send(proxy.url, gitea.caCert, { path: "/api/v1/version" })).toMatchObject({ status: 200 });
    expect(proxy.faults.injected).toEqual({ "429": 1 });
  });

  test("reset closes before the server sees the request (nothing applied); drop closes after it applied it", async () => {
    const create = (name: string) =>
      send(proxy.url, gitea.caCert, { method: "POST", path: `/api/v1/orgs/${org}/repos`, token: gitea.adminToken, body: { name } });
    const exists = async (name: string) => (await gitea.api("GET", `/repos/${org}/${name}`)).status === 200;

    proxy.faults.set([{ kind: "reset", count: 1 }]);
    expect(await create("reset-repo")).toBe("closed");
    expect(await exists("reset-repo")).toBe(false);

    proxy.faults.set([{ kind: "drop", count: 1 }]);
    expect(await create("dropped-repo")).toBe("closed");
    expect(await exists("dropped-repo")).toBe(true);
  });

  test("a rule with callers fires only for the resource type a pulumi-codefresh User-Agent names, and is counted per caller", async () => {
    proxy.faults.set([{ kind: "503", callers: ["GitSource"] }]);
    expect(await send(proxy.url, gitea.caCert, { path: "/api/v1/version", userAgent: "pulumi-codefresh/0.1.0 (GitSource.read)" })).toMatchObject({
      status: 503,
    });
    expect(await send(proxy.url, gitea.caCert, { path: "/api/v1/version", userAgent: "pulumi-codefresh/0.1.0 (SharedConfigRepo.read)" })).toMatchObject({
      status: 200,
    });
    expect(await send(proxy.url, gitea.caCert, { path: "/api/v1/version", userAgent: "git/2.39.5" })).toMatchObject({ status: 200 });
    expect(proxy.faults.injectedBy).toEqual({ GitSource: { "503": 1 } });
  });

  test("the SDK's git client rides out the faults (retried) and says who it is", async () => {
    await gitea.api("POST", `/orgs/${org}/repos`, { name: "sdk-repo", auto_init: true });
    proxy.faults.set([{ kind: "502", count: 2, operations: [`GET /api/v1/repos/${org}/sdk-repo`] }]);
    const client = git.createGitClient({ provider: "GITHUB", apiUrl: `${proxy.url}/api/v1`, token: gitea.adminToken, caBundle: gitea.caCert });
    const since = Date.now();
    expect(await client.getRepo(git.parseRepoUrl(`${proxy.url}/${org}/sdk-repo.git`))).toBeDefined();
    expect(proxy.faults.injected).toEqual({ "502": 2 });
    const sent = proxy.log.requests(since).filter((r) => r.path === `/api/v1/repos/${org}/sdk-repo`);
    expect(sent.map((r) => r.status)).toEqual([502, 502, 200]);
    expect(sent.every((r) => /^pulumi-codefresh\/\d+\.\d+\.\d+/.test(r.userAgent ?? ""))).toBe(true);
  });
});

describe("a fault proxy in front of a cluster's API server", () => {
  let proxy: ClusterProxy;
  beforeAll(async () => {
    proxy = await startClusterProxy(sharedCluster());
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  test("slow answers late and the client's per-attempt timeout retries; a 503 is retried", async () => {
    const admin = sharedCluster();
    const target = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken) });
    proxy.faults.set([
      { kind: "503", count: 1, operations: ["GET /version"] },
      { kind: "slow", count: 1, delayMs: 1_500, operations: ["GET /version"] },
    ]);
    const before = proxy.requestCount();
    const version = await cluster.readServerVersion(target, { attemptTimeoutMs: 1_000, attempts: 4 });
    expect(version.gitVersion).toMatch(/^v1\./);
    expect(proxy.faults.injected).toEqual({ "503": 1, slow: 1 });
    // The 503, the slow one the client gave up on (still being answered), and the one that succeeded.
    expect(proxy.requestCount() - before).toBe(3);
  });

  test("a slow answer still carries the version the proxy reports (the rewrite applies before an after-answer fault)", async () => {
    const admin = sharedCluster();
    const target = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken) });
    proxy.setReportVersion("v1.17.4");
    proxy.faults.set([{ kind: "slow", count: 1, delayMs: 200, operations: ["GET /version"] }]);
    try {
      const version = await cluster.readServerVersion(target, { attemptTimeoutMs: 5_000, attempts: 1 });
      expect(version).toEqual({ gitVersion: "v1.17.4", major: 1, minor: 17 });
      expect(proxy.faults.injected).toEqual({ slow: 1 });
    } finally {
      proxy.setReportVersion(undefined);
      proxy.faults.set([]);
    }
  });
});
