// examples/yaml end to end: a Pulumi YAML program declares the CodefreshGitOps component, served by
// @pulumi/pulumi's component provider host from this repository's package (`pulumi package add`), against an
// existing hybrid runtime of the emulator; up, a no-change preview, destroy. The real CLI, the YAML language host
// built by scripts/tools, Gitea and the kube-apiserver.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, installHybridRuntime, testEmulator, TestEmulator } from "../harness/emulator";
import { repoRoot, testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const run = promisify(execFile);
const org = `yaml-${process.pid}`;
const runtime = "yaml-runtime";

describe("examples/yaml: the component from a Pulumi YAML program", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  let proxy: ClusterProxy;
  let kubeDir: string;

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    await gitea.api("POST", `/orgs/${org}/repos`, { name: "apps", auto_init: true });
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, gitSourceDelayMs: 200, accounts: [accountA] });
    await installHybridRuntime(emulator, runtime, org);
    const admin = sharedCluster();
    proxy = await startClusterProxy(admin);
    kubeDir = await mkdtemp(join(tmpdir(), "yaml-kubeconfig-"));
    await writeFile(join(kubeDir, "staging.yaml"), kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), { mode: 0o600 });
    program = await testProgram("examples/yaml", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      "codefresh:gitCaBundle": gitea.caCert,
      runtimeName: runtime,
      sharedConfigRepoUrl: `${gitea.url}/${org}/codefresh-isc.git`,
      appsRepoUrl: `${gitea.url}/${org}/apps.git`,
      gitApiUrl: gitea.apiUrl,
      gitToken: { value: gitea.adminToken, secret: true },
      kubeconfigPath: join(kubeDir, "staging.yaml"),
      serviceAccountName: `argocd-yaml-${process.pid}`,
    });
    // What `pulumi package add <repo>/sdk` writes. The command itself ends by asking the project's language host to
    // link the package (Link), which pulumi-yaml v1.25.0 (the newest the module proxy serves) does not implement.
    const project = join(program.workDir, "Pulumi.yaml");
    await writeFile(project, `${await readFile(project, "utf8")}packages:\n  pulumi-codefresh: ${join(repoRoot, "sdk")}\n`);
  });

  afterAll(async () => {
    await program?.dispose();
    await proxy?.stop();
    await emulator?.dispose();
    if (kubeDir) await rm(kubeDir, { recursive: true, force: true });
  });

  test("the component's schema, as the component provider host infers it from the package's TypeScript", async () => {
    const { stdout } = await run("pulumi", ["package", "get-schema", join(repoRoot, "sdk")], {
      cwd: program.workDir,
      env: program.cliEnv,
      maxBuffer: 16 << 20,
    });
    const schema = JSON.parse(stdout) as {
      name: string;
      resources: Record<
        string,
        { isComponent?: boolean; inputProperties: Record<string, unknown>; requiredInputs?: string[]; properties: Record<string, unknown> }
      >;
    };
    expect(schema.name).toBe("pulumi-codefresh");
    const component = schema.resources["pulumi-codefresh:index:CodefreshGitOps"];
    expect(component?.isComponent).toBe(true);
    expect(Object.keys(component?.inputProperties ?? {})).toEqual(
      expect.arrayContaining(["runtimeName", "gitProvider", "sharedConfigRepoUrl", "gitToken", "gitSources", "clusters"]),
    );
    expect(component?.requiredInputs?.sort()).toEqual(["gitProvider", "gitToken", "sharedConfigRepoUrl"]);
    expect(Object.keys(component?.properties ?? {})).toEqual(expect.arrayContaining(["runtimeStatus", "gitSourceStatuses", "clusterStatuses", "ipAllowList"]));
  });

  test("up sets up the runtime's repos, two git sources and a cluster; a second preview changes nothing; destroy removes them", async () => {
    const up = await program.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.runtimeKind.value).toBe("hybrid");
    expect(up.outputs.runtimeStatus.value).toBe("COMPLETED");
    expect((up.outputs.gitSources.value as { name: string }[]).map((s) => s.name)).toEqual(["team-a", "team-b"]);
    expect((up.outputs.clusters.value as { name: string; connectionStatus: string }[]).map((c) => [c.name, c.connectionStatus])).toEqual([
      ["staging", "Successful"],
    ]);
    // The stack, the component and its five children.
    expect(up.summary.resourceChanges).toMatchObject({ create: 7 });
    expect((await program.stack.preview()).changeSummary).toEqual({ same: 7 });

    await program.stack.destroy();
    const state = (await emulator.admin<{ accounts: { gitSources: unknown[]; clusters: unknown[] }[] }>("GET", "state")).accounts[0];
    expect(state?.gitSources).toEqual([]);
    expect(state?.clusters).toEqual([]);
  });
});
