import type { StackValidationPolicy } from "@pulumi/policy";
import { HostedRuntime } from "pulumi-codefresh";

/** Codefresh allows one hosted runtime per account: a stack declaring two cannot succeed. */
export const singleHostedRuntime: StackValidationPolicy = {
  name: "single-hosted-runtime",
  description: "At most one HostedRuntime per Codefresh account (Codefresh allows one hosted runtime per account).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const runtimes = args.resources.filter((r) => r.type === HostedRuntime.__pulumiType);
    if (runtimes.length > 1) {
      reportViolation(
        `${runtimes.length} HostedRuntime resources in one stack, but Codefresh allows one hosted runtime per account: keep one. Resources: ${runtimes.map((r) => r.urn).join(", ")}`,
      );
    }
  },
};
