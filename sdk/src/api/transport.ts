// HTTP and GraphQL transport to Codefresh: the raw API key in `Authorization`, a timeout per attempt,
// retries with backoff that honour `Retry-After`, and one typed error per failure. A response with
// `errors[]` is a failure whatever its HTTP status.
import {
  AuthenticationError,
  CodefreshApiError,
  ConflictError,
  GraphqlResponseError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  ServerError,
  UnsupportedOperationError,
} from "../errors";
import { causeCode } from "../http";
import { redact } from "../redact";
import { AttemptTimeoutError, parseRetryAfter, retry } from "../retry";
import { truncate } from "../text";

export interface TransportOptions {
  apiKey: string;
  fetch: typeof globalThis.fetch;
  requestTimeoutMs: number;
  /** Attempts per call, the first included (default 5). */
  attempts?: number;
  /** Largest wait between attempts (default 30 s). */
  maxDelayMs?: number;
  /** Other secrets that must never appear in an error (git tokens in variables, cluster tokens). */
  secrets?: () => Iterable<string | undefined>;
  /** Progress and retry notes. */
  onRetry?: (info: { operation: string; attempt: number; delayMs: number; reason: string }) => void;
  /** For tests: how to wait between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

export interface CallOptions<T = unknown> {
  /**
   * Safe to send again after a failure whose outcome is unknown (reads, upserts, deletes by name).
   * A non-idempotent call is retried only when `recover` shows it did not happen.
   */
  idempotent: boolean;
  /**
   * For non-idempotent calls, after an attempt whose outcome is unknown: reads what exists and returns
   * the result to use if that attempt was applied after all, or `undefined` if it was not (then the
   * call is sent again).
   */
  recover?: () => Promise<T | undefined>;
}

const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

/** An attempt's failure before it is classified; `applied` is unknown for transport failures. */
class AttemptFailure extends Error {
  constructor(
    readonly error: CodefreshApiError,
    /** True when the request may have reached the server and been applied (timeouts, drops, 5xx after send). */
    readonly outcomeUnknown: boolean,
    readonly retryable: boolean,
  ) {
    super(error.message);
  }
}

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  private secrets(): (string | undefined)[] {
    return [this.options.apiKey, ...(this.options.secrets?.() ?? [])];
  }

  /** POSTs JSON to `url` and returns the parsed body of a 2xx answer. */
  async postJson(url: string, operation: string, body: unknown, call: CallOptions<unknown>): Promise<unknown> {
    return this.withRetries(operation, call, async (signal) => {
      const answer = await this.send(url, operation, body, signal);
      if (answer.status >= 200 && answer.status < 300) return answer.json;
      throw this.httpFailure(operation, answer.status, answer.text, answer.retryAfterMs);
    });
  }

  /** Runs a GraphQL document; returns `data`. */
  async graphql<T>(url: string, operation: string, query: string, variables: Record<string, unknown>, call: CallOptions<T>): Promise<T> {
    return this.withRetries(operation, call, async (signal) => {
      const answer = await this.send(url, operation, Object.keys(variables).length === 0 ? { query } : { query, variables }, signal);
      const body = answer.json as { data?: T; errors?: { message?: string; extensions?: { code?: string } }[] } | undefined;
      if (body && Array.isArray(body.errors) && body.errors.length > 0) {
        throw this.graphqlFailure(operation, body.errors, answer.status);
      }
      if (answer.status < 200 || answer.status >= 300) throw this.httpFailure(operation, answer.status, answer.text, answer.retryAfterMs);
      if (!body || !("data" in body)) {
        throw new AttemptFailure(new ServerError(operation, `unexpected answer (HTTP ${answer.status}): no data`, { status: answer.status }), false, true);
      }
      return body.data as T;
    });
  }

  private async send(url: string, operation: string, body: unknown, signal: AbortSignal) {
    let response: Response;
    try {
      response = await this.options.fetch(url, {
        method: "POST",
        headers: { Authorization: this.options.apiKey, "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted && signal.reason instanceof AttemptTimeoutError) throw signal.reason;
      const reason = describeNetworkError(error);
      throw new AttemptFailure(new ServerError(operation, `no answer from ${new URL(url).origin}: ${reason}`), true, true);
    }
    const text = await response.text().catch((error: unknown) => {
      throw new AttemptFailure(new ServerError(operation, `the connection dropped while reading the answer: ${describeNetworkError(error)}`), true, true);
    });
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) };
  }

  private httpFailure(operation: string, status: number, text: string, retryAfterMs: number | undefined): AttemptFailure {
    const serverMessage = redact(extractMessage(text) ?? `HTTP ${status}`, this.secrets());
    if (status === 401 || status === 403) {
      const fix =
        status === 401
          ? "the API key was refused: check codefresh:apiKey (or CODEFRESH_API_KEY) and create a new key in Codefresh under User Settings > API Keys"
          : "the API key lacks rights for this: use a key of an account admin";
      return new AttemptFailure(new AuthenticationError(operation, `${fix} (${serverMessage})`, { status }), false, false);
    }
    if (status === 404) return new AttemptFailure(new NotFoundError(operation, serverMessage, { status }), false, false);
    if (status === 409) return new AttemptFailure(new ConflictError(operation, serverMessage, { status }), false, false);
    if (status === 429) {
      return new AttemptFailure(new RateLimitedError(operation, `rate limited by Codefresh (${serverMessage})`, { status, retryAfterMs }), false, true);
    }
    if (retryableStatuses.has(status)) {
      // A 5xx may come after the server applied the change; treat the outcome as unknown.
      return new AttemptFailure(new ServerError(operation, `server error ${status}: ${serverMessage}`, { status, retryAfterMs }), status !== 429, true);
    }
    return new AttemptFailure(new GraphqlResponseError(operation, `HTTP ${status}: ${serverMessage}`, { status }), false, false);
  }

  private graphqlFailure(operation: string, errors: { message?: string; extensions?: { code?: string } }[], status: number): AttemptFailure {
    const message = redact(errors.map((e) => e.message ?? "(no message)").join("\n"), this.secrets());
    const code = errors.find((e) => e.extensions?.code)?.extensions?.code;
    const details = { status, code };
    if (/Cannot query field "[^"]+" on type "(Mutation|Query)"/.test(message)) {
      return new AttemptFailure(new UnsupportedOperationError(operation, message, details), false, false);
    }
    if (code === "UNAUTHENTICATED") return new AttemptFailure(new AuthenticationError(operation, message, details), false, false);
    if (code === "NOT_FOUND" || /does not exist/.test(message)) return new AttemptFailure(new NotFoundError(operation, message, details), false, false);
    if (code === "CONFLICT" || /already exists/.test(message)) return new AttemptFailure(new ConflictError(operation, message, details), false, false);
    if (code === "INTERNAL_SERVER_ERROR" || /^internal server error/i.test(message)) {
      // Codefresh sometimes answers 200 with an internal error; like octokit, treat it as a 500.
      return new AttemptFailure(new ServerError(operation, message, details), false, true);
    }
    return new AttemptFailure(new GraphqlResponseError(operation, message, details), false, false);
  }

  private async withRetries<T>(operation: string, call: CallOptions<T>, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let lastFailure: AttemptFailure | undefined;
    let resentAfterUnknownOutcome = false;
    try {
      return await retry(
        async ({ signal, attempt: n }) => {
          if (n > 1 && !call.idempotent && lastFailure?.outcomeUnknown) {
            // Send a non-idempotent write again only once a read shows the last one did not happen.
            if (!call.recover) throw lastFailure;
            const recovered = await call.recover();
            if (recovered !== undefined) return recovered;
            resentAfterUnknownOutcome = true;
          }
          try {
            return await attempt(signal);
          } catch (error) {
            lastFailure = toAttemptFailure(operation, error, this.options.requestTimeoutMs);
            // The earlier attempt was still in flight when we read, and landed before the resend: a
            // conflict now means it happened. One more read tells, and returns its result.
            if (resentAfterUnknownOutcome && call.recover && lastFailure.error instanceof ConflictError) {
              const recovered = await call.recover();
              if (recovered !== undefined) return recovered;
            }
            throw lastFailure;
          }
        },
        {
          attempts: this.options.attempts ?? 5,
          attemptTimeoutMs: this.options.requestTimeoutMs,
          baseDelayMs: 250,
          maxDelayMs: this.options.maxDelayMs ?? 30_000,
          retryable: (error) => {
            const failure = error instanceof AttemptFailure ? error : toAttemptFailure(operation, error, this.options.requestTimeoutMs);
            lastFailure = failure;
            return failure.retryable && (call.idempotent || !failure.outcomeUnknown || call.recover !== undefined);
          },
          retryAfterMs: (error) => (error instanceof AttemptFailure ? error.error.details.retryAfterMs : undefined),
          onRetry: ({ attempt: n, delayMs, error }) =>
            this.options.onRetry?.({ operation, attempt: n, delayMs, reason: error instanceof AttemptFailure ? error.error.message : String(error) }),
          sleep: this.options.sleep,
        },
      );
    } catch (error) {
      throw (error instanceof AttemptFailure ? error : toAttemptFailure(operation, error, this.options.requestTimeoutMs)).error;
    }
  }
}

function toAttemptFailure(operation: string, error: unknown, timeoutMs: number): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  if (error instanceof AttemptTimeoutError) {
    return new AttemptFailure(new RequestTimeoutError(operation, `no answer within ${timeoutMs} ms (codefresh:requestTimeoutMs)`), true, true);
  }
  if (error instanceof CodefreshApiError) return new AttemptFailure(error, false, false);
  throw error;
}

function extractMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON
  }
  return text.trim() === "" ? undefined : truncate(text.trim(), 300);
}

function describeNetworkError(error: unknown): string {
  return causeCode(error) ?? (error instanceof Error ? error.message : String(error));
}
