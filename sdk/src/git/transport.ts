// What the three provider adapters share: one shape for a failed HTTP exchange, the retry policy
// (transient statuses, network errors, per-attempt timeout, Retry-After and GitHub's rate-limit
// headers), creates retried only after a read shows they did not happen, and the translation of the
// final failure into a GitError that says what to fix and never contains the token.
import { GitError } from "../errors";
import { causeCode, HeaderMap, lowerHeaders } from "../http";
import { classifyAnswer, classifyError, createOnce as createOnceKernel, Failure, isTlsErrorCode, rateLimit, RateLimit } from "../net";
import { redact } from "../redact";
import { AttemptTimeoutError, retry, RetryOptions } from "../retry";
import { truncate } from "../text";

/** An HTTP exchange that failed inside one attempt: an error status, or (status undefined) no answer. */
export class HttpFailure extends Error {
  override readonly name = "HttpFailure";
  constructor(
    readonly status: number | undefined,
    readonly headers: HeaderMap,
    /** Parsed JSON or text of the error answer. */
    readonly body: unknown,
    /** For network failures: the system or TLS error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, …). */
    readonly code?: string,
    message?: string,
  ) {
    super(message ?? (status === undefined ? `no answer (${code ?? "network error"})` : `HTTP ${status}`));
  }
}

/** The message a provider put in an error answer: GitHub/Gitea `message`, Bitbucket `error.message`, Gerrit plain text. */
export function serverMessage(body: unknown): string {
  let text = "";
  if (typeof body === "string") text = body;
  else if (body && typeof body === "object") {
    const b = body as { message?: unknown; error?: { message?: unknown; detail?: unknown } };
    if (typeof b.message === "string") text = b.message;
    else if (b.error && typeof b.error.message === "string") {
      text = b.error.message + (typeof b.error.detail === "string" ? ` (${b.error.detail})` : "");
    }
  }
  text = text.replace(/\s+/g, " ").trim();
  return truncate(text, 300);
}

/** What a rate-limited answer asks for (GitHub's rules, see `rateLimit` in sdk/src/net), from the answer's body. */
export function rateLimitDelay(status: number, headers: HeaderMap, body: unknown, now = Date.now()): RateLimit | undefined {
  return rateLimit(status, headers, serverMessage(body), now);
}

/** A failed exchange, classified: an error answer, or no answer (a timeout, a network or TLS code). */
export function failureOf(error: unknown): Failure {
  if (error instanceof HttpFailure && error.status !== undefined) {
    return classifyAnswer({ status: error.status, headers: error.headers, message: serverMessage(error.body) });
  }
  return classifyError(error);
}

export interface RetrySettings {
  /** Total attempts (default 5). */
  attempts: number;
  /** Timeout of one attempt (default 30 s). */
  attemptTimeoutMs: number;
  /** Longest wait for a rate limit or Retry-After; a longer one fails at once with `rate-limited` (default 60 s). */
  maxRateLimitWaitMs: number;
  baseDelayMs: number;
  onRetry?: ((info: { attempt: number; delayMs: number; status?: number | undefined }) => void) | undefined;
}

/** Whether another attempt can help, given the longest wait we accept for a rate limit or Retry-After. */
export function isRetryable(error: unknown, maxRateLimitWaitMs: number): boolean {
  const failure = failureOf(error);
  return failure.retryable && (failure.retryAfterMs ?? 0) <= maxRateLimitWaitMs;
}

function retryOptions(settings: RetrySettings): RetryOptions {
  return {
    attempts: settings.attempts,
    attemptTimeoutMs: settings.attemptTimeoutMs,
    baseDelayMs: settings.baseDelayMs,
    maxDelayMs: Math.max(settings.maxRateLimitWaitMs, 1000) + 1000,
    retryable: (error) => isRetryable(error, settings.maxRateLimitWaitMs),
    retryAfterMs: (error) => failureOf(error).retryAfterMs,
    onRetry: ({ attempt, delayMs, error }) => settings.onRetry?.({ attempt, delayMs, status: error instanceof HttpFailure ? error.status : undefined }),
  };
}

/** A read or an idempotent write: retried on transient failures. */
export function withRetry<T>(settings: RetrySettings, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return retry(({ signal }) => fn(signal), retryOptions(settings));
}

/**
 * A delete, retried like a read: true when it deleted (an interrupted attempt that did counts), false when
 * the object was already gone. Other failures are thrown for the caller to explain.
 */
export async function deleteWithRetry(settings: RetrySettings, attempt: (signal: AbortSignal) => Promise<unknown>): Promise<boolean> {
  let interrupted = false;
  try {
    await withRetry(settings, async (signal) => {
      try {
        return await attempt(signal);
      } catch (error) {
        if (isRetryable(error, settings.maxRateLimitWaitMs)) interrupted = true;
        throw error;
      }
    });
    return true;
  } catch (error) {
    // 404 after an interrupted attempt: that attempt deleted it.
    if (error instanceof HttpFailure && error.status === 404) return interrupted;
    throw error;
  }
}

/**
 * A non-idempotent write (create a repository, commit files): after a failure that may have been
 * applied, `readBack` looks whether it happened anyway and returns that result if so; only otherwise
 * is it tried again. If the read itself fails, the outcome is unknown and nothing is repeated.
 */
export function createOnce<T>(
  settings: RetrySettings,
  attemptCreate: (signal: AbortSignal) => Promise<T>,
  readBack: () => Promise<T | undefined>,
  describe: string,
): Promise<T> {
  return createOnceKernel(({ signal }) => attemptCreate(signal), {
    ...retryOptions(settings),
    outcomeUnknown: (error) => failureOf(error).outcomeUnknown,
    readBack: async (failure) => {
      try {
        return await readBack();
      } catch {
        throw new GitError(
          "unreachable",
          `${describe}: the request failed (${describeFailure(failure)}) and reading back whether it happened failed too; ` +
            "it may or may not have happened: check, then run again",
        );
      }
    },
  });
}

function describeFailure(error: unknown): string {
  if (error instanceof AttemptTimeoutError) return `no answer within ${error.timeoutMs} ms`;
  if (error instanceof HttpFailure) return error.status === undefined ? (error.code ?? "network error") : `HTTP ${error.status}`;
  return "error";
}

export interface ErrorContext {
  /** `GitHub at https://api.github.com` */
  service: string;
  /** What was being done, e.g. `reading repository acme/isc`. */
  action: string;
  /** Values that must never appear in a message (the token, the password). */
  secrets: (string | undefined)[];
  /** What the token needs, for 403 answers. */
  forbiddenHint?: string | undefined;
  /** Which setting to fix for a 401, for example `the git token (gitToken)`. */
  tokenName?: string | undefined;
  maxRateLimitWaitMs?: number | undefined;
}

/** The final failure of a call as a {@link GitError} (GitErrors pass through). */
export function toGitError(error: unknown, context: ErrorContext): GitError {
  if (error instanceof GitError) return error;
  const where = `${context.action} (${context.service})`;
  const clean = (text: string) => redact(text, context.secrets);
  const token = context.tokenName ?? "the git token";
  if (error instanceof HttpFailure && error.status !== undefined) {
    const status = error.status;
    const said = clean(serverMessage(error.body));
    const saidPart = said === "" ? "" : `: ${said}`;
    const limit = failureOf(error).rateLimit;
    if (limit !== undefined || status === 429) {
      const reset = limit?.resetAt !== undefined ? `; the quota resets at ${new Date(limit.resetAt).toISOString()}` : "";
      const wait =
        limit !== undefined
          ? ` (the server asks to wait ${Math.ceil(limit.delayMs / 1000)} s, longer than the ${Math.round((context.maxRateLimitWaitMs ?? 60_000) / 1000)} s this client waits)`
          : "";
      return new GitError(
        "rate-limited",
        `${where}: rate limit reached (${status})${wait}${reset}; run again later, or use a token with its own quota${saidPart}`,
      );
    }
    if (status === 401) {
      return new GitError("unauthorized", `${where}: ${token} was refused (401): it is wrong, expired or revoked; create a new token and set it${saidPart}`);
    }
    if (status === 403) {
      return new GitError("forbidden", `${where}: forbidden (403)${saidPart}. ${context.forbiddenHint ?? "Give the token write access to the repository."}`);
    }
    if (status === 404) {
      return new GitError("not-found", `${where}: not found (404), or ${token} cannot see it; check the URL and the token's access${saidPart}`);
    }
    if (status === 409 || status === 412 || status === 422) {
      return new GitError("conflict", `${where}: the server refused the change (${status})${saidPart}; it may have changed meanwhile: run again`);
    }
    return new GitError("unreachable", `${where}: the server answered ${status}${saidPart}`);
  }
  if (error instanceof AttemptTimeoutError) {
    return new GitError("unreachable", `${where}: no answer within ${error.timeoutMs} ms; check that the server is reachable from here (requestTimeoutMs)`);
  }
  const code = error instanceof HttpFailure ? error.code : causeCode(error);
  if (code !== undefined && isTlsErrorCode(code)) {
    return new GitError(
      "unreachable",
      `${where}: TLS verification failed (${code}); pass the server's CA certificate as caBundle (insecureSkipTlsVerify only for a test server)`,
    );
  }
  if (code !== undefined) {
    return new GitError("unreachable", `${where}: cannot connect (${code}); check the API URL and that the server is reachable from here`);
  }
  const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  return new GitError("unreachable", `${where}: ${clean(message)}`);
}

/** `a/b c.yaml` → `a/b%20c.yaml`: each segment encoded, slashes kept. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/**
 * A file path relative to the repository's directory (`RepoRef.path`), checked: relative, no `..`,
 * no empty segment. Returns the path from the repository root.
 */
export function repoFilePath(base: string, path: string, field = "path"): string {
  const clean = path.replace(/^\.\//, "");
  const segments = clean.split("/");
  if (clean === "" || clean.startsWith("/") || segments.some((s) => s === "" || s === "." || s === "..") || /[\x00-\x1f\x7f\\]/.test(clean)) {
    throw new GitError(
      "invalid-url",
      `${field}: ${JSON.stringify(path)} must be a relative file path inside the repository, without "..", "." or empty segments`,
    );
  }
  return base === "" ? clean : `${base}/${clean}`;
}

export interface PlainAnswer {
  status: number;
  headers: HeaderMap;
  text: string;
}

/**
 * One request with a plain fetch (the Bitbucket and Gerrit adapters); an error status or no answer
 * is thrown as HttpFailure, its body parsed by `parseError`.
 */
export async function sendPlain(
  fetchImpl: typeof globalThis.fetch,
  request: { method: string; url: string; headers: Record<string, string>; body?: string | undefined },
  signal: AbortSignal,
  parseError: (text: string) => unknown,
): Promise<PlainAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(request.url, { method: request.method, headers: request.headers, body: request.body ?? null, signal, redirect: "manual" });
  } catch (error) {
    if ((error as { name?: string })?.name === "AbortError") throw error;
    throw new HttpFailure(undefined, {}, undefined, causeCode(error), error instanceof Error ? error.message : String(error));
  }
  const text = await response.text();
  const headers = lowerHeaders(response.headers);
  if (response.status >= 400 || (response.status >= 300 && response.status < 400)) {
    throw new HttpFailure(response.status, headers, parseError(text));
  }
  return { status: response.status, headers, text };
}
