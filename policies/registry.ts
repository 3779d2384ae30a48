// Every rule of the pack, in one place. Users configure them with `--policy-pack-config FILE`, a JSON
// object with `all` (a level for every rule) and, per rule name, a level or `{ enforcementLevel, ...settings }`:
//
//   { "all": "mandatory", "public-cluster-endpoint": { "allowedHosts": ["k8s.corp.example.com"] },
//     "cmp-enterprise-only": { "plan": "ENTERPRISE" }, "tls-verification": "disabled" }
import type { Policies } from "@pulumi/policy";
import { cmpEnterpriseOnly } from "./rules/cmp-enterprise";
import { crdCapacity } from "./rules/crd-capacity";
import { gitProviderSupport } from "./rules/git-provider-support";
import { hostedGitProvider } from "./rules/hosted-git-provider";
import { kubernetesVersion } from "./rules/kubernetes-version";
import { publicCluster } from "./rules/public-cluster";
import { repoSize } from "./rules/repo-size";
import { runtimeHasCluster } from "./rules/runtime-has-cluster";
import { singleHostedRuntime } from "./rules/single-hosted-runtime";
import { tlsVerification } from "./rules/tls-verification";

/** Every rule, by its export name: the one list (tests take the rules from here). */
export const rules = {
  singleHostedRuntime,
  kubernetesVersion,
  hostedGitProvider,
  repoSize,
  publicCluster,
  cmpEnterpriseOnly,
  tlsVerification,
  crdCapacity,
  runtimeHasCluster,
  gitProviderSupport,
} as const;

export const policies: Policies = Object.values(rules);
