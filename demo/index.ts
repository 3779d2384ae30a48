// The demo: a Codefresh Hosted GitOps Runtime with its Shared Configuration Repo, a git source and a
// managed cluster. `npm run demo` points it at the local stack (emulator, Gitea, kube-apiserver); set
// the same config to your own services to run it against a real Codefresh account (see README).
import * as pulumi from "@pulumi/pulumi";
import { git, GitSource, HostedRuntime, ManagedCluster, SharedConfigRepo } from "pulumi-codefresh";

const config = new pulumi.Config();
const gitUrl = config.require("gitUrl"); // https://github.com for GitHub
const org = config.require("gitOrg");
const kubeconfig = config.getSecret("kubeconfig");

const runtime = new HostedRuntime("hosted", {});

const sharedConfig = new SharedConfigRepo("shared-config", {
  runtime: runtime.name,
  gitProvider: config.get<git.GitProviderName>("gitProvider") ?? "GITHUB",
  gitApiUrl: config.get("gitApiUrl"),
  repoUrl: `${gitUrl}/${org}/codefresh-isc.git`,
  gitSourceRepoUrl: `${gitUrl}/${org}/codefresh-apps.git`,
  gitToken: config.requireSecret("gitToken"),
});

const apps = new GitSource(
  "apps",
  { runtime: runtime.name, repoUrl: `${gitUrl}/${org}/codefresh-apps.git`, path: "apps", include: "*.yaml" },
  { dependsOn: [sharedConfig] },
);

const cluster = new ManagedCluster(
  "workloads",
  {
    runtime: runtime.name,
    ...(kubeconfig ? { kubeconfig } : { kubeconfigPath: config.require("kubeconfigPath") }),
    labels: { env: "demo" },
  },
  { dependsOn: [sharedConfig] },
);

export const runtimeName = runtime.name;
export const runtimeStatus = runtime.status;
export const runtimeVersion = runtime.version;
export const sharedConfigRepo = sharedConfig.repoUrl;
export const gitSourceRepo = sharedConfig.gitSourceRepoUrl;
export const gitSources = pulumi.all([apps.name, sharedConfig.defaultGitSourceName]).apply(([a, d]) => [a, d].filter((n) => n !== ""));
export const clusters = pulumi.all([cluster.name, cluster.server, cluster.connectionStatus]).apply(([n, s, c]) => [`${n} ${s} ${c}`]);
export const allowListForClusters = runtime.ipAllowList;
