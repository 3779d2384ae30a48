// A hybrid runtime registered as Codefresh's installer registers it, its git integrations (each mutation
// changes what the next query returns; a registered token is never returned), and secrets at rest: a copy
// of the data directory holds no token, a restart with the same key reads them back, another key is refused.
import { readFile } from "node:fs/promises";
import { stringify } from "yaml";
import { startEmulator } from "pulumi-codefresh-emulator";
import { accountA, accountB, graphqlCall, testEmulator, TestEmulator, testSecretKey } from "../harness/emulator";
import { sharedCluster, sharedGitServer } from "../harness/shared";

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

describe("emulator: a hybrid runtime writes to the Shared Configuration Repository with the user's registered token", () => {
  let emulator: TestEmulator;
  const org = `hybrid-${process.pid}`;
  const runtime = "hybrid-writes";
  let ingressHost: string;
  const appProxy = (query: string) => graphqlCall(`${ingressHost}/app-proxy/api/graphql`, accountB.apiKey, query);
  const iscFile = async (path: string) => (await sharedGitServer().api("GET", `/repos/${org}/isc/contents/${path}`)).status;

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert });
    await emulator.graphql(accountB.apiKey, createRuntime, {
      installationArgs: { runtimeName: runtime, cluster: "https://kubernetes.default.svc", runtimeVersion: "0.1.72", componentNames: ["app-proxy"] },
    });
    const answer = await emulator.graphql(accountB.apiKey, `query { runtime(name: "${runtime}") { ingressHost } }`);
    ingressHost = (answer.body.data?.runtime as { ingressHost: string }).ingressHost;
    await emulator.graphql(
      accountB.apiKey,
      `mutation { updateCsdpSettings(gitProvider: GITHUB, gitApiUrl: "${gitea.apiUrl}", sharedConfigRepo: "${gitea.url}/${org}/isc.git") }`,
    );
  });
  afterAll(async () => {
    await emulator?.dispose();
  });

  test("without a registered token a write is refused and says how to fix it", async () => {
    const refused = await appProxy(
      'mutation { createGitSource(args: { appName: "early", appSpecifier: "https://g.example/o/r.git", destServer: "https://kubernetes.default.svc" }) }',
    );
    expect(refused.body.errors?.[0]?.message).toBe(
      `runtime '${runtime}' has no git token of yours: register your git token with its git integration (registerToGitIntegration) first`,
    );
  });

  test("add-cluster.sh's exact request registers the cluster, committed beside the runtime's layout; removing the runtime from the ISC commits the removal", async () => {
    const gitea = sharedGitServer();
    await appProxy(`mutation { addGitIntegration(args: { provider: GITHUB, apiUrl: "${gitea.apiUrl}", sharingPolicy: ALL_USERS_IN_ACCOUNT }) { name } }`);
    await appProxy(`mutation { registerToGitIntegration(args: { token: "${gitea.adminToken}" }) { name } }`);

    // csdp-official add-cluster/add-cluster.sh: `kubectl config view --minify --flatten --output json`, base64 of it
    // and of the annotations and labels YAML files, POSTed with curl's headers.
    const cluster = sharedCluster();
    const kubeConfig = {
      kind: "Config",
      apiVersion: "v1",
      preferences: {},
      clusters: [
        {
          name: cluster.server.replace(/^https?:\/\//, ""),
          cluster: { server: cluster.server, "certificate-authority-data": Buffer.from(cluster.caCert).toString("base64") },
        },
      ],
      users: [{ name: "argocd-manager", user: { token: cluster.adminToken } }],
      contexts: [{ name: "hybrid-target", context: { cluster: cluster.server.replace(/^https?:\/\//, ""), user: "argocd-manager" } }],
      "current-context": "hybrid-target",
    };
    const response = await fetch(`${ingressHost}/app-proxy/api/clusters`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: accountB.apiKey },
      body: `{ "name": "hybrid-target", "kubeConfig": "${Buffer.from(JSON.stringify(kubeConfig)).toString("base64")}", "annotations": "${Buffer.from(stringify({ team: "platform" })).toString("base64")}", "labels": "${Buffer.from(stringify({ env: "dev" })).toString("base64")}" }`,
    });
    expect(response.status).toBe(201);
    const listed = await emulator.graphql(
      accountB.apiKey,
      `query { clusters(runtime: "${runtime}") { edges { node { metadata { name } server info { connectionState { status } } } } } }`,
    );
    expect(listed.body.data?.clusters).toEqual({
      edges: [
        { node: { metadata: { name: "in-cluster" }, server: "https://kubernetes.default.svc", info: { connectionState: { status: "Successful" } } } },
        { node: { metadata: { name: "hybrid-target" }, server: cluster.server, info: { connectionState: { status: "Successful" } } } },
      ],
    });
    expect(await iscFile(`runtimes/${runtime}/in-cluster.yaml`)).toBe(200);
    expect(await iscFile(`runtimes/${runtime}/hybrid-target.yaml`)).toBe(200);

    const removed = await appProxy("mutation { removeRuntimeFromIscRepo }");
    expect(removed.body).toEqual({ data: { removeRuntimeFromIscRepo: 2 } });
    expect(await iscFile(`runtimes/${runtime}/in-cluster.yaml`)).toBe(404);
    expect(await iscFile(`runtimes/${runtime}/hybrid-target.yaml`)).toBe(404);
    expect(await iscFile("README.md")).toBe(200);
  });
});
