// A write that must not happen twice (create a repository, a git source, a commit), retried like any
// call, except that after a failure whose outcome is unknown it is sent again only once a read shows
// it did not happen. The Codefresh and git clients both write this way.
import { retry, RetryOptions } from "../retry";

export interface CreateOnceOptions<T> extends RetryOptions {
  /** Whether a failed attempt may have been applied (a timeout, a dropped connection, a 5xx). */
  outcomeUnknown: (error: unknown) => boolean;
  /**
   * After such a failure, before anything is sent again: the result to use if the write happened
   * after all, or `undefined` (then it is sent again). Without it, such a failure is final.
   */
  readBack?: ((failure: unknown) => Promise<T | undefined>) | undefined;
  /**
   * Whether a failure of a resend means the first attempt landed meanwhile (it was still in flight
   * when we read; the resend met "already exists"): then one more read-back decides.
   */
  landedMeanwhile?: ((error: unknown) => boolean) | undefined;
}

/** Runs `write` with the retries of `options`, never repeating a write that may have happened. */
export async function createOnce<T>(write: (context: { attempt: number; signal: AbortSignal }) => Promise<T>, options: CreateOnceOptions<T>): Promise<T> {
  const { outcomeUnknown, readBack, landedMeanwhile } = options;
  let resentAfterReadBack = false;
  try {
    return await retry(write, {
      ...options,
      retryable: (error) => options.retryable(error) && (readBack !== undefined || !outcomeUnknown(error)),
      beforeRetry: async (error) => {
        if (readBack === undefined || !outcomeUnknown(error)) return undefined;
        const existing = await readBack(error);
        if (existing !== undefined) return { value: existing };
        resentAfterReadBack = true;
        return undefined;
      },
    });
  } catch (error) {
    if (resentAfterReadBack && readBack !== undefined && landedMeanwhile?.(error)) {
      const existing = await readBack(error);
      if (existing !== undefined) return existing;
    }
    throw error;
  }
}
