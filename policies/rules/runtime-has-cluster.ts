import type { StackValidationPolicy } from "@pulumi/policy";
import { HostedRuntime, ManagedCluster } from "pulumi-codefresh";
import { inputsOf } from "../values";

/** A hosted runtime never deploys to its own cluster: without a managed cluster it has nowhere to deploy. */
export const runtimeHasCluster: StackValidationPolicy = {
  name: "runtime-has-cluster",
  description: "Each hosted runtime has at least one managed cluster to deploy to (hosted runtimes never deploy to their own cluster).",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const clusters = args.resources.map((r) => inputsOf(ManagedCluster, r)?.runtime).filter((runtime) => runtime !== undefined);
    for (const resource of args.resources) {
      const runtime = inputsOf(HostedRuntime, resource);
      if (runtime && !clusters.includes(runtime.name)) {
        reportViolation(`hosted runtime "${runtime.name}" has no ManagedCluster in this stack: its applications have nowhere to deploy`, resource.urn);
      }
    }
  },
};
