// One way to make HTTP requests: Node's fetch implementation (undici), with an optional extra CA bundle
// for self-hosted servers and local test servers, and TLS verification that can only be switched off
// explicitly. Used by the Codefresh client and the git providers.
import { Agent, fetch as undiciFetch } from "undici";

export interface HttpOptions {
  /** PEM bundle trusted in addition to the system's (GitHub Enterprise, on-premises Codefresh, local servers). */
  caBundle?: string | undefined;
  /** Skip TLS verification. Only when a user asked for it explicitly. */
  insecureSkipTlsVerify?: boolean | undefined;
}

/** One `fetch` per CA bundle and TLS setting, for the life of the process: each keeps its connections alive. */
const fetches = new Map<string, typeof globalThis.fetch>();

/**
 * A `fetch` that honours {@link HttpOptions}; plain global `fetch` when there is nothing to change. Clients
 * made with equal options share one connection pool (a git provider's client is made per lookup).
 */
export function createFetch(options: HttpOptions = {}): typeof globalThis.fetch {
  if (options.caBundle === undefined && !options.insecureSkipTlsVerify) return globalThis.fetch;
  const key = `${options.insecureSkipTlsVerify ? "insecure" : "verify"}\0${options.caBundle ?? ""}`;
  let shared = fetches.get(key);
  if (!shared) {
    const { rootCertificates } = require("node:tls") as typeof import("node:tls");
    const dispatcher = new Agent({
      connect: {
        ca: options.caBundle === undefined ? undefined : [...rootCertificates, options.caBundle],
        rejectUnauthorized: !options.insecureSkipTlsVerify,
      },
    });
    // undici's fetch and the global one share a signature; the casts bridge their separate type packages.
    shared = (input: Parameters<typeof globalThis.fetch>[0], init?: Parameters<typeof globalThis.fetch>[1]) =>
      undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
    fetches.set(key, shared);
  }
  return shared;
}

/** The first string `code` on an error or its causes: a system or TLS code (ECONNREFUSED, CERT_HAS_EXPIRED, …). */
export function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Response headers with lower-case names. */
export type HeaderMap = Record<string, string>;

/** Any client's response headers (fetch `Headers`, octokit's or client-node's records) as a {@link HeaderMap}. */
export function lowerHeaders(headers: Record<string, unknown> | Iterable<[string, string]> | undefined): HeaderMap {
  const out: HeaderMap = {};
  if (headers === undefined) return out;
  const entries = Symbol.iterator in headers ? [...headers] : Object.entries(headers);
  for (const [name, value] of entries) {
    // Header values are strings, numbers or lists of strings, whichever client answered.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
  }
  return out;
}
