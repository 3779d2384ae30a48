// Config for test/fixtures/codefresh-stack: the emulator, the shared Gitea, and the clusters, in the
// shape that program reads. One place for every test that runs it.
import { accountA } from "./emulator";
import { sharedGitServer } from "./shared";

export type ConfigValue = string | { value: string; secret: boolean };

export interface StackCluster {
  name: string;
  kubeconfig: string;
  serviceAccountName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The Pulumi resource's name, when it is not `name` (the cluster's name in Codefresh). */
  resource?: string;
  /** A former resource name (`aliases`), for renames. */
  alias?: string;
}

export function codefreshStackConfig(options: {
  apiUrl: string;
  org: string;
  gitSources: { name: string; path: string; include?: string; plugin?: string; adopt?: boolean; sourceName?: string; nameAtApply?: boolean }[];
  clusters?: StackCluster[];
  /** An existing runtime to read with a Runtime resource, instead of the HostedRuntime. */
  runtimeName?: string;
  /** More existing runtimes to read with Runtime resources. */
  readRuntimes?: string[];
  extra?: Record<string, ConfigValue>;
}): Record<string, ConfigValue> {
  const gitea = sharedGitServer();
  const clusters = options.clusters ?? [];
  const config: Record<string, ConfigValue> = {
    "codefresh:apiUrl": options.apiUrl,
    "codefresh:apiKey": { value: accountA.apiKey, secret: true },
    gitUrl: gitea.url,
    gitApiUrl: gitea.apiUrl,
    gitOrg: options.org,
    gitToken: { value: gitea.adminToken, secret: true },
    gitSources: JSON.stringify(options.gitSources),
    clusters: { value: JSON.stringify(clusters.map(({ name, kubeconfig }) => ({ name, kubeconfig }))), secret: true },
    clusterCount: String(clusters.length),
    ...(options.runtimeName ? { runtimeName: options.runtimeName } : {}),
    ...(options.readRuntimes ? { readRuntimes: JSON.stringify(options.readRuntimes) } : {}),
  };
  clusters.forEach((cluster, i) => {
    config[`clusterName${i}`] = cluster.name;
    if (cluster.serviceAccountName) config[`clusterServiceAccount${i}`] = cluster.serviceAccountName;
    if (cluster.labels) config[`clusterLabels${i}`] = JSON.stringify(cluster.labels);
    if (cluster.annotations) config[`clusterAnnotations${i}`] = JSON.stringify(cluster.annotations);
    if (cluster.resource) config[`clusterResource${i}`] = cluster.resource;
    if (cluster.alias) config[`clusterAlias${i}`] = cluster.alias;
  });
  return { ...config, ...options.extra };
}
