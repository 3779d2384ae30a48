// The runtime-independent resources end to end against a hybrid runtime: registered as the gitops-runtime Helm
// chart registers it, read by a Runtime resource, its git connected through Codefresh's public git-integration
// operations. Beside it the program reads the account's hosted runtime with a Runtime too: both kinds, with the
// fields go-sdk's Runtime().Get reads. The real Pulumi CLI, the emulator, the shared Gitea and kube-apiserver.
import { cluster, git, hostedRuntimeIpAllowList, platformIpAllowList } from "pulumi-codefresh";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, installHybridRuntime, testEmulator, TestEmulator } from "../harness/emulator";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const org = `hybrid-e2e-${process.pid}`;
const hybrid = "team-runtime";
const serviceAccountName = `argocd-manager-hybrid-${process.pid}`;
const overrideIps = ["203.0.113.10", "203.0.113.11"];

describe("resources end to end on a hybrid runtime", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  let proxy: ClusterProxy;
  let output = "";
  const onOutput = (text: string) => (output += text);

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, gitSourceDelayMs: 300, accounts: [accountA] });
    await installHybridRuntime(emulator, hybrid, org);
    // The account also keeps its hosted runtime (installed in the UI years ago): read, never changed.
    await emulator.admin("POST", "ui/hosted-runtime", { account: accountA.name });
    const admin = sharedCluster();
    proxy = await startClusterProxy(admin);
    program = await testProgram(
      "codefresh-stack",
      codefreshStackConfig({
        apiUrl: emulator.url,
        org,
        runtimeName: hybrid,
        readRuntimes: ["codefresh-hosted"],
        gitSources: [
          { name: "team-a", path: "team-a" },
          { name: "team-b", path: "team-b", include: "*.yaml" },
        ],
        clusters: [{ name: "staging", kubeconfig: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), serviceAccountName, labels: { env: "dev" } }],
        extra: { "codefresh:gitCaBundle": gitea.caCert, "codefresh:platformIpAllowList": JSON.stringify(overrideIps) },
      }),
    );
  });

  afterAll(async () => {
    await program?.dispose();
    await proxy?.stop();
    await emulator?.dispose();
  });

  const account = () =>
    emulator
      .admin<{
        accounts: {
          settings: { sharedConfigRepo?: string };
          runtimes: { name: string; managed: boolean }[];
          gitSources: { name: string; runtime: string }[];
          clusters: { name: string; runtime: string; status: string; labels: Record<string, string> }[];
        }[];
      }>("GET", "state")
      .then((s) => s.accounts[0]);

  test("up reads both runtimes, connects git through the hybrid runtime's git integration, and adds its git sources and cluster", async () => {
    emulator.resetCounters();
    const up = await program.stack.up({ onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toMatchObject({ create: 7 });
    expect(up.outputs.runtimeStatus.value).toBe("COMPLETED");
    expect(up.outputs.clusterStatuses.value).toEqual(["staging: Successful"]);
    // Codefresh gives a hybrid runtime no default git source.
    expect(up.outputs.defaultGitSource.value).toBe("");
    // The stack config's platform list replaces the pinned one; a hybrid runtime needs no hosted-runtime list.
    expect(up.outputs.runtimeIps.value).toEqual(overrideIps);
    expect(up.outputs.readRuntimes.value).toEqual([
      {
        name: "codefresh-hosted",
        kind: "hosted",
        status: "COMPLETED",
        installationType: "HELM_HOSTED",
        version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
        ingressHost: expect.stringContaining(`/ingress/`),
        accessMode: "INGRESS",
        namespace: "codefresh-hosted",
        ips: [...overrideIps, ...hostedRuntimeIpAllowList.addresses],
        ipSource: expect.stringMatching(/^platform: stack config codefresh:platformIpAllowList \| hosted runtime: .*withdrawn/),
      },
    ]);
    // Only public operations: the account's settings were made in the UI already, so none is written.
    const { byOperation } = emulator.counters();
    expect(byOperation.updateCsdpSettings).toBeUndefined();
    expect(byOperation.initManagedRuntime).toBeUndefined();
    expect(byOperation.installHostedRuntime).toBeUndefined();
    expect(byOperation.addGitIntegration?.count).toBe(1);
    expect(byOperation.registerToGitIntegration?.count).toBe(1);

    const state = await account();
    expect(state.runtimes.map((r) => [r.name, r.managed]).sort()).toEqual([
      ["codefresh-hosted", true],
      [hybrid, false],
    ]);
    expect(state.gitSources.map((s) => [s.runtime, s.name]).sort()).toEqual([
      [hybrid, "team-a"],
      [hybrid, "team-b"],
    ]);
    expect(state.clusters.map((c) => [c.runtime, c.name, c.status])).toEqual([[hybrid, "staging", "Successful"]]);
    // The hybrid runtime committed with the registered token: its layout, its git sources and its cluster.
    const gitea = sharedGitServer();
    const repos = git.createGitClient({ provider: "GITHUB", apiUrl: gitea.apiUrl, token: gitea.adminToken, caBundle: gitea.caCert });
    const isc = git.parseRepoUrl(`${gitea.url}/${org}/codefresh-isc.git`);
    expect(await repos.readFile(isc, `resources/${hybrid}/team-b.yaml`)).toMatch(/path: team-b[\s\S]*include: "\*\.yaml"/);
    expect(await repos.readFile(isc, `runtimes/${hybrid}/staging.yaml`)).toContain(proxy.server);
  });

  test("a second preview shows no changes and makes no call to Codefresh at all", async () => {
    emulator.resetCounters();
    const preview = await program.stack.preview({ onOutput });
    expect(preview.changeSummary).toEqual({ same: 7 });
    expect(emulator.counters().total).toBe(0);
  });

  test("a refresh writes nothing; it renews only the Runtime's outputs (its git connection and cluster, made since it was read)", async () => {
    emulator.resetCounters();
    const refresh = await program.stack.refresh({ onOutput });
    // Pulumi counts a refresh that changes outputs only as "same"; the next test reads the renewed outputs.
    expect(refresh.summary.resourceChanges).toEqual({ same: 7 });
    expect(emulator.counters().writes).toBe(0);
    const preview = await program.stack.preview({ onOutput });
    expect(preview.changeSummary).toEqual({ same: 7 });
  });

  test("the Runtime resource's outputs are the hybrid runtime's, read from Codefresh at the refresh", async () => {
    const { resources } = await program.readState();
    const read = resources.find((r) => r.type === "pulumi-nodejs:dynamic/codefresh:Runtime" && r.inputs?.name === hybrid);
    expect(read?.outputs).toMatchObject({
      name: hybrid,
      kind: "hybrid",
      status: "COMPLETED",
      installationType: "HELM",
      version: "0.1.72",
      namespace: hybrid,
      cluster: "https://kubernetes.default.svc",
      accessMode: "TUNNEL",
      ingressHost: `${emulator.url}/ingress/${String((await emulator.admin<{ accounts: { id: string }[] }>("GET", "state")).accounts[0]?.id)}/${hybrid}`,
      iscInitialized: true,
      managedClustersNum: 1,
      ipAllowList: overrideIps,
    });
    expect(platformIpAllowList.addresses).not.toEqual(overrideIps);
  });

  test("a changed cluster label updates the hybrid runtime's cluster in place", async () => {
    await program.stack.setConfig("clusterLabels0", { value: JSON.stringify({ env: "staging" }) });
    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect((await account()).clusters[0]?.labels).toMatchObject({ env: "staging" });
  });

  test("destroy removes the git sources and the cluster, and forgets both runtimes without touching them", async () => {
    output = "";
    const destroy = await program.stack.destroy({ onOutput });
    expect(destroy.summary.result).toBe("succeeded");
    expect(output).toMatch(new RegExp(`Runtime: forgot hybrid runtime ${hybrid}; it is untouched in Codefresh`));
    expect(output).toMatch(/Runtime: forgot hosted runtime codefresh-hosted; it is untouched in Codefresh/);
    const state = await account();
    expect(state.runtimes.map((r) => r.name).sort()).toEqual(["codefresh-hosted", hybrid]);
    expect(state.gitSources).toEqual([]);
    expect(state.clusters).toEqual([]);
    const left = await cluster.readManagerAccount(cluster.resolveKubeconfig({ kubeconfig: sharedCluster().kubeconfig }), { serviceAccountName });
    expect(left).toMatchObject({ serviceAccountExists: false, clusterRoleBindingExists: false, tokenHash: undefined });
  });
});
