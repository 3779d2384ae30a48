// Git sources and clusters of a hybrid runtime that exists already: installed with Codefresh's gitops-runtime
// Helm chart (by hand, by Argo CD, or by another stack). This program installs nothing: a Runtime resource reads
// the runtime by name and never changes or deletes it. Config:
//   pulumi config set --secret codefresh:apiKey <key>
//   pulumi config set runtime production                      # `cf runtime list`
//   pulumi config set sharedConfigRepo https://github.com/acme/codefresh-isc.git
//   pulumi config set --secret gitToken <your git token>      # registered as your token on the runtime's git integration
//   pulumi config set appsRepo https://github.com/acme/apps.git
//   pulumi config set --path 'clusters[0].name' prod-eu
//   pulumi config set --path 'clusters[0].kubeconfigPath' ~/.kube/prod-eu.yaml
import * as pulumi from "@pulumi/pulumi";
import { GitSource, ManagedCluster, Runtime, SharedConfigRepo } from "pulumi-codefresh";

interface SourceEntry {
  name: string;
  path: string;
}
interface ClusterEntry {
  name: string;
  kubeconfigPath: string;
  serviceAccountName?: string;
  labels?: Record<string, string>;
}

const config = new pulumi.Config();
const runtime = new Runtime("runtime", { name: config.require("runtime") });

// The account's settings were made when the runtime was installed: this adopts them (no write when they agree),
// and registers your git token with the runtime's `default` git integration, which its commits use.
const isc = new SharedConfigRepo("isc", {
  runtime: runtime.name,
  gitProvider: "GITHUB",
  repoUrl: config.require("sharedConfigRepo"),
  gitApiUrl: config.get("gitApiUrl"),
  gitToken: config.requireSecret("gitToken"),
});

const sources = (config.getObject<SourceEntry[]>("gitSources") ?? [{ name: "apps", path: "apps" }]).map(
  (entry) => new GitSource(entry.name, { runtime: runtime.name, repoUrl: config.require("appsRepo"), path: entry.path }, { dependsOn: [isc] }),
);

// A hybrid runtime reaches these from its own cluster: private addresses are fine where its network reaches them.
const clusters = (config.getObject<ClusterEntry[]>("clusters") ?? []).map(
  (entry) =>
    new ManagedCluster(
      entry.name,
      { runtime: runtime.name, kubeconfigPath: entry.kubeconfigPath, serviceAccountName: entry.serviceAccountName, labels: entry.labels },
      { dependsOn: [isc] },
    ),
);

export const runtimeKind = runtime.kind;
export const runtimeVersion = runtime.version;
export const runtimeStatus = runtime.status;
export const ipAllowList = runtime.ipAllowList;
export const ipAllowListSource = runtime.ipAllowListSource;
export const gitSources = sources.map((s) => pulumi.interpolate`${s.name}: ${s.appSpecifier}`);
export const connections = clusters.map((c) => pulumi.interpolate`${c.name}: ${c.connectionStatus}`);
