// Existing stacks keep working (issue 18): a stack written by pulumi-codefresh 0.1 is imported as it was
// written (test/fixtures/checkpoint-0.1, rendered with this run's servers) and this code must refresh it,
// see no changes, and destroy it leaving nothing behind. Its resources hold the providers 0.1 serialized,
// `require("pulumi-codefresh/dist/resources/shims/<type>.js")`: those module paths must keep loading.
//
// The Codefresh, git and cluster objects the checkpoint names are first made in this run's servers by an
// `up` of the same program, same config, same stack name (so claims and owners name the same URNs); the
// imported checkpoint then replaces that stack's state.
//
// PULUMI_CODEFRESH_WRITE_CHECKPOINT=test/fixtures/checkpoint-0.1 writes the fixture from that `up`
// instead of reading it (then runs the rest against what it wrote): see that directory's README.md.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { realpathSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { cluster } from "pulumi-codefresh";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { Json, placeholders, render, secretSig, toTemplate } from "../harness/checkpoint";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { accountA, testEmulator, TestEmulator } from "../harness/emulator";
import { repoRoot, testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const fixtureDir = join(repoRoot, "test", "fixtures", "checkpoint-0.1");
const writeTo = process.env.PULUMI_CODEFRESH_WRITE_CHECKPOINT;
const stackName = "checkpoint";
const serviceAccountName = "argocd-manager-checkpoint";
const org = `checkpoint-org-${process.pid}`;
const ourTypes = ["GitSource", "HostedRuntime", "ManagedCluster", "SharedConfigRepo"];
const shimFile: Record<string, string> = {
  GitSource: "git-source",
  HostedRuntime: "hosted-runtime",
  ManagedCluster: "managed-cluster",
  SharedConfigRepo: "shared-config-repo",
};

interface EmulatorState {
  accounts: { runtimes: { name: string }[]; gitSources: { name: string }[]; clusters: { name: string; server: string }[] }[];
}

describe("a stack written by pulumi-codefresh 0.1", () => {
  let emulator: TestEmulator;
  let proxy: ClusterProxy;
  let program: TestProgram;
  let kubeconfig: string;
  let destroyed = false;
  /** The "cluster" the checkpoint's ManagedCluster registered (the proxy in front of the shared API server). */
  const target = () => cluster.resolveKubeconfig({ kubeconfig });
  const account = () => emulator.admin<EmulatorState>("GET", "state").then((s) => s.accounts[0]);

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, accounts: [accountA] });
    const kube = sharedCluster();
    proxy = await startClusterProxy(kube);
    kubeconfig = kubeconfigFor(proxy.server, kube.caCert, kube.adminToken);
    program = await testProgram(
      "codefresh-stack",
      codefreshStackConfig({
        apiUrl: emulator.url,
        org,
        gitSources: [{ name: "team-a", path: "team-a" }],
        clusters: [{ name: "prod", kubeconfig, serviceAccountName, labels: { env: "prod" } }],
        extra: { "codefresh:gitCaBundle": gitea.caCert },
      }),
      { stackName },
    );
    // The package as `npm install` leaves it (not the workspace's symlink), so Pulumi stores each provider
    // as the `require` of its shim module, as in a user's stack.
    await rm(join(program.workDir, "node_modules"));
    execFileSync(process.execPath, [join(repoRoot, "scripts", "install-like-a-user.mjs"), program.workDir]);
  });

  afterAll(async () => {
    // A run that failed before its destroy must not leave the argocd-manager account and claim in the shared cluster.
    if (!destroyed && proxy) {
      await cluster.removeManagerAccount(target(), { serviceAccountName }).catch(() => undefined);
      await cluster
        .releaseRegistrationClaim(
          target(),
          "codefresh-hosted",
          `urn:pulumi:${stackName}::codefresh-stack::pulumi-nodejs:dynamic/codefresh:ManagedCluster::prod`,
        )
        .catch(() => undefined);
    }
    await program?.dispose();
    await proxy?.stop();
    await emulator?.dispose();
  });

  async function stackSalt(): Promise<string> {
    const salt = /^encryptionsalt: (\S+)/m.exec(await readFile(join(program.workDir, `Pulumi.${stackName}.yaml`), "utf8"))?.[1];
    if (!salt) throw new Error(`no encryptionsalt in Pulumi.${stackName}.yaml`);
    return salt;
  }

  /** Everything in the checkpoint that differs between runs, by placeholder name. */
  async function runValues(): Promise<Record<string, string>> {
    const gitea = sharedGitServer();
    const [version, manager] = await Promise.all([cluster.readServerVersion(target()), cluster.readManagerAccount(target(), { serviceAccountName })]);
    return {
      EMULATOR_URL: emulator.url,
      CODEFRESH_API_KEY: accountA.apiKey,
      GIT_URL: gitea.url,
      GIT_API_URL: gitea.apiUrl,
      GIT_ORG: org,
      GIT_TOKEN: gitea.adminToken,
      GIT_CA_BUNDLE: gitea.caCert,
      CLUSTER_SERVER: proxy.server,
      KUBECONFIG: kubeconfig,
      KUBE_ADMIN_TOKEN: sharedCluster().adminToken,
      // The kubeconfig also sits, escaped once more, in the program's `clusters` config (the default provider's inputs).
      KUBE_CA_DATA: Buffer.from(sharedCluster().caCert).toString("base64"),
      KUBERNETES_VERSION: version.gitVersion,
      // The argocd-manager token is made anew in each run's cluster; state keeps its hash.
      SA_TOKEN_HASH: manager.tokenHash ?? "",
      // The stack's secrets provider (passphrase) state: its config file's salt, as in any stack.
      SECRETS_SALT: await stackSalt(),
      // Source positions in state are relative to the program's directory.
      REPO_FROM_PROGRAM: relative(realpathSync(program.workDir), repoRoot),
    };
  }

  test("up makes the objects the checkpoint names in this run's servers", async () => {
    const up = await program.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const { gitSources, clusters } = await account();
    expect(gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", "team-a"]);
    expect(clusters.map((c) => c.name)).toEqual(["prod"]);
  });

  if (writeTo) {
    test(`writes the checkpoint template to ${writeTo}`, async () => {
      const values = await runValues();
      const template = toTemplate((await program.stack.exportStack()) as unknown as Json, values);
      const text = `${JSON.stringify(template, null, 2)}\n`;
      // No run-specific value, and no secret in any form, may be left in what is committed.
      for (const value of Object.values(values)) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(JSON.stringify(value).slice(1, -1));
        expect(text).not.toContain(Buffer.from(value).toString("base64"));
      }
      expect(text).not.toContain(program.workDir);
      expect(text).not.toMatch(/BEGIN CERTIFICATE|LS0tLS1CRUdJTi/);
      const dir = resolve(repoRoot, writeTo);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "checkpoint.json"), text);
      const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
      console.log(`wrote ${join(dir, "checkpoint.json")} at ${commit}; placeholders: ${placeholders(template).join(", ")}`);
    });
  }

  test("the checkpoint imports, with its secrets given as plaintext, and keeps 0.1's provider modules", async () => {
    const template = JSON.parse(await readFile(join(writeTo ? resolve(repoRoot, writeTo) : fixtureDir, "checkpoint.json"), "utf8")) as Json;
    const values = await runValues();
    expect(Object.keys(values)).toEqual(expect.arrayContaining(placeholders(template)));
    await program.stack.importStack(render(template, values) as never);

    const { raw, resources } = await program.readState();
    const ours = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/codefresh:"));
    expect(ours.map((r) => `${r.type.split(":").pop()}::${r.urn.split("::").pop()}`).sort()).toEqual([
      "GitSource::team-a",
      "HostedRuntime::hosted",
      "ManagedCluster::prod",
      "SharedConfigRepo::isc",
    ]);
    for (const resource of ours) {
      const type = resource.type.split(":").pop() as string;
      expect(ourTypes).toContain(type);
      expect(resource.outputs?.__provider).toContain(`require("pulumi-codefresh/dist/resources/shims/${shimFile[type]}.js")`);
    }
    // `pulumi stack import` encrypted every plaintext secret with the stack's secrets provider.
    const latest = (JSON.parse(raw) as { checkpoint: { latest: { secrets_providers: { state: { salt: string } } } } }).checkpoint.latest;
    expect(latest.secrets_providers.state.salt).toBe(await stackSalt());
    expect(raw).not.toContain('"plaintext"');
    expect(raw).toContain(secretSig);
    for (const secret of [values.KUBECONFIG, values.GIT_TOKEN, values.CODEFRESH_API_KEY, values.KUBE_ADMIN_TOKEN]) {
      expect(raw).not.toContain(secret);
      expect(raw).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
  });

  test("refresh succeeds, and a preview then shows every resource the same", async () => {
    const refresh = await program.stack.refresh();
    expect(refresh.summary.result).toBe("succeeded");
    const preview = await program.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 5 });
  });

  test("destroy succeeds and leaves no git source, no cluster and no argocd-manager account", async () => {
    const destroy = await program.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect((await program.readState()).resources).toEqual([]);
    await emulator.admin("POST", "clock", { advanceMs: 10 * 60_000 });
    const left = await account();
    expect(left.runtimes).toEqual([]);
    expect(left.gitSources).toEqual([]);
    expect(left.clusters).toEqual([]);
    expect(await cluster.readManagerAccount(target(), { serviceAccountName })).toMatchObject({
      serviceAccountExists: false,
      clusterRoleBindingExists: false,
      tokenHash: undefined,
    });
    expect((await cluster.readRegistrationClaim(target(), "codefresh-hosted")).holder).toBeUndefined();
    destroyed = true;
  });
});
