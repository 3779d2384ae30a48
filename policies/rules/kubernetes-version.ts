import type { ResourceValidationPolicy } from "@pulumi/policy";
import { cluster, ManagedCluster } from "pulumi-codefresh";
import { validateInputsOf } from "../values";

export interface KubernetesVersionConfig {
  /** Oldest Kubernetes `major.minor` a managed cluster may run. */
  minimumVersion: string;
}

/** Codefresh's requirement for managed clusters: Kubernetes 1.18 or newer. */
export const kubernetesVersion: ResourceValidationPolicy = {
  name: "kubernetes-minimum-version",
  description: `Managed clusters run Kubernetes ${cluster.minimumKubernetesVersion} or newer (Codefresh's minimum; configurable).`,
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { minimumVersion: { type: "string", default: cluster.minimumKubernetesVersion, pattern: "^\\d+\\.\\d+$" } },
  },
  validateResource: validateInputsOf(ManagedCluster, (managed, args, reportViolation) => {
    const { minimumVersion } = args.getConfig<KubernetesVersionConfig>();
    const version = managed.kubernetesVersion;
    if (!version) return; // not reachable at preview: create checks it
    const actual = cluster.parseKubernetesVersion(version);
    if (actual && !cluster.meetsMinimum(actual, minimumVersion)) {
      reportViolation(`cluster "${args.name}" runs Kubernetes ${version}; Codefresh managed clusters need ${minimumVersion} or newer: upgrade it first`);
    }
  }),
};
