// The program `pulumi-codefresh import` writes, from an account snapshot: formatted as prettier formats
// it, every object adopted with the inputs Codefresh holds, secrets only as config the user sets, and
// the fields Codefresh does not return called out.
import { format } from "prettier";
import { api, generateProgram } from "pulumi-codefresh";

const runtime = (name: string, managed: boolean): api.RuntimeInfo => ({
  name,
  namespace: name,
  managed,
  installationStatus: "COMPLETED",
  installationType: managed ? "HELM_HOSTED" : "HELM",
  runtimeVersion: "0.1.72",
  ingressHost: undefined,
  internalIngressHost: undefined,
  healthStatus: "HEALTHY",
  healthMessage: undefined,
  syncStatus: "SYNCED",
  repo: undefined,
  managedClustersNum: 1,
  gitProvider: "BITBUCKET",
  isRemoteClusterConnected: true,
  iscInitialized: true,
  cluster: "https://kubernetes.default.svc",
  accessMode: "TUNNEL",
});

const account: api.AccountInfo = {
  id: "a1",
  userId: "u1",
  name: "acme",
  gitProvider: "BITBUCKET",
  gitApiUrl: "https://api.bitbucket.org/2.0",
  sharedConfigRepo: "https://bitbucket.org/acme/codefresh-isc.git",
  csdpValidated: true,
  supportsManagedRuntime: true,
};

const source = (name: string, extra: Partial<api.GitSourceInfo> = {}): api.GitSourceInfo => ({
  name,
  runtime: "prod",
  labels: {},
  ready: true,
  repoURL: "https://bitbucket.org/acme/apps.git",
  path: name,
  revision: "HEAD",
  include: undefined,
  exclude: undefined,
  destServer: "https://kubernetes.default.svc",
  destNamespace: undefined,
  syncStatus: "SYNCED",
  healthStatus: "HEALTHY",
  ...extra,
});

const cluster: api.ClusterInfo = {
  name: "staging",
  runtime: "prod",
  server: "https://10.0.0.7:6443",
  connectionStatus: "Successful",
  connectionMessage: undefined,
  serverVersion: "v1.30.2",
  labels: { env: "staging", "argocd.argoproj.io/secret-type": "cluster" },
  annotations: { "acme.io/owner": "platform" },
  resourcesCount: undefined,
  apisCount: undefined,
};

const snapshot = {
  account,
  runtimes: [
    {
      runtime: runtime("prod", false),
      gitSources: [
        source("default-git-source"),
        source("team-a", { include: "*.yaml", labels: { team: "a", "pulumi-stack": "x.y", "codefresh.io/config-management-plugin": "kustomize-env" } }),
        source("team-b", { revision: "release", exclude: "test/*", destNamespace: "team-b" }),
      ],
      clusters: [cluster],
    },
  ],
};

describe("generateProgram", () => {
  const program = generateProgram(snapshot);
  const index = program.files["index.ts"];

  test("is formatted as prettier formats TypeScript", async () => {
    expect(await format(index, { parser: "typescript" })).toBe(index);
  });

  test("reads a hybrid runtime with Runtime and adopts the repo, the git sources and the cluster with Codefresh's values", () => {
    expect(program.declared).toEqual({ Runtime: 1, SharedConfigRepo: 1, GitSource: 2, ManagedCluster: 1 });
    expect(index).toContain('const prod = new codefresh.Runtime(\n  "prod",\n  {\n    name: "prod",\n  },\n  { protect: true },\n);');
    expect(index).toContain('  gitProvider: "BITBUCKET",\n  repoUrl: "https://bitbucket.org/acme/codefresh-isc.git",');
    expect(index).toContain('gitUsername: config.require("gitUsername")');
    expect(index).toContain('    include: "*.yaml",\n    labels: {\n      team: "a",\n    },\n    configManagementPlugin: "kustomize-env",');
    expect(index).toContain('    branch: "release",\n    exclude: "test/*",\n    destNamespace: "team-b",');
    expect(index).toContain('    labels: {\n      env: "staging",\n    },\n    annotations: {\n      "acme.io/owner": "platform",\n    },');
    expect(index).not.toMatch(/pulumi-stack|argocd\.argoproj\.io\/secret-type/);
  });

  test("leaves Codefresh's own objects out, saying why", () => {
    expect(index).not.toContain('name: "default-git-source"');
    expect(index).toContain('Left out: "default-git-source"');
    expect(index).toContain('Not declared: "in-cluster"');
    expect(generateProgram(snapshot, { includeDefaults: true }).declared.GitSource).toBe(3);
  });

  test("asks for every secret as a `pulumi config set --secret` line and never holds a value", () => {
    expect(program.config.map((c) => [c.key, c.secret])).toEqual([
      ["gitToken", true],
      ["gitUsername", false],
      ["kubeconfig-staging", true],
    ]);
    expect(program.config[2].command).toBe('pulumi config set --secret kubeconfig-staging -- "$(cat <kubeconfig of https://10.0.0.7:6443>)"');
    expect(index).toContain('kubeconfig: config.requireSecret("kubeconfig-staging")');
    expect(program.notes.join("\n")).toMatch(/ServiceAccount: each ManagedCluster assumes `argocd-manager` in kube-system/);
  });

  test("a runtime without git connected gets only the runtime, and a note", () => {
    const unconnected = generateProgram({ account: { ...account, sharedConfigRepo: undefined }, runtimes: [{ ...snapshot.runtimes[0], clusters: [] }] });
    expect(unconnected.declared).toEqual({ Runtime: 1 });
    expect(unconnected.notes.join("\n")).toMatch(/has no git provider connected.*connect git in the Codefresh UI, then import again/);
  });

  test("prefixes names with the runtime's when it imports several runtimes", () => {
    const two = generateProgram({
      account,
      runtimes: [snapshot.runtimes[0], { runtime: runtime("edge", false), gitSources: [source("team-a")], clusters: [] }],
    });
    expect(two.files["index.ts"]).toContain('new codefresh.GitSource(\n  "edge-team-a",');
    expect(two.files["index.ts"]).toContain('new codefresh.GitSource(\n  "prod-team-a",');
  });
});
