// The one retry utility: exponential backoff with full jitter, a per-attempt timeout, and a server-given
// delay (`Retry-After`) honoured when the error carries one. Written here rather than taken from a
// library because the ones that fit (p-retry, async-retry, exponential-backoff) cannot wait for a
// delay chosen per error by the server, which is the point of honouring `Retry-After`.

export interface RetryOptions {
  /** Total attempts, the first included (default 5). */
  attempts?: number | undefined;
  /** First backoff ceiling in ms (default 250); doubles each attempt. */
  baseDelayMs?: number | undefined;
  /** Largest wait between attempts, server-given delays included (default 30 s). */
  maxDelayMs?: number | undefined;
  /** Timeout of one attempt in ms; the attempt's signal aborts then (default: none). */
  attemptTimeoutMs?: number | undefined;
  /** Decides whether an error is worth another attempt. */
  retryable: (error: unknown) => boolean;
  /** A delay the server asked for (for example from `Retry-After`), in ms. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** Called before each wait, for progress logs and counters. */
  onRetry?: ((info: { attempt: number; delayMs: number; error: unknown }) => void) | undefined;
  /** Aborts the whole operation, waits included. */
  signal?: AbortSignal | undefined;
  /** For tests: how to wait. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** For tests: a number in [0, 1). */
  random?: (() => number) | undefined;
}

/** What {@link retry} can do between a failure and the next attempt, typed by the attempt's result. */
export interface RetryHooks<T> {
  /**
   * Runs after a failure that will be retried, before the wait: a `{ value }` it returns ends the
   * retries with that result. A create whose answer was lost reads here whether it happened.
   */
  beforeRetry?: ((error: unknown) => Promise<{ value: T } | undefined>) | undefined;
}

/** Thrown when an attempt exceeds `attemptTimeoutMs`. */
export class AttemptTimeoutError extends Error {
  override readonly name = "AttemptTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // The abort's own reason, as fetch rejects with it (a DOMException, or what the caller aborted with).
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The delay before attempt `attempt + 1`: full jitter under an exponential ceiling, or the server's. */
export function backoffDelay(attempt: number, options: RetryOptions, error: unknown): number {
  const max = options.maxDelayMs ?? 30_000;
  const serverDelay = options.retryAfterMs?.(error);
  if (serverDelay !== undefined && serverDelay >= 0) return Math.min(serverDelay, max);
  const ceiling = Math.min(max, (options.baseDelayMs ?? 250) * 2 ** (attempt - 1));
  return Math.round((options.random ?? Math.random)() * ceiling);
}

/** Runs `fn` until it succeeds, an error is not retryable, or the attempts run out (the last error is thrown). */
export async function retry<T>(fn: (context: { attempt: number; signal: AbortSignal }) => Promise<T>, options: RetryOptions & RetryHooks<T>): Promise<T> {
  const attempts = options.attempts ?? 5;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await runAttempt(fn, attempt, options);
    } catch (error) {
      if (attempt >= attempts || !options.retryable(error) || options.signal?.aborted) throw error;
      const settled = await options.beforeRetry?.(error);
      if (settled !== undefined) return settled.value;
      const delayMs = backoffDelay(attempt, options, error);
      options.onRetry?.({ attempt, delayMs, error });
      await wait(delayMs, options.signal);
    }
  }
}

async function runAttempt<T>(fn: (context: { attempt: number; signal: AbortSignal }) => Promise<T>, attempt: number, options: RetryOptions): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = fn({ attempt, signal: controller.signal });
    if (options.attemptTimeoutMs === undefined) return await work;
    const timeoutMs = options.attemptTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new AttemptTimeoutError(timeoutMs);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms from `now`. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
