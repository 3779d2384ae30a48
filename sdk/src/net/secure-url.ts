// Every URL that will carry a secret (the Codefresh API key, a git token) must use https; plain http
// is accepted only to this machine, for a local emulator or test server. One check, so that the
// Codefresh config, the git API URLs and repository URLs agree on what "this machine" is.
import { ConfigError } from "../errors";

/** Hosts plain http cannot leave this machine for: `localhost`, `127.0.0.0/8` and `[::1]` (as `URL.hostname` spells them). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Why {@link secureUrl} refused a URL, in the order it checks. */
export type UrlRefusal = "not-a-url" | "credentials" | "plain-http" | "scheme" | "query" | "fragment";

export interface SecureUrlOptions {
  /** Accept plain http to localhost, 127.0.0.0/8 and [::1] (a local emulator or test server). */
  loopbackHttp: boolean;
  /** Accept a query string (a repository URL's `?ref=`); refused by default. */
  allowQuery?: boolean | undefined;
  /** Words a refusal in the caller's terms; by default a {@link ConfigError} naming the field. */
  refuse?: ((refusal: UrlRefusal) => Error) | undefined;
}

const defaultReasons: Record<UrlRefusal, string> = {
  "not-a-url": "is not a URL",
  credentials: "must not carry credentials; give the secret in its own setting",
  "plain-http": "must use https (plain http only to this machine: localhost, 127.0.0.0/8 or [::1])",
  scheme: "must use https",
  query: "must not have a query",
  fragment: "must not have a fragment",
};

/**
 * Parses `value` and checks that it may carry a secret: no credentials inside, https (or http to a
 * loopback host when `loopbackHttp`), no query unless allowed, no fragment. Throws `refuse(reason)`.
 */
export function secureUrl(value: string, field: string, options: SecureUrlOptions): URL {
  const refuse =
    options.refuse ?? ((refusal: UrlRefusal) => new ConfigError(field, `${JSON.stringify(value.replace(/\/\/[^/@]*@/, "//***@"))} ${defaultReasons[refusal]}`));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse("not-a-url");
  }
  if (url.username || url.password) throw refuse("credentials");
  if (url.protocol === "http:") {
    if (!options.loopbackHttp || !isLoopbackHost(url.hostname)) throw refuse("plain-http");
  } else if (url.protocol !== "https:") {
    throw refuse("scheme");
  }
  if (url.search && !options.allowQuery) throw refuse("query");
  if (url.hash) throw refuse("fragment");
  return url;
}
