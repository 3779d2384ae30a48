// Waiting for Codefresh to report an object ready, under the deadline `customTimeouts` sets.
import { CodefreshError } from "../../errors";
import { sleep } from "../../retry";

/** Parses Pulumi's customTimeouts strings ("10m", "90s", "1h30m") into ms. */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  if (!match || text.trim() === "") return undefined;
  const [, h, m, s] = match;
  return ((Number(h ?? 0) * 60 + Number(m ?? 0)) * 60 + Number(s ?? 0)) * 1000;
}

/** Thrown when a wait passes its deadline; the resource's state lets `pulumi up` resume. */
export class WaitTimeoutError extends CodefreshError {
  override readonly name = "WaitTimeoutError";
}

export type Probe<T> = () => Promise<{ done: true; value: T } | { done: false; status: string }>;

/**
 * Polls `probe` with backoff (0.25 s growing by half to 10 s: short waits end soon after they could,
 * long ones cost a probe every 10 s) until it returns a value, reporting progress every
 * 15 s, and fails after `timeoutMs` with a message that says how to resume.
 */
export async function waitFor<T>(what: string, timeoutMs: number, probe: Probe<T>, log: (message: string) => void): Promise<T> {
  const started = Date.now();
  let lastReport = started;
  for (let delay = 250; ; delay = Math.min(delay * 1.5, 10_000)) {
    const result = await probe();
    if (result.done) return result.value;
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      throw new WaitTimeoutError(
        `${what}: still ${result.status} after ${Math.round(elapsed / 1000)} s (the timeout). Nothing is lost: run \`pulumi up\` again to keep waiting, or raise customTimeouts`,
      );
    }
    if (Date.now() - lastReport >= 15_000) {
      log(`${what}: ${result.status} (${Math.round(elapsed / 1000)} s)`);
      lastReport = Date.now();
    }
    await sleep(Math.min(delay, Math.max(0, timeoutMs - elapsed)));
  }
}
