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
import { causeCode, HeaderMap, lowerHeaders } from "../http";
import { classifyAnswer, classifyError, classifyGraphqlErrors, createOnce, Failure, GraphqlError } from "../net";
import { redact } from "../redact";
import { AttemptTimeoutError, retry, RetryOptions } from "../retry";
import { truncate } from "../text";
import { userAgent } from "../user-agent";

export interface TransportOptions {
  apiKey: string;
  fetch: typeof globalThis.fetch;
  requestTimeoutMs: number;
  /** Attempts per call, the first included (default 5). */
  attempts?: number | undefined;
  /** Largest wait between attempts (default 30 s). */
  maxDelayMs?: number | undefined;
  /** Other secrets that must never appear in an error (git tokens in variables, cluster tokens). */
  secrets?: (() => Iterable<string | undefined>) | undefined;
  /** Progress and retry notes. */
  onRetry?: ((info: { operation: string; attempt: number; delayMs: number; reason: string }) => void) | undefined;
  /** For tests: how to wait between attempts. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
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
  recover?: (() => Promise<T | undefined>) | undefined;
}

/** An attempt's failure: the error the caller will see, and how the shared classifier reads it. */
class AttemptFailure extends Error {
  constructor(
    readonly error: CodefreshApiError,
    readonly failure: Pick<Failure, "retryable" | "outcomeUnknown" | "retryAfterMs">,
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
      throw this.httpFailure(operation, answer);
    });
  }

  /** Runs a GraphQL document; returns `data`. */
  async graphql<T>(url: string, operation: string, query: string, variables: Record<string, unknown>, call: CallOptions<T>): Promise<T> {
    return this.withRetries(operation, call, async (signal) => {
      const answer = await this.send(url, operation, Object.keys(variables).length === 0 ? { query } : { query, variables }, signal);
      const body = answer.json as { data?: T; errors?: GraphqlError[] } | undefined;
      if (body && Array.isArray(body.errors) && body.errors.length > 0) {
        throw this.graphqlFailure(operation, body.errors, answer.status);
      }
      if (answer.status < 200 || answer.status >= 300) throw this.httpFailure(operation, answer);
      if (!body || !("data" in body)) {
        const error = new ServerError(operation, `unexpected answer (HTTP ${answer.status}): no data`, { status: answer.status });
        throw new AttemptFailure(error, { retryable: true, outcomeUnknown: false });
      }
      return body.data;
    });
  }

  private async send(url: string, operation: string, body: unknown, signal: AbortSignal) {
    let response: Response;
    try {
      response = await this.options.fetch(url, {
        method: "POST",
        headers: { Authorization: this.options.apiKey, "Content-Type": "application/json", Accept: "application/json", "User-Agent": userAgent() },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted && signal.reason instanceof AttemptTimeoutError) throw signal.reason;
      throw noAnswer(new ServerError(operation, `no answer from ${new URL(url).origin}: ${describeNetworkError(error)}`));
    }
    const text = await response.text().catch((error: unknown) => {
      throw noAnswer(new ServerError(operation, `the connection dropped while reading the answer: ${describeNetworkError(error)}`));
    });
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: lowerHeaders(response.headers), text, json };
  }

  private httpFailure(operation: string, answer: { status: number; headers: HeaderMap; text: string }): AttemptFailure {
    const { status } = answer;
    const failure = classifyAnswer({ status, headers: answer.headers });
    const { retryAfterMs } = failure;
    const serverMessage = redact(extractMessage(answer.text) ?? `HTTP ${status}`, this.secrets());
    const fail = (error: CodefreshApiError) => new AttemptFailure(error, failure);
    switch (failure.kind) {
      case "auth": {
        const fix =
          status === 401
            ? "the API key was refused: check codefresh:apiKey (or CODEFRESH_API_KEY) and create a new key in Codefresh under User Settings > API Keys"
            : "the API key lacks rights for this: use a key of an account admin";
        return fail(new AuthenticationError(operation, `${fix} (${serverMessage})`, { status }));
      }
      case "not-found":
        return fail(new NotFoundError(operation, serverMessage, { status }));
      case "conflict":
        return fail(new ConflictError(operation, serverMessage, { status }));
      case "rate-limited":
        return fail(new RateLimitedError(operation, `rate limited by Codefresh (${serverMessage})`, { status, retryAfterMs }));
      case "transient":
        return fail(new ServerError(operation, `server error ${status}: ${serverMessage}`, { status, retryAfterMs }));
      default:
        return fail(new GraphqlResponseError(operation, `HTTP ${status}: ${serverMessage}`, { status }));
    }
  }

  private graphqlFailure(operation: string, errors: GraphqlError[], status: number): AttemptFailure {
    const message = redact(errors.map((e) => e.message ?? "(no message)").join("\n"), this.secrets());
    const code = errors.find((e) => e.extensions?.code)?.extensions?.code;
    const details = { status, code };
    const failure = classifyGraphqlErrors(errors, status);
    const fail = (error: CodefreshApiError) => new AttemptFailure(error, failure);
    switch (failure.kind) {
      case "unsupported":
        return fail(new UnsupportedOperationError(operation, message, details));
      case "auth":
        return fail(new AuthenticationError(operation, message, details));
      case "not-found":
        return fail(new NotFoundError(operation, message, details));
      case "conflict":
        return fail(new ConflictError(operation, message, details));
      case "transient":
        // Codefresh sometimes answers 200 with an internal error; like octokit, treat it as a 500.
        return fail(new ServerError(operation, message, details));
      default:
        return fail(new GraphqlResponseError(operation, message, details));
    }
  }

  /**
   * Runs `attempt` with retries. A non-idempotent call is sent again after a failure whose outcome is
   * unknown only once `recover` shows the earlier attempt did not happen (see {@link CallOptions}).
   */
  private async withRetries<T>(operation: string, call: CallOptions<T>, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const failureOf = (error: unknown) => toAttemptFailure(operation, error, this.options.requestTimeoutMs);
    const policy: RetryOptions = {
      attempts: this.options.attempts ?? 5,
      attemptTimeoutMs: this.options.requestTimeoutMs,
      baseDelayMs: 250,
      maxDelayMs: this.options.maxDelayMs ?? 30_000,
      retryable: (error) => failureOf(error).failure.retryable,
      retryAfterMs: (error) => (error instanceof AttemptFailure ? error.failure.retryAfterMs : undefined),
      onRetry: ({ attempt: n, delayMs, error }) =>
        this.options.onRetry?.({ operation, attempt: n, delayMs, reason: error instanceof AttemptFailure ? error.error.message : String(error) }),
      sleep: this.options.sleep,
    };
    const send = ({ signal }: { signal: AbortSignal }) => attempt(signal);
    const recover = call.recover;
    try {
      if (call.idempotent) return await retry(send, policy);
      return await createOnce(send, {
        ...policy,
        outcomeUnknown: (error) => failureOf(error).failure.outcomeUnknown,
        readBack: recover && (() => recover()),
        landedMeanwhile: (error) => failureOf(error).error instanceof ConflictError,
      });
    } catch (error) {
      throw failureOf(error).error;
    }
  }
}

/**
 * No answer at all (the request failed or the connection dropped): retried whatever the cause, and
 * the outcome is unknown, since the request may have reached the server.
 */
function noAnswer(error: CodefreshApiError): AttemptFailure {
  return new AttemptFailure(error, { retryable: true, outcomeUnknown: true });
}

function toAttemptFailure(operation: string, error: unknown, timeoutMs: number): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  if (error instanceof AttemptTimeoutError) {
    return new AttemptFailure(new RequestTimeoutError(operation, `no answer within ${timeoutMs} ms (codefresh:requestTimeoutMs)`), classifyError(error));
  }
  if (error instanceof CodefreshApiError) return new AttemptFailure(error, { retryable: false, outcomeUnknown: false });
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
