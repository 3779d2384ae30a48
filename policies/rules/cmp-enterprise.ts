import type { StackValidationPolicy } from "@pulumi/policy";
import { GitSource, HostedRuntime } from "pulumi-codefresh";
import { inputsOf } from "../values";

export interface CmpConfig {
  /** The account's plan when the stack does not say (HostedRuntime.accountPlan, from `codefresh:accountPlan`). */
  plan: string;
}

/** Argo CD Config Management Plugins are an Enterprise feature of Codefresh. */
export const cmpEnterpriseOnly: StackValidationPolicy = {
  name: "cmp-enterprise-only",
  description:
    "Git sources use Config Management Plugins only on an Enterprise account (the plan comes from HostedRuntime.accountPlan, set by codefresh:accountPlan, else from this rule's config).",
  enforcementLevel: "mandatory",
  configSchema: { properties: { plan: { type: "string", enum: ["FREE", "PRO", "ENTERPRISE"], default: "PRO" } } },
  validateStack: (args, reportViolation) => {
    const fromStack = args.resources.map((r) => inputsOf(HostedRuntime, r)?.accountPlan).find((plan) => typeof plan === "string" && plan !== "");
    const plan = fromStack ?? args.getConfig<CmpConfig>().plan;
    if (plan === "ENTERPRISE") return;
    for (const resource of args.resources) {
      const plugin = inputsOf(GitSource, resource)?.configManagementPlugin;
      if (plugin) {
        reportViolation(
          `git source "${resource.name}" uses Config Management Plugin "${plugin}", which Codefresh offers on Enterprise only (plan: ${plan})`,
          resource.urn,
        );
      }
    }
  },
};
