// How long a rate-limited answer asks to wait (GitHub's documented rules), and size formatting: pure logic.
import { git } from "pulumi-codefresh";

const now = Date.parse("2026-01-01T00:00:00Z");

describe("rateLimitDelay", () => {
  test("retry-after (seconds) wins, on 403 it is a secondary limit", () => {
    expect(git.rateLimitDelay(403, { "retry-after": "30" }, { message: "You have exceeded a secondary rate limit." }, now)).toEqual({
      delayMs: 30_000,
      kind: "secondary",
    });
    expect(git.rateLimitDelay(429, { "retry-after": "2" }, "", now)).toEqual({ delayMs: 2_000, kind: "retry-after" });
    expect(git.rateLimitDelay(503, { "retry-after": "0" }, "", now)).toEqual({ delayMs: 0, kind: "retry-after" });
  });

  test("retry-after as an HTTP date counts from now", () => {
    expect(git.rateLimitDelay(429, { "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, "", now)?.delayMs).toBe(5_000);
  });

  test("x-ratelimit-remaining 0 waits until x-ratelimit-reset plus one second", () => {
    const reset = now / 1000 + 42;
    expect(git.rateLimitDelay(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, "", now)).toEqual({
      delayMs: 43_000,
      kind: "primary",
      resetAt: reset * 1000,
    });
    // A reset already past: just the margin.
    expect(git.rateLimitDelay(429, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 - 10) }, "", now)?.delayMs).toBe(1_000);
    // No reset header: a minute.
    expect(git.rateLimitDelay(403, { "x-ratelimit-remaining": "0" }, "", now)).toEqual({ delayMs: 60_000, kind: "primary" });
  });

  test("a secondary-limit message without headers waits a minute (GitHub: 'wait for at least one minute')", () => {
    expect(git.rateLimitDelay(403, {}, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, now)).toEqual({
      delayMs: 60_000,
      kind: "secondary",
    });
  });

  test("answers that are not rate limits give undefined", () => {
    expect(git.rateLimitDelay(403, { "x-ratelimit-remaining": "4999" }, { message: "Resource not accessible by integration" }, now)).toBeUndefined();
    expect(git.rateLimitDelay(429, {}, "", now)).toBeUndefined();
    expect(git.rateLimitDelay(404, { "x-ratelimit-remaining": "0" }, "", now)).toBeUndefined();
    expect(git.rateLimitDelay(401, { "retry-after": "5" }, "", now)).toBeUndefined();
  });
});

describe("sizes", () => {
  test("the default limit is 100 MB and messages show MB with one decimal", () => {
    expect(git.defaultMaxSizeBytes).toBe(100 * 1024 * 1024);
    expect(git.formatMb(git.defaultMaxSizeBytes)).toBe("100.0 MB");
    expect(git.formatMb(1_500_000)).toBe("1.4 MB");
  });
});

describe("parseGerritJson", () => {
  test("strips Gerrit's )]}' guard", () => {
    expect(git.parseGerritJson(')]}\'\n{"name":"x"}')).toEqual({ name: "x" });
    expect(git.parseGerritJson(')]}\'\n"refs/heads/main"')).toBe("refs/heads/main");
    expect(git.parseGerritJson("[1]")).toEqual([1]);
  });
});
