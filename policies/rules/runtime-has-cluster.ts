import type { StackValidationPolicy } from "@pulumi/policy";
import { read, types } from "../values";

/** A hosted runtime never deploys to its own cluster: without a managed cluster it has nowhere to deploy. */
export const runtimeHasCluster: StackValidationPolicy = {
  name: "runtime-has-cluster",
  description: "Each hosted runtime has at least one managed cluster to deploy to (hosted runtimes never deploy to their own cluster).",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const clusters = args.resources.filter((r) => r.type === types.ManagedCluster).map((c) => read<string>(c.props, "runtime"));
    for (const runtime of args.resources.filter((r) => r.type === types.HostedRuntime)) {
      const name = read<string>(runtime.props, "name");
      if (!clusters.includes(name)) {
        reportViolation(`hosted runtime "${name}" has no ManagedCluster in this stack: its applications have nowhere to deploy`, runtime.urn);
      }
    }
  },
};
