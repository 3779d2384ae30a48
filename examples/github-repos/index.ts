// The repos are created (and owned) by @pulumi/github, with branch protection and a team; Codefresh then
// uses them as its Shared Configuration Repo and git source. Config: github:owner, github:token (secret),
// codefresh:apiKey (secret), githubToken (secret; the token Codefresh uses).
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GitSource, HostedRuntime, SharedConfigRepo } from "pulumi-codefresh";

const config = new pulumi.Config();
const owner = new pulumi.Config("github").require("owner");

const isc = new github.Repository("codefresh-isc", { name: "codefresh-isc", visibility: "private", autoInit: true });
const apps = new github.Repository("codefresh-apps", { name: "codefresh-apps", visibility: "private", autoInit: true });
new github.BranchProtection("apps-main", { repositoryId: apps.nodeId, pattern: "main", requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1 }] });
// The Shared Configuration Repository is written by the runtime's app-proxy, which pushes to its default branch:
// protect it against force pushes and deletion, without requiring reviews the app-proxy cannot give.
new github.BranchProtection("isc-main", { repositoryId: isc.nodeId, pattern: "main", allowsForcePushes: false, allowsDeletions: false });

const runtime = new HostedRuntime("hosted", { adopt: config.getBoolean("adoptRuntime") ?? false }, { protect: true });
const sharedConfig = new SharedConfigRepo("shared-config", {
  runtime: runtime.name,
  gitProvider: "GITHUB",
  repoUrl: pulumi.interpolate`https://github.com/${owner}/${isc.name}.git`,
  gitSourceRepoUrl: pulumi.interpolate`https://github.com/${owner}/${apps.name}.git`,
  gitToken: config.requireSecret("githubToken"),
});

new GitSource(
  "apps",
  { runtime: runtime.name, repoUrl: pulumi.interpolate`https://github.com/${owner}/${apps.name}.git`, path: "apps" },
  { dependsOn: [sharedConfig] },
);

export const repos = [isc.htmlUrl, apps.htmlUrl];
