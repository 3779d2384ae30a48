import type { ResourceValidationPolicy } from "@pulumi/policy";
import { GitSource, SharedConfigRepo } from "pulumi-codefresh";
import { validateInputsOf } from "../values";

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

/** Repositories a runtime clones stay at or under 100 MB. */
export const repoSize: ResourceValidationPolicy = {
  name: "repo-size-limit",
  description: "Git repos used as the Shared Configuration Repo or a git source are at most 100 MB (configurable), where the size is known.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { maxSizeMb: { type: "number", default: 100, minimum: 1 } } },
  validateResource: [
    validateInputsOf(SharedConfigRepo, (repo, args, reportViolation) =>
      checkSize(args.name, repo.repoSizeBytes, args.getConfig<RepoSizeConfig>().maxSizeMb, reportViolation),
    ),
    validateInputsOf(GitSource, (source, args, reportViolation) =>
      checkSize(args.name, source.repoSizeBytes, args.getConfig<RepoSizeConfig>().maxSizeMb, reportViolation),
    ),
  ],
};
