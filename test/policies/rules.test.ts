// Each rule: a known-good resource passes; each single-field change that breaks the rule fails with
// the expected message; unknown values are reported as unknown, never passed silently.
import { GitSource, HostedRuntime, ManagedCluster, Runtime, SharedConfigRepo } from "pulumi-codefresh";
import { rules } from "../../policies/registry";
import { unknown, validateResource, validateStack } from "./harness";

const {
  cmpEnterpriseOnly,
  crdCapacity,
  gitProviderSupport,
  hostedGitProvider,
  kubernetesVersion,
  publicCluster,
  repoSize,
  runtimeHasCluster,
  singleHostedRuntime,
  tlsVerification,
} = rules;
const types = {
  HostedRuntime: HostedRuntime.__pulumiType,
  Runtime: Runtime.__pulumiType,
  SharedConfigRepo: SharedConfigRepo.__pulumiType,
  GitSource: GitSource.__pulumiType,
  ManagedCluster: ManagedCluster.__pulumiType,
};

const goodCluster = {
  runtime: "codefresh-hosted",
  name: "prod",
  server: "https://prod.k8s.example.com:6443",
  kubernetesVersion: "v1.30.2",
  insecureSkipTlsVerify: false,
  crdCount: 40,
};
const goodRepo = { runtime: "codefresh-hosted", gitProvider: "GITHUB", repoUrl: "https://github.com/acme/isc.git", repoSizeBytes: 5 * 1024 * 1024 };
const goodSource = { runtime: "codefresh-hosted", name: "apps", repoUrl: "https://github.com/acme/apps.git", repoSizeBytes: 1024 };

describe("single-hosted-runtime", () => {
  test("should pass with one runtime", () => {
    expect(
      validateStack(singleHostedRuntime, [
        { type: types.HostedRuntime, name: "a" },
        { type: types.ManagedCluster, name: "c" },
      ]).violations,
    ).toEqual([]);
  });
  test("should fail with two, naming both URNs", () => {
    const { violations } = validateStack(singleHostedRuntime, [
      { type: types.HostedRuntime, name: "a" },
      { type: types.HostedRuntime, name: "b" },
    ]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/2 HostedRuntime resources .* one hosted runtime per account/);
    expect(violations[0]).toContain(`urn:pulumi:test::project::${types.HostedRuntime}::a`);
    expect(violations[0]).toContain(`urn:pulumi:test::project::${types.HostedRuntime}::b`);
  });
});

describe("kubernetes-minimum-version", () => {
  test("should pass on 1.30", () => {
    expect(validateResource(kubernetesVersion, types.ManagedCluster, goodCluster).violations).toEqual([]);
  });
  test.each(["v1.17.4", "1.17", "v1.9.0"])("should fail on %s", (version) => {
    expect(validateResource(kubernetesVersion, types.ManagedCluster, { ...goodCluster, kubernetesVersion: version }).violations).toEqual([
      `cluster "subject" runs Kubernetes ${version}; Codefresh managed clusters need 1.18 or newer: upgrade it first`,
    ]);
  });
  test("should honour a configured minimum", () => {
    expect(validateResource(kubernetesVersion, types.ManagedCluster, goodCluster, { minimumVersion: "1.31" }).violations).toHaveLength(1);
  });
  test("should report an unknown version as unknown", () => {
    expect(validateResource(kubernetesVersion, types.ManagedCluster, { ...goodCluster, kubernetesVersion: unknown }).unknown).toMatch(/kubernetesVersion/);
  });
  test("should ignore other types", () => {
    expect(validateResource(kubernetesVersion, types.GitSource, { kubernetesVersion: "v1.2.0" }).violations).toEqual([]);
  });
});

/**
 * A stack of one resource and the runtime it names: the hosted one (a HostedRuntime, or a Runtime that read a
 * hosted runtime), a hybrid one (a Runtime), or none declared. Hosted-only rules learn the kind from it.
 */
type Runtimes = "HostedRuntime" | "Runtime:hosted" | "Runtime:hybrid" | "none";
function onRuntime(runtime: Runtimes, type: string, props: Record<string, unknown>) {
  const name = String(props.runtime);
  const declared =
    runtime === "HostedRuntime"
      ? [{ type: types.HostedRuntime, name: "hosted", props: { name } }]
      : runtime === "none"
        ? []
        : [{ type: types.Runtime, name: "rt", props: { name, kind: runtime.slice("Runtime:".length) } }];
  return [...declared, { type, name: "subject", props }];
}
const hostedStacks: Runtimes[] = ["HostedRuntime", "Runtime:hosted"];

describe("hosted-git-provider", () => {
  test.each(hostedStacks)("should pass on GITHUB, BITBUCKET and GERRIT (%s)", (runtime) => {
    for (const gitProvider of ["GITHUB", "BITBUCKET", "GERRIT"]) {
      expect(validateStack(hostedGitProvider, onRuntime(runtime, types.SharedConfigRepo, { ...goodRepo, gitProvider })).violations).toEqual([]);
    }
  });
  test.each(["GITLAB", "BITBUCKET_SERVER", "AZURE_DEVOPS"])("should fail on %s for a hosted runtime", (gitProvider) => {
    for (const runtime of hostedStacks) {
      expect(validateStack(hostedGitProvider, onRuntime(runtime, types.SharedConfigRepo, { ...goodRepo, gitProvider })).violations).toEqual([
        `subject: ${gitProvider} is not a hosted-runtime git provider; use GITHUB, BITBUCKET (Bitbucket Cloud) or GERRIT`,
      ]);
    }
  });
  test("should not judge a hybrid runtime's repo, nor one whose runtime the stack does not declare", () => {
    for (const runtime of ["Runtime:hybrid", "none"] as const) {
      expect(validateStack(hostedGitProvider, onRuntime(runtime, types.SharedConfigRepo, { ...goodRepo, gitProvider: "GITLAB" })).violations).toEqual([]);
    }
  });
  test("should report an unknown provider as unknown", () => {
    expect(validateStack(hostedGitProvider, onRuntime("HostedRuntime", types.SharedConfigRepo, { ...goodRepo, gitProvider: unknown })).unknown).toMatch(
      /gitProvider/,
    );
  });
  test("should report a runtime kind unknown at preview as unknown", () => {
    const stack = [
      { type: types.Runtime, name: "rt", props: { name: "codefresh-hosted", kind: unknown } },
      { type: types.SharedConfigRepo, name: "isc", props: goodRepo },
    ];
    expect(validateStack(hostedGitProvider, stack).unknown).toMatch(/kind/);
  });
});

describe("repo-size-limit", () => {
  test("should pass under 100 MB, and when the size is not given", () => {
    expect(validateStack(repoSize, onRuntime("HostedRuntime", types.SharedConfigRepo, goodRepo)).violations).toEqual([]);
    expect(validateStack(repoSize, onRuntime("HostedRuntime", types.GitSource, { ...goodSource, repoSizeBytes: undefined })).violations).toEqual([]);
  });
  test("should fail over 100 MB on a hosted runtime, with both sizes", () => {
    expect(validateStack(repoSize, onRuntime("Runtime:hosted", types.GitSource, { ...goodSource, repoSizeBytes: 150 * 1024 * 1024 })).violations).toEqual([
      "subject: the repo is 150.0 MB, over the 100 MB limit; move large files out (Git LFS or an artifact store)",
    ]);
  });
  test("should not judge a hybrid runtime's repos", () => {
    expect(validateStack(repoSize, onRuntime("Runtime:hybrid", types.GitSource, { ...goodSource, repoSizeBytes: 150 * 1024 * 1024 })).violations).toEqual([]);
  });
  test("should honour a configured limit", () => {
    expect(validateStack(repoSize, onRuntime("HostedRuntime", types.SharedConfigRepo, goodRepo), { maxSizeMb: 1 }).violations[0]).toMatch(
      /5\.0 MB, over the 1 MB limit/,
    );
  });
  test("should report an unknown size as unknown, after judging the other resources", () => {
    const stack = [
      ...onRuntime("HostedRuntime", types.GitSource, { ...goodSource, repoSizeBytes: unknown }),
      { type: types.SharedConfigRepo, name: "isc", props: { ...goodRepo, repoSizeBytes: 150 * 1024 * 1024 } },
    ];
    const outcome = validateStack(repoSize, stack);
    expect(outcome.unknown).toMatch(/repoSizeBytes/);
    expect(outcome.violations).toEqual([expect.stringMatching(/^isc: the repo is 150\.0 MB/)]);
  });
});

describe("public-cluster-endpoint", () => {
  const judge = (server: unknown, config: Record<string, unknown> = {}, runtime: Runtimes = "HostedRuntime") =>
    validateStack(publicCluster, onRuntime(runtime, types.ManagedCluster, { ...goodCluster, server }), config);
  test("should pass on a public name or address", () => {
    expect(judge(goodCluster.server).violations).toEqual([]);
    expect(judge("https://34.200.163.76").violations).toEqual([]);
  });
  test.each([
    ["https://127.0.0.1:6443", "a loopback address"],
    ["https://localhost:6443", "a loopback name"],
    ["https://10.1.2.3", "a private (RFC 1918) address"],
    ["https://172.20.0.1", "a private (RFC 1918) address"],
    ["https://192.168.1.10:6443", "a private (RFC 1918) address"],
    ["https://kubernetes.default.svc", "a cluster-internal or local DNS name"],
    ["https://api.prod.cluster.local", "a cluster-internal or local DNS name"],
    ["https://[fd00::1]:6443", "a private (unique local) address"],
    ["https://k8s-api", "a single-label name"],
  ])("should warn on %s for a hosted runtime", (server, reason) => {
    expect(judge(server).violations[0]).toContain(reason);
    expect(judge(server, {}, "Runtime:hosted").violations[0]).toContain(reason);
  });
  test("should not judge a hybrid runtime's clusters (it reaches them from its own network)", () => {
    expect(judge("https://10.1.2.3:6443", {}, "Runtime:hybrid").violations).toEqual([]);
  });
  test("should accept hosts on the allow-list", () => {
    expect(judge("https://10.1.2.3:6443", { allowedHosts: ["10.1.2.3"] }).violations).toEqual([]);
  });
  test("should report an unknown server as unknown", () => {
    expect(judge(unknown).unknown).toMatch(/server/);
  });
});

describe("cmp-enterprise-only", () => {
  const runtime = (accountPlan: string) => ({ type: types.HostedRuntime, name: "hosted", props: { name: "codefresh-hosted", accountPlan } });
  const source = (props: Record<string, unknown>) => ({ type: types.GitSource, name: "apps", props: { ...goodSource, ...props } });
  test("should pass without a plugin, or on Enterprise", () => {
    expect(validateStack(cmpEnterpriseOnly, [runtime(""), source({})]).violations).toEqual([]);
    expect(validateStack(cmpEnterpriseOnly, [runtime("ENTERPRISE"), source({ configManagementPlugin: "kustomize-envsubst" })]).violations).toEqual([]);
  });
  test("should fail with a plugin when the stack's plan is not Enterprise", () => {
    expect(validateStack(cmpEnterpriseOnly, [runtime("PRO"), source({ configManagementPlugin: "kustomize-envsubst" })]).violations).toEqual([
      'git source "apps" uses Config Management Plugin "kustomize-envsubst", which Codefresh offers on Enterprise only (plan: PRO)',
    ]);
  });
  test("should fall back to the rule's plan when the stack does not say", () => {
    expect(validateStack(cmpEnterpriseOnly, [runtime(""), source({ configManagementPlugin: "p" })]).violations[0]).toMatch(/plan: PRO/);
    expect(validateStack(cmpEnterpriseOnly, [runtime(""), source({ configManagementPlugin: "p" })], { plan: "ENTERPRISE" }).violations).toEqual([]);
  });
  test("should report an unknown plugin as unknown", () => {
    expect(validateStack(cmpEnterpriseOnly, [runtime("PRO"), source({ configManagementPlugin: unknown })]).unknown).toMatch(/configManagementPlugin/);
  });
});

describe("runtime-has-cluster", () => {
  const runtime = { type: types.HostedRuntime, name: "hosted", props: { name: "codefresh-hosted" } };
  test("should pass when a cluster targets the runtime", () => {
    expect(validateStack(runtimeHasCluster, [runtime, { type: types.ManagedCluster, name: "c", props: { runtime: "codefresh-hosted" } }]).violations).toEqual(
      [],
    );
  });
  test("should warn when no cluster does", () => {
    expect(validateStack(runtimeHasCluster, [runtime, { type: types.ManagedCluster, name: "c", props: { runtime: "other" } }]).violations).toEqual([
      'hosted runtime "codefresh-hosted" has no ManagedCluster in this stack: its applications have nowhere to deploy',
    ]);
  });
  test("should warn on a Runtime that read a hosted runtime, and not judge a hybrid one (it deploys to its own cluster)", () => {
    const read = (kind: string) => ({ type: types.Runtime, name: "rt", props: { name: "existing", kind } });
    expect(validateStack(runtimeHasCluster, [read("hosted")]).violations).toEqual([
      'hosted runtime "existing" has no ManagedCluster in this stack: its applications have nowhere to deploy',
    ]);
    expect(validateStack(runtimeHasCluster, [read("hybrid")]).violations).toEqual([]);
  });
  test("should report an unknown runtime name as unknown", () => {
    expect(validateStack(runtimeHasCluster, [{ ...runtime, props: { name: unknown } }]).unknown).toMatch(/name/);
  });
});

describe("git-provider-support", () => {
  test("should pass on GitHub", () => {
    expect(validateStack(gitProviderSupport, onRuntime("HostedRuntime", types.SharedConfigRepo, goodRepo)).violations).toEqual([]);
  });
  test.each([
    ["BITBUCKET", "Bitbucket Cloud"],
    ["GERRIT", "Gerrit"],
  ])("should advise on %s for a hosted runtime only", (gitProvider, label) => {
    expect(validateStack(gitProviderSupport, onRuntime("HostedRuntime", types.SharedConfigRepo, { ...goodRepo, gitProvider })).violations[0]).toMatch(
      new RegExp(`${label} with a hosted runtime must be enabled`),
    );
    expect(validateStack(gitProviderSupport, onRuntime("Runtime:hybrid", types.SharedConfigRepo, { ...goodRepo, gitProvider })).violations).toEqual([]);
  });
});

describe("tls-verification", () => {
  test("should pass with verification on", () => {
    expect(validateResource(tlsVerification, types.ManagedCluster, goodCluster).violations).toEqual([]);
  });
  test("should fail when it is skipped", () => {
    expect(validateResource(tlsVerification, types.ManagedCluster, { ...goodCluster, insecureSkipTlsVerify: true }).violations[0]).toMatch(
      /skips TLS verification/,
    );
  });
});

describe("crd-capacity", () => {
  test("should pass with room", () => {
    expect(validateResource(crdCapacity, types.ManagedCluster, goodCluster).violations).toEqual([]);
  });
  test("should warn when the runtime's CRDs would not fit", () => {
    expect(validateResource(crdCapacity, types.ManagedCluster, { ...goodCluster, crdCount: 150 }).violations[0]).toMatch(
      /has 150 CRDs; with the runtime's ~300 that exceeds 400/,
    );
  });
  test("should report an unknown count as unknown", () => {
    expect(validateResource(crdCapacity, types.ManagedCluster, { ...goodCluster, crdCount: unknown }).unknown).toMatch(/crdCount/);
  });
});
