// One kubeconfig, two providers: ManagedCluster connects the cluster to Codefresh, and @pulumi/kubernetes
// creates the namespace (and its quota) the cluster's apps will use. Config: kubeconfig (secret),
// codefresh:apiKey (secret).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HostedRuntime, ManagedCluster } from "pulumi-codefresh";

const config = new pulumi.Config();
const kubeconfig = config.requireSecret("kubeconfig");

const runtime = new HostedRuntime("hosted", { adopt: true }, { retainOnDelete: true });
const cluster = new ManagedCluster("workloads", { runtime: runtime.name, kubeconfig, labels: { env: "prod" } });

const kubernetes = new k8s.Provider("workloads", { kubeconfig });
const apps = new k8s.core.v1.Namespace("apps", { metadata: { name: "apps", labels: { "codefresh.io/managed": "true" } } }, { provider: kubernetes });
new k8s.core.v1.ResourceQuota("apps", { metadata: { namespace: apps.metadata.name }, spec: { hard: { pods: "200" } } }, { provider: kubernetes });

export const clusterStatus = cluster.connectionStatus;
export const appsNamespace = apps.metadata.name;
