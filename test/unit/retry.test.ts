import { AttemptTimeoutError, backoffDelay, parseRetryAfter, redact, retry } from "pulumi-codefresh";

class Transient extends Error {
  constructor(readonly retryAfterMs?: number) {
    super("transient");
  }
}

const noWait = { sleep: async () => undefined };

describe("retry", () => {
  test("retries retryable errors until success, reporting each wait", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Transient();
        return "ok";
      },
      { ...noWait, retryable: (e) => e instanceof Transient, random: () => 0.5, onRetry: ({ delayMs }) => waits.push(delayMs) },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(waits).toEqual([125, 250]); // half of the 250 ms, then 500 ms ceilings
  });

  test("stops at once on an error that is not retryable", async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error("bad request");
        },
        { ...noWait, retryable: (e) => e instanceof Transient },
      ),
    ).rejects.toThrow("bad request");
    expect(calls).toBe(1);
  });

  test("gives up after the attempts and throws the last error", async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Transient();
        },
        { ...noWait, attempts: 4, retryable: () => true },
      ),
    ).rejects.toThrow("transient");
    expect(calls).toBe(4);
  });

  test("waits what the server asked for (Retry-After), capped by maxDelayMs", async () => {
    const waits: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        if (++calls === 1) throw new Transient(3_000);
        if (calls === 2) throw new Transient(120_000);
        return "ok";
      },
      {
        ...noWait,
        retryable: () => true,
        retryAfterMs: (e) => (e as Transient).retryAfterMs,
        maxDelayMs: 10_000,
        onRetry: ({ delayMs }) => waits.push(delayMs),
      },
    );
    expect(waits).toEqual([3_000, 10_000]);
  });

  test("times out a hung attempt, aborts its signal, and retries", async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const result = await retry(
      ({ signal }) => {
        signals.push(signal);
        if (++calls === 1) return new Promise<string>(() => undefined); // never answers
        return Promise.resolve("second");
      },
      { ...noWait, attemptTimeoutMs: 50, retryable: (e) => e instanceof AttemptTimeoutError },
    );
    expect(result).toBe("second");
    expect(signals[0].aborted).toBe(true);
    expect(signals[0].reason).toBeInstanceOf(AttemptTimeoutError);
  });

  test("an aborted operation stops retrying", async () => {
    const controller = new AbortController();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          controller.abort(new Error("cancelled"));
          throw new Transient();
        },
        { ...noWait, retryable: () => true, signal: controller.signal },
      ),
    ).rejects.toThrow("transient");
    expect(calls).toBe(1);
  });

  test("backoff grows exponentially under the cap", () => {
    const options = { retryable: () => true, random: () => 0.999, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options, new Error()))).toEqual([100, 200, 400, 799, 999]);
  });
});

describe("parseRetryAfter", () => {
  test.each([
    ["2", 2_000],
    ["0", 0],
    ["1.5", 1_500],
    ["", undefined],
    ["soon", undefined],
  ])("%j → %j ms", (value, expected) => {
    expect(parseRetryAfter(value)).toBe(expected);
  });

  test("reads an HTTP date relative to now", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now)).toBe(0);
  });
});

describe("redact", () => {
  test("removes secrets in plain text and base64", () => {
    const key = "cf-api-key-1234567890";
    const text = `failed with ${key}; header ${Buffer.from(key).toString("base64")}`;
    expect(redact(text, [key])).toBe("failed with [redacted]; header [redacted]");
  });

  test("ignores undefined and very short values", () => {
    expect(redact("a b c", [undefined, "b"])).toBe("a b c");
  });
});
