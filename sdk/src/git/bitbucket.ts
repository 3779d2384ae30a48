// Bitbucket Cloud, REST API 2.0 (developer.atlassian.com/cloud/bitbucket/rest): repositories are
// `/repositories/{workspace}/{repo_slug}`, files are read from `/src/{commit}/{path}` and written as one
// commit with a form POST to `/src`. App passwords and API tokens authenticate with Basic
// (username + token); access tokens with Bearer.
import { GitError } from "../errors";
import { createFetch } from "../http";
import { assertWithinSize } from "./size";
import {
  createOnce,
  deleteWithRetry,
  encodePath,
  ErrorContext,
  HttpFailure,
  PlainAnswer,
  repoFilePath,
  RetrySettings,
  sendPlain,
  toGitError,
  withRetry,
} from "./transport";
import type { CheckAccessOptions, CreateRepoOptions, FileContent, GitClientOptions, GitProviderClient, RepoInfo } from "./types";
import type { RepoRef } from "./url";
import { userAgent } from "../user-agent";

interface BitbucketRepo {
  full_name: string;
  is_private: boolean;
  size?: number | undefined;
  mainbranch?: { name?: string } | null;
  links?: { clone?: { name: string; href: string }[]; html?: { href?: string } } | undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `https://user@bitbucket.org/ws/repo.git` → `https://bitbucket.org/ws/repo.git` */
function withoutUser(url: string): string {
  return url.replace(/^(https?:\/\/)[^/@]*@/, "$1");
}

export function createBitbucketClient(options: GitClientOptions, apiUrl: string, settings: RetrySettings): GitProviderClient {
  const fetchImpl = createFetch({ caBundle: options.caBundle, insecureSkipTlsVerify: options.insecureSkipTlsVerify });
  const authorization = options.username ? `Basic ${Buffer.from(`${options.username}:${options.token}`).toString("base64")}` : `Bearer ${options.token}`;
  const secrets = [options.token, options.username ? `${options.username}:${options.token}` : undefined];
  const service = `Bitbucket Cloud API at ${apiUrl}`;
  const base = apiUrl.replace(/\/+$/, "");

  const send = (method: string, path: string, signal: AbortSignal, body?: { type: string; text: string }, accept = "application/json") =>
    sendPlain(
      fetchImpl,
      {
        method,
        url: `${base}${path}`,
        headers: { authorization, accept, "user-agent": userAgent(), ...(body ? { "content-type": body.type } : {}) },
        body: body?.text,
      },
      signal,
      parseJson,
    );
  const read = (path: string, accept?: string): Promise<PlainAnswer> => withRetry(settings, (signal) => send("GET", path, signal, undefined, accept));
  const is = (error: unknown, ...statuses: number[]) => error instanceof HttpFailure && error.status !== undefined && statuses.includes(error.status);
  const label = (repo: RepoRef) => `${repo.owner}/${repo.name}`;
  const repoPath = (repo: RepoRef) => `/repositories/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
  const context = (action: string, extra: Partial<ErrorContext> = {}): ErrorContext => ({
    service,
    action,
    secrets,
    tokenName: options.username ? "the Bitbucket username and app password / API token" : "the Bitbucket access token",
    maxRateLimitWaitMs: settings.maxRateLimitWaitMs,
    forbiddenHint: "The credentials need the repository write permission (app password / API token scope `repository:write`).",
    ...extra,
  });

  async function fetchRepoData(repo: RepoRef): Promise<BitbucketRepo | undefined> {
    try {
      return JSON.parse((await read(repoPath(repo))).text) as BitbucketRepo;
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw toGitError(error, context(`reading repository ${label(repo)}`));
    }
  }

  /**
   * Bitbucket has no "my permission on this repository" call (jira BCLOUD-8542); the documented way is
   * the role filter of the workspace's repository list: `contributor` (write), then `admin`. A token
   * without a user (repository access tokens) cannot be checked this way: then false.
   */
  async function canPush(repo: RepoRef): Promise<boolean> {
    const q = encodeURIComponent(`full_name="${repo.owner}/${repo.name}"`);
    for (const role of ["contributor", "admin"]) {
      try {
        const page = JSON.parse((await read(`/repositories/${encodeURIComponent(repo.owner)}?role=${role}&q=${q}`)).text) as { values?: unknown[] };
        if ((page.values ?? []).length > 0) return true;
      } catch (error) {
        if (is(error, 401, 403)) return false;
        throw toGitError(error, context(`reading your role on ${label(repo)}`));
      }
    }
    return false;
  }

  async function toInfo(repo: RepoRef, data: BitbucketRepo): Promise<RepoInfo> {
    const https = data.links?.clone?.find((c) => c.name === "https")?.href;
    return {
      fullName: data.full_name,
      // An empty repository has no main branch yet; new ones get "main" when the first commit lands.
      defaultBranch: data.mainbranch?.name ?? "main",
      private: Boolean(data.is_private),
      canPush: await canPush(repo),
      sizeBytes: typeof data.size === "number" ? data.size : undefined, // Bitbucket reports bytes
      cloneUrl: https ? withoutUser(https) : repo.cloneUrl,
      htmlUrl: data.links?.html?.href ?? repo.cloneUrl.replace(/\.git$/, ""),
    };
  }

  async function getRepo(repo: RepoRef): Promise<RepoInfo | undefined> {
    const data = await fetchRepoData(repo);
    return data === undefined ? undefined : toInfo(repo, data);
  }

  async function checkAccess(repo: RepoRef, check: CheckAccessOptions = {}): Promise<RepoInfo> {
    const info = await getRepo(repo);
    if (info === undefined) {
      throw new GitError(
        "not-found",
        `repository ${label(repo)} was not found via the ${service}, or the credentials cannot see it: check the URL (${repo.cloneUrl}) and that the ` +
          "app password / API token has the repository read permission and its user has access",
      );
    }
    if ((check.requireWrite ?? true) && !info.canPush) {
      throw new GitError(
        "forbidden",
        `Bitbucket did not confirm write access to ${info.fullName}: give the user write access (and the app password / API token the ` +
          "repository write permission); a repository access token cannot be checked this way, so use an app password or API token with username",
      );
    }
    return assertWithinSize(info, check.maxSizeBytes);
  }

  /** One commit through `POST /src` (form fields: message, branch, `/<path>`=content, files=`/<path>` to delete). */
  function commitForm(fields: [string, string][]): { type: string; text: string } {
    return { type: "application/x-www-form-urlencoded", text: new URLSearchParams(fields).toString() };
  }

  async function branchOf(repo: RepoRef, branch: string | undefined): Promise<string> {
    const explicit = branch ?? repo.ref;
    if (explicit) return explicit;
    const data = await fetchRepoData(repo);
    if (data === undefined) throw new GitError("not-found", `repository ${label(repo)} was not found via the ${service}, or the credentials cannot see it`);
    return data.mainbranch?.name ?? "main";
  }

  async function readAt(repo: RepoRef, fullPath: string, ref: string): Promise<string | undefined> {
    try {
      return (await read(`${repoPath(repo)}/src/${encodeURIComponent(ref)}/${encodePath(fullPath)}`, "*/*")).text;
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw toGitError(error, context(`reading ${fullPath} in ${label(repo)}`));
    }
  }

  async function createRepo(repo: RepoRef, create: CreateRepoOptions = {}): Promise<RepoInfo> {
    const existing = await getRepo(repo);
    if (existing) return existing;
    const action = `creating repository ${label(repo)}`;
    const body: Record<string, unknown> = { scm: "git", is_private: create.private ?? true };
    if (create.description !== undefined) body.description = create.description;
    let created: BitbucketRepo;
    try {
      created = await createOnce(
        settings,
        async (signal) =>
          JSON.parse((await send("POST", repoPath(repo), signal, { type: "application/json", text: JSON.stringify(body) })).text) as BitbucketRepo,
        () => fetchRepoData(repo),
        action,
      );
    } catch (error) {
      // 400 "Repository with this Slug and Owner already exists.": made meanwhile, return it.
      if (is(error, 400)) {
        const now = await getRepo(repo);
        if (now) return now;
      }
      throw toGitError(
        error,
        context(action, {
          forbiddenHint: `The user needs the right to create repositories in workspace ${repo.owner} (app password / API token: repository admin permission).`,
        }),
      );
    }
    // Bitbucket creates an empty repository: one commit creates the default branch, as auto_init does elsewhere.
    const branch = repo.ref ?? created.mainbranch?.name ?? "main";
    await commit(repo, [["README.md", `# ${repo.name}\n`]], [], "Initial commit", branch, action);
    const info = await getRepo(repo);
    if (!info) throw new GitError("not-found", `${action}: the repository was created but cannot be read back; check the credentials' read permission`);
    return info;
  }

  async function commit(repo: RepoRef, writes: [string, string][], deletes: string[], message: string, branch: string, action: string): Promise<void> {
    const fields: [string, string][] = [
      ["message", message],
      ["branch", branch],
    ];
    for (const [path, content] of writes) fields.push([`/${path}`, content]);
    for (const path of deletes) fields.push(["files", `/${path}`]);
    const done = async () => {
      for (const [path, content] of writes) if ((await readAt(repo, path, branch)) !== content) return undefined;
      for (const path of deletes) if ((await readAt(repo, path, branch)) !== undefined) return undefined;
      return true;
    };
    try {
      await createOnce(settings, async (signal) => (await send("POST", `${repoPath(repo)}/src`, signal, commitForm(fields)), true), done, action);
    } catch (error) {
      throw toGitError(error, context(action));
    }
  }

  async function deleteRepo(repo: RepoRef): Promise<boolean> {
    try {
      return await deleteWithRetry(settings, (signal) => send("DELETE", repoPath(repo), signal));
    } catch (error) {
      throw toGitError(
        error,
        context(`deleting repository ${label(repo)}`, {
          forbiddenHint: "Deleting needs admin rights on the repository (and the repository delete permission on the token).",
        }),
      );
    }
  }

  async function readFile(repo: RepoRef, path: string, branch?: string): Promise<string | undefined> {
    const fullPath = repoFilePath(repo.path, path);
    return readAt(repo, fullPath, await branchOf(repo, branch));
  }

  async function putFiles(repo: RepoRef, files: FileContent[], message: string, branch?: string): Promise<void> {
    const writes = files.map((f) => [repoFilePath(repo.path, f.path), f.content] as [string, string]);
    const ref = await branchOf(repo, branch);
    const changed: [string, string][] = [];
    for (const [path, content] of writes) if ((await readAt(repo, path, ref)) !== content) changed.push([path, content]);
    if (changed.length === 0) return;
    await commit(repo, changed, [], message, ref, `writing ${changed.map(([p]) => p).join(", ")} in ${label(repo)}`);
  }

  async function deleteFile(repo: RepoRef, path: string, message: string, branch?: string): Promise<boolean> {
    const fullPath = repoFilePath(repo.path, path);
    const ref = await branchOf(repo, branch);
    if ((await readAt(repo, fullPath, ref)) === undefined) return false;
    await commit(repo, [], [fullPath], message, ref, `deleting ${fullPath} in ${label(repo)}`);
    return true;
  }

  return { provider: "BITBUCKET", apiUrl, getRepo, checkAccess, createRepo, deleteRepo, readFile, putFiles, deleteFile };
}
