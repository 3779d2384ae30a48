/**
 * pulumi-codefresh: Codefresh GitOps as code, for hybrid runtimes (the gitops-runtime Helm chart) and an
 * account's hosted runtime.
 *
 * The component (CodefreshGitOps) composes the resources (Runtime, HostedRuntime, SharedConfigRepo, GitSource,
 * ManagedCluster, and the optional ArgoRollouts and Application), which build on the pieces
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
export * from "./components";
// `pulumi-codefresh import`'s reading and writing, for programs that adopt an account their own way.
export * from "./import";
