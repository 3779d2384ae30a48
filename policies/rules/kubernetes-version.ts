import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, types } from "../values";

export interface KubernetesVersionConfig {
  /** Oldest Kubernetes `major.minor` a managed cluster may run. */
  minimumVersion: string;
}

function parse(version: string): [number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Codefresh's requirement for managed clusters: Kubernetes 1.18 or newer. */
export const kubernetesVersion: ResourceValidationPolicy = {
  name: "kubernetes-minimum-version",
  description: "Managed clusters run Kubernetes 1.18 or newer (Codefresh's minimum; configurable).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { minimumVersion: { type: "string", default: "1.18", pattern: "^\\d+\\.\\d+$" } },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== types.ManagedCluster) return;
    const { minimumVersion } = args.getConfig<KubernetesVersionConfig>();
    const version = read<string>(args.props, "kubernetesVersion");
    if (!version) return; // not reachable at preview: create checks it
    const actual = parse(version);
    const minimum = parse(minimumVersion);
    if (actual && minimum && (actual[0] < minimum[0] || (actual[0] === minimum[0] && actual[1] < minimum[1]))) {
      reportViolation(`cluster "${args.name}" runs Kubernetes ${version}; Codefresh managed clusters need ${minimumVersion} or newer: upgrade it first`);
    }
  },
};
