/**
 * pulumi-codefresh: a Codefresh Hosted GitOps Runtime as code.
 *
 * The resources (HostedRuntime, SharedConfigRepo, GitSource, ManagedCluster) build on the pieces
 * exported here: configuration resolved once, and one error hierarchy.
 */
export * from "./config";
export * from "./errors";
