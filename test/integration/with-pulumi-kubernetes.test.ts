// examples/with-pulumi-kubernetes end to end: @pulumi/kubernetes (the provider plugin scripts/tools builds from Go
// modules) creates a namespace and its quota while ManagedCluster connects the same cluster, in one `pulumi up`,
// against the shared kube-apiserver and a hybrid runtime of the emulator; then destroy removes all of it.
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, installHybridRuntime, testEmulator, TestEmulator } from "../harness/emulator";
import { testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const org = `k8s-example-${process.pid}`;
const namespace = `apps-${process.pid}`;

describe("examples/with-pulumi-kubernetes: @pulumi/kubernetes beside ManagedCluster", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  let proxy: ClusterProxy;

  const core = async () => {
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    config.loadFromString(sharedCluster().kubeconfig);
    return config.makeApiClient(k8s.CoreV1Api);
  };

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, accounts: [accountA] });
    await installHybridRuntime(emulator, "workloads-runtime", org);
    // Clusters are committed by the runtime with the user's registered token.
    const ingress = `${emulator.url}/ingress/${(await emulator.admin<{ accounts: { id: string }[] }>("GET", "state")).accounts[0]?.id}/workloads-runtime/app-proxy/api/graphql`;
    await emulator.graphql(
      accountA.apiKey,
      `mutation { addGitIntegration(args: { provider: GITHUB, apiUrl: "${gitea.apiUrl}", sharingPolicy: ALL_USERS_IN_ACCOUNT }) { name } }`,
      undefined,
      ingress,
    );
    await emulator.graphql(accountA.apiKey, `mutation { registerToGitIntegration(args: { token: "${gitea.adminToken}" }) { name } }`, undefined, ingress);
    const admin = sharedCluster();
    proxy = await startClusterProxy(admin);
    program = await testProgram("examples/with-pulumi-kubernetes", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      kubeconfig: { value: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), secret: true },
      runtime: "workloads-runtime",
      serviceAccountName: `argocd-k8s-example-${process.pid}`,
      namespace,
    });
  });

  afterAll(async () => {
    await program?.dispose();
    await proxy?.stop();
    await emulator?.dispose();
  });

  test("one up connects the cluster and creates its namespace and quota; destroy removes them and the connection", async () => {
    const up = await program.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.clusterStatus.value).toBe("Successful");
    expect(up.outputs.appsNamespace.value).toBe(namespace);
    expect(up.outputs.podQuota.value).toBe("200");
    const api = await core();
    expect((await api.readNamespace({ name: namespace })).metadata?.labels?.["codefresh.io/managed"]).toBe("true");
    expect((await api.listNamespacedResourceQuota({ namespace })).items.map((q) => q.spec?.hard?.pods)).toEqual(["200"]);
    expect((await program.stack.preview()).changeSummary).toEqual({ same: 6 });

    await program.stack.destroy();
    const gone = await api.readNamespace({ name: namespace }).then(
      (ns) => ns.status?.phase === "Terminating",
      () => true,
    );
    expect(gone).toBe(true);
    const state = (await emulator.admin<{ accounts: { clusters: unknown[] }[] }>("GET", "state")).accounts[0];
    expect(state?.clusters).toEqual([]);
  });
});
