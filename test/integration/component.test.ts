// The CodefreshGitOps component end to end (test/fixtures/component-stack): the whole set-up in one declaration,
// pointed at an existing hybrid runtime; a git source added to its list touches only that child, a cluster removed
// deletes only that child, destroy leaves nothing of it. The real Pulumi CLI, the emulator, Gitea, kube-apiserver.
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, installHybridRuntime, testEmulator, TestEmulator } from "../harness/emulator";
import { testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const org = `component-${process.pid}`;
const runtime = "platform";
const sources = [
  { name: "team-a", path: "team-a" },
  { name: "team-b", path: "team-b" },
];

describe("CodefreshGitOps: the whole set-up as one component", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  const proxies: ClusterProxy[] = [];
  const clusters = [0, 1].map((i) => ({ name: `cluster-${i}`, serviceAccountName: `argocd-component${i}-${process.pid}` }));
  let output = "";
  const onOutput = (text: string) => (output += text);

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    await gitea.api("POST", `/orgs/${org}/repos`, { name: "apps", auto_init: true });
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, gitSourceDelayMs: 200, accounts: [accountA] });
    await installHybridRuntime(emulator, runtime, org);
    const admin = sharedCluster();
    for (let i = 0; i < 2; i++) proxies.push(await startClusterProxy(admin));
    program = await testProgram("component-stack", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      "codefresh:gitCaBundle": gitea.caCert,
      runtimeName: runtime,
      gitUrl: gitea.url,
      gitApiUrl: gitea.apiUrl,
      gitOrg: org,
      gitToken: { value: gitea.adminToken, secret: true },
      gitSources: JSON.stringify(sources.slice(0, 1)),
      clusters: JSON.stringify(clusters),
      kubeconfigs: {
        value: JSON.stringify(Object.fromEntries(proxies.map((proxy, i) => [`cluster-${i}`, kubeconfigFor(proxy.server, admin.caCert, admin.adminToken)]))),
        secret: true,
      },
    });
  });

  afterAll(async () => {
    await program?.dispose();
    for (const proxy of proxies) await proxy.stop();
    await emulator?.dispose();
  });

  const account = async () =>
    (await emulator.admin<{ accounts: { runtimes: { name: string }[]; gitSources: { name: string }[]; clusters: { name: string }[] }[] }>("GET", "state"))
      .accounts[0];

  test("up creates the runtime's reading, its repo connection, a git source and two clusters, all children of the component", async () => {
    const up = await program.stack.up({ onOutput });
    expect(up.summary.result).toBe("succeeded");
    // The stack, the component, and its Runtime, SharedConfigRepo, GitSource and two ManagedClusters.
    expect(up.summary.resourceChanges).toMatchObject({ create: 7 });
    expect(up.outputs.runtimeKind.value).toBe("hybrid");
    expect(up.outputs.runtimeStatus.value).toBe("COMPLETED");
    expect(up.outputs.sharedConfigRepoUrl.value).toBe(`${sharedGitServer().url}/${org}/codefresh-isc.git`);
    expect(up.outputs.gitSources.value).toEqual([
      { name: "team-a", appSpecifier: `${sharedGitServer().url}/${org}/apps.git/team-a`, syncStatus: expect.any(String), healthStatus: expect.any(String) },
    ]);
    expect((up.outputs.clusterStatuses.value as { name: string; connectionStatus: string }[]).map((c) => [c.name, c.connectionStatus])).toEqual([
      ["cluster-0", "Successful"],
      ["cluster-1", "Successful"],
    ]);
    const { resources } = await program.readState();
    const children = resources.filter((r) => r.parent?.endsWith("pulumi-codefresh:index:CodefreshGitOps::gitops")).map((r) => r.urn.split("::").pop());
    expect(children.sort()).toEqual(["gitops-cluster-0", "gitops-cluster-1", "gitops-isc", "gitops-runtime", "gitops-team-a"]);
    expect((await account()).gitSources.map((s) => s.name)).toEqual(["team-a"]);
  });

  test("a no-change preview shows no changes", async () => {
    emulator.resetCounters();
    const preview = await program.stack.preview({ onOutput });
    expect(preview.changeSummary).toEqual({ same: 7 });
    expect(emulator.counters().total).toBe(0);
  });

  test("a git source added to the list creates only that child", async () => {
    await program.stack.setConfig("gitSources", { value: JSON.stringify(sources) });
    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toEqual({ create: 1, same: 7 });
    expect((await account()).gitSources.map((s) => s.name).sort()).toEqual(["team-a", "team-b"]);
  });

  test("a cluster removed from the list deletes only that child", async () => {
    await program.stack.setConfig("clusters", { value: JSON.stringify(clusters.slice(1)) });
    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toEqual({ delete: 1, same: 7 });
    expect((await account()).clusters.map((c) => c.name)).toEqual(["cluster-1"]);
  });

  test("destroy leaves nothing of the component in Codefresh, and the runtime untouched", async () => {
    const destroy = await program.stack.destroy({ onOutput });
    expect(destroy.summary.result).toBe("succeeded");
    const left = await account();
    expect(left?.gitSources).toEqual([]);
    expect(left?.clusters).toEqual([]);
    expect(left?.runtimes.map((r) => r.name)).toEqual([runtime]);
  });
});
