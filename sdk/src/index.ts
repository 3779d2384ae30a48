/**
 * pulumi-codefresh: a Codefresh Hosted GitOps Runtime as code.
 *
 * The resources (HostedRuntime, SharedConfigRepo, GitSource, ManagedCluster) build on the pieces
 * exported here: configuration resolved once, one error hierarchy, one retry utility, redaction, the
 * target-cluster operations, and the git providers.
 */
export * from "./config";
export * from "./errors";
// Retry and redaction are public because the tests use them; sleep, causeCode, createFetch and the
// failure classifier (sdk/src/net) are internals of the clients.
export { redact } from "./redact";
export { AttemptTimeoutError, backoffDelay, parseRetryAfter, retry } from "./retry";
export type { RetryHooks, RetryOptions } from "./retry";
export * as cluster from "./cluster";
export * as api from "./api";
export { CodefreshClient } from "./api";
export * as git from "./git";
export * from "./resources";
