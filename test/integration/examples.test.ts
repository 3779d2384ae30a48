// The examples users copy: each type-checks, and those that need only Codefresh, git and Kubernetes
// run up / preview / destroy against the emulator, Gitea and the local API server.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, connectGitInUi, installHybridRuntime, testEmulator, TestEmulator } from "../harness/emulator";
import { repoRoot, testProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const run = promisify(execFile);

type State = {
  accounts: { runtimes: { name: string }[]; gitSources: { name: string }[]; clusters: { name: string; status: string; labels: Record<string, string> }[] }[];
};

describe("examples", () => {
  test.each(["quickstart", "multi-cluster", "adopt-existing", "github-repos", "with-pulumi-kubernetes", "hybrid-runtime", "hybrid-runtime-helm", "guestbook"])(
    "%s type-checks (tsc --noEmit)",
    async (name) => {
      const tsc = require.resolve("typescript/bin/tsc");
      await expect(run(process.execPath, [tsc, "-p", join(repoRoot, "examples", name), "--noEmit"])).resolves.toBeDefined();
    },
  );

  test("every example has a Pulumi.yaml, a README and a program (a Pulumi YAML project's is its Pulumi.yaml)", async () => {
    for (const name of await readdir(join(repoRoot, "examples"))) {
      const files = await readdir(join(repoRoot, "examples", name));
      const yaml = /^runtime:\s*yaml\s*$/m.test(await readFile(join(repoRoot, "examples", name, "Pulumi.yaml"), "utf8"));
      expect(files).toEqual(expect.arrayContaining(["Pulumi.yaml", "README.md", ...(yaml ? [] : ["index.ts"])]));
    }
  });
});

describe("examples end to end", () => {
  let emulator: TestEmulator;
  let proxies: ClusterProxy[] = [];
  let kubeDir: string;
  const gitea = () => sharedGitServer();

  beforeAll(async () => {
    emulator = await testEmulator({ gitCaBundle: gitea().caCert, accounts: [accountA] });
    kubeDir = await mkdtemp(join(tmpdir(), "example-kubeconfigs-"));
    const admin = sharedCluster();
    proxies = [await startClusterProxy(admin), await startClusterProxy(admin)];
    for (const [i, proxy] of proxies.entries()) {
      await writeFile(join(kubeDir, `cluster-${i}.yaml`), kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), { mode: 0o600 });
    }
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.stop();
    await emulator?.dispose();
    await rm(kubeDir, { recursive: true, force: true });
  });

  const state = async () => (await emulator.admin<State>("GET", "state")).accounts[0];

  test("quickstart: up, no-change preview, destroy", async () => {
    const org = `quickstart-${process.pid}`;
    await gitea().createOrg(org);
    const admin = sharedCluster();
    const program = await testProgram("examples/quickstart", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      gitUrl: gitea().url,
      gitApiUrl: gitea().apiUrl,
      gitOrg: org,
      githubToken: { value: gitea().adminToken, secret: true },
      kubeconfig: { value: kubeconfigFor(proxies[0].server, admin.caCert, admin.adminToken), secret: true },
      protect: "false",
    });
    try {
      const up = await program.stack.up();
      expect(up.outputs.runtimeStatus.value).toBe("COMPLETED");
      expect(up.outputs.clusterStatus.value).toBe("Successful");
      expect(up.outputs.gitSource.value).toBe(`${gitea().url}/${org}/codefresh-apps.git/apps`);
      expect((await program.stack.preview()).changeSummary).toEqual({ same: 5 });
      await program.stack.destroy();
      expect((await state()).runtimes).toEqual([]);
    } finally {
      await program.dispose();
    }
  });

  test("hybrid-runtime: the git sources and a cluster of an existing hybrid runtime; destroy leaves the runtime", async () => {
    const org = `hybrid-example-${process.pid}`;
    await gitea().createOrg(org);
    await installHybridRuntime(emulator, "production", org);
    const program = await testProgram("examples/hybrid-runtime", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      runtime: "production",
      sharedConfigRepo: `${gitea().url}/${org}/codefresh-isc.git`,
      gitApiUrl: gitea().apiUrl,
      gitToken: { value: gitea().adminToken, secret: true },
      appsRepo: `${gitea().url}/${org}/apps.git`,
      clusters: JSON.stringify([{ name: "prod-eu", kubeconfigPath: join(kubeDir, "cluster-0.yaml"), serviceAccountName: `argocd-hybrid-${process.pid}` }]),
    });
    try {
      const up = await program.stack.up();
      expect(up.outputs.runtimeKind.value).toBe("hybrid");
      expect(up.outputs.gitSources.value).toEqual([`apps: ${gitea().url}/${org}/apps.git/apps`]);
      expect(up.outputs.connections.value).toEqual(["prod-eu: Successful"]);
      expect((await program.stack.preview()).changeSummary).toEqual({ same: 5 });
      await program.stack.destroy();
      const after = await state();
      expect(after.runtimes.map((r) => r.name)).toContain("production");
      expect(after.gitSources).toEqual([]);
      expect(after.clusters).toEqual([]);
      await emulator.graphql(accountA.apiKey, 'mutation { deleteRuntime(name: "production") }');
    } finally {
      await program.dispose();
    }
  });

  test("adopt-existing and multi-cluster: take over a UI set-up, then add and remove clusters", async () => {
    const org = `adopt-${process.pid}`;
    await gitea().createOrg(org);
    // What a user did by hand in the Codefresh UI.
    await emulator.admin("POST", "ui/hosted-runtime", { account: accountA.name });
    await new Promise((r) => setTimeout(r, 100));
    await connectGitInUi(emulator, org);

    const adopt = await testProgram("examples/adopt-existing", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      gitApiUrl: gitea().apiUrl,
      sharedConfigRepo: `${gitea().url}/${org}/codefresh-isc.git`,
      gitSourceRepo: `${gitea().url}/${org}/codefresh-apps.git`,
      gitToken: { value: gitea().adminToken, secret: true },
      protect: "false",
    });
    const clusters = await testProgram("examples/multi-cluster", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
      clusters: JSON.stringify([
        { name: "prod-eu", kubeconfigPath: join(kubeDir, "cluster-0.yaml"), serviceAccountName: `argocd-eu-${process.pid}`, labels: { region: "eu" } },
        {
          name: "prod-us",
          kubeconfigPath: join(kubeDir, "cluster-1.yaml"),
          serviceAccountName: `argocd-us-${process.pid}`,
          annotations: { owner: "platform" },
        },
      ]),
    });
    try {
      const adopted = await adopt.stack.up();
      expect(adopted.summary.resourceChanges).toMatchObject({ create: 4 });
      expect(adopted.outputs.gitSourceFromCodefresh.value).toBe("default-git-source");
      expect((await adopt.stack.preview()).changeSummary).toEqual({ same: 4 });
      expect((await state()).gitSources.map((s) => s.name)).toEqual(["default-git-source"]);

      const up = await clusters.stack.up();
      expect(up.outputs.connections.value).toEqual([
        expect.stringMatching(/^prod-eu https:\/\/127\.0\.0\.1:\d+ Successful \(Kubernetes v1\.\d+/),
        expect.stringMatching(/^prod-us https:\/\/127\.0\.0\.1:\d+ Successful/),
      ]);
      expect((await state()).clusters.find((c) => c.name === "prod-eu")?.labels).toEqual({ "managed-by": "pulumi", region: "eu" });

      // Remove one cluster from config: it is disconnected, the other stays.
      await clusters.stack.setConfig("clusters", {
        value: JSON.stringify([
          {
            name: "prod-us",
            kubeconfigPath: join(kubeDir, "cluster-1.yaml"),
            serviceAccountName: `argocd-us-${process.pid}`,
            annotations: { owner: "platform" },
          },
        ]),
      });
      const removed = await clusters.stack.up();
      expect(removed.summary.resourceChanges).toMatchObject({ delete: 1 });
      expect((await state()).clusters.map((c) => c.name)).toEqual(["prod-us"]);

      await clusters.stack.destroy();
      expect((await state()).clusters).toEqual([]);
      expect((await state()).runtimes).toHaveLength(1); // retainOnDelete: the runtime belongs to the other stack
      await adopt.stack.destroy();
    } finally {
      await clusters.dispose();
      await adopt.dispose();
    }
  });
});
