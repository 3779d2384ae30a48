import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, types } from "../values";

export interface RepoSizeConfig {
  /** Largest repository, in MB. */
  maxSizeMb: number;
}

/** Repositories a runtime clones stay at or under 100 MB. */
export const repoSize: ResourceValidationPolicy = {
  name: "repo-size-limit",
  description: "Git repos used as the Shared Configuration Repo or a git source are at most 100 MB (configurable), where the size is known.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { maxSizeMb: { type: "number", default: 100, minimum: 1 } } },
  validateResource: (args, reportViolation) => {
    if (args.type !== types.SharedConfigRepo && args.type !== types.GitSource) return;
    const { maxSizeMb } = args.getConfig<RepoSizeConfig>();
    const size = read<number>(args.props, "repoSizeBytes");
    if (typeof size !== "number" || size < 0) return; // the provider API does not tell (Gerrit)
    const mb = size / (1024 * 1024);
    if (mb > maxSizeMb) {
      reportViolation(`${args.name}: the repo is ${mb.toFixed(1)} MB, over the ${maxSizeMb} MB limit; move large files out (Git LFS or an artifact store)`);
    }
  },
};
