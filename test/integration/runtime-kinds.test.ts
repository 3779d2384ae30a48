// Every refusal that depends on the runtime's kind fails at the first call, naming the runtime, its kind and what
// to do. The providers are called directly (as the engine would) against an emulator account that has the hosted
// runtime and a hybrid one, registered as the gitops-runtime Helm chart registers it.
import { configure, get } from "pulumi-codefresh/provider";
import { accountA, apiClientFor, connectGitInUi, installHybridRuntime, testEmulator, TestEmulator } from "../harness/emulator";
import { sharedGitServer } from "../harness/shared";

const stack = "infra/dev";
const hybrid = "edge";
const token = () => sharedGitServer().adminToken;

describe("refusals that depend on the runtime's kind", () => {
  let emulator: TestEmulator;

  beforeAll(async () => {
    const gitea = sharedGitServer();
    const org = `kinds-${process.pid}`;
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, accounts: [accountA] });
    await apiClientFor(emulator.url, accountA.apiKey).installHostedRuntime("codefresh-hosted");
    await connectGitInUi(emulator, org);
    await installHybridRuntime(emulator, hybrid, org);
    configure({
      config: {
        get: (key: string) => ({ "codefresh:apiUrl": emulator.url, "codefresh:apiKey": accountA.apiKey, "codefresh:gitCaBundle": gitea.caCert })[key],
      },
    });
  });

  afterAll(async () => {
    await emulator?.dispose();
  });

  /** `check`, then `create`, as the engine calls them. */
  async function create(type: Parameters<typeof get>[0], inputs: Record<string, unknown>) {
    const provider = get(type);
    const checked = await provider.check({}, { __stack: stack, ...inputs });
    expect(checked.failures ?? []).toEqual([]);
    return provider.create(checked.inputs);
  }

  test("a HostedRuntime named after a hybrid runtime points at Runtime", async () => {
    await expect(create("HostedRuntime", { name: hybrid, adopt: false })).rejects.toThrow(
      `runtime "${hybrid}" is a hybrid runtime (installed with Codefresh's gitops-runtime Helm chart, installationType HELM); a HostedRuntime manages only the account's hosted runtime. To use it from this program, declare \`new Runtime("${hybrid}", { name: "${hybrid}" })\``,
    );
  });

  test("a git source for a runtime the account does not have lists its runtimes and their kinds", async () => {
    await expect(
      create("GitSource", {
        runtime: "nope",
        name: "apps",
        repoUrl: `${sharedGitServer().url}/x/apps.git`,
        path: ".",
        destServer: "https://kubernetes.default.svc",
      }),
    ).rejects.toThrow(
      /GitSource apps: runtime "nope" does not exist in this Codefresh account \(it has codefresh-hosted \(hosted\), edge \(hybrid\)\)\. Pass the name of an existing runtime/,
    );
  });

  test("Argo Rollouts on a hosted runtime's own cluster is refused; on a cluster the runtime has not connected too", async () => {
    await expect(
      create("ArgoRollouts", { runtime: "codefresh-hosted", server: "https://kubernetes.default.svc", namespace: "argo-rollouts", gitToken: token() }),
    ).rejects.toThrow("hosted runtime codefresh-hosted's own cluster is Codefresh's: install Argo Rollouts on one of its managed clusters");
    await expect(create("ArgoRollouts", { runtime: hybrid, server: "https://10.0.0.1:6443", namespace: "argo-rollouts", gitToken: token() })).rejects.toThrow(
      `cluster https://10.0.0.1:6443 is not connected to hybrid runtime ${hybrid}: connect it with a ManagedCluster`,
    );
  });

  test("an application of a hosted runtime cannot target its own cluster", async () => {
    await expect(
      create("Application", {
        runtime: "codefresh-hosted",
        gitSource: "default-git-source",
        name: "web",
        destServer: "https://kubernetes.default.svc",
        destNamespace: "web",
        manifests: { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n" },
        gitToken: token(),
      }),
    ).rejects.toThrow("hosted runtime codefresh-hosted never deploys to its own cluster (it is Codefresh's): set destServer to a ManagedCluster's server");
  });

  test("a SharedConfigRepo whose provider differs from the hybrid runtime's git integration says which to set", async () => {
    const gitea = sharedGitServer();
    await emulator.graphql(
      accountA.apiKey,
      `mutation { addGitIntegration(args: { provider: BITBUCKET, apiUrl: "${gitea.apiUrl}", sharingPolicy: ALL_USERS_IN_ACCOUNT }) { name } }`,
      undefined,
      `${emulator.url}/ingress/${(await emulator.admin<{ accounts: { id: string }[] }>("GET", "state")).accounts[0]?.id}/${hybrid}/app-proxy/api/graphql`,
    );
    const account = await apiClientFor(emulator.url, accountA.apiKey).getAccount();
    await expect(
      create("SharedConfigRepo", {
        runtime: hybrid,
        gitProvider: "GITHUB",
        gitApiUrl: gitea.apiUrl,
        repoUrl: account.sharedConfigRepo,
        gitToken: token(),
        adopt: true,
      }),
    ).rejects.toThrow(`hybrid runtime ${hybrid} commits through its "default" git integration, which is BITBUCKET, not GITHUB; set gitProvider: "BITBUCKET"`);
  });
});
