import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, types } from "../values";

/** Bitbucket Cloud and Gerrit work with hosted runtimes once Codefresh enables them for the account. */
export const gitProviderSupport: ResourceValidationPolicy = {
  name: "git-provider-support",
  description: "Bitbucket Cloud and Gerrit need Codefresh support to enable them for a hosted runtime (advisory).",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== types.SharedConfigRepo) return;
    const provider = read<string>(args.props, "gitProvider");
    if (provider === "BITBUCKET" || provider === "GERRIT") {
      reportViolation(`${args.name}: ${provider === "GERRIT" ? "Gerrit" : "Bitbucket Cloud"} with a hosted runtime must be enabled for the account by Codefresh support; ask them before applying`);
    }
  },
};
