import type { ResourceValidationPolicy } from "@pulumi/policy";
import { git, SharedConfigRepo } from "pulumi-codefresh";
import { validateInputsOf } from "../values";

/** Hosted runtimes support GitHub, Bitbucket Cloud and Gerrit only. */
export const hostedGitProvider: ResourceValidationPolicy = {
  name: "hosted-git-provider",
  description: "The git provider is one a hosted runtime supports: GitHub, Bitbucket Cloud or Gerrit.",
  enforcementLevel: "mandatory",
  validateResource: validateInputsOf(SharedConfigRepo, (repo, args, reportViolation) => {
    const provider: string = repo.gitProvider;
    if (!(git.hostedGitProviders as readonly string[]).includes(provider)) {
      reportViolation(`${args.name}: ${String(provider)} is not a hosted-runtime git provider; use GITHUB, BITBUCKET (Bitbucket Cloud) or GERRIT`);
    }
  }),
};
