// Quickstart: the hosted runtime, its Shared Configuration Repo on GitHub, one managed cluster and
// one git source. Config:
//   pulumi config set --secret codefresh:apiKey <Codefresh API key>
//   pulumi config set gitOrg <GitHub organisation>
//   pulumi config set --secret githubToken <token with the repo scope>
//   pulumi config set --secret kubeconfig -- "$(cat ~/.kube/prod.yaml)"
import * as pulumi from "@pulumi/pulumi";
import { GitSource, HostedRuntime, ManagedCluster, SharedConfigRepo } from "pulumi-codefresh";

const config = new pulumi.Config();
const gitUrl = config.get("gitUrl") ?? "https://github.com";
const org = config.require("gitOrg");

const runtime = new HostedRuntime("hosted", {}, { protect: config.getBoolean("protect") ?? true });

const sharedConfig = new SharedConfigRepo("shared-config", {
  runtime: runtime.name,
  gitProvider: "GITHUB",
  gitApiUrl: config.get("gitApiUrl"), // GitHub Enterprise: https://<host>/api/v3
  repoUrl: `${gitUrl}/${org}/codefresh-isc.git`,
  gitSourceRepoUrl: `${gitUrl}/${org}/codefresh-apps.git`,
  gitToken: config.requireSecret("githubToken"),
});

const cluster = new ManagedCluster(
  "prod",
  { runtime: runtime.name, kubeconfig: config.requireSecret("kubeconfig"), labels: { env: "prod" } },
  { dependsOn: [sharedConfig] },
);

const apps = new GitSource(
  "apps",
  { runtime: runtime.name, repoUrl: sharedConfig.gitSourceRepoUrl, path: "apps", include: "*.yaml" },
  { dependsOn: [sharedConfig] },
);

export const runtimeStatus = runtime.status;
export const sharedConfigRepo = sharedConfig.repoUrl;
export const clusterStatus = cluster.connectionStatus;
export const gitSource = apps.appSpecifier;
// Allow these on the cluster's API server firewall: a hosted runtime connects from Codefresh.
export const codefreshIps = runtime.ipAllowList;
