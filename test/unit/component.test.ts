// CodefreshGitOps's wiring with a mocked engine: which children it declares for each kind of runtime, their names
// (one child per list entry, named after it) and inputs, that each is the component's child, and what it reports.
// In a child Node process: Pulumi's closure serializer needs Node's own module system, not jest's.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

const repoRoot = resolve(__dirname, "..", "..");

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

function construct(args: string): { registered: Registered[]; outputs: Record<string, unknown> } {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    const registered = [];
    pulumi.runtime.setMocks({
      newResource: (a) => {
        registered.push({ type: a.type, name: a.name, inputs: a.inputs });
        const state = { ...a.inputs, status: "COMPLETED", kind: "hybrid", connectionStatus: "Successful", appSpecifier: "spec", syncStatus: "SYNCED", healthStatus: "HEALTHY", server: "https://k8s" };
        return { id: a.name + "-id", state };
      },
      call: (a) => a.inputs,
    }, "project", "stack", false);
    const cf = require("pulumi-codefresh");
    const gitops = new cf.CodefreshGitOps("gitops", ${args});
    pulumi.all([gitops.runtimeKind, gitops.gitSourceStatuses, gitops.clusterStatuses]).apply(([runtimeKind, gitSources, clusters]) => {
      setTimeout(() => {
        process.stdout.write(JSON.stringify({ registered, outputs: { runtimeKind, gitSources, clusters } }));
        process.exit(0);
      }, 200);
    });`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8", timeout: 30_000 })) as {
    registered: Registered[];
    outputs: Record<string, unknown>;
  };
}

const common = `gitProvider: "GITHUB", sharedConfigRepoUrl: "https://github.com/acme/isc.git", gitToken: "t"`;

test("with runtimeName: a Runtime that reads it, the repo connection, and one child per git source and cluster, each the component's child", () => {
  const { registered, outputs } = construct(`{ runtimeName: "production", ${common},
    gitSources: [{ name: "team-a", repoUrl: "https://github.com/acme/apps.git", path: "team-a" }, { name: "team-b", repoUrl: "https://github.com/acme/apps.git" }],
    clusters: [{ name: "prod", kubeconfigPath: "/nonexistent/prod.yaml", labels: { env: "prod" } }] }`);
  expect(registered.map((r) => [r.type.replace("pulumi-nodejs:dynamic/codefresh:", ""), r.name])).toEqual([
    ["pulumi-codefresh:index:CodefreshGitOps", "gitops"],
    ["Runtime", "gitops-runtime"],
    ["SharedConfigRepo", "gitops-isc"],
    ["GitSource", "gitops-team-a"],
    ["GitSource", "gitops-team-b"],
    ["ManagedCluster", "gitops-prod"],
  ]);
  const byName = Object.fromEntries(registered.map((r) => [r.name, r.inputs]));
  expect(byName["gitops-runtime"]).toMatchObject({ name: "production" });
  expect(byName["gitops-isc"]).toMatchObject({ runtime: "production", gitProvider: "GITHUB", repoUrl: "https://github.com/acme/isc.git" });
  expect(byName["gitops-team-a"]).toMatchObject({ runtime: "production", name: "team-a", repoUrl: "https://github.com/acme/apps.git", path: "team-a" });
  expect(byName["gitops-prod"]).toMatchObject({ runtime: "production", name: "prod", kubeconfigPath: "/nonexistent/prod.yaml", labels: { env: "prod" } });
  // Children of the component (their own URN names it as parent), registered without waiting on one another.
  for (const name of ["gitops-runtime", "gitops-isc", "gitops-team-a", "gitops-team-b", "gitops-prod"]) {
    expect(byName[name]?.__urn).toMatch(new RegExp(`^pulumi-codefresh:index:CodefreshGitOps\\$pulumi-nodejs:dynamic/codefresh:\\w+::${name}$`));
  }
  expect(outputs).toEqual({
    runtimeKind: "hybrid",
    gitSources: [
      { name: "team-a", appSpecifier: "spec", syncStatus: "SYNCED", healthStatus: "HEALTHY" },
      { name: "team-b", appSpecifier: "spec", syncStatus: "SYNCED", healthStatus: "HEALTHY" },
    ],
    clusters: [{ name: "prod", server: "https://k8s", connectionStatus: "Successful", kubernetesVersion: "" }],
  });
});

test("without runtimeName: the account's hosted runtime, adopted when asked", () => {
  const { registered, outputs } = construct(`{ adoptHostedRuntime: true, ${common} }`);
  expect(registered.map((r) => r.type.replace("pulumi-nodejs:dynamic/codefresh:", ""))).toEqual([
    "pulumi-codefresh:index:CodefreshGitOps",
    "HostedRuntime",
    "SharedConfigRepo",
  ]);
  expect(registered[1]?.inputs).toMatchObject({ name: "codefresh-hosted", adopt: true });
  expect(registered[2]?.inputs).toMatchObject({ runtime: "codefresh-hosted" });
  expect(outputs).toEqual({ runtimeKind: "hosted", gitSources: [], clusters: [] });
});
