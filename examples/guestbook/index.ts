// Codefresh's guestbook quick-start app, deployed through a git source of an existing runtime: the git source,
// a managed cluster with Argo Rollouts installed through Codefresh, and the application itself (its Deployment
// and Service committed to the git source's repository, synced by the runtime's Argo CD). Config:
//   pulumi config set --secret codefresh:apiKey <key>
//   pulumi config set runtime production                       # `cf runtime list`
//   pulumi config set sharedConfigRepo https://github.com/acme/codefresh-isc.git
//   pulumi config set --secret gitToken <your git token>
//   pulumi config set appsRepo https://github.com/acme/codefresh-apps.git   # created by Codefresh if missing
//   pulumi config set kubeconfigPath ~/.kube/staging.yaml
import * as pulumi from "@pulumi/pulumi";
import { Application, ArgoRollouts, GitSource, ManagedCluster, Runtime, SharedConfigRepo } from "pulumi-codefresh";

const config = new pulumi.Config();
const gitToken = config.requireSecret("gitToken");
const namespace = config.get("namespace") ?? "guestbook";
const replicas = config.getNumber("replicas") ?? 1;

const runtime = new Runtime("runtime", { name: config.require("runtime") });
const isc = new SharedConfigRepo("isc", {
  runtime: runtime.name,
  gitProvider: "GITHUB",
  repoUrl: config.require("sharedConfigRepo"),
  gitApiUrl: config.get("gitApiUrl"),
  gitToken,
});

// The git source holds Argo CD Applications (app of apps) under argocd-apps/; the applications' manifests live beside it.
const apps = new GitSource("apps", { runtime: runtime.name, repoUrl: config.require("appsRepo"), path: "argocd-apps", createRepo: true }, { dependsOn: [isc] });
const cluster = new ManagedCluster(
  "staging",
  { runtime: runtime.name, kubeconfigPath: config.require("kubeconfigPath"), serviceAccountName: config.get("serviceAccountName") },
  { dependsOn: [isc] },
);

// Codefresh's optional step for a managed cluster: Argo Rollouts, for progressive delivery.
const rollouts = new ArgoRollouts("staging-rollouts", { runtime: runtime.name, server: cluster.server, gitToken });

// The guestbook of Codefresh's GitOps quick start (docs: ci-cd-guides/gitops-deployments), as a Deployment.
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: codefresh-guestbook
spec:
  replicas: ${replicas}
  revisionHistoryLimit: 2
  selector:
    matchLabels:
      app: codefresh-guestbook
  template:
    metadata:
      labels:
        app: codefresh-guestbook
    spec:
      containers:
        - name: codefresh-guestbook
          image: gcr.io/heptio-images/ks-guestbook-demo:0.1
          ports:
            - name: http
              containerPort: 80
              protocol: TCP
`;
const service = `apiVersion: v1
kind: Service
metadata:
  name: codefresh-guestbook-svc
spec:
  ports:
    - port: 8080
      targetPort: 80
  selector:
    app: codefresh-guestbook
`;

const guestbook = new Application("guestbook", {
  runtime: runtime.name,
  gitSource: apps.name,
  destServer: cluster.server,
  destNamespace: namespace,
  manifests: { "deployment.yaml": deployment, "service.yaml": service },
  sourcePath: "apps/guestbook",
  gitToken,
});

export const runtimeKind = runtime.kind;
export const clusterStatus = cluster.connectionStatus;
export const argoRolloutsInstalled = rollouts.installed;
export const guestbookSync = guestbook.syncStatus;
// A Deployment is Progressing until its pods are available: on a cluster that runs no pods it stays so.
export const guestbookHealth = guestbook.healthStatus;
export const guestbookRevision = guestbook.revision;
