import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ManagedCluster } from "pulumi-codefresh";
import { validateInputsOf } from "../values";

export interface CrdCapacityConfig {
  /** CRDs a cluster can hold in total (the runtime's own 300-400 included). */
  maxCrds: number;
  /** CRDs the runtime installs on a managed cluster. */
  runtimeCrds: number;
}

/** The runtime installs 300-400 CRDs; a cluster near its limit will struggle. */
export const crdCapacity: ResourceValidationPolicy = {
  name: "crd-capacity",
  description: "Managed clusters have room for the 300-400 CRDs a runtime installs (warns when the cluster's CRDs plus the runtime's exceed the limit).",
  enforcementLevel: "advisory",
  configSchema: {
    properties: { maxCrds: { type: "number", default: 400, minimum: 1 }, runtimeCrds: { type: "number", default: 300, minimum: 0 } },
  },
  validateResource: validateInputsOf(ManagedCluster, (managed, args, reportViolation) => {
    const { maxCrds, runtimeCrds } = args.getConfig<CrdCapacityConfig>();
    const count = managed.crdCount;
    if (typeof count !== "number") return;
    if (count + runtimeCrds > maxCrds) {
      reportViolation(
        `cluster "${args.name}" has ${count} CRDs; with the runtime's ~${runtimeCrds} that exceeds ${maxCrds}: remove unused CRDs or raise maxCrds`,
      );
    }
  }),
};
