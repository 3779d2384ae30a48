// Repository URLs as the emulated app-proxy reads them: Codefresh's `<repo>.git[/<path>][?ref=<branch>]`
// (a Shared Configuration Repo, a git source's repo). The emulator's own, deliberately small parser: it
// must not share code with the SDK's (sdk/src/git/url.ts), or the test double would hide that code's bugs.
import { businessError } from "./errors";

/** A repository, and the directory and branch inside it that a URL points at. */
export interface RepoRef {
  /** `https://host/owner/name.git`: what git clones and pushes. */
  cloneUrl: string;
  /** `host[:port]`, lower case. */
  host: string;
  /** GitHub/Gitea owner, Bitbucket workspace, Gerrit parent path ("" for a top-level Gerrit project). */
  owner: string;
  /** The repository's name, without `.git`. */
  name: string;
  /** "" or a directory inside the repository, without leading or trailing slash. */
  path: string;
  /** The branch given with `?ref=`, if any. */
  ref?: string | undefined;
}

/** Parses `https://host/<owner…>/<name>.git[/<path>][?ref=<branch>]`; `field` names the input in errors. */
export function parseRepoUrl(url: string, field: string): RepoRef {
  const fail = (reason: string) =>
    businessError(`${field}: "${url}" is not a repository URL like https://<host>/<owner>/<repo>.git[/<path>][?ref=<branch>]: ${reason}`, "BAD_USER_INPUT");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail("it is not a URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw fail("it must be an http(s) URL");
  if (parsed.username !== "" || parsed.password !== "") throw fail("it must not contain credentials");
  const segments = parsed.pathname
    .split("/")
    .filter((segment) => segment !== "")
    .map(decodeURIComponent);
  const gitIndex = segments.findIndex((segment) => segment.endsWith(".git"));
  if (gitIndex === -1) throw fail("the repository part must end with .git");
  const name = (segments[gitIndex] ?? "").slice(0, -".git".length);
  if (name === "") throw fail("the repository name is empty");
  const path = segments.slice(gitIndex + 1);
  if (path.includes("..") || path.includes(".")) throw fail("the path must not contain . or ..");
  const ownerSegments = segments.slice(0, gitIndex);
  const repoPath = [...ownerSegments, `${name}.git`].map(encodeURIComponent).join("/");
  return {
    cloneUrl: `${parsed.protocol}//${parsed.host.toLowerCase()}/${repoPath}`,
    host: parsed.host.toLowerCase(),
    owner: ownerSegments.join("/"),
    name,
    path: path.join("/"),
    ref: parsed.searchParams.get("ref") ?? undefined,
  };
}

/** A path inside the directory the URL points at, as a path from the repository's root. */
export function inRepoDirectory(repo: RepoRef, path: string): string {
  return repo.path === "" ? path : `${repo.path}/${path}`;
}
