// 1 hosted runtime, 1 shared configuration repo, N git sources and M clusters — either the real
// resources (mode "ours") or trivial dynamic resources that do no remote work (mode "baseline").
// `touched` selects the first K git sources and clusters for the "update 10%" step.
import * as pulumi from "@pulumi/pulumi";
import { GitSource, HostedRuntime, ManagedCluster, SharedConfigRepo } from "pulumi-codefresh";

const config = new pulumi.Config();
const mode = config.require("mode");
const n = config.requireNumber("n");
const m = config.requireNumber("m");
const touched = config.getNumber("touched") ?? 0;
const variant = (i: number) => (i < touched ? "updated" : "initial");

if (mode === "baseline") {
  const provider: pulumi.dynamic.ResourceProvider<{ key: string; value: unknown }, { key: string; value: unknown }> = {
    async create(inputs) {
      return { id: String(inputs.key), outs: inputs };
    },
    async diff(_id, olds, news) {
      return { changes: JSON.stringify(olds.value) !== JSON.stringify(news.value) };
    },
    async update(_id, _olds, news) {
      return { outs: news };
    },
    async read(id, props) {
      return { id, props };
    },
  };
  class Trivial extends pulumi.dynamic.Resource {
    constructor(key: string, value: unknown) {
      super(provider, key, { key, value }, undefined, "bench", "Trivial");
    }
  }
  const make = (key: string, value: unknown) => new Trivial(key, value);
  make("runtime", "codefresh-hosted");
  make("isc", "isc");
  for (let i = 0; i < n; i++) make(`source-${i}`, { path: `s${i}`, include: variant(i) });
  for (let i = 0; i < m; i++) make(`cluster-${i}`, { labels: { v: variant(i) } });
} else {
  const gitUrl = config.require("gitUrl");
  const org = config.require("gitOrg");
  // One kubeconfig for every cluster but its server (M whole kubeconfigs are too long for one config value).
  const kubeconfigTemplate = config.requireSecret("kubeconfigTemplate");
  const placeholder = config.require("kubeconfigServerPlaceholder");
  const servers = config.requireObject<string[]>("clusterServers");
  const runtime = new HostedRuntime("hosted", {});
  const isc = new SharedConfigRepo("isc", {
    runtime: runtime.name,
    gitProvider: "GITHUB",
    gitApiUrl: config.require("gitApiUrl"),
    repoUrl: `${gitUrl}/${org}/codefresh-isc.git`,
    gitSourceRepoUrl: `${gitUrl}/${org}/codefresh-apps.git`,
    gitToken: config.requireSecret("gitToken"),
  });
  for (let i = 0; i < n; i++) {
    new GitSource(
      `source-${i}`,
      { runtime: runtime.name, repoUrl: `${gitUrl}/${org}/codefresh-apps.git`, path: `s${i}`, include: `${variant(i)}/*.yaml` },
      { dependsOn: [isc] },
    );
  }
  for (let i = 0; i < m; i++) {
    new ManagedCluster(
      `cluster-${i}`,
      {
        runtime: runtime.name,
        kubeconfig: kubeconfigTemplate.apply((template) => template.replace(placeholder, servers[i])),
        serviceAccountName: `argocd-bench-${i}`,
        labels: { v: variant(i) },
      },
      { dependsOn: [isc] },
    );
  }
}
