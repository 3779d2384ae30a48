// Two resources must never manage one Codefresh object: a cluster is its API server URL in a runtime,
// a git source its name in a runtime. In one program the second claimant fails in preview (or, when
// its identity is known only at apply, before it writes); across stacks, create refuses what another
// stack manages and leaves nothing behind in the cluster. Real CLI, emulator, Gitea and kube-apiserver.
import type { V1ObjectMeta } from "@kubernetes/client-node";
import { cluster } from "pulumi-codefresh";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { accountA, testEmulator, TestEmulator } from "../harness/emulator";
import { testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const org = `own-${process.pid}`;
const tag = `own${process.pid}`;

interface EmulatorState {
  accounts: { gitSources: { name: string; path: string }[]; clusters: { name: string; server: string; status: string }[] }[];
}

/** Every object with our managed-by label in the shared cluster whose name contains `part`, and the claims on `server`. */
async function objectsNamed(part: string, server: string): Promise<string[]> {
  const k8s = await import("@kubernetes/client-node");
  const admin = cluster.resolveKubeconfig({ kubeconfig: sharedCluster().kubeconfig });
  const core = admin.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const rbac = admin.kubeConfig.makeApiClient(k8s.RbacAuthorizationV1Api);
  const leases = admin.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
  const labelSelector = `${cluster.managedByLabel}=${cluster.managedByValue}`;
  const named = (kind: string, items: { metadata?: V1ObjectMeta }[]) =>
    items.map((item) => `${kind}/${item.metadata?.name ?? ""}`).filter((name) => name.includes(part));
  const [accounts, secrets, roles, bindings, claims] = await Promise.all([
    core.listServiceAccountForAllNamespaces({ labelSelector }),
    core.listSecretForAllNamespaces({ labelSelector }),
    rbac.listClusterRole({ labelSelector }),
    rbac.listClusterRoleBinding({ labelSelector }),
    leases.listLeaseForAllNamespaces({ labelSelector }),
  ]);
  return [
    ...named("ServiceAccount", accounts.items),
    ...named("Secret", secrets.items),
    ...named("ClusterRole", roles.items),
    ...named("ClusterRoleBinding", bindings.items),
    ...claims.items
      .filter((l) => l.metadata?.annotations?.["pulumi-codefresh/server"] === server)
      .map((l) => `Lease/${l.metadata?.name ?? ""} ${l.spec?.holderIdentity ?? ""}`),
  ].sort();
}

describe("two resources never manage one Codefresh object", () => {
  let emulator: TestEmulator;
  let proxy: ClusterProxy;
  let kubeconfig: string;
  const programs: TestProgram[] = [];
  const state = () => emulator.admin<EmulatorState>("GET", "state").then((s) => s.accounts[0]);

  async function stack(
    name: string,
    shape: Parameters<typeof codefreshStackConfig>[0]["gitSources"],
    clusters: { name: string; serviceAccountName: string }[],
    extra = {},
  ) {
    const program = await testProgram(
      "codefresh-stack",
      codefreshStackConfig({ apiUrl: emulator.url, org, gitSources: shape, clusters: clusters.map((c) => ({ ...c, kubeconfig })), extra }),
      { stackName: name },
    );
    programs.push(program);
    return program;
  }

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert, installDelayMs: 500, gitSourceDelayMs: 200, accounts: [accountA] });
    const admin = sharedCluster();
    proxy = await startClusterProxy(admin);
    kubeconfig = kubeconfigFor(proxy.server, admin.caCert, admin.adminToken);
  });

  afterAll(async () => {
    for (const program of programs) await program.dispose();
    await proxy?.stop();
    await emulator?.dispose();
  });

  // The engine stops a preview at its first failed check, so each kind of merge has its own program.
  test("in one program, two git sources of one name fail in preview, naming both, and nothing is written", async () => {
    const program = await stack(
      "merge-sources",
      [
        { name: "team-a", path: "a" },
        { name: "team-a-copy", sourceName: "team-a", path: "b" },
      ],
      [],
    );
    emulator.resetCounters();
    const failure = await program.stack.preview().then(
      () => "",
      (error: Error) => error.message,
    );
    // Checks run side by side: either one may be the second.
    expect(failure).toMatch(
      /GitSource resource '(team-a|team-a-copy)': property name value \{team-a\} has a problem: the git source "team-a" in runtime "codefresh-hosted" would be managed by two resources, codefresh:GitSource "(team-a|team-a-copy)" of stack codefresh-stack\/merge-sources and codefresh:GitSource "\1" of this stack; nothing was written\. Codefresh names git sources uniquely in a runtime: give each GitSource its own `name`/,
    );
    expect(failure).toContain('"team-a-copy"');
    expect(emulator.counters().writes).toBe(0);
  });

  test("in one program, two clusters on one API server with their own ServiceAccounts fail in preview, naming both, and nothing is written", async () => {
    const program = await stack(
      "merge-clusters",
      [],
      [
        { name: "east", serviceAccountName: `sa-east-${tag}` },
        { name: "west", serviceAccountName: `sa-west-${tag}` },
      ],
    );
    emulator.resetCounters();
    const failure = await program.stack.preview().then(
      () => "",
      (error: Error) => error.message,
    );
    const server = proxy.server.replace(/[.:/]/g, "\\$&");
    expect(failure).toMatch(
      new RegExp(
        `ManagedCluster resource '(east|west)': property kubeconfig value \\{\\[secret\\]\\} has a problem: the cluster ${server} in runtime "codefresh-hosted" would be managed by two resources, codefresh:ManagedCluster "(east|west)" of stack codefresh-stack/merge-clusters and codefresh:ManagedCluster "\\1" of this stack; nothing was written\\.`,
      ),
    );
    expect(failure).toMatch(/"east"[\s\S]*"west"|"west"[\s\S]*"east"/);
    expect(emulator.counters().writes).toBe(0);
    expect(await objectsNamed(tag, proxy.server)).toEqual([]);
  });

  test("known only at apply, the second git source of one name fails before it writes; the first is whole", async () => {
    const program = await stack(
      "apply",
      [
        { name: "late-a", sourceName: "late", path: "a", nameAtApply: true },
        { name: "late-b", sourceName: "late", path: "b", nameAtApply: true },
      ],
      [],
    );
    const failure = await program.stack.up().then(
      () => "",
      (error: Error) => error.message,
    );
    expect(failure).toMatch(
      /the git source "late" in runtime "codefresh-hosted" would be managed by two resources, codefresh:GitSource "late-[ab]" of stack codefresh-stack\/apply and codefresh:GitSource "late-[ab]" of this stack; nothing was written/,
    );
    const sources = (await state()).gitSources.filter((s) => s.name === "late");
    expect(sources).toHaveLength(1);
    const inState = (await program.readState()).resources.filter((r) => r.type.endsWith(":GitSource"));
    expect(inState).toHaveLength(1);
    expect(inState[0].outputs?.path).toBe(sources[0].path);
    // Clean the runtime for the next test: the hosted runtime and the git source go.
    await program.stack.destroy();
    expect((await state()).gitSources.filter((s) => s.name === "late")).toEqual([]);
  });

  test("across stacks, the second stack's create is refused with the owner's name, the first is unchanged, and the cluster keeps nothing of the second", async () => {
    const first = await stack("one", [{ name: "team-a", path: "a" }], [{ name: "east", serviceAccountName: `sa-one-${tag}` }]);
    expect((await first.stack.up()).summary.result).toBe("succeeded");
    const before = await state();
    const ownedByFirst = await objectsNamed(tag, proxy.server);

    const second = await stack("two", [{ name: "team-a", path: "other" }], [{ name: "east-again", serviceAccountName: `sa-two-${tag}` }], {
      adoptRuntime: "true",
    });
    const failure = await second.stack.up().then(
      () => "",
      (error: Error) => error.message,
    );
    expect(failure).toContain(
      `the git source "team-a" in runtime "codefresh-hosted" is managed by resource "team-a" of stack codefresh-stack.one; nothing was written`,
    );
    expect(failure).toContain(`is managed by codefresh:ManagedCluster "east" of stack codefresh-stack/one`);
    expect(failure).not.toMatch(/git source[^\n]*adopt: true` to manage it here/);

    // The first stack's objects are as they were, and it sees no change.
    const after = await state();
    expect(after.gitSources).toEqual(before.gitSources);
    expect(after.clusters).toEqual(before.clusters);
    expect((await first.stack.preview()).changeSummary).toEqual({ same: 5 });
    // Nothing of the refused cluster is in the target: only the first stack's objects.
    expect(await objectsNamed(tag, proxy.server)).toEqual(ownedByFirst);
    expect(ownedByFirst.filter((o) => o.includes(`sa-two-${tag}`))).toEqual([]);

    // Destroy removes every object the first stack made in the cluster, its claim included.
    await first.stack.destroy();
    expect(await objectsNamed(tag, proxy.server)).toEqual([]);
  });

  test("a cluster renamed with aliases keeps its claim and credentials, and destroy still removes them", async () => {
    const sa = `sa-alias-${tag}`;
    const program = await stack("renamed", [], [{ name: "east", serviceAccountName: sa }]);
    expect((await program.stack.up()).summary.result).toBe("succeeded");
    const made = await objectsNamed(tag, proxy.server);
    expect(made).toContain(
      `Lease/${cluster.claimName("codefresh-hosted", proxy.server)} urn:pulumi:renamed::codefresh-stack::pulumi-nodejs:dynamic/codefresh:ManagedCluster::east`,
    );

    // The same resource under a new name: Pulumi keeps it (no create, no delete), and it keeps what it made.
    await program.stack.setConfig("clusterResource0", { value: "east-renamed" });
    await program.stack.setConfig("clusterAlias0", { value: "east" });
    await program.stack.setConfig("clusterLabels0", { value: JSON.stringify({ env: "prod" }) });
    const up = await program.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(up.summary.resourceChanges?.create).toBeUndefined();
    expect(await objectsNamed(tag, proxy.server)).toEqual(made);

    await program.stack.destroy();
    expect(await objectsNamed(tag, proxy.server)).toEqual([]);
  });

  test("a cluster Codefresh refuses to register leaves nothing in the cluster", async () => {
    const program = await stack("refused", [], [{ name: "flaky", serviceAccountName: `sa-refused-${tag}` }]);
    await emulator.admin("PUT", "faults", { rules: [{ kind: "500", operations: ["addCluster"] }] });
    try {
      const failure = await program.stack.up().then(
        () => "",
        (error: Error) => error.message,
      );
      expect(failure).toMatch(/ManagedCluster flaky \*\*creating failed\*\*/);
    } finally {
      await emulator.admin("DELETE", "faults");
    }
    expect((await state()).clusters).toEqual([]);
    // The ServiceAccount, its token Secret, ClusterRole and binding were made before the registration failed: all gone, and the claim too.
    expect(await objectsNamed(tag, proxy.server)).toEqual([]);
    expect((await program.readState()).resources.filter((r) => r.type.endsWith(":ManagedCluster"))).toEqual([]);
    await program.stack.destroy();
  });
});
