import type { StackValidationPolicy } from "@pulumi/policy";
import { read, types } from "../values";

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
    const fromStack = args.resources
      .filter((r) => r.type === types.HostedRuntime)
      .map((r) => read<string>(r.props, "accountPlan"))
      .find((plan) => typeof plan === "string" && plan !== "");
    const plan = fromStack ?? args.getConfig<CmpConfig>().plan;
    if (plan === "ENTERPRISE") return;
    for (const source of args.resources.filter((r) => r.type === types.GitSource)) {
      const plugin = read<string>(source.props, "configManagementPlugin");
      if (plugin) {
        reportViolation(`git source "${source.name}" uses Config Management Plugin "${plugin}", which Codefresh offers on Enterprise only (plan: ${plan})`, source.urn);
      }
    }
  },
};
