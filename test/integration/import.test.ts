// `pulumi-codefresh import` against accounts prepared as users have them (a hosted runtime installed and git
// connected in the UI; a hybrid runtime registered by its Helm chart with git registered by `cf`; git sources
// and clusters connected with Codefresh's public operations): the program it writes type-checks, its first
// `pulumi up` adopts everything with zero writes to Codefresh, and the next preview shows no changes. And the
// messages for a bad key, an empty account and a runtime whose git is not connected.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { cluster, type api } from "pulumi-codefresh";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, accountB, apiClientFor, connectGitInUi, installHybridRuntime, testEmulator, TestEmulator, type TestAccount } from "../harness/emulator";
import { openStack, repoRoot } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const execFileAsync = promisify(execFile);

/** Runs the package's `pulumi-codefresh` bin (as `npx pulumi-codefresh` would) with `env`; answers its exit code and output. */
async function runImport(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [join(repoRoot, "sdk", "dist", "cli", "main.js"), "import", ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** A third account, for the hybrid runtime. */
const accountC: TestAccount = { name: "initech", apiKey: "cf-test-key-initech-0a1b2c3d4e5f6789" };
/** The clusters' ServiceAccount: not the default `argocd-manager`, which other suites on the shared cluster may use. */
const serviceAccountName = `argocd-manager-import-${process.pid}`;

/** Links the repository's node_modules into a generated program and opens a stack of it with the program's config. */
async function openImported(dir: string, state: string, name: string, env: Record<string, string>): Promise<Stack> {
  await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  const { stack } = await openStack(dir, state, name, env);
  await stack.setConfig("gitToken", { value: sharedGitServer().adminToken, secret: true });
  return stack;
}

describe("pulumi-codefresh import", () => {
  let emulator: TestEmulator;
  let base: string;
  let stack: Stack;
  const proxies: ClusterProxy[] = [];
  const org = `import-${process.pid}`;
  const runtime = "codefresh-hosted";

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ hostedInstallApi: false, gitCaBundle: gitea.caCert, accounts: [accountA, accountB, accountC] });
    base = await mkdtemp(join(tmpdir(), "pulumi-import-"));
    await emulator.admin("POST", "ui/hosted-runtime", { account: accountA.name });
    await connectGitInUi(emulator, org);
    const client = apiClientFor(emulator.url, accountA.apiKey);
    const apps = `${gitea.url}/${org}/codefresh-apps.git`;
    const sources: Omit<api.CreateGitSourceInput, "destServer">[] = [
      { appName: "team-a", appSpecifier: `${apps}/team-a`, include: "*.yaml", labels: { team: "a" } },
      { appName: "team-b", appSpecifier: `${apps}/team-b`, exclude: "test/*", labels: { team: "b", "app.kubernetes.io/part-of": "shop" } },
      { appName: "team-c", appSpecifier: `${apps}/team-c`, include: "{a,b}/*.yml", destNamespace: "team-c" },
    ];
    for (const source of sources) await client.createGitSource(runtime, { destServer: "https://kubernetes.default.svc", ...source });
    // Two clusters, connected as `cf cluster add` connects them: a ServiceAccount in the target, registered.
    const admin = sharedCluster();
    for (let i = 0; i < 2; i++) {
      const proxy = await startClusterProxy(admin);
      proxies.push(proxy);
      const target = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken) });
      const credentials = await cluster.ensureManagerAccount(target, { serviceAccountName });
      await client.addCluster(runtime, {
        name: `stage-${i}`,
        server: credentials.server,
        caData: credentials.caData,
        token: credentials.token,
        labels: { env: `stage-${i}` },
        annotations: { owner: "platform" },
      });
    }
  });
  afterAll(async () => {
    await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
    await emulator?.dispose();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
  });

  const env = () => ({ CODEFRESH_API_URL: emulator.url, CODEFRESH_API_KEY: accountA.apiKey });

  test("a bad API key and an empty account each give a clear message, and write nothing", async () => {
    emulator.resetCounters();
    const bad = await runImport(["--out", join(base, "bad")], { ...env(), CODEFRESH_API_KEY: "not-a-key" });
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/refused the API key .*User Settings > API Keys/);
    const empty = await runImport(["--out", join(base, "empty")], { ...env(), CODEFRESH_API_KEY: accountB.apiKey });
    expect(empty.output).toMatch(/account "globex" has no GitOps runtime, so there is nothing to import/);
    const unknown = await runImport(["--out", join(base, "unknown"), "--runtime", "nope"], env());
    expect(unknown.output).toMatch(/has no runtime "nope"; its runtimes: codefresh-hosted/);
    // A hosted runtime installed in the UI, its git never connected: the program says so, and so does the command.
    await emulator.admin("POST", "ui/hosted-runtime", { account: accountB.name });
    const unconnected = await runImport(["--out", join(base, "unconnected")], { ...env(), CODEFRESH_API_KEY: accountB.apiKey });
    expect(unconnected.code).toBe(0);
    expect(unconnected.output).toMatch(
      /needs you:\n.*runtime "codefresh-hosted" has no git provider connected.*connect git in the Codefresh UI, then import again/,
    );
    expect(await readFile(join(base, "unconnected", "index.ts"), "utf8")).not.toContain("SharedConfigRepo(");
    expect(emulator.counters().writes).toBe(0);
  });

  test("writes a program adopting the runtime, the repo and the git sources, with the secret left to the user", async () => {
    const result = await runImport(["--out", join(base, "program")], env());
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/1 HostedRuntime, 1 SharedConfigRepo, 3 GitSource, 2 ManagedCluster adopted/);
    expect(result.output).toMatch(/pulumi config set --secret gitToken <token>/);
    expect(result.output).toMatch(/pulumi config set --secret kubeconfig-stage-0 -- "\$\(cat <kubeconfig of https:\/\/127\.0\.0\.1:\d+>\)"/);
    const program = await readFile(join(base, "program", "index.ts"), "utf8");
    expect(program).toMatch(
      /new codefresh\.HostedRuntime\(\n {2}"codefresh-hosted",\n {2}\{\n {4}name: "codefresh-hosted",\n {4}adopt: true,\n {2}\},\n {2}\{ protect: true \},/,
    );
    expect(program).toContain('"app.kubernetes.io/part-of": "shop"');
    expect(program).toContain('include: "{a,b}/*.yml"');
    expect(program).toContain('Left out: "default-git-source"');
    expect(program).toContain('kubeconfig: config.requireSecret("kubeconfig-stage-1")');
    expect(program).toMatch(/Codefresh does not return it: the default.*\n {4}serviceAccountName: "argocd-manager",/);
    expect(program).not.toContain(sharedGitServer().adminToken);
    expect(program).not.toContain(sharedCluster().adminToken);
  });

  test("the first up adopts everything with zero writes to Codefresh; the next preview shows no changes", async () => {
    const dir = join(base, "program");
    // As the comment beside each cluster asks: these clusters use their own ServiceAccount, not the default.
    const index = join(dir, "index.ts");
    await writeFile(index, (await readFile(index, "utf8")).replaceAll('serviceAccountName: "argocd-manager"', `serviceAccountName: "${serviceAccountName}"`));
    stack = await openImported(dir, join(base, "state"), "imported", env());
    const admin = sharedCluster();
    for (const [i, proxy] of proxies.entries()) {
      await stack.setConfig(`kubeconfig-stage-${i}`, { value: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), secret: true });
    }
    emulator.resetCounters();
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 8 });
    expect(emulator.counters().writes).toBe(0);
    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ same: 8 });
  });

  test("an edit of the generated program updates only that object; without protect, destroy behaves as documented", async () => {
    const index = join(base, "program", "index.ts");
    const program = await readFile(index, "utf8");
    // A git source's glob and a cluster's label change in place (a git source's labels cannot: see the README).
    await writeFile(index, program.replace('include: "*.yaml"', 'include: "*.yml"'));
    const edit = await stack.up();
    expect(edit.summary.resourceChanges).toEqual({ update: 1, same: 7 });
    const client = apiClientFor(emulator.url, accountA.apiKey);
    expect((await client.getGitSource(runtime, "team-a", { maxAgeMs: 0 }))?.include).toBe("*.yml");
    await writeFile(index, (await readFile(index, "utf8")).replace('env: "stage-1"', 'env: "canary"'));
    const clusterEdit = await stack.up();
    expect(clusterEdit.summary.resourceChanges).toEqual({ update: 1, same: 7 });
    const clusters = await client.listClusters(runtime, { maxAgeMs: 0 });
    expect(Object.fromEntries(clusters.map((c) => [c.name, c.labels.env]))).toEqual({ "stage-0": "stage-0", "stage-1": "canary" });
    // Hand-made in the UI, the objects are deleted like any other once the program lets go of them.
    await writeFile(index, (await readFile(index, "utf8")).replace("{ protect: true }", "{ protect: false }"));
    await stack.up();
    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(destroy.stdout).toMatch(/SharedConfigRepo: detached/);
    expect(await client.listRuntimes()).toEqual([]);
    expect(await client.listClusters(runtime, { maxAgeMs: 0 }).catch(() => [])).toEqual([]);
  });
});

describe("pulumi-codefresh import of a hybrid runtime", () => {
  let emulator: TestEmulator;
  let base: string;
  let stack: Stack | undefined;
  const org = `import-hybrid-${process.pid}`;
  const runtime = "team-runtime";

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, accounts: [accountC] });
    base = await mkdtemp(join(tmpdir(), "pulumi-import-hybrid-"));
    await installHybridRuntime(emulator, runtime, org, accountC);
    // Git connected as `cf integration git add` / `register` connect it after the Helm install.
    const client = apiClientFor(emulator.url, accountC.apiKey);
    await client.addGitIntegration(runtime, { name: "default", provider: "GITHUB", apiUrl: gitea.apiUrl });
    await client.registerToGitIntegration(runtime, { name: "default", token: gitea.adminToken });
    await client.createGitSource(runtime, {
      appName: "payments",
      appSpecifier: `${gitea.url}/${org}/apps.git/payments`,
      destServer: "https://kubernetes.default.svc",
      labels: { team: "payments" },
    });
  });
  afterAll(async () => {
    await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
    await emulator?.dispose();
  });

  test("reads the runtime with a Runtime, adopts its git connection and git source with zero writes, and destroy leaves the runtime", async () => {
    const env = { CODEFRESH_API_URL: emulator.url, CODEFRESH_API_KEY: accountC.apiKey };
    const result = await runImport(["--out", join(base, "program")], env);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/1 Runtime, 1 SharedConfigRepo, 1 GitSource adopted/);
    const program = await readFile(join(base, "program", "index.ts"), "utf8");
    expect(program).toMatch(/new codefresh\.Runtime\(/);
    expect(program).not.toContain("HostedRuntime(");
    stack = await openImported(join(base, "program"), join(base, "state"), "imported", env);
    emulator.resetCounters();
    const up = await stack.up();
    // The three, and the stack itself.
    expect(up.summary.resourceChanges).toEqual({ create: 4 });
    expect(emulator.counters().writes).toBe(0);
    expect((await stack.preview()).changeSummary).toEqual({ same: 4 });
    const index = join(base, "program", "index.ts");
    await writeFile(index, program.replace("{ protect: true }", "{ protect: false }"));
    await stack.up();
    expect((await stack.destroy()).summary.result).toBe("succeeded");
    const client = apiClientFor(emulator.url, accountC.apiKey);
    expect((await client.listRuntimes()).map((r) => r.name)).toEqual([runtime]);
    expect(await client.getGitSource(runtime, "payments", { maxAgeMs: 0 })).toBeUndefined();
  });
});
