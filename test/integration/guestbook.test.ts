// examples/guestbook end to end, which is also the suite of the ArgoRollouts and Application resources: create,
// a no-change preview, an update, drift found by refresh and repaired by up, destroy. Against a hybrid runtime of
// the emulator (registered as the Helm chart registers it), whose Argo CD applies the guestbook to the shared
// kube-apiserver; the real Pulumi CLI and Gitea.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "pulumi-codefresh";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, installHybridRuntime, testEmulator, TestEmulator } from "../harness/emulator";
import { testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const org = `guestbook-${process.pid}`;
const runtime = "apps-runtime";
const namespace = `guestbook-${process.pid}`;

describe("examples/guestbook: Argo Rollouts on a managed cluster and a first application", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  let proxy: ClusterProxy;
  let kubeDir: string;
  let output = "";
  const onOutput = (text: string) => (output += text);
  const gitea = () => sharedGitServer();
  const repos = () => git.createGitClient({ provider: "GITHUB", apiUrl: gitea().apiUrl, token: gitea().adminToken, caBundle: gitea().caCert });
  const isc = () => git.parseRepoUrl(`${gitea().url}/${org}/codefresh-isc.git`);
  const appsRepo = () => git.parseRepoUrl(`${gitea().url}/${org}/codefresh-apps.git`);

  const kube = async () => {
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    config.loadFromString(sharedCluster().kubeconfig);
    return { apps: config.makeApiClient(k8s.AppsV1Api), core: config.makeApiClient(k8s.CoreV1Api) };
  };
  const deployment = async () => (await kube()).apps.readNamespacedDeployment({ name: "codefresh-guestbook", namespace }).catch(() => undefined);
  const service = async () => (await kube()).core.readNamespacedService({ name: "codefresh-guestbook-svc", namespace }).catch(() => undefined);

  beforeAll(async () => {
    await gitea().createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea().caCert, gitSourceDelayMs: 200, accounts: [accountA] });
    await installHybridRuntime(emulator, runtime, org);
    const admin = sharedCluster();
    proxy = await startClusterProxy(admin);
    kubeDir = await mkdtemp(join(tmpdir(), "guestbook-kubeconfig-"));
    await writeFile(join(kubeDir, "staging.yaml"), kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), { mode: 0o600 });
    program = await testProgram("examples/guestbook", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      "codefresh:gitCaBundle": gitea().caCert,
      runtime,
      sharedConfigRepo: isc().repoUrl,
      gitApiUrl: gitea().apiUrl,
      gitToken: { value: gitea().adminToken, secret: true },
      appsRepo: appsRepo().cloneUrl,
      kubeconfigPath: join(kubeDir, "staging.yaml"),
      serviceAccountName: `argocd-guestbook-${process.pid}`,
      namespace,
    });
  });

  afterAll(async () => {
    await program?.dispose();
    await proxy?.stop();
    await emulator?.dispose();
    if (kubeDir) await rm(kubeDir, { recursive: true, force: true });
    await (await kube()).core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  test("up installs Argo Rollouts through Codefresh and deploys the guestbook: its Deployment and Service exist, Progressing, never Healthy", async () => {
    const up = await program.stack.up({ onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toMatchObject({ create: 7 });
    expect(up.outputs.runtimeKind.value).toBe("hybrid");
    expect(up.outputs.argoRolloutsInstalled.value).toBe(true);
    expect(up.outputs.guestbookSync.value).toBe("SYNCED");
    // The cluster has no nodes: no pod runs, so the Deployment is Progressing, as Argo CD computes it.
    expect(up.outputs.guestbookHealth.value).toBe("PROGRESSING");
    expect(up.outputs.guestbookRevision.value).toMatch(/^[0-9a-f]{40}$/);

    // Codefresh committed Argo Rollouts and its rollout reporter to the Shared Configuration Repository.
    const reporter = await repos().readFile(isc(), `resources/${runtime}/rollout-reporter-staging.yaml`);
    expect(reporter).toMatch(/csdp\/hybrid\/basic\/apps\/rollout-reporter/);
    expect(reporter).toContain(proxy.server);
    // The application's files, in the git source's repository.
    expect(await repos().readFile({ ...appsRepo(), path: "" }, "argocd-apps/guestbook.yaml")).toMatch(
      /resources-finalizer\.argocd\.argoproj\.io[\s\S]*path: apps\/guestbook/,
    );
    // Argo CD applied them to the cluster, labelled with its tracking label.
    const applied = await deployment();
    expect(applied?.metadata?.labels?.["app.kubernetes.io/instance"]).toBe("guestbook");
    expect(applied?.spec?.replicas).toBe(1);
    expect((await service())?.spec?.ports?.[0]?.port).toBe(8080);
  });

  test("a second preview shows no changes and makes no call to Codefresh", async () => {
    emulator.resetCounters();
    const preview = await program.stack.preview({ onOutput });
    expect(preview.changeSummary).toEqual({ same: 7 });
    expect(emulator.counters().total).toBe(0);
  });

  test("an edit of the application is a new commit, which Argo CD syncs to the cluster", async () => {
    const before = (await program.stack.outputs()).guestbookRevision?.value as string;
    await program.stack.setConfig("replicas", { value: "3" });
    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toMatchObject({ update: 1, same: 6 });
    expect(up.outputs.guestbookRevision.value).not.toBe(before);
    expect((await deployment())?.spec?.replicas).toBe(3);
  });

  test("refresh finds the rollout reporter and a manifest changed in git; up commits them back and Argo CD re-syncs", async () => {
    const root = { ...appsRepo(), path: "" };
    await repos().deleteFile(isc(), `resources/${runtime}/rollout-reporter-staging.yaml`, "someone removed the reporter");
    const edited = (await repos().readFile(root, "apps/guestbook/deployment.yaml"))?.replace("replicas: 3", "replicas: 5") ?? "";
    await repos().putFiles(root, [{ path: "apps/guestbook/deployment.yaml", content: edited }], "a hand edit");

    await program.stack.refresh({ onOutput });
    const preview = await program.stack.preview({ onOutput, diff: true });
    expect(preview.changeSummary).toEqual({ same: 5, update: 2 });
    const { resources } = await program.readState();
    expect(resources.find((r) => r.type.endsWith(":ArgoRollouts"))?.outputs?.installed).toBe(false);

    const up = await program.stack.up({ onOutput });
    expect(up.summary.resourceChanges).toMatchObject({ update: 2 });
    expect(await repos().readFile(isc(), `resources/${runtime}/rollout-reporter-staging.yaml`)).toBeDefined();
    expect(await repos().readFile(root, "apps/guestbook/deployment.yaml")).toMatch(/replicas: 3/);
    expect((await deployment())?.spec?.replicas).toBe(3);
    expect((await program.stack.preview({ onOutput })).changeSummary).toEqual({ same: 7 });
  });

  test("destroy removes the application's files, and Argo CD deletes its Deployment and Service; Argo Rollouts is detached, saying so", async () => {
    output = "";
    const destroy = await program.stack.destroy({ onOutput });
    expect(destroy.summary.result).toBe("succeeded");
    expect(await deployment()).toBeUndefined();
    expect(await service()).toBeUndefined();
    const root = { ...appsRepo(), path: "" };
    expect(await repos().readFile(root, "argocd-apps/guestbook.yaml")).toBeUndefined();
    expect(await repos().readFile(root, "apps/guestbook/deployment.yaml")).toBeUndefined();
    expect(output).toMatch(/ArgoRollouts: detached\. Argo Rollouts stays on staging .*have no uninstall/);
    const state = await emulator.admin<{ accounts: { runtimes: { name: string }[] }[] }>("GET", "state");
    expect(state.accounts[0]?.runtimes.map((r) => r.name)).toEqual([runtime]);
  });
});
