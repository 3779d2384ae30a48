// Every resource's `check` on bad input: each invalid field is named, with the fix, before anything
// remote happens (check makes no call here: no API key, no server is configured).
import { get } from "pulumi-codefresh/dist/resources/providers";

const kubeconfig = [
  "apiVersion: v1",
  "kind: Config",
  "current-context: prod",
  "clusters:",
  "- name: prod",
  "  cluster:",
  "    server: https://127.0.0.1:1",
  "    certificate-authority-data: " + Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64"),
  "contexts:",
  "- name: prod",
  "  context: { cluster: prod, user: admin }",
  "users:",
  "- name: admin",
  "  user: { token: s3cret-token-value }",
  "",
].join("\n");

const valid = {
  HostedRuntime: { name: "codefresh-hosted", adopt: false },
  SharedConfigRepo: {
    runtime: "codefresh-hosted",
    gitProvider: "GITHUB",
    repoUrl: "https://github.com/acme/codefresh-isc.git",
    gitToken: "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
    adopt: false,
  },
  GitSource: {
    runtime: "codefresh-hosted",
    name: "team-a",
    repoUrl: "https://github.com/acme/apps.git",
    path: "team-a",
    destServer: "https://kubernetes.default.svc",
    createRepo: false,
    adopt: false,
  },
  ManagedCluster: {
    runtime: "codefresh-hosted",
    name: "prod",
    kubeconfig,
    serviceAccountName: "argocd-manager",
    namespace: "kube-system",
    insecureSkipTlsVerify: false,
    adopt: false,
  },
} as const;

type Key = keyof typeof valid;

async function failures(key: Key, change: Record<string, unknown>) {
  const result = await get(key).check({}, { ...valid[key], ...change });
  return result.failures ?? [];
}

describe("valid inputs pass and are normalised", () => {
  test.each(Object.keys(valid) as Key[])("%s", async (key) => {
    const result = await get(key).check({}, { ...valid[key] });
    expect(result.failures).toEqual([]);
  });

  test("ManagedCluster learns the server from the kubeconfig, offline", async () => {
    const result = await get("ManagedCluster").check({}, { ...valid.ManagedCluster });
    expect(result.inputs?.server).toBe("https://127.0.0.1:1");
    expect(result.inputs?.kubernetesVersion).toBeUndefined(); // nothing listens there: no value, no failure
  });

  test("SharedConfigRepo derives the API URL and the git source repo", async () => {
    const result = await get("SharedConfigRepo").check({}, { ...valid.SharedConfigRepo });
    expect(result.inputs).toMatchObject({ gitApiUrl: "https://api.github.com", gitSourceRepoUrl: "https://github.com/acme/codefresh-runtime-applications.git" });
  });

  test("values unknown during preview are not failures", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    expect(await failures("GitSource", { runtime: unknown, repoUrl: unknown })).toEqual([]);
    expect(await failures("ManagedCluster", { kubeconfig: unknown })).toEqual([]);
  });
});

const cases: [Key, string, Record<string, unknown>, RegExp][] = [
  ["HostedRuntime", "empty name", { name: "" }, /is required/],
  ["HostedRuntime", "upper case", { name: "Codefresh-Hosted" }, /lowercase.*for example "codefresh-hosted"/],
  ["HostedRuntime", "too long", { name: "a".repeat(64) }, /64 characters; at most 63/],
  ["HostedRuntime", "unicode look-alike", { name: "codefresh-hоsted" }, /not valid/],
  ["HostedRuntime", "adopt not boolean", { adopt: "yes" }, /true or false/],
  ["SharedConfigRepo", "unsupported provider", { gitProvider: "GITLAB" }, /not .*hosted.*GITHUB/s],
  ["SharedConfigRepo", "lower-case provider", { gitProvider: "github" }, /GITHUB/],
  ["SharedConfigRepo", "repo without .git", { repoUrl: "https://github.com/acme/isc" }, /\.git/],
  ["SharedConfigRepo", "plain http", { repoUrl: "http://github.com/acme/isc.git" }, /https/],
  ["SharedConfigRepo", "credentials in the URL", { repoUrl: "https://user:pw@github.com/acme/isc.git" }, /credentials|user/i],
  ["SharedConfigRepo", "path traversal", { repoUrl: "https://github.com/acme/isc.git/../../etc" }, /\.\./],
  ["SharedConfigRepo", "missing token", { gitToken: "" }, /is required/],
  ["SharedConfigRepo", "Gerrit without user", { gitProvider: "GERRIT", repoUrl: "https://gerrit.example.com/a/isc.git" }, /gitUsername/],
  ["SharedConfigRepo", "bad API URL", { gitApiUrl: "ftp://api.github.com" }, /https URL/],
  ["GitSource", "name with underscore", { name: "team_a" }, /not valid/],
  ["GitSource", "path traversal", { path: "../secrets" }, /'\.\.'/],
  ["GitSource", "path in repoUrl", { repoUrl: "https://github.com/acme/apps.git/team-a" }, /put the directory in path/],
  ["GitSource", "branch with spaces", { branch: "my branch" }, /not a valid git branch/],
  ["GitSource", "destServer not https", { destServer: "http://kubernetes.default.svc" }, /https URL/],
  ["GitSource", "label key injection", { labels: { "a: b\nc": "x" } }, /not a valid Kubernetes label key/],
  ["GitSource", "label value injection", { labels: { team: "a\nkind: Secret" } }, /not valid/],
  ["GitSource", "label value JSON", { labels: { team: '{"a":1}' } }, /not valid/],
  ["ManagedCluster", "bad name", { name: "Prod" }, /not valid/],
  ["ManagedCluster", "both kubeconfig and path", { kubeconfigPath: "/tmp/kubeconfig" }, /exactly one of kubeconfig/],
  ["ManagedCluster", "neither kubeconfig nor path", { kubeconfig: undefined }, /exactly one of kubeconfig/],
  ["ManagedCluster", "not a kubeconfig", { kubeconfig: "hello: [" }, /not a valid kubeconfig/],
  ["ManagedCluster", "missing context", { context: "staging" }, /context "staging" is not in it; contexts: prod/],
  ["ManagedCluster", "insecure kubeconfig", { kubeconfig: kubeconfig.replace(/certificate-authority-data: \S+/, "insecure-skip-tls-verify: true") }, /insecureSkipTlsVerify: true/],
  ["ManagedCluster", "annotation key injection", { annotations: { "x/y/z": "v" } }, /not a valid Kubernetes annotation key/],
  ["ManagedCluster", "annotation with control characters", { annotations: { note: "a\u0000b" } }, /control characters/],
  ["ManagedCluster", "label value too long", { labels: { env: "x".repeat(64) } }, /not valid/],
];

describe("invalid inputs fail in check, naming the field and the fix", () => {
  test.each(cases)("%s: %s", async (key, _, change, reason) => {
    const found = await failures(key, change);
    expect(found.length).toBeGreaterThan(0);
    const field = Object.keys(change)[0];
    const matching = found.filter((f) => f.property === field || f.property.startsWith(`${field}.`) || (field === "kubeconfigPath" && f.property.startsWith("kubeconfig")) || (key === "SharedConfigRepo" && f.property === "gitUsername"));
    expect(matching.map((f) => f.reason).join("\n")).toMatch(reason);
  });

  test("no failure message repeats a secret", async () => {
    const found = await failures("ManagedCluster", { kubeconfig: kubeconfig.replace("server: https://127.0.0.1:1", "server: ftp://x") });
    expect(JSON.stringify(found)).not.toContain("s3cret-token-value");
  });
});
