// Each rule: a known-good resource passes; each single-field change that breaks the rule fails with
// the expected message; unknown values are reported as unknown, never passed silently.
import { GitSource, HostedRuntime, ManagedCluster, SharedConfigRepo } from "pulumi-codefresh";
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

describe("hosted-git-provider", () => {
  test("should pass on GITHUB, BITBUCKET and GERRIT", () => {
    for (const gitProvider of ["GITHUB", "BITBUCKET", "GERRIT"]) {
      expect(validateResource(hostedGitProvider, types.SharedConfigRepo, { ...goodRepo, gitProvider }).violations).toEqual([]);
    }
  });
  test.each(["GITLAB", "BITBUCKET_SERVER", "AZURE_DEVOPS"])("should fail on %s", (gitProvider) => {
    expect(validateResource(hostedGitProvider, types.SharedConfigRepo, { ...goodRepo, gitProvider }).violations[0]).toMatch(
      new RegExp(`${gitProvider} is not a hosted-runtime git provider; use GITHUB, BITBUCKET \\(Bitbucket Cloud\\) or GERRIT`),
    );
  });
  test("should report an unknown provider as unknown", () => {
    expect(validateResource(hostedGitProvider, types.SharedConfigRepo, { ...goodRepo, gitProvider: unknown }).unknown).toMatch(/gitProvider/);
  });
});

describe("repo-size-limit", () => {
  test("should pass under 100 MB, and when the size is not given", () => {
    expect(validateResource(repoSize, types.SharedConfigRepo, goodRepo).violations).toEqual([]);
    expect(validateResource(repoSize, types.GitSource, { ...goodSource, repoSizeBytes: undefined }).violations).toEqual([]);
  });
  test("should fail over 100 MB, with both sizes", () => {
    expect(validateResource(repoSize, types.GitSource, { ...goodSource, repoSizeBytes: 150 * 1024 * 1024 }).violations[0]).toMatch(
      /the repo is 150\.0 MB, over the 100 MB limit/,
    );
  });
  test("should honour a configured limit", () => {
    expect(validateResource(repoSize, types.SharedConfigRepo, goodRepo, { maxSizeMb: 1 }).violations[0]).toMatch(/5\.0 MB, over the 1 MB limit/);
  });
  test("should report an unknown size as unknown", () => {
    expect(validateResource(repoSize, types.GitSource, { ...goodSource, repoSizeBytes: unknown }).unknown).toMatch(/repoSizeBytes/);
  });
});

describe("public-cluster-endpoint", () => {
  test("should pass on a public name or address", () => {
    expect(validateResource(publicCluster, types.ManagedCluster, goodCluster).violations).toEqual([]);
    expect(validateResource(publicCluster, types.ManagedCluster, { ...goodCluster, server: "https://34.200.163.76" }).violations).toEqual([]);
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
  ])("should warn on %s", (server, reason) => {
    expect(validateResource(publicCluster, types.ManagedCluster, { ...goodCluster, server }).violations[0]).toContain(reason);
  });
  test("should accept hosts on the allow-list", () => {
    expect(
      validateResource(publicCluster, types.ManagedCluster, { ...goodCluster, server: "https://10.1.2.3:6443" }, { allowedHosts: ["10.1.2.3"] }).violations,
    ).toEqual([]);
  });
  test("should report an unknown server as unknown", () => {
    expect(validateResource(publicCluster, types.ManagedCluster, { ...goodCluster, server: unknown }).unknown).toMatch(/server/);
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
  test("should report an unknown runtime name as unknown", () => {
    expect(validateStack(runtimeHasCluster, [{ ...runtime, props: { name: unknown } }]).unknown).toMatch(/name/);
  });
});

describe("git-provider-support", () => {
  test("should pass on GitHub", () => {
    expect(validateResource(gitProviderSupport, types.SharedConfigRepo, goodRepo).violations).toEqual([]);
  });
  test.each([
    ["BITBUCKET", "Bitbucket Cloud"],
    ["GERRIT", "Gerrit"],
  ])("should advise on %s", (gitProvider, label) => {
    expect(validateResource(gitProviderSupport, types.SharedConfigRepo, { ...goodRepo, gitProvider }).violations[0]).toMatch(
      new RegExp(`${label} with a hosted runtime must be enabled`),
    );
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
