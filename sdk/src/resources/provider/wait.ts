// Waiting for Codefresh to report an object ready, under the deadline `customTimeouts` sets: the
// kernel's one poll loop, with the resources' wording of progress and timeout.
import { CodefreshError } from "../../errors";
import { parseDuration, pollUntil, PollProbe } from "../../net";

export { parseDuration };

/** Thrown when a wait passes its deadline; the resource's state lets `pulumi up` resume. */
export class WaitTimeoutError extends CodefreshError {
  override readonly name = "WaitTimeoutError";
}

/**
 * Polls `probe` with backoff (0.25 s growing by half to 10 s: short waits end soon after they could,
 * long ones cost a probe every 10 s) until it returns a value, reporting progress every 15 s through
 * `log`, and fails after `timeoutMs` with a message that says how to resume.
 */
export function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<PollProbe<T>>, log: (message: string) => void): Promise<T> {
  return pollUntil(probe, {
    timeoutMs,
    onProgress: ({ status, elapsedMs }) => log(`${what}: ${status} (${Math.round(elapsedMs / 1000)} s)`),
    onTimeout: ({ status, elapsedMs }) =>
      new WaitTimeoutError(
        `${what}: still ${status} after ${Math.round(elapsedMs / 1000)} s (the timeout). Nothing is lost: run \`pulumi up\` again to keep waiting, or raise customTimeouts`,
      ),
  });
}
