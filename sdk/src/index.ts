/**
 * pulumi-codefresh: a Codefresh Hosted GitOps Runtime as code.
 *
 * The resources (HostedRuntime, SharedConfigRepo, GitSource, ManagedCluster) build on the pieces
 * exported here: configuration resolved once, one error hierarchy, one retry utility, redaction, the
 * target-cluster operations, and the git providers.
 */
export * from "./config";
export * from "./errors";
export * from "./redact";
export * from "./retry";
export * from "./http";
export * as cluster from "./cluster";
export * as api from "./api";
export { CodefreshClient } from "./api";
export * as git from "./git";
export * from "./resources";
