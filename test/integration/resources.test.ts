// The four resources end to end: the real Pulumi CLI and engine, the emulator, the real Gitea and the
// real kube-apiserver. One program (test/fixtures/codefresh-stack) shaped by config.
import { cluster, git } from "pulumi-codefresh";
import { ClusterProxy, clusterUserAgent, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, apiClientFor, testEmulator, TestEmulator } from "../harness/emulator";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const org = `e2e-${process.pid}`;

/** The requests a cluster got from us, not from the emulated Argo CD's own connection checks. */
const ourCalls = (proxy: ClusterProxy) => proxy.log.requests().filter((r) => r.userAgent !== clusterUserAgent).length;

describe("resources end to end", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  const proxies: ClusterProxy[] = [];
  const secrets: string[] = [];
  let output = "";
  const onOutput = (text: string) => (output += text);

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, installDelayMs: 1_500, gitSourceDelayMs: 500, accounts: [accountA] });
    // Two "clusters": two loopback ports in front of the one local API server.
    const admin = sharedCluster();
    for (let i = 0; i < 2; i++) proxies.push(await startClusterProxy(admin));
    const clusters = proxies.map((proxy, i) => ({ name: `cluster-${i}`, kubeconfig: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken) }));
    secrets.push(accountA.apiKey, gitea.adminToken, admin.adminToken);

    program = await testProgram(
      "codefresh-stack",
      codefreshStackConfig({
        apiUrl: emulator.url,
        org,
        gitSources: [
          { name: "team-a", path: "team-a", plugin: "kustomize-envsubst" },
          { name: "team-b", path: "team-b", include: "*.yaml" },
        ],
        clusters: clusters.map((c, i) => ({
          ...c,
          serviceAccountName: `argocd-manager-e2e${i}-${process.pid}`,
          ...(i === 0 ? { labels: { env: "dev" } } : { annotations: { owner: "platform" } }),
        })),
        // So that check and read can ask Gitea for the repos' sizes.
        extra: { "codefresh:gitCaBundle": gitea.caCert },
      }),
    );
  });

  afterAll(async () => {
    await program?.dispose();
    for (const proxy of proxies) await proxy.stop();
    await emulator?.dispose();
  });

  const state = () =>
    emulator
      .admin<{
        accounts: {
          settings: { sharedConfigRepo?: string };
          runtimes: { name: string }[];
          gitSources: { name: string }[];
          clusters: { name: string; status: string; labels: Record<string, string> }[];
        }[];
      }>("GET", "state")
      .then((s) => s.accounts[0]);

  test("up creates the runtime, its repos, two git sources and two clusters", async () => {
    const up = await program.stack.up({ onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toMatchObject({ create: 7 });
    expect(up.outputs.runtimeStatus.value).toBe("COMPLETED");
    expect(up.outputs.clusterStatuses.value).toEqual(["cluster-0: Successful", "cluster-1: Successful"]);
    expect(up.outputs.defaultGitSource.value).toBe("default-git-source");

    const account = await state();
    expect(account.runtimes.map((r) => r.name)).toEqual(["codefresh-hosted"]);
    expect(account.gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", "team-a", "team-b"]);
    expect(account.clusters.map((c) => [c.name, c.status]).sort()).toEqual([
      ["cluster-0", "Successful"],
      ["cluster-1", "Successful"],
    ]);
    // Real commits in the Shared Configuration Repo.
    const gitea = sharedGitServer();
    const repos = git.createGitClient({ provider: "GITHUB", apiUrl: gitea.apiUrl, token: gitea.adminToken, caBundle: gitea.caCert });
    const isc = git.parseRepoUrl(`${gitea.url}/${org}/codefresh-isc.git`);
    expect(await repos.readFile(isc, "resources/codefresh-hosted/team-b.yaml")).toMatch(/path: team-b[\s\S]*include: "\*\.yaml"/);
    // The Config Management Plugin reaches the Application Codefresh writes.
    expect(await repos.readFile(isc, "resources/codefresh-hosted/team-a.yaml")).toMatch(/plugin:\s+name: kustomize-envsubst/);
    expect(await repos.readFile(isc, "runtimes/codefresh-hosted/cluster-1.yaml")).toContain(proxies[1].server);
  });

  test("state is small per resource and holds no secret", async () => {
    const { raw, resources } = await program.readState();
    const ours = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/codefresh:"));
    expect(ours.map((r) => r.type).sort()).toEqual([
      "pulumi-nodejs:dynamic/codefresh:GitSource",
      "pulumi-nodejs:dynamic/codefresh:GitSource",
      "pulumi-nodejs:dynamic/codefresh:HostedRuntime",
      "pulumi-nodejs:dynamic/codefresh:ManagedCluster",
      "pulumi-nodejs:dynamic/codefresh:ManagedCluster",
      "pulumi-nodejs:dynamic/codefresh:SharedConfigRepo",
    ]);
    for (const resource of ours) {
      const provider = resource.outputs?.__provider as string;
      expect(provider.length).toBeLessThan(2_500); // the thin shim (~2.1 KB), not the SDK (hundreds of KB)
    }
    const clusterTokens = await Promise.all(
      [0, 1].map(async (i) => {
        const resolved = cluster.resolveKubeconfig({ kubeconfig: sharedCluster().kubeconfig });
        const creds = await cluster.ensureManagerAccount(resolved, { serviceAccountName: `argocd-manager-e2e${i}-${process.pid}` });
        return creds.token;
      }),
    );
    for (const secret of [...secrets, ...clusterTokens]) {
      for (const form of [secret, Buffer.from(secret).toString("base64")]) {
        expect(raw).not.toContain(form);
        expect(output).not.toContain(form);
      }
    }
  });

  /** The facts check records (repo sizes, cluster versions) of every step of a preview whose new inputs differ from the state's. */
  async function previewFactChanges(): Promise<string[]> {
    const changed: string[] = [];
    const preview = await program.stack.preview({
      onOutput,
      onEvent: (event) => {
        const step = event.resourcePreEvent?.metadata;
        if (!step?.old || !step.new) return;
        for (const fact of ["repoSizeBytes", "kubernetesVersion", "crdCount"]) {
          if (JSON.stringify(step.old.inputs[fact]) !== JSON.stringify(step.new.inputs[fact])) changed.push(`${step.urn.split("::").pop()}.${fact}`);
        }
      },
    });
    expect(preview.changeSummary).toEqual({ same: 7 });
    return changed;
  }

  test("a second preview shows no changes, not even of a looked-up fact, before and after a refresh", async () => {
    // The Shared Configuration Repo did not exist when its first check ran: its size is known from state as unknown, not looked up again.
    expect(await previewFactChanges()).toEqual([]);
    const isc = (await program.readState()).resources.find((r) => r.type.endsWith(":SharedConfigRepo"));
    expect(isc?.outputs?.repoSizeBytes).toEqual(expect.any(Number));
    await program.stack.refresh({ onOutput });
    const refreshed = (await program.readState()).resources.find((r) => r.type.endsWith(":SharedConfigRepo"));
    expect(refreshed?.inputs?.repoSizeBytes).toEqual(expect.any(Number));
    expect(await previewFactChanges()).toEqual([]);
  });

  test("a second preview shows no changes and makes no write calls, nor any call to the clusters", async () => {
    emulator.resetCounters();
    const clusterCalls = proxies.map(ourCalls);
    const preview = await program.stack.preview({ onOutput });
    expect(preview.changeSummary).toEqual({ same: 7 });
    expect(emulator.counters().writes).toBe(0);
    // Versions and CRD counts come from state while the clusters' servers are unchanged.
    expect(proxies.map(ourCalls)).toEqual(clusterCalls);
  });

  test("a refresh reads each list of Codefresh once and asks each cluster five things, writing nothing", async () => {
    emulator.resetCounters();
    const clusterCalls = proxies.map(ourCalls);
    await program.stack.refresh({ onOutput });
    const { byOperation, writes } = emulator.counters();
    expect(writes).toBe(0);
    // The runtime, the account, and one list per type, shared by every resource that reads it.
    expect(Object.fromEntries(Object.entries(byOperation).map(([operation, { count }]) => [operation, count]))).toEqual({
      runtime: 1,
      me: 1,
      gitSources: 1,
      clusters: 1,
    });
    // Its ServiceAccount, binding and token Secret (drift), its version and CRD list (the policies' facts), as the
    // README's table says.
    for (const [i, proxy] of proxies.entries()) expect(ourCalls(proxy) - (clusterCalls[i] ?? 0)).toBe(5);
  });

  test("refresh renews a cluster's version, which the next preview's policies see without asking the cluster", async () => {
    const versionOf = async (name: string) => {
      const exported = await program.stack.exportStack();
      const resource = (exported.deployment as { resources: { urn: string; inputs?: Record<string, unknown> }[] }).resources.find((r) =>
        r.urn.endsWith(`::${name}`),
      );
      return resource?.inputs?.kubernetesVersion;
    };
    const real = await versionOf("cluster-1");
    expect(real).toMatch(/^v1\.\d+/);
    proxies[1].setReportVersion("v1.30.99");
    try {
      await program.stack.refresh({ onOutput });
      expect(await versionOf("cluster-1")).toBe("v1.30.99");
      const before = ourCalls(proxies[1]);
      const preview = await program.stack.preview({ onOutput });
      expect(preview.changeSummary).toEqual({ same: 7 });
      expect(ourCalls(proxies[1])).toBe(before);
    } finally {
      proxies[1].setReportVersion(undefined);
      await program.stack.refresh({ onOutput });
    }
    expect(await versionOf("cluster-1")).toBe(real);
  });

  test("a changed cluster label updates in place", async () => {
    await program.stack.setConfig("clusterLabels0", { value: JSON.stringify({ env: "staging" }) });
    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toMatchObject({ update: 1, same: 6 });
    const account = await state();
    expect(account.clusters.find((c) => c.name === "cluster-0")?.labels).toEqual({ env: "staging" });
  });

  test("a renamed git source is replaced", async () => {
    await program.stack.setConfig("gitSources", {
      value: JSON.stringify([
        { name: "team-a", path: "team-a", plugin: "kustomize-envsubst" },
        { name: "team-c", path: "team-b", include: "*.yaml" },
      ]),
    });
    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toMatchObject({ create: 1, delete: 1 });
    const account = await state();
    expect(account.gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", "team-a", "team-c"]);
  });

  test("refresh finds a deleted ServiceAccount, and up repairs it", async () => {
    const resolved = cluster.resolveKubeconfig({ kubeconfig: sharedCluster().kubeconfig });
    const core = resolved.kubeConfig.makeApiClient((await import("@kubernetes/client-node")).CoreV1Api);
    const serviceAccount = `argocd-manager-e2e1-${process.pid}`;
    const secret = await core.readNamespacedSecret({ name: `${serviceAccount}-token`, namespace: "kube-system" });
    const token = Buffer.from(secret.data?.token ?? "", "base64").toString("utf8");
    await core.deleteNamespacedServiceAccount({ name: serviceAccount, namespace: "kube-system" });
    // Once the API server stops accepting the token (its caches follow the deletion within seconds),
    // Codefresh's next connection check fails, and so does the emulator's (Argo CD re-checks every 10 s).
    const probe = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(proxies[1].server, sharedCluster().caCert, token) });
    const probeCore = probe.kubeConfig.makeApiClient((await import("@kubernetes/client-node")).CoreV1Api);
    for (let waited = 0; ; waited += 250) {
      const refused = await probeCore.listNamespace().then(
        () => false,
        (error: { code?: number }) => error.code === 401,
      );
      if (refused) break;
      if (waited > 30_000) throw new Error("the API server kept accepting the deleted ServiceAccount's token");
      await new Promise((r) => setTimeout(r, 250));
    }
    // Argo CD's cluster info updater notices in the background, at its next round after the connection is 10 s old.
    await emulator.admin("POST", "clock", { advanceMs: 10_000 });
    for (let waited = 0; (await state()).clusters.find((c) => c.name === "cluster-1")?.status !== "Failed"; waited += 250) {
      if (waited > 30_000) throw new Error("the emulator's cluster info updater did not see the revoked token");
      await new Promise((r) => setTimeout(r, 250));
    }

    const refresh = await program.stack.refresh({ onOutput });
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    const broken = (await state()).clusters.find((c) => c.name === "cluster-1");
    expect(broken?.status).toBe("Failed");
    const inState = (await program.readState()).resources.find((r) => r.urn.endsWith("::cluster-1"));
    expect(inState?.outputs?.connectionStatus).toBe("Failed");
    const preview = await program.stack.preview({ onOutput });
    expect(preview.changeSummary).toMatchObject({ update: 1 });

    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect((await cluster.readManagerAccount(resolved, { serviceAccountName: serviceAccount })).serviceAccountExists).toBe(true);
    expect((await state()).clusters.every((c) => c.status === "Successful")).toBe(true);
  });

  test("a registration removed outside Pulumi stays in state with its credentials, and up registers it again", async () => {
    await apiClientFor(emulator.url, accountA.apiKey).removeCluster("codefresh-hosted", proxies[0].server);
    const refresh = await program.stack.refresh({ onOutput });
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    const inState = (await program.readState()).resources.find((r) => r.urn.endsWith("::cluster-0"));
    expect(inState?.outputs).toMatchObject({ connectionStatus: "Unknown", connectionMessage: expect.stringContaining("removed outside Pulumi") });
    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect((await state()).clusters.map((c) => [c.name, c.status]).sort()).toEqual([
      ["cluster-0", "Successful"],
      ["cluster-1", "Successful"],
    ]);
  });

  test("destroy leaves nothing in the emulator or the cluster, and keeps the account settings", async () => {
    const destroy = await program.stack.destroy({ onOutput });
    expect(destroy.summary.result).toBe("succeeded");
    expect(output).toMatch(/Codefresh does not allow account GitOps settings to be removed/);
    await emulator.admin("POST", "clock", { advanceMs: 10 * 60_000 });
    const account = await state();
    expect(account.runtimes).toEqual([]);
    expect(account.gitSources).toEqual([]);
    expect(account.clusters).toEqual([]);
    expect(account.settings.sharedConfigRepo).toBe(`${sharedGitServer().url}/${org}/codefresh-isc.git`);
    const resolved = cluster.resolveKubeconfig({ kubeconfig: sharedCluster().kubeconfig });
    for (const i of [0, 1]) {
      const left = await cluster.readManagerAccount(resolved, { serviceAccountName: `argocd-manager-e2e${i}-${process.pid}` });
      expect(left).toMatchObject({ serviceAccountExists: false, clusterRoleBindingExists: false, tokenHash: undefined });
    }
  });
});
