// One kubeconfig, two providers: ManagedCluster connects the cluster to Codefresh, and @pulumi/kubernetes
// creates what a team creates around it — the namespace the cluster's applications use, and a quota on it.
// Config: kubeconfig (secret), runtime (an existing runtime's name), codefresh:apiKey (secret).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ManagedCluster, Runtime } from "pulumi-codefresh";

const config = new pulumi.Config();
const kubeconfig = config.requireSecret("kubeconfig");

// The account's runtime (hybrid, or its hosted one): read, never changed.
const runtime = new Runtime("runtime", { name: config.require("runtime") });
const cluster = new ManagedCluster("workloads", {
  runtime: runtime.name,
  kubeconfig,
  serviceAccountName: config.get("serviceAccountName"),
  labels: { env: "prod" },
});

const kubernetes = new k8s.Provider("workloads", { kubeconfig });
const apps = new k8s.core.v1.Namespace(
  "apps",
  { metadata: { name: config.get("namespace") ?? "apps", labels: { "codefresh.io/managed": "true" } } },
  { provider: kubernetes },
);
const quota = new k8s.core.v1.ResourceQuota("apps", { metadata: { namespace: apps.metadata.name }, spec: { hard: { pods: "200" } } }, { provider: kubernetes });

export const clusterStatus = cluster.connectionStatus;
export const appsNamespace = apps.metadata.name;
export const podQuota = quota.spec.hard.apply((hard) => hard?.pods);
