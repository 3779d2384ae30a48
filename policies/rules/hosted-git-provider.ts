import type { StackValidationPolicy } from "@pulumi/policy";
import { git, SharedConfigRepo } from "pulumi-codefresh";
import { validateHostedInputsOf } from "../values";

/** Hosted runtimes support GitHub, Bitbucket Cloud and Gerrit only (hybrid runtimes more: not judged here). */
export const hostedGitProvider: StackValidationPolicy = {
  name: "hosted-git-provider",
  description: "The git provider of a hosted runtime is one it supports: GitHub, Bitbucket Cloud or Gerrit (hosted runtimes only).",
  enforcementLevel: "mandatory",
  validateStack: validateHostedInputsOf(SharedConfigRepo, (repo, args, reportViolation) => {
    const provider: string = repo.gitProvider;
    if (!(git.hostedGitProviders as readonly string[]).includes(provider)) {
      reportViolation(`${args.name}: ${String(provider)} is not a hosted-runtime git provider; use GITHUB, BITBUCKET (Bitbucket Cloud) or GERRIT`);
    }
  }),
};
