// Gerrit, REST API under the authenticated prefix `/a/` (gerrit-review.googlesource.com/Documentation/
// rest-api.html): JSON answers start with the XSSI guard `)]}'`, project names are URL-encoded as one
// segment (`a%2Fb`), authentication is Basic with the account's username and HTTP password.
// Gerrit changes code through reviewed changes, so writing files is not offered here; its REST API
// cannot delete projects (only the delete-project plugin can) and does not report repository size.
import { GitError } from "../errors";
import { createFetch } from "../http";
import { createOnce, encodePath, ErrorContext, HttpFailure, PlainAnswer, repoFilePath, RetrySettings, sendPlain, toGitError, withRetry } from "./transport";
import type { CheckAccessOptions, CreateRepoOptions, GitClientOptions, GitProviderClient, RepoInfo } from "./types";
import type { RepoRef } from "./url";
import { userAgent } from "../user-agent";

/** Gerrit's JSON: the `)]}'` line that guards against XSSI removed, then parsed. */
export function parseGerritJson(text: string): unknown {
  return JSON.parse(text.replace(/^\)\]\}'\s*/, ""));
}

function parseError(text: string): unknown {
  try {
    return parseGerritJson(text);
  } catch {
    return text; // Gerrit's errors are plain text ("Not found: x")
  }
}

interface ProjectInfo {
  id?: string | undefined;
  name?: string | undefined;
  parent?: string | undefined;
  state?: string | undefined;
  web_links?: { name?: string; url?: string }[];
}

interface ProjectAccessInfo {
  is_owner?: boolean | undefined;
  can_upload?: boolean | undefined;
}

export function createGerritClient(options: GitClientOptions, apiUrl: string, settings: RetrySettings): GitProviderClient {
  if (!options.username) {
    throw new GitError(
      "unauthorized",
      "GERRIT needs username (the Gerrit account's username) together with token (its HTTP password, from Settings → HTTP Credentials)",
    );
  }
  const fetchImpl = createFetch({ caBundle: options.caBundle, insecureSkipTlsVerify: options.insecureSkipTlsVerify });
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.token}`).toString("base64")}`;
  const secrets = [options.token, `${options.username}:${options.token}`];
  const service = `Gerrit API at ${apiUrl}`;
  const base = apiUrl.replace(/\/+$/, "");
  // The server root: the authenticated API lives under /a/, the anonymous one (and clone URLs) under /.
  const root = base.replace(/\/a$/, "");

  const send = (method: string, url: string, signal: AbortSignal, body?: unknown, anonymous = false) =>
    sendPlain(
      fetchImpl,
      {
        method,
        url,
        headers: {
          ...(anonymous ? {} : { authorization }),
          accept: "application/json",
          "user-agent": userAgent(),
          ...(body === undefined ? {} : { "content-type": "application/json; charset=UTF-8" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      signal,
      parseError,
    );
  const read = (url: string, anonymous = false): Promise<PlainAnswer> => withRetry(settings, (signal) => send("GET", url, signal, undefined, anonymous));
  const is = (error: unknown, ...statuses: number[]) => error instanceof HttpFailure && error.status !== undefined && statuses.includes(error.status);
  const projectOf = (repo: RepoRef) => (repo.owner === "" ? repo.name : `${repo.owner}/${repo.name}`);
  const projectUrl = (repo: RepoRef, prefix = base) => `${prefix}/projects/${encodeURIComponent(projectOf(repo))}`;
  const context = (action: string, extra: Partial<ErrorContext> = {}): ErrorContext => ({
    service,
    action,
    secrets,
    tokenName: "the Gerrit username and HTTP password",
    maxRateLimitWaitMs: settings.maxRateLimitWaitMs,
    forbiddenHint: "The account needs the matching access right on the project (Read, Push or Create Project).",
    ...extra,
  });
  const unsupported = (what: string, repo: RepoRef) =>
    new GitError(
      "unsupported-provider",
      `${what} is not supported for Gerrit through this API (project ${projectOf(repo)}): ${
        what.startsWith("deleting")
          ? "Gerrit's REST API cannot delete projects (only the delete-project plugin can); delete it in Gerrit"
          : `Gerrit changes code through reviewed changes; push a commit with git to ${repo.cloneUrl} instead`
      }`,
    );

  async function getRepo(repo: RepoRef): Promise<RepoInfo | undefined> {
    const project = projectOf(repo);
    const action = `reading project ${project}`;
    let info: ProjectInfo;
    try {
      info = parseGerritJson((await read(projectUrl(repo))).text) as ProjectInfo;
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw toGitError(error, context(action));
    }
    try {
      const head = String(parseGerritJson((await read(`${projectUrl(repo)}/HEAD`)).text));
      const access = parseGerritJson((await read(`${projectUrl(repo)}/access`)).text) as ProjectAccessInfo;
      // Gerrit has no "private" flag: a project anonymous users cannot see is private.
      let visibleAnonymously = true;
      try {
        await read(projectUrl(repo, root), true);
      } catch (error) {
        if (!is(error, 401, 403, 404)) throw error;
        visibleAnonymously = false;
      }
      const link = info.web_links?.find((l) => typeof l.url === "string")?.url;
      return {
        fullName: info.name ?? project,
        defaultBranch: head.replace(/^refs\/heads\//, ""),
        private: !visibleAnonymously,
        // Gerrit says whether the caller may upload (push for review) or owns the project; direct-push rights are not in the REST API.
        canPush: Boolean(access.is_owner || access.can_upload),
        sizeBytes: undefined, // not reported by Gerrit's REST API
        cloneUrl: `${root}/${encodePath(project)}.git`,
        htmlUrl: link ? new URL(link, `${root}/`).toString() : `${root}/admin/repos/${encodeURIComponent(project)}`,
      };
    } catch (error) {
      throw toGitError(error, context(action));
    }
  }

  async function checkAccess(repo: RepoRef, check: CheckAccessOptions = {}): Promise<RepoInfo> {
    const info = await getRepo(repo);
    if (info === undefined) {
      throw new GitError(
        "not-found",
        `project ${projectOf(repo)} was not found via the ${service}, or the account cannot see it: check the URL (${repo.cloneUrl}) and the account's Read right`,
      );
    }
    if ((check.requireWrite ?? true) && !info.canPush) {
      throw new GitError(
        "forbidden",
        `the Gerrit account can read ${info.fullName} but cannot upload to it: grant it Push on refs/heads/* (or make it a project owner)`,
      );
    }
    // Gerrit does not report a repository's size, so maxSizeBytes cannot be checked here.
    return info;
  }

  async function createRepo(repo: RepoRef, create: CreateRepoOptions = {}): Promise<RepoInfo> {
    const existing = await getRepo(repo);
    if (existing) return existing;
    const project = projectOf(repo);
    const action = `creating project ${project}`;
    // Visibility follows the parent project's access rights in Gerrit; `private` has no counterpart here.
    const body: Record<string, unknown> = { name: project, create_empty_commit: true };
    if (create.description !== undefined) body.description = create.description;
    if (repo.ref !== undefined) body.branches = [repo.ref];
    try {
      await createOnce(
        settings,
        async (signal) => (await send("PUT", projectUrl(repo), signal, body), true),
        async () => ((await getRepo(repo)) ? true : undefined),
        action,
      );
    } catch (error) {
      // 409 "Project already exists": made meanwhile; read it below.
      if (!is(error, 409)) {
        throw toGitError(error, context(action, { forbiddenHint: "The account needs the global Create Project capability." }));
      }
    }
    const info = await getRepo(repo);
    if (!info) throw new GitError("not-found", `${action}: the project was created but cannot be read back; check the account's Read right`);
    return info;
  }

  async function readFile(repo: RepoRef, path: string, branch?: string): Promise<string | undefined> {
    const fullPath = repoFilePath(repo.path, path);
    const action = `reading ${fullPath} in ${projectOf(repo)}`;
    let ref = branch ?? repo.ref;
    try {
      ref ??= String(parseGerritJson((await read(`${projectUrl(repo)}/HEAD`)).text)).replace(/^refs\/heads\//, "");
      const answer = await read(`${projectUrl(repo)}/branches/${encodeURIComponent(ref)}/files/${encodeURIComponent(fullPath)}/content`);
      return Buffer.from(answer.text.trim(), "base64").toString("utf8"); // Gerrit sends file content base64-encoded
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw toGitError(error, context(action));
    }
  }

  return {
    provider: "GERRIT",
    apiUrl,
    getRepo,
    checkAccess,
    createRepo,
    async deleteRepo(repo) {
      throw unsupported("deleting a project", repo);
    },
    readFile,
    async putFiles(repo) {
      throw unsupported("writing files", repo);
    },
    async deleteFile(repo) {
      throw unsupported("deleting files", repo);
    },
  };
}
