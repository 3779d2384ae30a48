// One reading of a failed call for every client (Codefresh, the git providers, Kubernetes API
// servers): what kind of failure it is, whether another attempt can help, whether the request may
// have been applied, and how long the server asked us to wait. Each client words its own errors
// from this; none keeps its own lists of statuses or error codes.
import { causeCode, HeaderMap } from "../http";
import { AttemptTimeoutError, parseRetryAfter } from "../retry";

/** Statuses worth another attempt: the server or a proxy failed or timed out, or asked us to slow down. */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** System and undici codes of a connection that failed or dropped: worth another attempt. */
export const networkErrorCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** OpenSSL's and Node's TLS codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, ERR_TLS_…, ERR_SSL_…). */
const tlsErrorCodePattern = /CERT|SIGNATURE|ISSUER|SELF_SIGNED|ERR_TLS|SSL/;

/** A certificate or handshake failure: another attempt cannot help, a CA bundle can. */
export function isTlsErrorCode(code: string): boolean {
  return tlsErrorCodePattern.test(code);
}

export type FailureKind =
  /** 408 or 5xx: the server or a proxy failed; it may have applied the request. */
  | "transient"
  /** 429, or GitHub's 403 with its rate-limit signs. */
  | "rate-limited"
  /** No answer within the per-attempt timeout. */
  | "timeout"
  /** The connection failed or dropped (one of {@link networkErrorCodes}). */
  | "network"
  /** The server's certificate was refused. */
  | "tls"
  /** 401/403, or GraphQL's `UNAUTHENTICATED`. */
  | "auth"
  | "not-found"
  /** 409/412, or GraphQL's `CONFLICT` / "already exists". */
  | "conflict"
  /** GraphQL's "Cannot query field": the server does not offer the operation. */
  | "unsupported"
  /** Any other 4xx: the request itself was refused. */
  | "invalid"
  /** Anything else (other codes, aborts, other statuses, GraphQL errors without a known code). */
  | "other";

export interface Failure {
  readonly kind: FailureKind;
  /** The HTTP status, when the server answered. */
  readonly status?: number | undefined;
  /** The system or TLS code, when it did not. */
  readonly code?: string | undefined;
  /** Whether another attempt can help. */
  readonly retryable: boolean;
  /** Whether the request may have reached the server and been applied (a timeout, a drop, a 5xx after sending). */
  readonly outcomeUnknown: boolean;
  /** The wait the server asked for (`Retry-After`, GitHub's `x-ratelimit-reset`), in ms. */
  readonly retryAfterMs?: number | undefined;
  /** How the server limited us, when it did (GitHub's rules, see {@link rateLimit}). */
  readonly rateLimit?: RateLimit | undefined;
}

export interface RateLimit {
  /** How long to wait before the next attempt. */
  delayMs: number;
  /** `primary`: the hourly quota is used up (x-ratelimit-remaining: 0); `secondary`: GitHub's abuse limits; `retry-after`: any other server-given delay. */
  kind: "primary" | "secondary" | "retry-after";
  /** When the quota resets (epoch ms), if the server said. */
  resetAt?: number | undefined;
}

/**
 * What a rate-limited answer asks for, following GitHub's documented rules
 * (docs.github.com "Rate limits for the REST API" / "Best practices"): a `retry-after` header wins;
 * else `x-ratelimit-remaining: 0` means wait until `x-ratelimit-reset` (epoch seconds; +1 s so the
 * window has really rolled over); else a 403/429 that says "secondary rate limit" means wait at least
 * one minute. Undefined when the answer is not a rate limit.
 */
export function rateLimit(status: number, headers: HeaderMap, message: string, now = Date.now()): RateLimit | undefined {
  const secondary = /secondary rate limit|abuse detection/i.test(message);
  const retryAfter = parseRetryAfter(headers["retry-after"], now);
  if (retryAfter !== undefined && (status === 403 || status === 429 || status === 503)) {
    return { delayMs: retryAfter, kind: secondary || status === 403 ? "secondary" : "retry-after" };
  }
  if ((status === 403 || status === 429) && headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    if (Number.isFinite(reset) && reset > 0) {
      const resetAt = reset * 1000;
      return { delayMs: Math.max(0, resetAt - now) + 1000, kind: "primary", resetAt };
    }
    return { delayMs: 60_000, kind: "primary" };
  }
  if ((status === 403 || status === 429) && secondary) return { delayMs: 60_000, kind: "secondary" };
  return undefined;
}

export interface ErrorAnswer {
  status: number;
  /** Lower-case names (see `lowerHeaders`). */
  headers?: HeaderMap | undefined;
  /** The server's message, for GitHub's "secondary rate limit" answers. */
  message?: string | undefined;
  /** For tests: the current time, for `Retry-After` dates and `x-ratelimit-reset`. */
  now?: number | undefined;
}

/** An error answer (status ≥ 300) as a {@link Failure}. */
export function classifyAnswer(answer: ErrorAnswer): Failure {
  const { status } = answer;
  const headers = answer.headers ?? {};
  const limit = rateLimit(status, headers, answer.message ?? "", answer.now);
  const retryAfterMs = limit?.delayMs ?? (retryableStatuses.has(status) ? parseRetryAfter(headers["retry-after"], answer.now) : undefined);
  const base = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...(limit === undefined ? {} : { rateLimit: limit }) };
  const known = (kind: FailureKind): Failure => ({ ...base, kind, retryable: false, outcomeUnknown: false });
  if (status === 429 || (status === 403 && limit !== undefined)) return { ...base, kind: "rate-limited", retryable: true, outcomeUnknown: false };
  // A 5xx may come after the server applied the change: its outcome is unknown.
  if (retryableStatuses.has(status)) return { ...base, kind: "transient", retryable: true, outcomeUnknown: true };
  if (status === 401 || status === 403) return known("auth");
  if (status === 404) return known("not-found");
  if (status === 409 || status === 412) return known("conflict");
  if (status >= 400 && status < 500) return known("invalid");
  return known("other");
}

/** A failure without an answer (a timeout, a refused or dropped connection, TLS) as a {@link Failure}. */
export function classifyError(error: unknown): Failure {
  if (error instanceof AttemptTimeoutError) return { kind: "timeout", retryable: true, outcomeUnknown: true };
  const code = causeCode(error);
  if (code === undefined) return { kind: "other", retryable: false, outcomeUnknown: false };
  if (isTlsErrorCode(code)) return { kind: "tls", code, retryable: false, outcomeUnknown: false };
  // A reset or timeout may come after the request was sent; a refused one cannot, but telling them
  // apart per code buys little, so any dropped connection counts as unknown.
  if (networkErrorCodes.has(code)) return { kind: "network", code, retryable: true, outcomeUnknown: true };
  return { kind: "other", code, retryable: false, outcomeUnknown: false };
}

/** One entry of a GraphQL answer's `errors[]`. */
export interface GraphqlError {
  message?: string | undefined;
  extensions?: { code?: string } | undefined;
}

/**
 * A GraphQL answer with `errors[]`, whatever its HTTP status, as a {@link Failure}. An internal
 * error is retried, as octokit does; the server reported it, so the request was not applied.
 */
export function classifyGraphqlErrors(errors: readonly GraphqlError[], status: number): Failure {
  const message = errors.map((e) => e.message ?? "").join("\n");
  const code = errors.find((e) => e.extensions?.code)?.extensions?.code;
  const known = (kind: FailureKind, retryable = false): Failure => ({ kind, status, retryable, outcomeUnknown: false });
  if (/Cannot query field "[^"]+" on type "(Mutation|Query)"/.test(message)) return known("unsupported");
  if (code === "UNAUTHENTICATED") return known("auth");
  if (code === "NOT_FOUND" || /does not exist/.test(message)) return known("not-found");
  if (code === "CONFLICT" || /already exists/.test(message)) return known("conflict");
  if (code === "INTERNAL_SERVER_ERROR" || /^internal server error/i.test(message)) return known("transient", true);
  return known("other");
}
