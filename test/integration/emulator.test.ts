// The Codefresh emulator over HTTP: authentication and isolation, the exact documents of Codefresh's
// public clients, the hosted runtime's lifecycle, single-runtime refusal, persistence across kill -9 (after
// acknowledged writes, and in the middle of a burst of them), and fault injection with counters.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accountA, accountB, adminCall, graphqlCall, spawnEmulatorCli, testEmulator, TestEmulator } from "../harness/emulator";

const install = `mutation { installHostedRuntime { name } }`;
const getRuntime = `query GetRuntime($name: String!) { runtime(name: $name) {
  metadata { name namespace } self { syncStatus healthMessage healthStatus }
  syncStatus healthStatus healthMessage cluster managed isRemoteClusterConnected ingressHost internalIngressHost
  ingressClass ingressController runtimeVersion installationStatus installationType repo managedClustersNum
  gitProvider accessMode } }`;

describe("emulator: authentication and accounts", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await testEmulator();
  });
  afterAll(async () => {
    await emulator?.dispose();
  });

  test.each([
    ["no key", undefined],
    ["a wrong key", "not-a-key"],
    ["the right key with a Bearer prefix", `Bearer ${accountA.apiKey}`],
  ])("%s gets 401 with Codefresh's body", async (_, key) => {
    const { status, body } = await emulator.graphql(key, "query { me { id } }");
    expect(status).toBe(401);
    expect(body).toEqual({ error: "Unauthorized: Invalid token.", status: 401 });
  });

  test("one account never sees another's runtimes, settings or app-proxy", async () => {
    const installed = await emulator.graphql(accountA.apiKey, install);
    expect(installed.body.data).toEqual({ installHostedRuntime: { name: "codefresh-hosted" } });

    const mine = await emulator.graphql(accountA.apiKey, "query { runtimes { edges { node { metadata { name } managed } } } }");
    expect(mine.body.data).toEqual({ runtimes: { edges: [{ node: { metadata: { name: "codefresh-hosted" }, managed: true } }] } });
    const theirs = await emulator.graphql(accountB.apiKey, "query { runtimes { edges { node { metadata { name } } } } }");
    expect(theirs.body.data).toEqual({ runtimes: { edges: [] } });
    const direct = await emulator.graphql(accountB.apiKey, getRuntime, { name: "codefresh-hosted" });
    expect(direct.body.data).toEqual({ runtime: null });

    const runtime = await emulator.graphql(accountA.apiKey, getRuntime, { name: "codefresh-hosted" });
    const ingressHost = (runtime.body.data?.runtime as { ingressHost: string }).ingressHost;
    const crossAccount = await graphqlCall(`${ingressHost}/app-proxy/api/graphql`, accountB.apiKey, "query { gitIntegrations { name } }");
    expect(crossAccount.status).toBe(403);
    const sameAccount = await graphqlCall(`${ingressHost}/app-proxy/api/graphql`, accountA.apiKey, "query { gitIntegrations { name } }");
    expect(sameAccount.body).toEqual({ data: { gitIntegrations: [] } });

    const settingsB = await emulator.graphql(
      accountB.apiKey,
      "query AccountInfo { me { activeAccount { id name gitProvider gitApiUrl sharedConfigRepo admins } } }",
    );
    expect((settingsB.body.data?.me as { activeAccount: { name: string } }).activeAccount.name).toBe(accountB.name);
  });
});

describe("emulator: the hosted runtime's lifecycle", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await testEmulator({ installDelayMs: 10 * 60_000, deleteDelayMs: 5 * 60_000 });
  });
  afterAll(async () => {
    await emulator?.dispose();
  });

  const runtime = async () =>
    (await emulator.graphql(accountA.apiKey, getRuntime, { name: "codefresh-hosted" })).body.data?.runtime as {
      installationStatus: string;
      healthStatus: string;
      managed: boolean;
      installationType: string;
    } | null;

  test("installs IN_PROGRESS, completes after the install delay, and refuses a second one", async () => {
    await emulator.graphql(accountA.apiKey, install);
    expect(await runtime()).toMatchObject({ installationStatus: "IN_PROGRESS", managed: true, installationType: "HELM_HOSTED" });

    const second = await emulator.graphql(accountA.apiKey, `mutation { installHostedRuntime(runtimeName: "another") { name } }`);
    expect(second.status).toBe(200);
    expect(second.body.errors?.[0].message).toMatch(/already has a hosted runtime \("codefresh-hosted"\)/);
    expect(second.body.errors?.[0].extensions?.code).toBe("CONFLICT");

    await emulator.admin("POST", "clock", { advanceMs: 9 * 60_000 });
    expect((await runtime())?.installationStatus).toBe("IN_PROGRESS");
    await emulator.admin("POST", "clock", { advanceMs: 60_000 });
    expect(await runtime()).toMatchObject({ installationStatus: "COMPLETED", healthStatus: "HEALTHY" });
  });

  test("a deleted runtime stays readable for the delete delay, then is gone", async () => {
    const deleted = await emulator.graphql(accountA.apiKey, `mutation DeleteRuntime($name: String!) { deleteRuntime(name: $name) }`, {
      name: "codefresh-hosted",
    });
    expect(deleted.body).toEqual({ data: { deleteRuntime: 1 } });
    expect((await runtime())?.healthStatus).toBe("DEGRADED");
    await emulator.admin("POST", "clock", { advanceMs: 5 * 60_000 });
    expect(await runtime()).toBeNull();
    const again = await emulator.graphql(accountA.apiKey, `mutation DeleteRuntime($name: String!) { deleteRuntime(name: $name) }`, {
      name: "codefresh-hosted",
    });
    expect(again.body.errors?.[0].message).toBe("runtime 'codefresh-hosted' does not exist");
  });

  test("an injected install failure ends FAILED", async () => {
    await emulator.admin("PUT", "faults", { rules: [{ kind: "install-failure", count: 1 }] });
    await emulator.graphql(accountB.apiKey, install);
    await emulator.admin("POST", "clock", { advanceMs: 10 * 60_000 });
    const failed = await emulator.graphql(accountB.apiKey, getRuntime, { name: "codefresh-hosted" });
    expect((failed.body.data?.runtime as { installationStatus: string }).installationStatus).toBe("FAILED");
  });
});

describe("emulator: the documents Codefresh's public clients send", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await testEmulator();
    await emulator.graphql(accountA.apiKey, install);
  });
  afterAll(async () => {
    await emulator?.dispose();
  });

  test.each([
    ["go-sdk GetRuntime", getRuntime, { name: "codefresh-hosted" }],
    ["terraform AccountInfo", "query AccountInfo { me { activeAccount { id name gitProvider gitApiUrl sharedConfigRepo admins } } }", undefined],
    [
      "go-sdk clusters",
      `query clusters($runtime: String, $pagination: SlicePaginationArgs) { clusters(runtime: $runtime, pagination: $pagination) {
        edges { node { metadata { name runtime } server info { connectionState { status message } serverVersion cacheInfo { resourcesCount apisCount } } } }
        pageInfo { endCursor hasNextPage } } }`,
      { runtime: "codefresh-hosted" },
    ],
    [
      "go-sdk GitSources",
      `query GitSources($runtime: String) { gitSources(runtime: $runtime) { edges { node { metadata { name } self { path repoURL status { syncStatus healthStatus } } } } } }`,
      { runtime: "codefresh-hosted" },
    ],
    [
      "terraform updateCsdpSettings",
      `mutation updateCsdpSettings($gitProvider: GitProviders!, $gitApiUrl: String!, $sharedConfigRepo: String!) {
        updateCsdpSettings(gitProvider: $gitProvider, gitApiUrl: $gitApiUrl, sharedConfigRepo: $sharedConfigRepo) }`,
      { gitProvider: "GITHUB", gitApiUrl: "https://api.github.com", sharedConfigRepo: "https://github.com/acme/isc.git" },
    ],
    [
      "go-sdk SuggestIscRepo",
      `mutation SuggestIscRepo($suggestedSharedConfigRepo: String!) { suggestIscRepo(suggestedSharedConfigRepo: $suggestedSharedConfigRepo) }`,
      { suggestedSharedConfigRepo: "https://github.com/acme/other.git" },
    ],
  ])("accepts %s", async (_, query, variables) => {
    const { status, body } = await emulator.graphql(accountA.apiKey, query, variables);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toBeDefined();
  });

  test("the runtime's own cluster is listed as in-cluster, as Codefresh lists it", async () => {
    const { body } = await emulator.graphql(accountA.apiKey, `query { clusters(runtime: "codefresh-hosted") { edges { node { metadata { name } server } } } }`);
    expect(body.data).toEqual({ clusters: { edges: [{ node: { metadata: { name: "in-cluster" }, server: "https://kubernetes.default.svc" } }] } });
  });

  test("suggestIscRepo keeps the repo that is already set", async () => {
    const { body } = await emulator.graphql(accountA.apiKey, `mutation { suggestIscRepo(suggestedSharedConfigRepo: "https://github.com/acme/third.git") }`);
    expect(body.data).toEqual({ suggestIscRepo: "https://github.com/acme/isc.git" });
  });

  test("an unknown operation fails the way GraphQL does", async () => {
    const { body } = await emulator.graphql(accountA.apiKey, `mutation { installAnything { name } }`);
    expect(body.errors?.[0].message).toMatch(/Cannot query field "installAnything" on type "Mutation"/);
  });
});

describe("emulator: without the hosted-install API (as the real Codefresh)", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await testEmulator({ hostedInstallApi: false });
  });
  afterAll(async () => {
    await emulator?.dispose();
  });

  test("the invented operations do not exist", async () => {
    const { body } = await emulator.graphql(accountA.apiKey, install);
    expect(body.errors?.[0].message).toMatch(/Cannot query field "installHostedRuntime" on type "Mutation"/);
  });
});

describe("emulator: state on disk", () => {
  test("an acknowledged write survives kill -9 and a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "cf-emulator-crash-"));
    const args = ["--data", dataDir, "--account", `${accountA.name}:${accountA.apiKey}`, "--install-delay-ms", "0"];
    try {
      const first = await spawnEmulatorCli(args);
      const installed = await graphqlCall(`${first.url}/2.0/api/graphql`, accountA.apiKey, install);
      expect(installed.body.errors).toBeUndefined();
      const settings = await graphqlCall(
        `${first.url}/2.0/api/graphql`,
        accountA.apiKey,
        `mutation { updateCsdpSettings(gitProvider: GITHUB, gitApiUrl: "https://api.github.com", sharedConfigRepo: "https://github.com/acme/isc.git") }`,
      );
      expect(settings.body.errors).toBeUndefined();
      await first.kill("SIGKILL");

      const second = await spawnEmulatorCli(args);
      try {
        const runtimes = await graphqlCall(
          `${second.url}/2.0/api/graphql`,
          accountA.apiKey,
          "query { runtimes { edges { node { metadata { name } installationStatus } } } }",
        );
        expect(runtimes.body.data).toEqual({ runtimes: { edges: [{ node: { metadata: { name: "codefresh-hosted" }, installationStatus: "COMPLETED" } }] } });
        const account = await graphqlCall(`${second.url}/2.0/api/graphql`, accountA.apiKey, "query { me { activeAccount { sharedConfigRepo } } }");
        expect(account.body.data).toEqual({ me: { activeAccount: { sharedConfigRepo: "https://github.com/acme/isc.git" } } });
        const state = await adminCall<{ accounts: unknown[] }>(second.url, "GET", "state");
        expect(JSON.stringify(state)).not.toContain(accountA.apiKey);
      } finally {
        await second.kill("SIGTERM");
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("kill -9 in the middle of a burst of writes leaves a readable state with every acknowledged write", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "cf-emulator-burst-"));
    const args = ["--data", dataDir, "--account", `${accountA.name}:${accountA.apiKey}`];
    try {
      const first = await spawnEmulatorCli(args);
      // Writers that each add accounts one after another until the process dies: the store is always mid-write.
      const acknowledged: string[] = [];
      let refused: string | undefined;
      const writer = async (stream: number) => {
        for (let i = 0; refused === undefined; i++) {
          const name = `burst-${stream}-${i}`;
          let answer: Response;
          try {
            answer = await fetch(`${first.url}/_emulator/accounts`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ name, apiKey: `cf-burst-key-${name}` }),
            });
          } catch {
            return; // the process is gone
          }
          if (answer.status === 201)
            acknowledged.push(name); // answered only once the write is on disk
          else refused = `${name}: ${answer.status} ${await answer.text()}`;
        }
      };
      const writers = [0, 1, 2, 3, 4, 5].map(writer);
      while (acknowledged.length < 50 && refused === undefined) await delay(5);
      expect(refused).toBeUndefined();
      await first.kill("SIGKILL");
      await Promise.all(writers);
      const acknowledgedBeforeKill = [...acknowledged];

      const file = JSON.parse(await readFile(join(dataDir, "state.json"), "utf8")) as { version: number };
      expect(file.version).toBe(1);
      const second = await spawnEmulatorCli(args);
      try {
        const state = await adminCall<{ accounts: { name: string }[] }>(second.url, "GET", "state");
        const names = new Set(state.accounts.map((a) => a.name));
        expect(acknowledgedBeforeKill.filter((name) => !names.has(name))).toEqual([]);
        expect(names.has(accountA.name)).toBe(true);
        const me = await graphqlCall(`${second.url}/2.0/api/graphql`, `cf-burst-key-${acknowledgedBeforeKill[0]}`, "query { me { activeAccount { name } } }");
        expect(me.body.data).toEqual({ me: { activeAccount: { name: acknowledgedBeforeKill[0] } } });
      } finally {
        await second.kill("SIGTERM");
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("emulator: fault injection and counters", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await testEmulator();
  });
  afterAll(async () => {
    await emulator?.dispose();
  });
  beforeEach(async () => {
    await emulator.admin("DELETE", "faults");
    await emulator.admin("POST", "counters/reset");
  });

  test("429 carries Retry-After and applies nothing", async () => {
    await emulator.admin("PUT", "faults", { rules: [{ kind: "429", count: 1, retryAfterSeconds: 2 }] });
    const response = await fetch(`${emulator.url}/2.0/api/graphql`, {
      method: "POST",
      headers: { authorization: accountA.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ query: install }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    const runtimes = await emulator.graphql(accountA.apiKey, "query { runtimes { edges { node { metadata { name } } } } }");
    expect(runtimes.body.data).toEqual({ runtimes: { edges: [] } });
  });

  test("a dropped connection after the write still applies it", async () => {
    await emulator.admin("PUT", "faults", { rules: [{ kind: "drop", count: 1, operations: ["installHostedRuntime"] }] });
    await expect(emulator.graphql(accountA.apiKey, install)).rejects.toThrow();
    const runtimes = await emulator.graphql(accountA.apiKey, "query { runtimes { edges { node { metadata { name } } } } }");
    expect(runtimes.body.data).toEqual({ runtimes: { edges: [{ node: { metadata: { name: "codefresh-hosted" } } }] } });
  });

  test("GraphQL errors[] in an HTTP 200, and counters per operation", async () => {
    await emulator.admin("PUT", "faults", { rules: [{ kind: "graphql-error", count: 2, operations: ["me"], message: "field deprecated" }] });
    const first = await emulator.graphql(accountA.apiKey, "query { me { id } }");
    expect(first.status).toBe(200);
    expect(first.body.errors?.[0].message).toBe("field deprecated");
    await emulator.graphql(accountA.apiKey, "query { me { id } }");
    const third = await emulator.graphql(accountA.apiKey, "query { me { id } }");
    expect(third.body.errors).toBeUndefined();

    const counters = await emulator.admin<{
      total: number;
      reads: number;
      writes: number;
      byOperation: Record<string, { count: number }>;
      faultsInjected: Record<string, number>;
    }>("GET", "counters");
    expect(counters.byOperation.me).toEqual({ count: 3, kind: "query" });
    expect(counters).toMatchObject({ total: 3, reads: 3, writes: 0 });
    expect(counters.faultsInjected["graphql-error"]).toBe(2);
    const log = await emulator.admin<{ operation: string; fault?: string }[]>("GET", "requests");
    expect(log.filter((r) => r.fault === "graphql-error")).toHaveLength(2);
  });

  test("faults can be chosen at start with the CLI syntax", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "cf-emulator-faults-"));
    const cli = await spawnEmulatorCli(["--data", dataDir, "--account", `${accountA.name}:${accountA.apiKey}`, "--fault", "503:count=1,retryAfter=1"]);
    try {
      const first = await graphqlCall(`${cli.url}/2.0/api/graphql`, accountA.apiKey, "query { me { id } }");
      expect(first.status).toBe(503);
      const second = await graphqlCall(`${cli.url}/2.0/api/graphql`, accountA.apiKey, "query { me { id } }");
      expect(second.status).toBe(200);
    } finally {
      await cli.kill("SIGTERM");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
