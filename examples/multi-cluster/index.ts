// Several managed clusters, declared as data: add an entry to connect a cluster, remove it to
// disconnect (its apps keep running). Config:
//   pulumi config set --secret codefresh:apiKey <key>
//   pulumi config set --path 'clusters[0].name' prod-eu
//   pulumi config set --path 'clusters[0].kubeconfigPath' ~/.kube/prod-eu.yaml
//   pulumi config set --path 'clusters[0].labels.region' eu-west-1
// Each entry is one API server: Codefresh keeps one cluster per server URL in a runtime, so two entries
// with one server fail in preview. A cluster also connected to another runtime (by another stack) needs
// its own serviceAccountName here.
import * as pulumi from "@pulumi/pulumi";
import { HostedRuntime, ManagedCluster } from "pulumi-codefresh";

interface ClusterEntry {
  name: string;
  kubeconfigPath: string;
  context?: string;
  serviceAccountName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const config = new pulumi.Config();
// The runtime is managed by another stack (or the UI): adopt reads it without installing a second one.
const runtime = new HostedRuntime("hosted", { adopt: true }, { retainOnDelete: true });

const clusters = (config.getObject<ClusterEntry[]>("clusters") ?? []).map(
  (entry) =>
    new ManagedCluster(entry.name, {
      runtime: runtime.name,
      name: entry.name,
      kubeconfigPath: entry.kubeconfigPath,
      context: entry.context,
      serviceAccountName: entry.serviceAccountName,
      labels: { "managed-by": "pulumi", ...entry.labels },
      annotations: entry.annotations,
    }),
);

export const connections = pulumi
  .all(clusters.map((c) => pulumi.all([c.name, c.server, c.connectionStatus, c.kubernetesVersion])))
  .apply((rows) => rows.map(([name, server, status, version]) => `${name} ${server} ${status} (Kubernetes ${version ?? "?"})`));
