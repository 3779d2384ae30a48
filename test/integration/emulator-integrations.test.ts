// A hybrid runtime registered as Codefresh's installer registers it, its git integrations (each mutation
// changes what the next query returns; a registered token is never returned), and secrets at rest: a copy
// of the data directory holds no token, a restart with the same key reads them back, another key is refused.
import { readFile } from "node:fs/promises";
import { startEmulator } from "pulumi-codefresh-emulator";
import { accountA, graphqlCall, testEmulator, TestEmulator, testSecretKey } from "../harness/emulator";

const createRuntime = `mutation CreateRuntime($installationArgs: RuntimeInstallationArgs!) {
  createRuntime(installationArgs: $installationArgs) { name newAccessToken } }`;
const integrationFields = "name sharingPolicy provider apiUrl registeredUsers";
const getIntegration = `query GitIntegration($name: String) { gitIntegration(name: $name) { ${integrationFields} } }`;
const registeredToken = "ghp_registered-token-never-returned-0123456789";

describe("emulator: a hybrid runtime's git integrations and secrets at rest", () => {
  let emulator: TestEmulator;
  let appProxy: string;
  let userId: string;
  const call = (query: string, variables?: Record<string, unknown>) => graphqlCall(appProxy, accountA.apiKey, query, variables);

  beforeAll(async () => {
    emulator = await testEmulator();
    // What the gitops-runtime chart's app-proxy (and csdp-official's installer/install.sh) send.
    const created = await emulator.graphql(accountA.apiKey, createRuntime, {
      installationArgs: {
        runtimeName: "hybrid-one",
        cluster: "https://kubernetes.default.svc",
        runtimeVersion: "0.1.72",
        componentNames: ["app-proxy", "argocd"],
        installationType: "HELM",
        managed: false,
      },
    });
    expect(created.body.data?.createRuntime).toEqual({ name: "hybrid-one", newAccessToken: expect.stringMatching(/^[0-9a-f]{48}$/) });
    const me = await emulator.graphql(accountA.apiKey, 'query { me { id activeAccount { id } } runtime(name: "hybrid-one") { ingressHost accessMode } }');
    const data = me.body.data as { me: { id: string; activeAccount: { id: string } }; runtime: { ingressHost: string; accessMode: string } };
    userId = data.me.id;
    // A tunnel runtime is reached where Codefresh's tunnel (here: the emulator) serves it.
    expect(data.runtime).toEqual({ ingressHost: `${emulator.url}/ingress/${data.me.activeAccount.id}/hybrid-one`, accessMode: "TUNNEL" });
    appProxy = `${data.runtime.ingressHost}/app-proxy/api/graphql`;
  });
  afterAll(async () => {
    await emulator?.dispose();
  });

  test("add, edit, register and deregister each change what the next query returns", async () => {
    const added = await call(`mutation { addGitIntegration(args: { provider: GITHUB, sharingPolicy: ALL_USERS_IN_ACCOUNT }) { ${integrationFields} } }`);
    expect(added.body.data?.addGitIntegration).toEqual({
      name: "default",
      sharingPolicy: "ALL_USERS_IN_ACCOUNT",
      provider: "GITHUB",
      apiUrl: "https://api.github.com",
      registeredUsers: [],
    });
    expect((await call(getIntegration, { name: "default" })).body.data?.gitIntegration).toEqual(added.body.data?.addGitIntegration);

    await call(`mutation { editGitIntegration(args: { apiUrl: "https://github.example.com/api/v3", sharingPolicy: ACCOUNT_ADMINS }) { name } }`);
    expect((await call(getIntegration)).body.data?.gitIntegration).toMatchObject({
      apiUrl: "https://github.example.com/api/v3",
      sharingPolicy: "ACCOUNT_ADMINS",
    });

    await call(`mutation { registerToGitIntegration(args: { token: "${registeredToken}", username: "alice" }) { name } }`);
    const registered = await call("query { gitIntegrations { name users { userId } } }");
    expect(registered.body.data?.gitIntegrations).toEqual([{ name: "default", users: [{ userId }] }]);
    expect(JSON.stringify(await emulator.admin<unknown>("GET", "state"))).not.toContain(registeredToken);

    await call('mutation { deregisterFromGitIntegration(name: "default") { name } }');
    expect((await call(getIntegration)).body.data?.gitIntegration).toMatchObject({ registeredUsers: [] });
    const again = await call("mutation { deregisterFromGitIntegration { name } }");
    expect(again.body.errors?.[0]?.message).toBe('you are not registered to git integration "default"');

    await call(`mutation { registerToGitIntegration(args: { token: "${registeredToken}" }) { name } }`);
  });

  test("a duplicate integration or an unknown one is refused, never a silent null", async () => {
    const duplicate = await call("mutation { addGitIntegration(args: { provider: GITLAB, sharingPolicy: ALL_USERS_IN_ACCOUNT }) { name } }");
    expect(duplicate.body.errors?.[0]?.message).toBe('git integration "default" already exists in runtime "hybrid-one"');
    const unknown = await call('mutation { editGitIntegration(args: { name: "nope", sharingPolicy: ACCOUNT_ADMINS }) { name } }');
    expect(unknown.body.errors?.[0]?.message).toBe('git integration "nope" does not exist in runtime "hybrid-one"');
    const removeUnknown = await call('mutation { removeGitIntegration(name: "nope") }');
    expect(removeUnknown.body.errors?.[0]?.message).toBe('git integration "nope" does not exist in runtime "hybrid-one"');
  });

  test("the data directory holds no token; the same key reads it back after a restart, another key is refused", async () => {
    const stateFile = await readFile(`${emulator.dataDir}/state.json`, "utf8");
    expect(stateFile).not.toContain(registeredToken);
    expect(stateFile).toMatch(/"token": "sealed:v1:/);
    await emulator.stop();

    const restarted = await startEmulator({ dataDir: emulator.dataDir, secretKey: testSecretKey });
    try {
      const account = Object.values(restarted.service.store.current.accounts).find((a) => a.name === accountA.name);
      expect(account?.gitIntegrations["hybrid-one/default"]?.registrations[userId]?.token).toBe(registeredToken);
    } finally {
      await restarted.stop();
    }
    await expect(startEmulator({ dataDir: emulator.dataDir, secretKey: "another key" })).rejects.toThrow(
      "the state holds secrets sealed with another key: start the emulator with the key it was started with before",
    );
  });
});
