import type { StackValidationPolicy } from "@pulumi/policy";
import { GitSource, SharedConfigRepo } from "pulumi-codefresh";
import { validateHostedInputsOf } from "../values";

export interface RepoSizeConfig {
  /** Largest repository, in MB. */
  maxSizeMb: number;
}

type Report = (message: string) => void;

function checkSize(name: string, size: number | undefined, maxSizeMb: number, reportViolation: Report): void {
  if (typeof size !== "number" || size < 0) return; // the provider API does not tell (Gerrit)
  const mb = size / (1024 * 1024);
  if (mb > maxSizeMb) {
    reportViolation(`${name}: the repo is ${mb.toFixed(1)} MB, over the ${maxSizeMb} MB limit; move large files out (Git LFS or an artifact store)`);
  }
}

const sharedConfigRepoSizes = validateHostedInputsOf(SharedConfigRepo, (repo, args, reportViolation) =>
  checkSize(args.name, repo.repoSizeBytes, args.getConfig<RepoSizeConfig>().maxSizeMb, reportViolation),
);
const gitSourceSizes = validateHostedInputsOf(GitSource, (source, args, reportViolation) =>
  checkSize(args.name, source.repoSizeBytes, args.getConfig<RepoSizeConfig>().maxSizeMb, reportViolation),
);

/** Repositories a hosted runtime clones stay at or under 100 MB (Codefresh's hosted-runtime requirement). */
export const repoSize: StackValidationPolicy = {
  name: "repo-size-limit",
  description:
    "Git repos a hosted runtime uses as the Shared Configuration Repo or a git source are at most 100 MB (configurable), where the size is known (hosted runtimes only).",
  enforcementLevel: "mandatory",
  configSchema: { properties: { maxSizeMb: { type: "number", default: 100, minimum: 1 } } },
  validateStack: (args, reportViolation) => {
    // Both kinds, then the first unknown value: an unknown size of one must not hide a violation of the other.
    let unknown: Error | undefined;
    for (const validate of [sharedConfigRepoSizes, gitSourceSizes]) {
      try {
        void validate(args, reportViolation); // synchronous (validateHostedInputsOf)
      } catch (error) {
        unknown ??= error as Error;
      }
    }
    if (unknown) throw unknown;
  },
};
