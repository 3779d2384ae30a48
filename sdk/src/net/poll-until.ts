// Long waits (a hosted runtime installing, a git source syncing, a token Secret being filled in) poll
// one way: a probe, pauses that grow to a ceiling, a progress note now and then, and a deadline that
// a Pulumi `customTimeouts` value can set.
import { sleep } from "../retry";

/** What one probe saw: the awaited value, or what is still going on (for progress and the timeout message). */
export type PollProbe<T> = { done: true; value: T } | { done: false; status: string };

export interface PollInfo {
  /** The last probe's status. */
  status: string;
  elapsedMs: number;
  timeoutMs: number;
}

export interface PollOptions {
  /** How long to wait in all, in ms, unless `customTimeout` says otherwise. */
  timeoutMs: number;
  /** A Pulumi `customTimeouts` value ("10m", "90s", "1h30m"); when given and valid it replaces `timeoutMs`. */
  customTimeout?: string | undefined;
  /** First pause between probes, in ms (default 250). */
  intervalMs?: number | undefined;
  /** Each pause is the previous one times this (default 1.5). */
  backoff?: number | undefined;
  /** Longest pause, in ms (default 10 s): long waits cost one probe per this. */
  maxIntervalMs?: number | undefined;
  /** Least time between two progress notes, in ms (default 15 s). */
  progressEveryMs?: number | undefined;
  onProgress?: ((info: PollInfo) => void) | undefined;
  /** The error to throw when the deadline passes; it should say how to resume. */
  onTimeout: (info: PollInfo) => Error;
  /** Stops the wait between probes. */
  signal?: AbortSignal | undefined;
  /** For tests: how to wait, and the clock. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
}

/** Parses Pulumi's customTimeouts strings ("10m", "90s", "1h30m") into ms; undefined when absent or malformed. */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  if (!match || text.trim() === "") return undefined;
  const [, h, m, s] = match;
  return ((Number(h ?? 0) * 60 + Number(m ?? 0)) * 60 + Number(s ?? 0)) * 1000;
}

/**
 * Probes until `probe` returns a value; the first probe runs at once. After the deadline the last
 * probe's status goes to `onTimeout`; the last pause is cut so that a probe runs at the deadline.
 */
export async function pollUntil<T>(probe: (signal?: AbortSignal) => Promise<PollProbe<T>>, options: PollOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const timeoutMs = parseDuration(options.customTimeout) ?? options.timeoutMs;
  const progressEveryMs = options.progressEveryMs ?? 15_000;
  const started = now();
  let lastReport = started;
  for (let delay = options.intervalMs ?? 250; ; delay = Math.min(delay * (options.backoff ?? 1.5), options.maxIntervalMs ?? 10_000)) {
    options.signal?.throwIfAborted();
    const result = await probe(options.signal);
    if (result.done) return result.value;
    const elapsedMs = now() - started;
    const info = { status: result.status, elapsedMs, timeoutMs };
    if (elapsedMs >= timeoutMs) throw options.onTimeout(info);
    if (now() - lastReport >= progressEveryMs) {
      options.onProgress?.(info);
      lastReport = now();
    }
    await wait(Math.min(delay, Math.max(0, timeoutMs - elapsedMs)), options.signal);
  }
}
