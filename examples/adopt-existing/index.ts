// Taking over an account set up in the Codefresh UI: the hosted runtime, its git connection and the
// default git source Codefresh created. `pulumi import` cannot import dynamic resources; `adopt: true`
// does the same job. Config: codefresh:apiKey (secret), runtimeName, sharedConfigRepo, gitSourceRepo,
// gitToken (secret), gitApiUrl (optional), defaultGitSource (the git source Codefresh created).
import * as pulumi from "@pulumi/pulumi";
import { GitSource, HostedRuntime, SharedConfigRepo } from "pulumi-codefresh";

const config = new pulumi.Config();

const runtime = new HostedRuntime(
  "hosted",
  { name: config.get("runtimeName") ?? "codefresh-hosted", adopt: true },
  { protect: config.getBoolean("protect") ?? true },
);

const sharedConfig = new SharedConfigRepo("shared-config", {
  runtime: runtime.name,
  gitProvider: "GITHUB",
  gitApiUrl: config.get("gitApiUrl"),
  repoUrl: config.require("sharedConfigRepo"),
  gitSourceRepoUrl: config.require("gitSourceRepo"),
  gitToken: config.requireSecret("gitToken"),
  adopt: true,
});

// Codefresh's own default git source, now managed here (its settings are taken over as they are).
const defaultSource = new GitSource(
  "default",
  { runtime: runtime.name, name: config.get("defaultGitSource") ?? "default-git-source", repoUrl: config.require("gitSourceRepo"), adopt: true },
  { dependsOn: [sharedConfig] },
);

export const runtimeVersion = runtime.version;
export const adoptedGitSource = defaultSource.appSpecifier;
export const gitSourceFromCodefresh = sharedConfig.defaultGitSourceName;
