// The Codefresh client against the emulator over HTTP: every operation the resources need, each error
// class, redaction, retries that honour Retry-After, and creates that never duplicate.
import { createServer, type AddressInfo, type Socket } from "node:net";
import {
  api,
  AuthenticationError,
  CodefreshClient,
  ConflictError,
  GraphqlResponseError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  ServerError,
  UnsupportedOperationError,
  cluster,
  git,
} from "pulumi-codefresh";

const { listAge } = api;
import { accountA, accountB, apiClientFor, testEmulator, TestEmulator } from "../harness/emulator";
import { sharedCluster, sharedGitServer } from "../harness/shared";

describe("Codefresh client", () => {
  let emulator: TestEmulator;
  let client: CodefreshClient;
  const retries: { operation: string; delayMs: number }[] = [];

  beforeAll(async () => {
    emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert });
    client = apiClientFor(emulator.url, accountA.apiKey, {}, (info) => retries.push(info));
  });
  afterAll(async () => {
    await emulator?.dispose();
  });
  beforeEach(async () => {
    retries.length = 0;
    await emulator.admin("DELETE", "faults");
    await emulator.admin("POST", "counters/reset");
  });

  test("runtimes: install the hosted runtime, list, get, find", async () => {
    expect(await client.findHostedRuntime()).toBeUndefined();
    expect(await client.installHostedRuntime()).toBe("codefresh-hosted");
    const hosted = await client.findHostedRuntime();
    expect(hosted).toMatchObject({ name: "codefresh-hosted", managed: true, installationStatus: "COMPLETED", installationType: "HELM_HOSTED" });
    expect(hosted?.ingressHost).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ingress\//);
    expect(await client.getRuntime("codefresh-hosted")).toMatchObject({ name: "codefresh-hosted", iscInitialized: false });
    expect(await client.getRuntime("nope")).toBeUndefined();
    expect((await client.listRuntimes()).map((r) => r.name)).toEqual(["codefresh-hosted"]);
  });

  test("a second hosted runtime is a ConflictError naming the existing one", async () => {
    const error = await client.installHostedRuntime("second").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/^Codefresh installHostedRuntime: account already has a hosted runtime \("codefresh-hosted"\)/);
  });

  test("account settings: connect git creates the repos; read and update", async () => {
    const gitea = sharedGitServer();
    const org = `client-${Date.now()}`;
    await gitea.createOrg(org);
    await client.connectGit("codefresh-hosted", {
      provider: "GITHUB",
      apiUrl: gitea.apiUrl,
      token: gitea.adminToken,
      sharedConfigRepo: `${gitea.url}/${org}/codefresh-isc.git`,
      gitSourceRepo: `${gitea.url}/${org}/codefresh-apps.git`,
    });
    const account = await client.getAccount();
    expect(account).toMatchObject({
      name: accountA.name,
      gitProvider: "GITHUB",
      gitApiUrl: gitea.apiUrl,
      sharedConfigRepo: `${gitea.url}/${org}/codefresh-isc.git`,
      csdpValidated: true,
    });
    expect((await client.getRuntime("codefresh-hosted"))?.iscInitialized).toBe(true);

    const repos = git.createGitClient({ provider: "GITHUB", apiUrl: gitea.apiUrl, token: gitea.adminToken, caBundle: gitea.caCert });
    const isc = git.parseRepoUrl(`${gitea.url}/${org}/codefresh-isc.git`);
    expect(await repos.readFile(isc, "runtimes/codefresh-hosted/in-cluster.yaml")).toMatch(/kind: Application[\s\S]*name: in-cluster/);
    expect(await repos.getRepo(git.parseRepoUrl(`${gitea.url}/${org}/codefresh-apps.git`))).toMatchObject({ private: true });

    // Changing the repo once a runtime cloned it is refused, with the reason.
    const refused = await client
      .updateAccountSettings({ gitProvider: "GITHUB", gitApiUrl: gitea.apiUrl, sharedConfigRepo: `${gitea.url}/${org}/elsewhere.git` })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GraphqlResponseError);
    expect((refused as Error).message).toMatch(/cannot be changed: runtimes have already cloned it/);
    // The same values again are an accepted no-op.
    await client.updateAccountSettings({ gitProvider: "GITHUB", gitApiUrl: gitea.apiUrl, sharedConfigRepo: `${gitea.url}/${org}/codefresh-isc.git` });
    expect(JSON.stringify(emulator.requests())).not.toContain(gitea.adminToken);
  });

  test("git sources: create, list, get, edit, delete", async () => {
    const { sharedConfigRepo } = await client.getAccount();
    const appsRepo = (sharedConfigRepo as string).replace("codefresh-isc.git", "codefresh-apps.git");
    await client.createGitSource("codefresh-hosted", {
      appName: "team-a",
      appSpecifier: `${appsRepo}/team-a`,
      destServer: "https://kubernetes.default.svc",
      destNamespace: "team-a",
      labels: { team: "a" },
      include: "*.yaml",
    });
    const created = await client.getGitSource("codefresh-hosted", "team-a");
    expect(created).toMatchObject({ name: "team-a", ready: true, path: "team-a", labels: { team: "a" }, include: "*.yaml", destNamespace: "team-a" });

    await client.editGitSource("codefresh-hosted", { appName: "team-a", appSpecifier: `${appsRepo}/team-a-v2`, include: "**/*.yaml" });
    expect(await client.getGitSource("codefresh-hosted", "team-a")).toMatchObject({ path: "team-a-v2", include: "**/*.yaml" });

    const duplicate = await client
      .createGitSource("codefresh-hosted", { appName: "team-a", appSpecifier: `${appsRepo}/x`, destServer: "https://kubernetes.default.svc" })
      .catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(ConflictError);

    expect(await client.deleteGitSource("codefresh-hosted", "team-a")).toBe(true);
    expect(await client.deleteGitSource("codefresh-hosted", "team-a")).toBe(false);
    expect(await client.getGitSource("codefresh-hosted", "team-a")).toBeUndefined();
  });

  test("a create whose answer was dropped is not sent twice", async () => {
    const { sharedConfigRepo } = await client.getAccount();
    await emulator.admin("PUT", "faults", { rules: [{ kind: "drop", count: 1, operations: ["createGitSource"] }] });
    await client.createGitSource("codefresh-hosted", {
      appName: "dropped-once",
      appSpecifier: `${(sharedConfigRepo as string).replace("codefresh-isc.git", "codefresh-apps.git")}/dropped`,
      destServer: "https://kubernetes.default.svc",
    });
    const counters = emulator.counters();
    expect(counters.byOperation.createGitSource.count).toBe(1);
    expect(counters.faultsInjected.drop).toBe(1);
    const sources = (await client.listGitSources("codefresh-hosted")).filter((s) => s.name === "dropped-once");
    expect(sources).toHaveLength(1);
    await client.deleteGitSource("codefresh-hosted", "dropped-once");
  });

  test("the reads after one wave of creates share one list, and a list sent before a write is never reused", async () => {
    const { sharedConfigRepo } = await client.getAccount();
    const apps = (sharedConfigRepo as string).replace("codefresh-isc.git", "codefresh-apps.git");
    const names = ["wave-a", "wave-b", "wave-c"];
    await Promise.all(
      names.map((name) =>
        client.createGitSource("codefresh-hosted", { appName: name, appSpecifier: `${apps}/${name}`, destServer: "https://kubernetes.default.svc" }),
      ),
    );
    await emulator.admin("POST", "counters/reset");
    // As each create's wait for its git source does: a poll, which joins a read not yet sent.
    const seen = await Promise.all(names.map((name) => client.getGitSource("codefresh-hosted", name, { maxAgeMs: listAge.poll })));
    expect(seen.map((source) => source?.name)).toEqual(names);
    expect(emulator.counters().byOperation.gitSources.count).toBe(1);
    // A refresh's read may reuse that list; after a write through this client, no read does.
    expect(await client.getGitSource("codefresh-hosted", "wave-a", { maxAgeMs: listAge.refresh })).toBeDefined();
    expect(emulator.counters().byOperation.gitSources.count).toBe(1);
    await client.deleteGitSource("codefresh-hosted", "wave-a");
    expect(await client.getGitSource("codefresh-hosted", "wave-a", { maxAgeMs: listAge.refresh })).toBeUndefined();
    expect(emulator.counters().byOperation.gitSources.count).toBe(2);
    for (const name of names.slice(1)) await client.deleteGitSource("codefresh-hosted", name);
  });

  test("a create whose first attempt lands after the recovery read is not reported as a conflict", async () => {
    const { sharedConfigRepo } = await client.getAccount();
    // Attempt 1 starts after 2.5 s (the client gives up at 2 s); the resend starts after 1 s, by which
    // time attempt 1 has been applied, so the resend meets "already exists".
    await emulator.admin("PUT", "faults", {
      rules: [
        { kind: "late", count: 1, delayMs: 2_500, operations: ["createGitSource"] },
        { kind: "late", count: 1, delayMs: 1_000, operations: ["createGitSource"] },
      ],
    });
    await client.createGitSource("codefresh-hosted", {
      appName: "landed-late",
      appSpecifier: `${(sharedConfigRepo as string).replace("codefresh-isc.git", "codefresh-apps.git")}/late`,
      destServer: "https://kubernetes.default.svc",
    });
    expect(emulator.counters().byOperation.createGitSource.count).toBe(2);
    expect((await client.listGitSources("codefresh-hosted")).filter((s) => s.name === "landed-late")).toHaveLength(1);
    await client.deleteGitSource("codefresh-hosted", "landed-late");
  });

  test("clusters: add with real credentials, list with pagination, remove", async () => {
    const admin = cluster.resolveKubeconfig({ kubeconfig: sharedCluster().kubeconfig });
    const credentials = await cluster.ensureManagerAccount(admin, { serviceAccountName: "argocd-manager-client-test" });
    try {
      await client.addCluster("codefresh-hosted", {
        name: "prod",
        server: credentials.server,
        caData: credentials.caData,
        token: credentials.token,
        labels: { env: "prod" },
        annotations: { owner: "platform" },
      });
      const listed = await client.getCluster("codefresh-hosted", credentials.server);
      expect(listed).toMatchObject({ name: "prod", connectionStatus: "Successful", serverVersion: expect.stringMatching(/^v1\./) });
      expect(await client.listClusters("codefresh-hosted")).toHaveLength(1); // in-cluster is left out

      // A token the cluster does not accept shows as a failed connection, as in Codefresh.
      await client.addCluster("codefresh-hosted", { name: "broken", server: "https://127.0.0.1:1", token: "a-token-that-goes-nowhere" });
      expect(await client.getCluster("codefresh-hosted", "https://127.0.0.1:1")).toMatchObject({ name: "broken", connectionStatus: "Failed" });
      expect(JSON.stringify(emulator.requests())).not.toContain(credentials.token);

      expect(await client.removeCluster("codefresh-hosted", "https://127.0.0.1:1")).toBe(true);
      expect(await client.removeCluster("codefresh-hosted", credentials.server)).toBe(true);
      expect(await client.removeCluster("codefresh-hosted", credentials.server)).toBe(false);
      expect(await client.listClusters("codefresh-hosted")).toEqual([]);
    } finally {
      await cluster.removeManagerAccount(admin, { serviceAccountName: "argocd-manager-client-test" });
    }
  });

  test("a cluster list answers with the last known connection while Argo CD's updater re-checks it in the background", async () => {
    // A cluster that accepts connections and never answers: every check of it lasts until its 5 s timeout.
    const held = new Set<Socket>();
    let accepted = 0;
    const silent = createServer((socket) => {
      accepted += 1;
      held.add(socket);
      socket.on("close", () => held.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const server = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      // Codefresh checks a new cluster before it answers: longer than this client's usual 2 s per attempt.
      const patient = apiClientFor(emulator.url, accountA.apiKey, { "codefresh:requestTimeoutMs": "15000" });
      await patient.addCluster("codefresh-hosted", { name: "silent", server, token: "a-token-nobody-checks" });
      expect(await client.getCluster("codefresh-hosted", server, { maxAgeMs: 0 })).toMatchObject({ connectionStatus: "Failed" });
      const checked = accepted;
      // Once the connection is older than the updater's interval, its next round checks it again.
      await emulator.admin("POST", "clock", { advanceMs: 10_000 });
      for (let waited = 0; accepted === checked; waited += 50) {
        if (waited > 10_000) throw new Error("the cluster info updater never re-checked the cluster");
        await new Promise((r) => setTimeout(r, 50));
      }
      // The list answers while that check still holds its connection: it did not wait for it.
      const listed = await client.getCluster("codefresh-hosted", server, { maxAgeMs: 0 });
      expect(held.size).toBeGreaterThan(0);
      expect(listed).toMatchObject({ name: "silent", connectionStatus: "Failed" });
    } finally {
      await client.removeCluster("codefresh-hosted", server);
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("retries a 429 after the server's Retry-After", async () => {
    await emulator.admin("PUT", "faults", { rules: [{ kind: "429", count: 2, retryAfterSeconds: 1, operations: ["runtimes"] }] });
    expect((await client.listRuntimes()).length).toBe(1);
    expect(retries.map((r) => [r.operation, r.delayMs])).toEqual([
      ["runtimes", 1000],
      ["runtimes", 1000],
    ]);
    expect(emulator.counters().byOperation.runtimes.count).toBe(3);
  });

  test("retries 5xx, resets and internal GraphQL errors on reads", async () => {
    await emulator.admin("PUT", "faults", {
      rules: [
        { kind: "502", count: 1, operations: ["me"] },
        { kind: "reset", count: 1, operations: ["me"] },
        { kind: "graphql-error", count: 1, operations: ["me"] },
      ],
    });
    expect((await client.getAccount()).name).toBe(accountA.name);
    expect(retries).toHaveLength(3);
  });

  test("gives up with the typed error once the attempts are spent", async () => {
    await emulator.admin("PUT", "faults", { rules: [{ kind: "429", retryAfterSeconds: 0, operations: ["me"] }] });
    await expect(client.getAccount()).rejects.toBeInstanceOf(RateLimitedError);
    await emulator.admin("PUT", "faults", { rules: [{ kind: "503", retryAfterSeconds: 0, operations: ["me"] }] });
    await expect(client.getAccount()).rejects.toBeInstanceOf(ServerError);
    await emulator.admin("PUT", "faults", { rules: [{ kind: "slow", delayMs: 3_000, operations: ["me"] }] });
    const slow = apiClientFor(emulator.url, accountA.apiKey, { "codefresh:requestTimeoutMs": "300" });
    const timeout = await new CodefreshClient({ ...slow.options, attempts: 2 }).getAccount().catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(RequestTimeoutError);
    expect((timeout as Error).message).toMatch(/no answer within 300 ms \(codefresh:requestTimeoutMs\)/);
  });

  test("a wrong key is an AuthenticationError that says what to do and never shows the key", async () => {
    const wrongKey = "cf-wrong-key-0000000000000000";
    const error = await apiClientFor(emulator.url, wrongKey)
      .getAccount()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/API key was refused: check codefresh:apiKey/);
    expect((error as Error).message).not.toContain(wrongKey);
    expect(emulator.counters().byOperation.me.count).toBe(1); // not retried
  });

  test("other accounts' objects are not found, not leaked", async () => {
    const other = apiClientFor(emulator.url, accountB.apiKey);
    expect(await other.getRuntime("codefresh-hosted")).toBeUndefined();
    expect(await other.listGitSources("codefresh-hosted")).toEqual([]);
    await expect(
      other.createGitSource("codefresh-hosted", {
        appName: "x",
        appSpecifier: "https://example.invalid/o/r.git",
        destServer: "https://kubernetes.default.svc",
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  test("a server without the hosted-install API gets the fallback message, not a raw GraphQL error", async () => {
    const plain = await testEmulator({ hostedInstallApi: false });
    try {
      const error = await apiClientFor(plain.url, accountA.apiKey)
        .installHostedRuntime()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedOperationError);
      expect((error as Error).message).toMatch(/Install it in the Codefresh UI .* then set `adopt: true`/);
      expect((error as Error).message).not.toMatch(/Cannot query field/);
    } finally {
      await plain.dispose();
    }
  });
});

describe("Codefresh client: two git connections of one runtime at once", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA] });
  });
  afterAll(async () => {
    await emulator?.dispose();
  });

  test("both succeed, and the repos are made once (the second waits for the first, as one app-proxy would)", async () => {
    const gitea = sharedGitServer();
    const org = `client-race-${process.pid}`;
    await gitea.createOrg(org);
    const client = apiClientFor(emulator.url, accountA.apiKey, { "codefresh:requestTimeoutMs": "15000" });
    await client.installHostedRuntime();
    const input = {
      provider: "GITHUB" as const,
      apiUrl: gitea.apiUrl,
      token: gitea.adminToken,
      sharedConfigRepo: `${gitea.url}/${org}/codefresh-isc.git`,
      gitSourceRepo: `${gitea.url}/${org}/codefresh-apps.git`,
    };
    // A second stack connects the same runtime while the first is at it: once the first has made the repo,
    // before it has committed to it.
    const repos = git.createGitClient({ provider: "GITHUB", apiUrl: gitea.apiUrl, token: gitea.adminToken, caBundle: gitea.caCert });
    const first = client.connectGit("codefresh-hosted", input);
    while (!(await repos.getRepo(git.parseRepoUrl(input.sharedConfigRepo)))) await new Promise((r) => setTimeout(r, 5));
    const other = apiClientFor(emulator.url, accountA.apiKey, { "codefresh:requestTimeoutMs": "15000" });
    await Promise.all([first, other.connectGit("codefresh-hosted", input)]);
    expect((await client.getRuntime("codefresh-hosted"))?.iscInitialized).toBe(true);
    expect(await repos.readFile(git.parseRepoUrl(input.sharedConfigRepo), "runtimes/codefresh-hosted/in-cluster.yaml")).toMatch(/kind: Application/);
    expect((await client.listGitSources("codefresh-hosted")).map((s) => s.name)).toEqual(["default-git-source"]);
  });
});
