// The resources under a flaky Codefresh: 20% of calls answered 429/5xx or dropped after being applied.
// `pulumi up` still converges, with no duplicate object; and a second hosted runtime is refused.
import { kubeconfigFor, startClusterProxy, ClusterProxy } from "pulumi-codefresh-emulator";
import { cluster } from "pulumi-codefresh";
import { accountA, apiClientFor, testEmulator, TestEmulator } from "../harness/emulator";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const gitSources = [
  { name: "flaky-a", path: "a" },
  { name: "flaky-b", path: "b" },
];

function stackConfig(emulator: TestEmulator, org: string, proxy: ClusterProxy, serviceAccount: string) {
  const admin = sharedCluster();
  return codefreshStackConfig({
    apiUrl: emulator.url,
    org,
    gitSources,
    clusters: [{ name: "flaky", kubeconfig: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), serviceAccountName: serviceAccount }],
  });
}

describe("resources under injected faults", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  let proxy: ClusterProxy;
  const org = `faults-${process.pid}`;
  const serviceAccount = `argocd-manager-faults-${process.pid}`;

  beforeAll(async () => {
    await sharedGitServer().createOrg(org);
    emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, installDelayMs: 500, faultSeed: 7 });
    proxy = await startClusterProxy(sharedCluster());
    program = await testProgram("codefresh-stack", stackConfig(emulator, org, proxy, serviceAccount));
  });

  afterAll(async () => {
    await program?.stack.destroy().catch(() => undefined);
    await program?.dispose();
    await proxy?.stop();
    await emulator?.dispose();
  });

  test("up converges with 20% of calls failing, and creates each object once", async () => {
    await emulator.admin("PUT", "faults", {
      seed: 7,
      rules: [
        { kind: "429", rate: 0.08, retryAfterSeconds: 0 },
        { kind: "503", rate: 0.04, retryAfterSeconds: 0 },
        { kind: "502", rate: 0.03 },
        { kind: "drop", rate: 0.05 },
      ],
    });
    const up = await program.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const { injected } = await emulator.admin<{ injected: Record<string, number> }>("GET", "faults");
    const total = Object.values(injected).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(3);
    await emulator.admin("DELETE", "faults");

    const state = await emulator.admin<{ accounts: { runtimes: unknown[]; gitSources: { name: string }[]; clusters: { name: string; status: string }[] }[] }>(
      "GET",
      "state",
    );
    const account = state.accounts.find((a) => a.gitSources.length > 0)!;
    expect(account.runtimes).toHaveLength(1);
    expect(account.gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", "flaky-a", "flaky-b"]);
    expect(account.clusters.map((c) => [c.name, c.status])).toEqual([["flaky", "Successful"]]);
    console.log(`[faults] injected ${total} faults (${JSON.stringify(injected)}); up converged`);

    const preview = await program.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 6 });
  });

  test("a second hosted runtime in the account is refused, naming the existing one and how to adopt it", async () => {
    const second = await testProgram("codefresh-stack", stackConfig(emulator, org, proxy, `${serviceAccount}-2`));
    try {
      const error = await second.stack.up().catch((e: unknown) => e);
      expect(String(error)).toMatch(/already has a hosted runtime \("codefresh-hosted"\) that this stack does not manage/);
      expect(String(error)).toMatch(/set `adopt: true` on this HostedRuntime/);
    } finally {
      await second.stack.destroy().catch(() => undefined);
      await second.dispose();
    }
  });

  test("a git source someone else made is refused by name, and taken over once with adopt: true", async () => {
    const api = apiClientFor(emulator.url, accountA.apiKey);
    const repo = `${sharedGitServer().url}/${org}/codefresh-apps.git`;
    await api.createGitSource("codefresh-hosted", { appName: "made-by-hand", appSpecifier: `${repo}/by-hand`, destServer: "https://kubernetes.default.svc" });
    const pathsOf = async (name: string) => (await api.listGitSources("codefresh-hosted")).filter((s) => s.name === name).map((s) => s.path);
    const declare = (extra: object) => program.stack.setConfig("gitSources", { value: JSON.stringify([...gitSources, extra]) });

    await declare({ name: "made-by-hand", path: "c" });
    const refused = await program.stack.up().catch((e: unknown) => e);
    expect(String(refused)).toMatch(
      /the git source "made-by-hand" in runtime "codefresh-hosted" already exists and no stack manages it \(it was made in the Codefresh UI, with `cf`, or by Codefresh as the default git source\); set `adopt: true`/,
    );
    expect(await pathsOf("made-by-hand")).toEqual(["by-hand"]); // untouched

    await declare({ name: "made-by-hand", path: "c", adopt: true });
    const up = await program.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
    expect(await pathsOf("made-by-hand")).toEqual(["c"]); // still one, now this stack's
  });

  test("delete removes what this stack made, even through faults", async () => {
    await emulator.admin("PUT", "faults", { seed: 3, rules: [{ kind: "503", rate: 0.15, retryAfterSeconds: 0 }] });
    const destroy = await program.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    await emulator.admin("DELETE", "faults");
    const left = await cluster.readManagerAccount(cluster.resolveKubeconfig({ kubeconfig: sharedCluster().kubeconfig }), {
      serviceAccountName: serviceAccount,
    });
    expect(left.serviceAccountExists).toBe(false);
  });
});
