import type { StackValidationPolicy } from "@pulumi/policy";
import { SharedConfigRepo } from "pulumi-codefresh";
import { validateHostedInputsOf } from "../values";

/** Bitbucket Cloud and Gerrit work with hosted runtimes once Codefresh enables them for the account. */
export const gitProviderSupport: StackValidationPolicy = {
  name: "git-provider-support",
  description: "Bitbucket Cloud and Gerrit need Codefresh support to enable them for a hosted runtime (advisory; hosted runtimes only).",
  enforcementLevel: "advisory",
  validateStack: validateHostedInputsOf(SharedConfigRepo, (repo, args, reportViolation) => {
    const provider = repo.gitProvider;
    if (provider === "BITBUCKET" || provider === "GERRIT") {
      reportViolation(
        `${args.name}: ${provider === "GERRIT" ? "Gerrit" : "Bitbucket Cloud"} with a hosted runtime must be enabled for the account by Codefresh support; ask them before applying`,
      );
    }
  }),
};
