// Where the provider's settings come from and what they may be: stack config first, then the
// environment, checked once so that every later call can trust them.
import { ConfigError } from "./errors";
import { secureUrl, UrlRefusal } from "./net/secure-url";

/** Codefresh's public platform host; GraphQL is served at `{apiUrl}/2.0/api/graphql`. */
export const defaultApiUrl = "https://g.codefresh.io";

/** Per-request timeout unless `codefresh:requestTimeoutMs` says otherwise. */
export const defaultRequestTimeoutMs = 30_000;

/** Everything the resources need to reach Codefresh, resolved once per provider process. */
export interface CodefreshConfig {
  /** Platform host, without a trailing slash. */
  readonly apiUrl: string;
  /** The API key, sent as the raw `Authorization` header. Secret: never logged or stored in state. */
  readonly apiKey: string | undefined;
  /** Extra PEM CA bundle to trust (self-hosted or emulator with a private CA). */
  readonly caBundle: string | undefined;
  /** Timeout of one HTTP attempt, in milliseconds. */
  readonly requestTimeoutMs: number;
}

/** Where config values come from: Pulumi's provider `configure` request or `pulumi.Config`. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Environment variables, in order of precedence, for each setting; the `CF_*` names are aliases. */
export const environmentNames = {
  apiUrl: ["CODEFRESH_API_URL", "CF_URL"],
  apiKey: ["CODEFRESH_API_KEY", "CF_API_KEY"],
} as const;

/**
 * Resolves the provider configuration: stack config (`codefresh:*`) first, then the environment.
 * Throws a {@link ConfigError} naming the key and the fix when a value is malformed. A missing API key
 * is not an error here: only operations that call Codefresh need it (see {@link requireApiKey}).
 */
export function resolveConfig(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): CodefreshConfig {
  const fromEnv = (names: readonly string[]): string | undefined => names.map((name) => env[name]).find((value) => value !== undefined && value !== "");

  const rawUrl = nonEmpty(config.get("codefresh:apiUrl")) ?? fromEnv(environmentNames.apiUrl) ?? defaultApiUrl;
  const apiUrl = parseApiUrl(rawUrl);
  const apiKey = nonEmpty(config.get("codefresh:apiKey")) ?? fromEnv(environmentNames.apiKey);
  if (apiKey !== undefined && /\s/.test(apiKey)) {
    throw new ConfigError(
      "codefresh:apiKey",
      "the API key contains whitespace; copy it again from Codefresh (User Settings > API Keys) without spaces or newlines",
    );
  }
  const rawTimeout = nonEmpty(config.get("codefresh:requestTimeoutMs"));
  let requestTimeoutMs = defaultRequestTimeoutMs;
  if (rawTimeout !== undefined) {
    requestTimeoutMs = Number(rawTimeout);
    if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 100 || requestTimeoutMs > 600_000) {
      throw new ConfigError("codefresh:requestTimeoutMs", `"${rawTimeout}" is not a whole number of milliseconds between 100 and 600000`);
    }
  }
  return {
    apiUrl,
    apiKey,
    caBundle: nonEmpty(config.get("codefresh:caBundle")),
    requestTimeoutMs,
  };
}

/** The API key, or a {@link ConfigError} that says the three ways to set it. */
export function requireApiKey(config: CodefreshConfig): string {
  if (config.apiKey === undefined) {
    throw new ConfigError(
      "codefresh:apiKey",
      "no Codefresh API key: run `pulumi config set --secret codefresh:apiKey <key>`, or set CODEFRESH_API_KEY (alias CF_API_KEY)",
    );
  }
  return config.apiKey;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** How each refusal of {@link secureUrl} reads for `codefresh:apiUrl`. */
function apiUrlRefusal(raw: string, refusal: UrlRefusal): string {
  switch (refusal) {
    case "not-a-url":
      return `"${raw}" is not a URL; use the platform host, for example ${defaultApiUrl}`;
    case "plain-http":
    case "scheme":
      return `"${raw}" must use https (plain http only to localhost, for a local emulator)`;
    case "credentials":
      return "must not carry credentials; set the API key with codefresh:apiKey";
    case "query":
    case "fragment":
      return `"${raw}" must not have a query or fragment`;
  }
}

function parseApiUrl(raw: string): string {
  // The API key travels in a header: plain http is allowed only to this machine (a local emulator).
  const url = secureUrl(raw, "codefresh:apiUrl", {
    loopbackHttp: true,
    refuse: (refusal) => new ConfigError("codefresh:apiUrl", apiUrlRefusal(raw, refusal)),
  });
  const path = url.pathname.replace(/\/+$/, "");
  if (path.endsWith("/2.0/api/graphql")) {
    throw new ConfigError("codefresh:apiUrl", `give the platform host (for example ${url.origin}), not the GraphQL endpoint; the client adds /2.0/api/graphql`);
  }
  return url.origin + path;
}
