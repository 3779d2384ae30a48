// The kernel every client classifies failures through (sdk/src/net): the classifier as a table, the
// https-or-loopback check, create-once writes and the poll loop. Pure logic, no server.
import { ConfigError } from "pulumi-codefresh";
import {
  classifyAnswer,
  classifyError,
  classifyGraphqlErrors,
  createOnce,
  Failure,
  isLoopbackHost,
  networkErrorCodes,
  parseDuration,
  pollUntil,
  retryableStatuses,
  secureUrl,
} from "pulumi-codefresh/dist/net";
import { AttemptTimeoutError } from "pulumi-codefresh/dist/retry";

const now = Date.parse("2026-01-01T00:00:00Z");
const noWait = { sleep: async () => undefined };

/** An error as undici reports one: `fetch failed`, the system or TLS code on its cause. */
function fetchFailed(code: string): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });
}

const verdict = (f: Failure) => ({ kind: f.kind, retryable: f.retryable, outcomeUnknown: f.outcomeUnknown, retryAfterMs: f.retryAfterMs });

describe("classifyAnswer", () => {
  test.each<[string, number, Record<string, string>, string, Partial<Failure>]>([
    ["408 is transient, maybe applied", 408, {}, "", { kind: "transient", retryable: true, outcomeUnknown: true }],
    ["429 is rate-limited, not applied", 429, {}, "", { kind: "rate-limited", retryable: true, outcomeUnknown: false }],
    ["500 is transient, maybe applied", 500, {}, "", { kind: "transient", retryable: true, outcomeUnknown: true }],
    ["502 is transient, maybe applied", 502, {}, "", { kind: "transient", retryable: true, outcomeUnknown: true }],
    ["503 is transient, maybe applied", 503, {}, "", { kind: "transient", retryable: true, outcomeUnknown: true }],
    ["504 is transient, maybe applied", 504, {}, "", { kind: "transient", retryable: true, outcomeUnknown: true }],
    ["401 is auth", 401, {}, "", { kind: "auth", retryable: false, outcomeUnknown: false }],
    ["403 without rate-limit signs is auth", 403, { "x-ratelimit-remaining": "4999" }, "Resource not accessible", { kind: "auth", retryable: false }],
    ["404 is not-found", 404, {}, "", { kind: "not-found", retryable: false }],
    ["409 is conflict", 409, {}, "", { kind: "conflict", retryable: false }],
    ["412 is conflict", 412, {}, "", { kind: "conflict", retryable: false }],
    ["400 is invalid", 400, {}, "", { kind: "invalid", retryable: false }],
    ["422 is invalid", 422, {}, "", { kind: "invalid", retryable: false }],
    ["501 is other, not retried", 501, {}, "", { kind: "other", retryable: false, outcomeUnknown: false }],
    ["429 with Retry-After in seconds", 429, { "retry-after": "7" }, "", { kind: "rate-limited", retryAfterMs: 7_000 }],
    ["503 with Retry-After as an HTTP date", 503, { "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, "", { kind: "transient", retryAfterMs: 5_000 }],
    ["502 with Retry-After", 502, { "retry-after": "2" }, "", { kind: "transient", retryAfterMs: 2_000 }],
    ["404 ignores Retry-After", 404, { "retry-after": "2" }, "", { kind: "not-found", retryAfterMs: undefined }],
    [
      "GitHub primary limit: 403 waits until x-ratelimit-reset + 1 s",
      403,
      { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 9) },
      "",
      { kind: "rate-limited", retryable: true, retryAfterMs: 10_000 },
    ],
    [
      "GitHub secondary limit: 403 with its message waits a minute",
      403,
      {},
      "You have exceeded a secondary rate limit.",
      { kind: "rate-limited", retryAfterMs: 60_000 },
    ],
  ])("%s", (_title, status, headers, message, expected) => {
    const failure = classifyAnswer({ status, headers, message, now });
    expect(failure.status).toBe(status);
    expect(verdict(failure)).toMatchObject(expected);
  });

  test("the retryable statuses are 408, 429 and the gateway/server 5xx", () => {
    expect([...retryableStatuses].sort()).toEqual([408, 429, 500, 502, 503, 504]);
  });
});

describe("classifyError", () => {
  test.each([...networkErrorCodes])("%s is network, retried, maybe applied", (code) => {
    expect(classifyError(fetchFailed(code))).toEqual({ kind: "network", code, retryable: true, outcomeUnknown: true });
  });

  test("the network codes are those both clients had", () => {
    for (const code of [
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
    ]) {
      expect(networkErrorCodes.has(code)).toBe(true);
    }
  });

  test.each([
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "CERT_HAS_EXPIRED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "ERR_SSL_WRONG_VERSION_NUMBER",
    "UNABLE_TO_GET_ISSUER_CERT",
  ])("%s is tls, not retried", (code) => {
    expect(classifyError(fetchFailed(code))).toEqual({ kind: "tls", code, retryable: false, outcomeUnknown: false });
  });

  test("a per-attempt timeout is retried and its outcome unknown", () => {
    expect(classifyError(new AttemptTimeoutError(100))).toEqual({ kind: "timeout", retryable: true, outcomeUnknown: true });
  });

  test("an unlisted code, an abort and a plain error are other and not retried", () => {
    expect(classifyError(fetchFailed("EHOSTUNREACH"))).toEqual({ kind: "other", code: "EHOSTUNREACH", retryable: false, outcomeUnknown: false });
    expect(classifyError(new DOMException("aborted", "AbortError"))).toMatchObject({ kind: "other", retryable: false });
    expect(classifyError(new Error("bug"))).toEqual({ kind: "other", retryable: false, outcomeUnknown: false });
  });
});

describe("classifyGraphqlErrors (errors[] inside an HTTP 200)", () => {
  test.each<[string, { message?: string; extensions?: { code?: string } }[], Partial<Failure>]>([
    [
      "an unknown root field is unsupported",
      [{ message: 'Cannot query field "installHostedRuntime" on type "Mutation".' }],
      { kind: "unsupported", retryable: false },
    ],
    ["UNAUTHENTICATED is auth", [{ message: "no", extensions: { code: "UNAUTHENTICATED" } }], { kind: "auth", retryable: false }],
    ["NOT_FOUND is not-found", [{ message: "gone", extensions: { code: "NOT_FOUND" } }], { kind: "not-found" }],
    ["'does not exist' is not-found", [{ message: "runtime x does not exist" }], { kind: "not-found" }],
    ["CONFLICT is conflict", [{ message: "x", extensions: { code: "CONFLICT" } }], { kind: "conflict" }],
    ["'already exists' is conflict", [{ message: "git source a already exists" }], { kind: "conflict" }],
    [
      "INTERNAL_SERVER_ERROR is retried, and the server said so: not applied",
      [{ message: "boom", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
      { kind: "transient", retryable: true, outcomeUnknown: false },
    ],
    ["'Internal server error' is retried", [{ message: "Internal server error" }], { kind: "transient", retryable: true }],
    ["anything else is other, not retried", [{ message: "appName must be a DNS label" }], { kind: "other", retryable: false, outcomeUnknown: false }],
  ])("%s", (_title, errors, expected) => {
    expect(verdict(classifyGraphqlErrors(errors, 200))).toMatchObject(expected);
  });
});

describe("secureUrl", () => {
  test("https anywhere; http only to localhost, 127.0.0.0/8 and [::1]", () => {
    expect(secureUrl("https://g.codefresh.io/x", "apiUrl", { loopbackHttp: true }).href).toBe("https://g.codefresh.io/x");
    for (const url of ["http://localhost:8080", "http://127.0.0.1:1", "http://127.1.2.3", "http://[::1]:3000"]) {
      expect(secureUrl(url, "apiUrl", { loopbackHttp: true }).protocol).toBe("http:");
    }
    expect(isLoopbackHost("127.example.com")).toBe(false);
    expect(isLoopbackHost("LOCALHOST")).toBe(true);
  });

  test.each<[string, { loopbackHttp: boolean; allowQuery?: boolean }, string]>([
    ["not a url", { loopbackHttp: true }, "not-a-url"],
    ["https://user:pw@example.com", { loopbackHttp: true }, "credentials"],
    ["http://example.com", { loopbackHttp: true }, "plain-http"],
    ["http://127.0.0.1", { loopbackHttp: false }, "plain-http"],
    ["http://127.example.com", { loopbackHttp: true }, "plain-http"],
    ["ftp://example.com", { loopbackHttp: true }, "scheme"],
    ["https://example.com/?a=1", { loopbackHttp: true }, "query"],
    ["https://example.com/#top", { loopbackHttp: true, allowQuery: true }, "fragment"],
  ])("refuses %s (%j): %s", (value, options, refusal) => {
    expect(() => secureUrl(value, "f", { ...options, refuse: (r) => new Error(r) })).toThrow(refusal);
  });

  test("a query is accepted when allowed; the default refusal is a ConfigError naming the field without the password", () => {
    expect(secureUrl("https://example.com/r.git?ref=main", "repoUrl", { loopbackHttp: true, allowQuery: true }).search).toBe("?ref=main");
    let thrown: unknown;
    try {
      secureUrl("https://user:s3cret-pass@example.com", "gitApiUrl", { loopbackHttp: true });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(/^gitApiUrl: "https:\/\/\*\*\*@example.com" must not carry credentials/);
    expect((thrown as Error).message).not.toContain("s3cret");
  });
});

describe("createOnce", () => {
  const unknownOutcome = new Error("dropped");
  const refused = new Error("429");
  const policy = {
    ...noWait,
    retryable: (e: unknown) => e === unknownOutcome || e === refused,
    outcomeUnknown: (e: unknown) => e === unknownOutcome,
  };

  test("after an unknown outcome, a read that finds the write returns it; nothing is sent again", async () => {
    let writes = 0;
    const result = await createOnce(async () => (writes++, Promise.reject(unknownOutcome)), { ...policy, readBack: async () => "found" });
    expect(result).toBe("found");
    expect(writes).toBe(1);
  });

  test("a read that does not find it lets the write go again; a refused write is resent without reading", async () => {
    const answers = [unknownOutcome, refused];
    const reads: unknown[] = [];
    let writes = 0;
    const result = await createOnce(
      async () => {
        writes++;
        const next = answers.shift();
        if (next) throw next;
        return "created";
      },
      { ...policy, readBack: async (failure) => (reads.push(failure), undefined) },
    );
    expect(result).toBe("created");
    expect(writes).toBe(3);
    expect(reads).toEqual([unknownOutcome]);
  });

  test("without readBack an unknown outcome is final", async () => {
    let writes = 0;
    await expect(createOnce(async () => (writes++, Promise.reject(unknownOutcome)), policy)).rejects.toBe(unknownOutcome);
    expect(writes).toBe(1);
  });

  test("a conflict on the resend means the first write landed meanwhile: one more read decides", async () => {
    const conflict = new Error("already exists");
    const answers = [unknownOutcome, conflict];
    let reads = 0;
    const result = await createOnce(
      async () => {
        throw answers.shift() as Error;
      },
      { ...policy, readBack: async () => (++reads === 1 ? undefined : "landed"), landedMeanwhile: (e) => e === conflict },
    );
    expect(result).toBe("landed");
    expect(reads).toBe(2);
  });
});

describe("pollUntil", () => {
  /** A clock that advances by each wait, so the test runs at once. */
  function fakeClock() {
    let t = 0;
    const waits: number[] = [];
    return { waits, now: () => t, sleep: async (ms: number) => void (waits.push(ms), (t += ms)) };
  }

  test("probes at once, then with growing pauses up to the ceiling, until done", async () => {
    const clock = fakeClock();
    let probes = 0;
    const value = await pollUntil(async () => (++probes === 5 ? { done: true, value: "ready" } : { done: false, status: "installing" }), {
      ...clock,
      timeoutMs: 60_000,
      intervalMs: 100,
      backoff: 2,
      maxIntervalMs: 300,
      onTimeout: () => new Error("timeout"),
    });
    expect(value).toBe("ready");
    expect(clock.waits).toEqual([100, 200, 300, 300]);
  });

  test("reports progress at most every progressEveryMs, with the status and elapsed time", async () => {
    const clock = fakeClock();
    const notes: string[] = [];
    let probes = 0;
    await pollUntil(async () => (++probes === 8 ? { done: true, value: 1 } : { done: false, status: `step ${probes}` }), {
      ...clock,
      timeoutMs: 60_000,
      intervalMs: 1_000,
      backoff: 1,
      progressEveryMs: 3_000,
      onProgress: ({ status, elapsedMs }) => notes.push(`${status} ${elapsedMs}`),
      onTimeout: () => new Error("timeout"),
    });
    expect(notes).toEqual(["step 4 3000", "step 7 6000"]);
  });

  test("at the deadline it throws onTimeout's error with the last status; the last pause is cut to the deadline", async () => {
    const clock = fakeClock();
    await expect(
      pollUntil(async () => ({ done: false, status: "still syncing" }), {
        ...clock,
        timeoutMs: 1_000,
        intervalMs: 400,
        backoff: 1,
        onTimeout: ({ status, elapsedMs }) => new Error(`${status} after ${elapsedMs} ms`),
      }),
    ).rejects.toThrow("still syncing after 1000 ms");
    expect(clock.waits).toEqual([400, 400, 200]);
  });

  test("a customTimeouts value replaces timeoutMs", async () => {
    const clock = fakeClock();
    await expect(
      pollUntil(async () => ({ done: false, status: "waiting" }), {
        ...clock,
        timeoutMs: 1_000,
        customTimeout: "1m30s",
        intervalMs: 30_000,
        backoff: 1,
        maxIntervalMs: 30_000,
        onTimeout: ({ timeoutMs }) => new Error(`gave up after ${timeoutMs}`),
      }),
    ).rejects.toThrow("gave up after 90000");
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("soon")).toBeUndefined();
  });

  test("an aborted signal stops the wait", async () => {
    const controller = new AbortController();
    let probes = 0;
    const waiting = pollUntil(
      async () => {
        if (++probes === 2) controller.abort(new Error("stopped"));
        return { done: false, status: "waiting" };
      },
      { ...noWait, timeoutMs: 60_000, signal: controller.signal, onTimeout: () => new Error("timeout") },
    );
    await expect(waiting).rejects.toThrow("stopped");
    expect(probes).toBe(2);
  });
});
