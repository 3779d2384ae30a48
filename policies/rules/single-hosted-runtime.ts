import type { StackValidationPolicy } from "@pulumi/policy";
import { types } from "../values";

/** Codefresh allows one hosted runtime per account: a stack declaring two cannot succeed. */
export const singleHostedRuntime: StackValidationPolicy = {
  name: "single-hosted-runtime",
  description: "At most one HostedRuntime per Codefresh account (Codefresh allows one hosted runtime per account).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const runtimes = args.resources.filter((r) => r.type === types.HostedRuntime);
    if (runtimes.length > 1) {
      reportViolation(
        `${runtimes.length} HostedRuntime resources in one stack, but Codefresh allows one hosted runtime per account: keep one. Resources: ${runtimes.map((r) => r.urn).join(", ")}`,
      );
    }
  },
};
