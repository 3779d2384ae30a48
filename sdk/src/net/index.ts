// The part of the kernel every client calls through: one classification of failures, one https check
// for URLs that carry a secret, one create-once write and one poll loop. Imports only the kernel.
export { classifyAnswer, classifyError, classifyGraphqlErrors, isTlsErrorCode, networkErrorCodes, rateLimit, retryableStatuses } from "./classify";
export type { ErrorAnswer, Failure, FailureKind, GraphqlError, RateLimit } from "./classify";
export { isLoopbackHost, secureUrl } from "./secure-url";
export type { SecureUrlOptions, UrlRefusal } from "./secure-url";
export { createOnce } from "./create-once";
export type { CreateOnceOptions } from "./create-once";
export { parseDuration, pollUntil } from "./poll-until";
export type { PollInfo, PollOptions, PollProbe } from "./poll-until";
