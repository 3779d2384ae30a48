import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, types } from "../values";

export interface CmpConfig {
  /** The account's plan: FREE, PRO or ENTERPRISE. */
  plan: string;
}

/** Argo CD Config Management Plugins are an Enterprise feature of Codefresh. */
export const cmpEnterpriseOnly: ResourceValidationPolicy = {
  name: "cmp-enterprise-only",
  description: "Git sources use Config Management Plugins only on an Enterprise account (set the plan in this rule's config).",
  enforcementLevel: "mandatory",
  configSchema: { properties: { plan: { type: "string", enum: ["FREE", "PRO", "ENTERPRISE"], default: "PRO" } } },
  validateResource: (args, reportViolation) => {
    if (args.type !== types.GitSource) return;
    const plugin = read<string>(args.props, "configManagementPlugin");
    if (!plugin) return;
    const { plan } = args.getConfig<CmpConfig>();
    if (plan !== "ENTERPRISE") {
      reportViolation(`git source "${args.name}" uses Config Management Plugin "${plugin}", which Codefresh offers on Enterprise only (plan: ${plan})`);
    }
  },
};
