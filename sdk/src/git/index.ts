/**
 * Git providers a Codefresh hosted runtime supports (GitHub, Bitbucket Cloud, Gerrit): repository
 * URLs in Codefresh's format, and one small client to check, create, read and write repositories.
 */
import { GitError } from "../errors";
import { secureUrl, UrlRefusal } from "../net";
import { createBitbucketClient } from "./bitbucket";
import { createGerritClient } from "./gerrit";
import { createGitHubClient } from "./github";
import { RetrySettings } from "./transport";
import type { GitClientOptions, GitProviderClient } from "./types";
import { assertHostedProvider, GitProviderName } from "./url";

export * from "./url";
export * from "./types";
export { defaultMaxSizeBytes, formatMb } from "./size";
export { rateLimitDelay } from "./transport";
export type { RateLimit } from "../net";
export { parseGerritJson } from "./gerrit";

/** The API URL used when none is given: Codefresh's defaults (terraform `GetDefaultAPIUrlForProvider`). */
export const providerDefaultApiUrls: Readonly<Record<GitProviderName, string>> = Object.freeze({
  GITHUB: "https://api.github.com",
  BITBUCKET: "https://api.bitbucket.org/2.0",
  GERRIT: "https://gerrit-review.googlesource.com/a",
});

/** An API base URL: https (http only on loopback), no credentials, query or fragment; without a trailing slash. */
export function normaliseApiUrl(value: string, field = "apiUrl"): string {
  const fail = (reason: string) => new GitError("invalid-url", `${field}: ${JSON.stringify(value.replace(/\/\/[^/@]*@/, "//***@"))} ${reason}`);
  const url = secureUrl(value, field, { loopbackHttp: true, refuse: (refusal) => fail(apiUrlRefusals[refusal]) });
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

const apiUrlRefusals: Record<UrlRefusal, string> = {
  "not-a-url": "is not a URL; give the provider's API base URL, for example https://api.github.com",
  credentials: "contains credentials; give the token in the token setting, never inside the URL",
  "plain-http": "must be an https:// URL (http is accepted only for 127.0.0.1 and localhost)",
  scheme: "must be an https:// URL (http is accepted only for 127.0.0.1 and localhost)",
  query: "must not have a query or fragment",
  fragment: "must not have a query or fragment",
};

/** A client for one provider and token. Nothing is sent until a method is called. */
export function createGitClient(options: GitClientOptions): GitProviderClient {
  const provider = assertHostedProvider(options.provider, "provider");
  if (typeof options.token !== "string" || options.token.trim() === "") {
    throw new GitError("unauthorized", `token is empty: give the ${provider} token the runtime should use`);
  }
  const apiUrl = normaliseApiUrl(options.apiUrl ?? providerDefaultApiUrls[provider]);
  const settings: RetrySettings = {
    attempts: options.attempts ?? 5,
    attemptTimeoutMs: options.requestTimeoutMs ?? 30_000,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 60_000,
    baseDelayMs: 500,
    onRetry: options.onRetry,
  };
  switch (provider) {
    case "GITHUB":
      return createGitHubClient(options, apiUrl, settings);
    case "BITBUCKET":
      return createBitbucketClient(options, apiUrl, settings);
    case "GERRIT":
      return createGerritClient(options, apiUrl, settings);
  }
}
