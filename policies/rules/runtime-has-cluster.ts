import type { StackValidationPolicy } from "@pulumi/policy";
import { HostedRuntime, ManagedCluster, Runtime } from "pulumi-codefresh";
import { inputsOf } from "../values";

/**
 * A hosted runtime never deploys to its own cluster: without a managed cluster it has nowhere to deploy. A
 * hybrid runtime deploys to the cluster it runs in: not judged.
 */
export const runtimeHasCluster: StackValidationPolicy = {
  name: "runtime-has-cluster",
  description:
    "Each hosted runtime (a HostedRuntime, or a Runtime whose kind is hosted) has at least one managed cluster to deploy to (hosted runtimes never deploy to their own cluster).",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const clusters = args.resources.map((r) => inputsOf(ManagedCluster, r)?.runtime).filter((runtime) => runtime !== undefined);
    for (const resource of args.resources) {
      const hosted = inputsOf(HostedRuntime, resource);
      const read = inputsOf(Runtime, resource);
      const name = hosted ? hosted.name : read?.kind === "hosted" ? read.name : undefined;
      if (name !== undefined && !clusters.includes(name)) {
        reportViolation(`hosted runtime "${name}" has no ManagedCluster in this stack: its applications have nowhere to deploy`, resource.urn);
      }
    }
  },
};
