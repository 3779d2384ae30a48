// What each change of each resource means to `pulumi preview`: nothing, an update in place, or a
// replacement (and whether the old object must go first). A table per resource; the olds are what
// state holds after create (the checked inputs plus the outputs Codefresh reported).
import { unknownValue } from "pulumi-codefresh";
import { get } from "pulumi-codefresh/provider";
import { kubeconfig, Key, valid } from "../harness/bad-inputs";

const common = { __stack: "infra/dev", __timeouts: { create: "5m" }, providerVersion: "0.1.0" };

/** State after create: the valid inputs as check left them (defaults and derived facts filled in), plus outputs. */
const state: Record<Key, Record<string, unknown>> = {
  HostedRuntime: {
    ...common,
    ...valid.HostedRuntime,
    __urn: "hosted",
    accountPlan: "",
    status: "COMPLETED",
    version: "0.1.0",
    ipAllowList: ["1.2.3.4"],
    ipAllowListSource: "page",
  },
  Runtime: {
    ...common,
    ...valid.Runtime,
    __urn: "hybrid",
    kind: "hybrid",
    status: "COMPLETED",
    installationType: "HELM",
    version: "0.1.72",
    ingressHost: "https://runtime.example.com",
    ipAllowList: ["1.2.3.4"],
    ipAllowListSource: "page",
  },
  SharedConfigRepo: {
    ...common,
    ...valid.SharedConfigRepo,
    __urn: "isc",
    gitSourceRepoUrl: "https://github.com/acme/codefresh-runtime-applications.git",
    gitApiUrl: "https://api.github.com",
    repoSizeBytes: 1024,
    accountId: "acc-1",
    defaultGitSourceName: "default-git-source",
    csdpValidated: true,
  },
  GitSource: {
    ...common,
    ...valid.GitSource,
    __urn: "team-a",
    labels: { team: "a" },
    repoSizeBytes: 2048,
    appSpecifier: "https://github.com/acme/apps.git/team-a",
    syncStatus: "SYNCED",
    healthStatus: "HEALTHY",
  },
  ManagedCluster: {
    ...common,
    ...valid.ManagedCluster,
    __urn: "prod",
    __owner: "prod",
    __credentialsCurrent: true,
    labels: { env: "prod" },
    server: "https://127.0.0.1:1",
    kubernetesVersion: "v1.30.0",
    crdCount: 12,
    tokenHash: "abc",
    connectionStatus: "Successful",
    connectionMessage: "",
    serverVersion: "1.30",
  },
  ArgoRollouts: {
    ...common,
    ...valid.ArgoRollouts,
    __urn: "rollouts",
    __reporterCurrent: true,
    clusterName: "prod",
    rolloutsPath: "resources/production/argo-rollouts-prod.yaml",
    reporterPath: "resources/production/rollout-reporter-prod.yaml",
    reporterHash: "abc",
    installed: true,
  },
  Application: {
    ...common,
    ...valid.Application,
    __urn: "guestbook",
    sourcePath: "apps/guestbook",
    __manifestsCurrent: true,
    repoUrl: "https://github.com/acme/apps.git",
    applicationPath: "argocd-apps/guestbook.yaml",
    committed: { "argocd-apps/guestbook.yaml": "abc" },
    revision: "0123",
    syncStatus: "SYNCED",
    healthStatus: "PROGRESSING",
    healthMessage: "",
  },
};

const outputKeys: Record<Key, string[]> = {
  HostedRuntime: ["status", "version", "ipAllowList", "ipAllowListSource"],
  Runtime: ["status", "installationType", "version", "ingressHost", "ipAllowList", "ipAllowListSource"],
  SharedConfigRepo: ["accountId", "defaultGitSourceName", "csdpValidated"],
  GitSource: ["appSpecifier", "syncStatus", "healthStatus"],
  ManagedCluster: ["tokenHash", "connectionStatus", "connectionMessage", "serverVersion"],
  ArgoRollouts: ["clusterName", "rolloutsPath", "reporterPath", "reporterHash", "installed"],
  Application: ["repoUrl", "applicationPath", "committed", "revision", "syncStatus", "healthStatus", "healthMessage"],
};

/** The inputs of the next run, as check returns them for an unchanged program. */
function news(key: Key, change: Record<string, unknown> = {}): Record<string, unknown> {
  const inputs = { ...state[key] };
  for (const output of outputKeys[key]) delete inputs[output];
  return { ...inputs, ...change };
}

async function diff(key: Key, change: Record<string, unknown>) {
  return get(key).diff("id", state[key], news(key, change));
}

type Case = [Key, string, Record<string, unknown>, { changes: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }];

const cases: Case[] = [
  // Nothing changed, or nothing Codefresh holds.
  ["HostedRuntime", "unchanged", {}, { changes: false }],
  ["Runtime", "unchanged", {}, { changes: false }],
  ["Runtime", "its kind read again", { kind: "hosted" }, { changes: false }],
  ["SharedConfigRepo", "unchanged", {}, { changes: false }],
  ["GitSource", "unchanged", {}, { changes: false }],
  ["ManagedCluster", "unchanged", {}, { changes: false }],
  ["ArgoRollouts", "unchanged", {}, { changes: false }],
  ["ArgoRollouts", "a new git token (it only reads)", { gitToken: "ghp_rotated" }, { changes: false }],
  ["Application", "unchanged", {}, { changes: false }],
  ["Application", "a new git token", { gitToken: "ghp_rotated" }, { changes: false }],
  ["ArgoRollouts", "the reporter drifted (refresh)", { __reporterCurrent: false }, { changes: true, replaces: [] }],
  ["Application", "its files drifted (refresh)", { __manifestsCurrent: false }, { changes: true, replaces: [] }],
  [
    "Application",
    "a manifest (a new commit)",
    { manifests: { "deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web2\n" } },
    { changes: true, replaces: [] },
  ],
  ["Application", "destNamespace", { destNamespace: "other" }, { changes: true, replaces: [] }],
  ["Application", "sourcePath", { sourcePath: "apps/other" }, { changes: true, replaces: [] }],
  ["ArgoRollouts", "namespace", { namespace: "rollouts" }, { changes: true, replaces: ["namespace"], deleteBeforeReplace: false }],
  ["ArgoRollouts", "server", { server: "https://other.example.com" }, { changes: true, replaces: ["server"], deleteBeforeReplace: false }],
  // Another name is another application (created first); the same name in another git source must go first.
  ["Application", "name", { name: "guestbook-2" }, { changes: true, replaces: ["name"], deleteBeforeReplace: false }],
  ["Application", "gitSource", { gitSource: "other" }, { changes: true, replaces: ["gitSource"], deleteBeforeReplace: true }],
  ["HostedRuntime", "adopt", { adopt: true }, { changes: false }],
  ["HostedRuntime", "the account plan", { accountPlan: "ENTERPRISE" }, { changes: false }],
  ["SharedConfigRepo", "adopt", { adopt: true }, { changes: false }],
  ["SharedConfigRepo", "gitApiOnPremises", { gitApiOnPremises: true }, { changes: false }],
  ["SharedConfigRepo", "a new repo size", { repoSizeBytes: 4096 }, { changes: false }],
  ["GitSource", "adopt", { adopt: true }, { changes: false }],
  ["GitSource", "a new repo size", { repoSizeBytes: 1 }, { changes: false }],
  ["ManagedCluster", "adopt", { adopt: true }, { changes: false }],
  ["ManagedCluster", "a new version read", { kubernetesVersion: "v1.31.0", crdCount: 400 }, { changes: false }],
  ["ManagedCluster", "the owner", { __owner: "renamed" }, { changes: false }],
  ["GitSource", "timeouts and version", { __timeouts: { create: "1m" }, providerVersion: "0.2.0", __urn: "x" }, { changes: false }],
  // A value the server filled in equals the one check fills in; absent and empty are the same.
  ["SharedConfigRepo", "gitUsername absent vs empty", { gitUsername: "" }, { changes: false }],
  ["GitSource", "labels in another order", { labels: { team: "a" } }, { changes: false }],
  ["GitSource", "no branch vs an empty one", { branch: "" }, { changes: false }],
  ["ManagedCluster", "annotations absent vs empty", { annotations: {} }, { changes: false }],
  // Changed in place.
  ["SharedConfigRepo", "gitProvider", { gitProvider: "BITBUCKET" }, { changes: true, replaces: [] }],
  ["SharedConfigRepo", "repoUrl (update refuses it once cloned)", { repoUrl: "https://github.com/acme/other.git" }, { changes: true, replaces: [] }],
  ["SharedConfigRepo", "gitSourceRepoUrl", { gitSourceRepoUrl: "https://github.com/acme/apps.git" }, { changes: true, replaces: [] }],
  ["SharedConfigRepo", "gitApiUrl", { gitApiUrl: "https://github.com/api/v3" }, { changes: true, replaces: [] }],
  ["SharedConfigRepo", "gitToken", { gitToken: "ghp_another" }, { changes: true, replaces: [] }],
  ["SharedConfigRepo", "gitUsername", { gitUsername: "ci" }, { changes: true, replaces: [] }],
  ["GitSource", "repoUrl", { repoUrl: "https://github.com/acme/other.git" }, { changes: true, replaces: [] }],
  ["GitSource", "path", { path: "team-b" }, { changes: true, replaces: [] }],
  ["GitSource", "branch", { branch: "main" }, { changes: true, replaces: [] }],
  ["GitSource", "include", { include: "*.yaml" }, { changes: true, replaces: [] }],
  ["GitSource", "exclude", { exclude: "*.md" }, { changes: true, replaces: [] }],
  ["ManagedCluster", "labels", { labels: { env: "staging" } }, { changes: true, replaces: [] }],
  ["ManagedCluster", "annotations", { annotations: { owner: "sre" } }, { changes: true, replaces: [] }],
  ["ManagedCluster", "insecureSkipTlsVerify", { insecureSkipTlsVerify: true }, { changes: true, replaces: [] }],
  ["ManagedCluster", "kubeconfig (same server)", { kubeconfig: `${kubeconfig}# rotated\n` }, { changes: true, replaces: [] }],
  ["ManagedCluster", "kubeconfigPath", { kubeconfig: undefined, kubeconfigPath: "/etc/kube/prod" }, { changes: true, replaces: [] }],
  ["ManagedCluster", "context", { context: "prod" }, { changes: true, replaces: [] }],
  ["ManagedCluster", "credentials drifted (refresh)", { __credentialsCurrent: false }, { changes: true, replaces: [] }],
  // Replaced: the same object (deleted first) or another one (created first).
  ["HostedRuntime", "name", { name: "another" }, { changes: true, replaces: ["name"], deleteBeforeReplace: true }],
  ["Runtime", "name (another runtime, read; nothing is deleted)", { name: "staging" }, { changes: true, replaces: ["name"], deleteBeforeReplace: false }],
  ["SharedConfigRepo", "runtime", { runtime: "hybrid" }, { changes: true, replaces: ["runtime"], deleteBeforeReplace: false }],
  ["GitSource", "runtime", { runtime: "hybrid" }, { changes: true, replaces: ["runtime"], deleteBeforeReplace: false }],
  ["GitSource", "name", { name: "team-b" }, { changes: true, replaces: ["name"], deleteBeforeReplace: false }],
  ["GitSource", "destServer", { destServer: "https://prod.example.com" }, { changes: true, replaces: ["destServer"], deleteBeforeReplace: true }],
  ["GitSource", "destNamespace", { destNamespace: "apps" }, { changes: true, replaces: ["destNamespace"], deleteBeforeReplace: true }],
  ["GitSource", "labels", { labels: { team: "b" } }, { changes: true, replaces: ["labels"], deleteBeforeReplace: true }],
  ["GitSource", "createRepo", { createRepo: true }, { changes: true, replaces: ["createRepo"], deleteBeforeReplace: true }],
  [
    "GitSource",
    "configManagementPlugin",
    { configManagementPlugin: "kustomize-env" },
    { changes: true, replaces: ["configManagementPlugin"], deleteBeforeReplace: true },
  ],
  ["ManagedCluster", "runtime", { runtime: "hybrid" }, { changes: true, replaces: ["runtime"], deleteBeforeReplace: false }],
  ["ManagedCluster", "name", { name: "production" }, { changes: true, replaces: ["name"], deleteBeforeReplace: true }],
  ["ManagedCluster", "server", { server: "https://10.0.0.1:6443" }, { changes: true, replaces: ["server"], deleteBeforeReplace: false }],
  [
    "ManagedCluster",
    "serviceAccountName",
    { serviceAccountName: "argocd-manager-2" },
    { changes: true, replaces: ["serviceAccountName"], deleteBeforeReplace: true },
  ],
  ["ManagedCluster", "namespace", { namespace: "argocd" }, { changes: true, replaces: ["namespace"], deleteBeforeReplace: true }],
  // Unknown at preview: counted as changed, with what a change of that field means.
  ["HostedRuntime", "unknown name", { name: unknownValue }, { changes: true, replaces: ["name"], deleteBeforeReplace: true }],
  ["SharedConfigRepo", "unknown gitToken", { gitToken: unknownValue }, { changes: true, replaces: [] }],
  ["SharedConfigRepo", "unknown runtime", { runtime: unknownValue }, { changes: true, replaces: ["runtime"] }],
  ["GitSource", "unknown repoUrl", { repoUrl: unknownValue }, { changes: true, replaces: [] }],
  ["GitSource", "unknown runtime", { runtime: unknownValue }, { changes: true, replaces: ["runtime"], deleteBeforeReplace: false }],
  ["GitSource", "unknown repo size", { repoSizeBytes: unknownValue }, { changes: false }],
  ["ManagedCluster", "unknown kubeconfig", { kubeconfig: unknownValue }, { changes: true, replaces: [] }],
  ["ManagedCluster", "unknown server", { server: unknownValue }, { changes: true, replaces: ["server"], deleteBeforeReplace: false }],
];

test.each(cases)("%s: %s", async (key, _, change, expected) => {
  const result = await diff(key, change);
  expect(result).toMatchObject(expected);
  if (!expected.changes) expect(result.replaces ?? []).toEqual([]);
});

test("a replacement of several fields deletes first only while the object's identity is unchanged", async () => {
  expect(await diff("GitSource", { labels: { team: "b" }, name: "team-b" })).toMatchObject({ replaces: ["name", "labels"], deleteBeforeReplace: false });
  expect(await diff("ManagedCluster", { namespace: "argocd", server: "https://10.0.0.1:6443" })).toMatchObject({ deleteBeforeReplace: false });
});
