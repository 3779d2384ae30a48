// Repository URLs in Codefresh's format, `<repo_url>.git[/<path>][?ref=<branch>]` (docs
// `shared-configuration.md`, `hosted-runtime.md`; terraform's check is `^(https?:\/\/)(\S+)(.git)(\S*)$`),
// the git providers a hosted runtime accepts, and their default API URLs (terraform's
// `GetDefaultAPIUrlForProvider`). Pure functions: no remote call.
import { GitError } from "../errors";
import { secureUrl, UrlRefusal } from "../net";
import { truncate } from "../text";

import { GitProviderName, hostedGitProviders } from "../platform";

export { hostedGitProviders };
export type { GitProviderName };

/** A parsed repository URL in Codefresh's format `<repo_url>.git[/<path>][?ref=<branch>]`. */
export interface RepoRef {
  /** Normalised: `https://host/owner/name.git[/path][?ref=branch]`. */
  readonly repoUrl: string;
  /** `https://host/owner/name.git` */
  readonly cloneUrl: string;
  /** `host[:port]`, lower case, without a default port. */
  readonly host: string;
  /** GitHub owner or organisation, Bitbucket workspace, Gerrit: the project's parent path ("" if none). */
  readonly owner: string;
  /** Repository slug (Gerrit: the last path segment of the project). */
  readonly name: string;
  /** "" or a directory inside the repository, without leading or trailing slash. */
  readonly path: string;
  /** The branch given with `?ref=`, if any. */
  readonly ref: string | undefined;
}

export const repoUrlFormat = "https://<host>/<owner>/<repo>.git[/<path>][?ref=<branch>]";

const providerLabel: Record<GitProviderName, string> = { GITHUB: "GitHub", BITBUCKET: "Bitbucket Cloud", GERRIT: "Gerrit" };
const supportedProviders = "GitHub (GITHUB), Bitbucket Cloud (BITBUCKET) and Gerrit (GERRIT)";

/** The sentence every "not a hosted-runtime provider" error ends with. */
export function notHostedMessage(what: string): string {
  return (
    `${what} is not a hosted-runtime option: GitLab, Bitbucket Server and Azure DevOps are not supported by Codefresh ` +
    `hosted runtimes, which support only ${supportedProviders}. Hybrid runtimes also support GitLab, GitHub Enterprise and ` +
    `Bitbucket Data Center in Codefresh, but this package's git layer speaks only those three`
  );
}

/** How a refusal of {@link secureUrl} reads in a repository URL error (only ?ref= may be in the query). */
function repoUrlRefusal(refusal: UrlRefusal, scheme: string): string {
  switch (refusal) {
    case "plain-http":
      return "plain http:// would send the token unencrypted; use https:// (http is accepted only for 127.0.0.1 and localhost)";
    case "scheme":
      return `${scheme}:// is not supported; use the repository's https:// URL`;
    case "fragment":
      return "it has a #fragment";
    case "credentials":
      return "it contains credentials; give the token in the provider's token setting, never inside the URL";
    case "not-a-url":
    case "query":
      return "it is not a valid URL";
  }
}

/** Host name without port, lower case. */
function hostname(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  return h.replace(/:\d*$/, "");
}

/** The provider a well-known host belongs to; throws for well-known hosts of providers hosted runtimes do not support. */
export function inferProvider(host: string): GitProviderName | undefined {
  const h = hostname(host);
  if (h === "github.com" || h === "www.github.com" || h.endsWith(".ghe.com")) return "GITHUB";
  if (h === "bitbucket.org" || h === "www.bitbucket.org") return "BITBUCKET";
  if (h === "googlesource.com" || h.endsWith(".googlesource.com")) return "GERRIT";
  if (h === "gitlab.com" || h.endsWith(".gitlab.com")) {
    throw new GitError("unsupported-provider", notHostedMessage(`${h} is GitLab, which`));
  }
  if (h === "dev.azure.com" || h === "ssh.dev.azure.com" || h.endsWith(".visualstudio.com")) {
    throw new GitError("unsupported-provider", notHostedMessage(`${h} is Azure DevOps, which`));
  }
  return undefined;
}

function inferQuietly(host: string): GitProviderName | undefined {
  try {
    return inferProvider(host);
  } catch {
    return undefined;
  }
}

/** The API URL Codefresh uses for a provider when none is given. */
export function defaultApiUrl(provider: GitProviderName, host: string): string {
  const h = host.trim().toLowerCase();
  const name = hostname(h);
  switch (provider) {
    case "GITHUB":
      if (name === "github.com" || name === "www.github.com") return "https://api.github.com";
      if (name.endsWith(".ghe.com")) return `https://api.${name}`; // GitHub Enterprise Cloud with data residency
      return `https://${h}/api/v3`; // GitHub Enterprise Server
    case "BITBUCKET":
      if (name === "bitbucket.org" || name === "www.bitbucket.org") return "https://api.bitbucket.org/2.0";
      throw new GitError(
        "unsupported-provider",
        `BITBUCKET is Bitbucket Cloud (bitbucket.org), but the repository is on ${h}: a self-hosted Bitbucket is Bitbucket Server. ` +
          notHostedMessage("Bitbucket Server"),
      );
    case "GERRIT":
      return `https://${h}/a`;
    default:
      throw new GitError("unsupported-provider", notHostedMessage(`"${String(provider)}"`));
  }
}

const notHostedNames = new Set(["GITLAB", "BITBUCKET_SERVER", "BITBUCKETSERVER", "AZURE", "AZURE_DEVOPS", "AZUREDEVOPS", "ADO", "GITEA", "CODECOMMIT"]);

/** Accepts exactly `GITHUB`, `BITBUCKET` or `GERRIT` (case-sensitive, as Codefresh's enum is). */
export function assertHostedProvider(provider: string, field = "gitProvider"): GitProviderName {
  if ((hostedGitProviders as readonly string[]).includes(provider)) return provider as GitProviderName;
  const shown = JSON.stringify(String(provider));
  const upper = String(provider)
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, "_");
  const suggestion = upper === "BITBUCKET_CLOUD" ? "BITBUCKET" : upper;
  if ((hostedGitProviders as readonly string[]).includes(suggestion)) {
    throw new GitError(
      "unsupported-provider",
      `${field}: ${shown} is not a provider name; use "${suggestion}" (the names are upper case: ${hostedGitProviders.join(", ")})`,
    );
  }
  if (notHostedNames.has(upper)) {
    throw new GitError("unsupported-provider", `${field}: ${notHostedMessage(shown)}; use ${hostedGitProviders.join(", ")}`);
  }
  throw new GitError(
    "unsupported-provider",
    `${field}: ${shown} is not a git provider; Codefresh hosted runtimes support only ${supportedProviders}: use one of those names`,
  );
}

/** A branch name git would accept (`git check-ref-format --branch`, simplified to the common rules). */
export function isValidBranchName(ref: string): boolean {
  return (
    ref.length > 0 &&
    ref.length <= 255 &&
    !/[\s\x00-\x1f\x7f~^:?*[\\]/.test(ref) &&
    !ref.includes("..") &&
    !ref.includes("@{") &&
    !ref.includes("//") &&
    ref !== "@" &&
    !ref.startsWith("-") &&
    !ref.startsWith("/") &&
    !ref.endsWith("/") &&
    !ref.endsWith(".") &&
    !ref.endsWith(".lock") &&
    !ref.split("/").some((part) => part.startsWith("."))
  );
}

/** `https://user:secret@host/…` → `https://***@host/…`, so an error never repeats a credential. */
function masked(url: string): string {
  const text = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@");
  return truncate(text, 200);
}

function encodeSegment(segment: string): string {
  return encodeURIComponent(segment);
}

/**
 * Parses a repository URL in Codefresh's format `<repo_url>.git[/<path>][?ref=<branch>]`. `provider`
 * (default: inferred from the host) decides the shape: GitHub and Bitbucket repositories are exactly
 * `<owner>/<repo>`, Gerrit projects may be nested or top-level.
 */
export function parseRepoUrl(url: string, field = "repoUrl", provider?: GitProviderName): RepoRef {
  const raw = typeof url === "string" ? url : "";
  const fail = (reason: string) =>
    new GitError("invalid-url", `${field}: ${JSON.stringify(masked(raw))} is not a repository URL in the form ${repoUrlFormat}: ${reason}`);

  if (raw === "") throw fail("it is empty");
  if (/[\s\x00-\x1f\x7f]/.test(raw)) throw fail("it contains whitespace or control characters; remove them (a space in a path is %20)");
  if (/^[\w.-]+@[\w.-]+:/.test(raw)) throw fail("SSH addresses are not supported; use the repository's HTTPS clone URL");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) throw fail("it must start with https://");
  if (raw.includes("\\")) throw fail("it contains a backslash");

  const afterScheme = raw.slice(scheme.length + 3);
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd === -1 ? afterScheme : afterScheme.slice(0, authorityEnd);
  const rest = authorityEnd === -1 ? "" : afterScheme.slice(authorityEnd);
  if (authority.includes("@")) {
    throw fail("it contains credentials; give the token in the provider's token setting, never inside the URL");
  }
  if (/[^\x21-\x7e]/.test(authority)) {
    throw fail("the host has non-ASCII characters (a look-alike of a real host?); use the host's plain ASCII name");
  }

  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw fail("it is not a valid URL");
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw fail("it contains credentials; give the token in the provider's token setting, never inside the URL");
  }
  const host = parsed.host.toLowerCase();
  if (host === "") throw fail("the host is missing");
  secureUrl(raw, field, { loopbackHttp: true, allowQuery: true, refuse: (refusal) => fail(repoUrlRefusal(refusal, scheme)) });
  if (parsed.hash !== "" || rest.includes("#")) throw fail("it has a #fragment");

  // Query: only ?ref=<branch>.
  const queryStart = rest.indexOf("?");
  const rawPath = queryStart === -1 ? rest : rest.slice(0, queryStart);
  let ref: string | undefined;
  const keys = [...parsed.searchParams.keys()];
  for (const key of keys) {
    if (key !== "ref") throw fail(`the query parameter ${JSON.stringify(key)} is not allowed; only ?ref=<branch> is`);
  }
  if (keys.length > 1) throw fail("ref is given more than once");
  if (keys.length === 1) {
    ref = parsed.searchParams.get("ref") ?? "";
    if (ref === "") throw fail("?ref= is empty; give a branch name or leave it out");
    if (!isValidBranchName(ref)) throw fail(`?ref=${JSON.stringify(ref)} is not a valid branch name`);
  } else if (queryStart !== -1 && rest.slice(queryStart + 1) !== "") {
    throw fail("only ?ref=<branch> is allowed in the query");
  }

  // Path: decode each segment (from the raw text: URL() would already have resolved `..`).
  const segments: string[] = [];
  for (const part of rawPath.split("/").slice(1)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      throw fail(`the path segment ${JSON.stringify(part)} has an invalid %-escape`);
    }
    if (decoded === ".." || decoded === ".") throw fail("path traversal (. or ..) is not allowed; remove the . and .. segments");
    if (/[/\\\s\x00-\x1f\x7f]/.test(decoded)) throw fail(`the path segment ${JSON.stringify(part)} encodes a slash, whitespace or a control character`);
    segments.push(decoded);
  }
  const gitIndex = segments.findIndex((s) => s.endsWith(".git"));
  if (gitIndex === -1) {
    throw fail("the repository part must end with .git (Codefresh's format is <repo_url>.git[/<path>]), for example https://github.com/<owner>/<repo>.git");
  }
  const repoSegments = segments.slice(0, gitIndex + 1);
  if (repoSegments.some((s) => s === "")) throw fail("the owner or repository name is empty");
  const name = (repoSegments[repoSegments.length - 1] ?? "").slice(0, -".git".length);
  if (name === "") throw fail("the repository name is empty");
  const ownerSegments = repoSegments.slice(0, -1);
  const pathSegments = segments.slice(gitIndex + 1).filter((s) => s !== "");

  const shape = provider ?? inferQuietly(host);
  if (shape === "GITHUB" || shape === "BITBUCKET") {
    if (ownerSegments.length !== 1) {
      throw fail(
        `${providerLabel[shape]} repositories are <${shape === "GITHUB" ? "owner" : "workspace"}>/<repo>.git, with exactly one segment before the name`,
      );
    }
  } else if (shape === undefined && ownerSegments.length === 0) {
    throw fail("the owner is empty; the URL needs <owner>/<repo>.git after the host");
  }

  const repoPath = [...ownerSegments, `${name}.git`].map(encodeSegment).join("/");
  const cloneUrl = `${scheme}://${host}/${repoPath}`;
  const path = pathSegments.join("/");
  const repoUrl =
    cloneUrl +
    (path === "" ? "" : `/${pathSegments.map(encodeSegment).join("/")}`) +
    (ref === undefined ? "" : `?ref=${encodeURIComponent(ref).replace(/%2F/gi, "/")}`);
  return { repoUrl, cloneUrl, host, owner: ownerSegments.join("/"), name, path, ref };
}
