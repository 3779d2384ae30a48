// Hostile requests to the emulator (the table of test/harness/hostile-requests.ts), over the platform API, an
// app-proxy, the REST cluster registration, the admin API and raw sockets: each is answered its 4xx with a JSON
// body that says what was wrong, never a 5xx or a hang; slow clients are timed out without holding up anyone;
// and afterwards the emulator still serves, its state as it was, on disk too.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accountA, testEmulator, TestEmulator } from "../harness/emulator";
import { answerMessage, hostileRequestCount, hostileRequests, HostileTarget, runSlowClient, sendHostile, slowClients } from "../harness/hostile-requests";

const runtime = "codefresh-hosted";
/** Short enough for the slow clients to be timed out quickly, long enough for every request of the table. */
const requestTimeoutMs = 2_000;
/** A hang fails its test in this time instead of jest's 10 minutes. */
const perRequestMs = 30_000;

describe("emulator: hostile requests", () => {
  let dataDir: string;
  let emulator: TestEmulator;
  let target: HostileTarget;
  let stateBefore: unknown;

  const state = () => emulator.admin("GET", "state");
  const runtimesQuery = "query { runtimes { edges { node { metadata { name } installationStatus } } } }";

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "cf-emulator-hostile-"));
    emulator = await testEmulator({ dataDir, requestTimeoutMs });
    const installed = await emulator.graphql(accountA.apiKey, `mutation { installHostedRuntime { name } }`);
    const settings = await emulator.graphql(
      accountA.apiKey,
      `mutation { updateCsdpSettings(gitProvider: GITHUB, gitApiUrl: "https://api.github.com", sharedConfigRepo: "https://github.com/acme/isc.git") }`,
    );
    expect([installed.body.errors, settings.body.errors]).toEqual([undefined, undefined]);
    stateBefore = await state();
    const accounts = (stateBefore as { accounts: { id: string; name: string }[] }).accounts;
    target = { url: emulator.url, accountId: accounts.find((a) => a.name === accountA.name)?.id ?? "", runtime };
  });
  afterAll(async () => {
    await emulator?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  test("the table covers every surface with at least 50 requests", () => {
    expect(hostileRequestCount).toBeGreaterThanOrEqual(50);
    expect(new Set(hostileRequests.map((r) => r.surface))).toEqual(new Set(["platform", "app-proxy", "rest", "admin", "socket"]));
    expect(new Set(hostileRequests.map((r) => r.name)).size).toBe(hostileRequests.length);
    for (const request of hostileRequests) expect(request.status >= 400 && request.status < 500).toBe(true);
  });

  test.each(hostileRequests.map((request) => [request.name, request] as const))(
    "%s",
    async (_, request) => {
      const answer = await sendHostile(request, target);
      expect({ status: answer.status, message: answerMessage(answer.text) }).toEqual({
        status: request.status,
        message: expect.stringMatching(request.message),
      });
      expect(answer.contentType).toMatch(/^application\/json/);
    },
    perRequestMs,
  );

  test(
    "slow clients are answered 408 and disconnected, while another client is served",
    async () => {
      const slow = slowClients.map((client) => runSlowClient(client, emulator.url, 100));
      const meanwhile = await emulator.graphql(accountA.apiKey, "query { me { id } }");
      expect(meanwhile.status).toBe(200);
      const answers = await Promise.all(slow);
      expect(answers.map((answer) => ({ status: answer.status, message: answerMessage(answer.text) }))).toEqual(
        slowClients.map(() => ({ status: 408, message: expect.stringMatching(/the request was not received in time .*--request-timeout-ms/) })),
      );
    },
    perRequestMs,
  );

  test("afterwards a normal request succeeds, nothing was a 5xx, and the state is as it was", async () => {
    const runtimes = await emulator.graphql(accountA.apiKey, runtimesQuery);
    expect(runtimes).toEqual({
      status: 200,
      body: { data: { runtimes: { edges: [{ node: { metadata: { name: runtime }, installationStatus: "COMPLETED" } }] } } },
    });
    const appProxy = await emulator.graphql(
      accountA.apiKey,
      "query { gitIntegrations { name } }",
      undefined,
      `${emulator.url}/ingress/${target.accountId}/${runtime}/app-proxy/api/graphql`,
    );
    expect(appProxy).toEqual({ status: 200, body: { data: { gitIntegrations: [] } } });

    expect(await state()).toEqual(stateBefore);
    expect(await emulator.admin("POST", "clock", { advanceMs: 0 })).toEqual({ clockOffsetMs: 0 }); // no hostile advanceMs got in
    expect(await emulator.admin("GET", "faults")).toMatchObject({ rules: [] });
    expect(emulator.requests().filter((request) => request.status >= 500)).toEqual([]);
  });

  test("the state file reads back after a restart", async () => {
    await emulator.stop();
    emulator = await testEmulator({ dataDir, requestTimeoutMs });
    expect(await state()).toEqual(stateBefore);
    expect((await emulator.graphql(accountA.apiKey, runtimesQuery)).status).toBe(200);
  });
});
