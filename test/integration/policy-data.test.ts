// The policy pack judges real data at preview: the cluster's Kubernetes version (read from the cluster),
// the repo's size (from the git provider's API), a Config Management Plugin against the account's plan,
// and a runtime without a cluster — each named before any write; values unknown at preview are
// reported as unknown.
import { join } from "node:path";
import { git } from "pulumi-codefresh";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, testEmulator, TestEmulator } from "../harness/emulator";
import { repoRoot, testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const packDir = join(repoRoot, "policies");

describe("policies on the resources' data", () => {
  let emulator: TestEmulator;
  let oldCluster: ClusterProxy;
  let program: TestProgram;
  let configFile: string;
  const org = `policy-data-${process.pid}`;

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    // A Shared Configuration Repo over 1 MB (the limit configured below), and a small one.
    const client = git.createGitClient({ provider: "GITHUB", apiUrl: gitea.apiUrl, token: gitea.adminToken, caBundle: gitea.caCert });
    const big = git.parseRepoUrl(`${gitea.url}/${org}/big-isc.git`);
    await client.createRepo(big);
    const { randomBytes } = await import("node:crypto");
    await client.putFiles(big, [{ path: "blob.txt", content: randomBytes(1_200_000).toString("base64") }], "a large file");
    await client.createRepo(git.parseRepoUrl(`${gitea.url}/${org}/small-isc.git`));
    for (let i = 0; i < 100 && ((await client.getRepo(big))?.sizeBytes ?? 0) < 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 100));

    emulator = await testEmulator({ accounts: [accountA] });
    oldCluster = await startClusterProxy(sharedCluster(), { reportVersion: "v1.17.4" });
    const admin = sharedCluster();
    program = await testProgram("policy-data", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      "codefresh:accountPlan": "PRO",
      "codefresh:gitCaBundle": gitea.caCert,
      gitUrl: gitea.url,
      gitApiUrl: gitea.apiUrl,
      gitOrg: org,
      gitToken: { value: gitea.adminToken, secret: true },
      iscRepo: "big-isc",
      plugin: "kustomize-envsubst",
      clusterRuntime: "another-runtime",
      kubeconfig: { value: kubeconfigFor(oldCluster.server, admin.caCert, admin.adminToken), secret: true },
    });
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    configFile = join(await mkdtemp(join(tmpdir(), "policy-data-")), "config.json");
    await writeFile(configFile, JSON.stringify({ "repo-size-limit": { maxSizeMb: 1 } }));
  });

  afterAll(async () => {
    await program?.dispose();
    await oldCluster?.stop();
    await emulator?.dispose();
  });

  test("each violation is named at preview, before any write", async () => {
    emulator.resetCounters();
    let output = "";
    const failure = await program.stack
      .preview({ policyPacks: [packDir], policyPackConfigs: [configFile], onOutput: (t) => (output += t) })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(output).toMatch(/\[mandatory\]\s+kubernetes-minimum-version[\s\S]*runs Kubernetes v1\.17\.4/);
    expect(output).toMatch(/\[mandatory\]\s+repo-size-limit[\s\S]*isc: the repo is 1\.\d MB, over the 1 MB limit/);
    expect(output).toMatch(
      /\[mandatory\]\s+cmp-enterprise-only[\s\S]*uses Config Management Plugin "kustomize-envsubst", which Codefresh offers on Enterprise only \(plan: PRO\)/,
    );
    expect(output).toMatch(/\[advisory\]\s+runtime-has-cluster[\s\S]*hosted runtime "codefresh-hosted" has no ManagedCluster/);
    // The git source's repo is another resource's output: its size is reported unknown, not passed.
    expect(output).toMatch(/can't run policy 'repo-size-limit' .* during preview: .*repoSizeBytes/);
    expect(emulator.counters().writes).toBe(0);
  });

  test("the same rules pass on a clean program", async () => {
    const admin = sharedCluster();
    await program.stack.setAllConfig({
      iscRepo: { value: "small-isc" },
      "codefresh:accountPlan": { value: "ENTERPRISE" },
      clusterRuntime: { value: "codefresh-hosted" },
      kubeconfig: { value: kubeconfigFor(admin.server, admin.caCert, admin.adminToken), secret: true },
    });
    let output = "";
    const preview = await program.stack.preview({ policyPacks: [packDir], policyPackConfigs: [configFile], onOutput: (t) => (output += t) });
    expect(preview.changeSummary).toEqual({ create: 5 });
    expect(output).not.toMatch(/\[mandatory\]/);
    expect(output).not.toMatch(/runtime-has-cluster|cmp-enterprise-only|kubernetes-minimum-version/);
  });
});
