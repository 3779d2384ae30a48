// A hybrid runtime's Helm release beside the Runtime that reads it: Codefresh's gitops-runtime chart installed
// with @pulumi/kubernetes into the cluster of the current kubeconfig, then the runtime read by name once the
// release is ready (it registers itself with Codefresh). Type-checked in this repository's tests; run it against
// a real account (the chart pulls Codefresh's images and registers with the platform). Config:
//   pulumi config set --secret codefreshApiKey <key>   # the chart's global.codefresh.userToken.token
//   pulumi config set --secret codefresh:apiKey <key>  # this package's
//   pulumi config set accountId <your Codefresh account id>
//   pulumi config set runtime production
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GitSource, Runtime } from "pulumi-codefresh";

const config = new pulumi.Config();
const name = config.require("runtime");
const namespace = new k8s.core.v1.Namespace("runtime", { metadata: { name: config.get("namespace") ?? "codefresh" } });

// `helm upgrade --install cf-gitops-runtime oci://quay.io/codefresh/gitops-runtime -n codefresh --set …`, as Codefresh's
// "Install Hybrid GitOps Runtime with new Argo CD" page writes it.
const release = new k8s.helm.v3.Release("cf-gitops-runtime", {
  chart: "oci://quay.io/codefresh/gitops-runtime",
  version: config.get("chartVersion"),
  namespace: namespace.metadata.name,
  values: {
    global: {
      codefresh: { accountId: config.require("accountId"), userToken: { token: config.requireSecret("codefreshApiKey") } },
      runtime: { name },
    },
  },
  // Codefresh's docs: the runtime needs its pods running before it registers; Helm waits for them.
  timeout: 900,
});

// Read once the release is ready: the Runtime waits while the runtime registers and installs.
const runtime = new Runtime("runtime", { name }, { dependsOn: [release], customTimeouts: { create: "15m" } });

new GitSource("apps", { runtime: runtime.name, repoUrl: config.require("appsRepo"), path: "apps" });

export const runtimeStatus = runtime.status;
export const runtimeVersion = runtime.version;
export const chartVersion = release.status.version;
