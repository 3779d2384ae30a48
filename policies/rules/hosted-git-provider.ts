import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, types } from "../values";

const supported = ["GITHUB", "BITBUCKET", "GERRIT"];

/** Hosted runtimes support GitHub, Bitbucket Cloud and Gerrit only. */
export const hostedGitProvider: ResourceValidationPolicy = {
  name: "hosted-git-provider",
  description: "The git provider is one a hosted runtime supports: GitHub, Bitbucket Cloud or Gerrit.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== types.SharedConfigRepo) return;
    const provider = read<string>(args.props, "gitProvider");
    if (!supported.includes(String(provider))) {
      reportViolation(`${args.name}: ${String(provider)} is not a hosted-runtime git provider; use GITHUB, BITBUCKET (Bitbucket Cloud) or GERRIT`);
    }
  },
};
