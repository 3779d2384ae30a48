// Connections made by pulumi-codefresh 0.1 carry no claim: their ServiceAccount names the stack, not the
// resource. This version adopts them as they are: an interrupted 0.1 create resumes, an update takes the
// claim, and delete removes everything, the claim included. The provider is called directly (as the
// engine would) against the emulator and the real kube-apiserver.
import { cluster } from "pulumi-codefresh";
import { configure, get } from "pulumi-codefresh/provider";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, apiClientFor, connectGitInUi, testEmulator, TestEmulator } from "../harness/emulator";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const stack = "infra/dev";
const urn = "urn:pulumi:dev::infra::pulumi-nodejs:dynamic/codefresh:ManagedCluster::prod";
const serviceAccountName = `argocd-manager-upgrade-${process.pid}`;

describe("connections made before claims", () => {
  let emulator: TestEmulator;
  let proxy: ClusterProxy;
  let kubeconfig: string;
  const provider = get("ManagedCluster");

  beforeAll(async () => {
    const gitea = sharedGitServer();
    const org = `upgrade-${process.pid}`;
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, accounts: [accountA] });
    await apiClientFor(emulator.url, accountA.apiKey).installHostedRuntime("codefresh-hosted");
    // Clusters are written to the Shared Configuration Repository: the account needs one.
    await connectGitInUi(emulator, org);
    const admin = sharedCluster();
    proxy = await startClusterProxy(admin);
    kubeconfig = kubeconfigFor(proxy.server, admin.caCert, admin.adminToken);
    configure({ config: { get: (key: string) => ({ "codefresh:apiUrl": emulator.url, "codefresh:apiKey": accountA.apiKey })[key] } });
  });

  afterAll(async () => {
    await proxy?.stop();
    await emulator?.dispose();
  });

  /** What 0.1 did: the credentials marked with the stack, the registration, and no claim. */
  async function connectAsVersion01() {
    const resolved = cluster.resolveKubeconfig({ kubeconfig });
    const credentials = await cluster.ensureManagerAccount(resolved, { serviceAccountName, owner: stack });
    await apiClientFor(emulator.url, accountA.apiKey).addCluster("codefresh-hosted", {
      name: "prod",
      server: credentials.server,
      caData: credentials.caData,
      token: credentials.token,
    });
    return resolved;
  }

  /** What the program declares, in 0.1 as in this version. */
  const declared = () => ({
    runtime: "codefresh-hosted",
    name: "prod",
    kubeconfig,
    serviceAccountName,
    namespace: "kube-system",
    insecureSkipTlsVerify: false,
    adopt: false,
    __credentialsCurrent: true,
    __stack: stack,
  });

  /** This version's inputs for the same resource, as its check makes them from the program's. */
  async function inputs(olds: Record<string, unknown> = {}) {
    const news = { ...declared(), __urn: "prod" };
    const checked = await provider.check(olds, news);
    expect(checked.failures).toEqual([]);
    return checked.inputs as Record<string, unknown>;
  }

  async function leftInCluster(resolved: cluster.ResolvedKubeconfig) {
    return {
      account: await cluster.readManagerAccount(resolved, { serviceAccountName }),
      claim: (await cluster.readRegistrationClaim(resolved, "codefresh-hosted")).holder,
    };
  }

  test("an interrupted 0.1 create resumes, and delete removes the credentials and the claim", async () => {
    const resolved = await connectAsVersion01();
    const created = await provider.create(await inputs());
    expect(created.outs).toMatchObject({ connectionStatus: "Successful", __owner: "prod" });
    expect((await leftInCluster(resolved)).claim).toBe(urn);

    await provider.delete(created.id, created.outs as Record<string, unknown>);
    expect(await leftInCluster(resolved)).toEqual({
      account: { serviceAccountExists: false, clusterRoleBindingExists: false, tokenHash: undefined, owner: undefined },
      claim: undefined,
    });
    expect(await apiClientFor(emulator.url, accountA.apiKey).getCluster("codefresh-hosted", proxy.server)).toBeUndefined();
  });

  test("a 0.1 resource in state takes its claim on update, and delete then removes everything", async () => {
    const resolved = await connectAsVersion01();
    // Its state as 0.1 wrote it: no URN, no owner.
    const olds = { ...declared(), server: proxy.server };
    const news = await inputs(olds);
    const updated = await provider.update(`codefresh-hosted/${proxy.server}`, olds, { ...news, labels: { env: "prod" } });
    expect(updated.outs).toMatchObject({ connectionStatus: "Successful" });
    expect((await leftInCluster(resolved)).claim).toBe(urn);

    await provider.delete(`codefresh-hosted/${proxy.server}`, updated.outs as Record<string, unknown>);
    expect(await leftInCluster(resolved)).toMatchObject({ account: { serviceAccountExists: false, clusterRoleBindingExists: false }, claim: undefined });
  });
});
