// GitHub (github.com, GitHub Enterprise) through @octokit/core's request, with our retry policy
// instead of octokit's retry/throttling plugins. Gitea's /api/v1 answers these same calls, which is
// how this adapter runs against a real local server in the tests.
import type { Octokit } from "@octokit/core";
import { GitError } from "../errors";
import { causeCode, createFetch, HeaderMap, lowerHeaders } from "../http";
import { AttemptTimeoutError, sleep } from "../retry";
import type { CheckAccessOptions, CreateRepoOptions, FileContent, GitClientOptions, GitProviderClient, RepoInfo } from "./types";
import {
  createOnce,
  deleteWithRetry,
  encodePath,
  ErrorContext,
  HttpFailure,
  repoFilePath,
  RetrySettings,
  toGitError,
  withRetry,
  serverMessage,
} from "./transport";
import type { RepoRef } from "./url";
import { assertWithinSize } from "./size";
import { userAgent } from "../user-agent";

type OctokitCore = typeof import("@octokit/core");

/** @octokit/core, loaded on first use (it is ESM-only; Node 24 loads it with require). */
function octokitCore(): OctokitCore {
  return require("@octokit/core") as OctokitCore;
}

interface Answer {
  status: number;
  headers: HeaderMap;
  data: unknown;
}

/** A RequestError from octokit as our HttpFailure (an answer), or a network failure without status. */
function fromOctokit(error: unknown): unknown {
  if (error instanceof AttemptTimeoutError || error instanceof HttpFailure) return error;
  const e = error as { name?: string; status?: number; response?: { status: number; headers: Record<string, unknown>; data: unknown }; message?: string };
  if (e?.response && typeof e.response.status === "number") {
    return new HttpFailure(e.response.status, lowerHeaders(e.response.headers), e.response.data);
  }
  if (e?.name === "AbortError") return error;
  if (e?.name === "HttpError") {
    // No response: fetch itself failed (connection refused, TLS, DNS). octokit reports it as status 500.
    return new HttpFailure(undefined, {}, undefined, causeCode((error as { cause?: unknown }).cause) ?? causeCode(error), e.message);
  }
  return error;
}

interface GitHubRepoData {
  full_name: string;
  default_branch: string;
  private: boolean;
  permissions?: { push?: boolean; admin?: boolean } | undefined;
  size?: number | undefined;
  clone_url: string;
  html_url: string;
}

function toInfo(data: unknown): RepoInfo {
  const d = data as GitHubRepoData;
  return {
    fullName: d.full_name,
    defaultBranch: d.default_branch,
    private: Boolean(d.private),
    canPush: Boolean(d.permissions?.push || d.permissions?.admin),
    // GitHub (and Gitea) report `size` in kilobytes.
    sizeBytes: typeof d.size === "number" ? d.size * 1024 : undefined,
    cloneUrl: d.clone_url,
    htmlUrl: d.html_url,
  };
}

interface ContentData {
  type?: string | undefined;
  sha?: string | undefined;
  content?: string | undefined;
  encoding?: string | undefined;
}

function decodeContent(data: unknown, path: string): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  if (Array.isArray(data)) throw new GitError("conflict", `${path} is a directory, not a file`);
  const d = data as ContentData;
  if (d.type !== undefined && d.type !== "file") throw new GitError("conflict", `${path} is a ${d.type}, not a file`);
  if (d.encoding === "base64" && typeof d.content === "string") return Buffer.from(d.content, "base64").toString("utf8");
  if (typeof d.content === "string" && (d.encoding === undefined || d.encoding === "")) return d.content;
  throw new GitError("too-large", `${path}: the contents API did not return the file's content (encoding ${String(d.encoding)}); it is too large for this API`);
}

export function createGitHubClient(options: GitClientOptions, apiUrl: string, settings: RetrySettings): GitProviderClient {
  const fetchImpl = createFetch({ caBundle: options.caBundle, insecureSkipTlsVerify: options.insecureSkipTlsVerify });
  const secrets = [options.token, options.username ? `${options.username}:${options.token}` : undefined];
  const service = `GitHub API at ${apiUrl}`;
  let octokit: Octokit | undefined;
  const client = (): Octokit => {
    const quiet = () => undefined;
    octokit ??= new (octokitCore().Octokit)({
      auth: options.token,
      baseUrl: apiUrl,
      userAgent: "pulumi-codefresh",
      request: { fetch: fetchImpl },
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
    return octokit;
  };

  /** One request; throws HttpFailure for an error answer or no answer. */
  async function send(route: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Answer> {
    try {
      // octokit's types know every documented route; ours are built at run time, hence the cast.
      const request = client().request as unknown as (
        route: string,
        params: Record<string, unknown>,
      ) => Promise<{ status: number; headers: Record<string, unknown>; data: unknown }>;
      // The caller's own headers (a readFile's raw media type) stay; the User-Agent names the resource operation.
      const headers = { ...(params.headers as Record<string, string> | undefined), "user-agent": userAgent() };
      const response = await request(route, { ...params, headers, request: { signal } });
      return { status: response.status, headers: lowerHeaders(response.headers), data: response.data };
    } catch (error) {
      throw fromOctokit(error);
    }
  }

  const read = (route: string, params: Record<string, unknown>) => withRetry(settings, (signal) => send(route, params, signal));
  const context = (action: string, extra: Partial<ErrorContext> = {}): ErrorContext => ({
    service,
    action,
    secrets,
    tokenName: "the GitHub token",
    maxRateLimitWaitMs: settings.maxRateLimitWaitMs,
    ...extra,
  });
  const is = (error: unknown, ...statuses: number[]) => error instanceof HttpFailure && error.status !== undefined && statuses.includes(error.status);
  const branchMoved = (error: unknown) =>
    error instanceof HttpFailure && /cannot lock ref|but expected [0-9a-f]{7,}|reference already exists|is at [0-9a-f]{7,}/i.test(serverMessage(error.body));
  const label = (repo: RepoRef) => `${repo.owner}/${repo.name}`;
  const repoParams = (repo: RepoRef) => ({ owner: repo.owner, repo: repo.name });
  const contentsRoute = (method: string, path: string) => `${method} /repos/{owner}/{repo}/contents/${encodePath(path)}`;
  const writeHint = (repo: RepoRef) =>
    `The token needs push access to ${label(repo)}: a classic token needs the "repo" scope, a fine-grained token "Contents: read and write".`;

  /** The repository and the answer's headers; undefined on 404. */
  async function fetchRepo(repo: RepoRef): Promise<{ info: RepoInfo; headers: HeaderMap } | undefined> {
    try {
      const answer = await read("GET /repos/{owner}/{repo}", repoParams(repo));
      return { info: toInfo(answer.data), headers: answer.headers };
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw toGitError(error, context(`reading repository ${label(repo)}`));
    }
  }

  async function getRepo(repo: RepoRef): Promise<RepoInfo | undefined> {
    return (await fetchRepo(repo))?.info;
  }

  async function checkAccess(repo: RepoRef, check: CheckAccessOptions = {}): Promise<RepoInfo> {
    const found = await fetchRepo(repo);
    if (found === undefined) {
      throw new GitError(
        "not-found",
        `repository ${label(repo)} was not found via the ${service}, or the token cannot see it: check the URL (${repo.cloneUrl}) and that the token ` +
          `has access to it (a classic token needs the "repo" scope for a private repository; a fine-grained token must include this repository)`,
      );
    }
    const { info, headers } = found;
    if (check.requireWrite ?? true) {
      // Classic tokens and OAuth apps list their scopes; fine-grained tokens and apps do not send the header.
      const scopesHeader = headers["x-oauth-scopes"];
      if (scopesHeader !== undefined) {
        const scopes = scopesHeader
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
        const enough = scopes.includes("repo") || (!info.private && scopes.includes("public_repo"));
        if (!enough) {
          throw new GitError(
            "forbidden",
            `the token can read ${info.fullName} but its scopes (${scopes.length ? scopes.join(", ") : "none"}) do not allow writing: ` +
              `a classic token needs the "repo" scope${info.private ? "" : ' (or "public_repo" for a public repository)'}; create one with it`,
          );
        }
      }
      if (!info.canPush) {
        throw new GitError(
          "forbidden",
          `the token's user can read ${info.fullName} but cannot push to it: give the user write access (collaborator or team with Write), or use another token`,
        );
      }
    }
    return assertWithinSize(info, check.maxSizeBytes);
  }

  /**
   * Where a new repository goes: `POST /orgs/{owner}/repos` when the owner is an organisation the
   * token can see, `POST /user/repos` when it is the token's own user; anything else is an error
   * (creating under the token's user would put it in the wrong place).
   */
  async function ownerKind(repo: RepoRef, action: string): Promise<"org" | "user"> {
    try {
      await read("GET /orgs/{org}", { org: repo.owner });
      return "org";
    } catch (error) {
      if (!is(error, 404)) throw toGitError(error, context(`${action}: reading organisation ${repo.owner}`));
    }
    let login: string;
    try {
      login = String(((await read("GET /user", {})).data as { login?: string }).login ?? "");
    } catch (error) {
      throw toGitError(error, context(`${action}: reading the token's user`));
    }
    if (login.toLowerCase() === repo.owner.toLowerCase()) return "user";
    throw new GitError(
      "not-found",
      `${action} (${service}): ${repo.owner} is neither an organisation the token can see nor the token's user (${login}); ` +
        "create the organisation first, or fix the owner in the repository URL",
    );
  }

  async function createRepo(repo: RepoRef, create: CreateRepoOptions = {}): Promise<RepoInfo> {
    const existing = await getRepo(repo);
    if (existing) return existing;
    const action = `creating repository ${label(repo)}`;
    const kind = await ownerKind(repo, action);
    const route = kind === "user" ? "POST /user/repos" : "POST /orgs/{org}/repos";
    const body: Record<string, unknown> = { name: repo.name, private: create.private ?? true, auto_init: true };
    if (create.description !== undefined) body.description = create.description;
    try {
      return await createOnce(
        settings,
        async (signal) => toInfo((await send(route, { ...body, ...(kind === "org" ? { org: repo.owner } : {}) }, signal)).data),
        () => getRepo(repo),
        action,
      );
    } catch (error) {
      // Created meanwhile by someone else (GitHub 422 "name already exists", Gitea 409): return it.
      if (is(error, 409, 422)) {
        const now = await getRepo(repo);
        if (now) return now;
      }
      throw toGitError(
        error,
        context(action, { forbiddenHint: `The token needs the right to create repositories in ${repo.owner} (a classic token: the "repo" scope).` }),
      );
    }
  }

  async function deleteRepo(repo: RepoRef): Promise<boolean> {
    try {
      return await deleteWithRetry(settings, (signal) => send("DELETE /repos/{owner}/{repo}", repoParams(repo), signal));
    } catch (error) {
      throw toGitError(
        error,
        context(`deleting repository ${label(repo)}`, {
          forbiddenHint: 'Deleting needs admin rights on the repository (a classic token: the "delete_repo" scope).',
        }),
      );
    }
  }

  /** The file's blob sha and text; undefined if it does not exist. */
  async function stat(repo: RepoRef, fullPath: string, ref: string | undefined): Promise<{ sha: string; content: string } | undefined> {
    try {
      const answer = await read(contentsRoute("GET", fullPath), { ...repoParams(repo), ...(ref ? { ref } : {}) });
      return { sha: String((answer.data as ContentData).sha), content: decodeContent(answer.data, fullPath) };
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw toGitError(error, context(`reading ${fullPath} in ${label(repo)}`));
    }
  }

  async function readFile(repo: RepoRef, path: string, branch?: string): Promise<string | undefined> {
    const fullPath = repoFilePath(repo.path, path);
    const ref = branch ?? repo.ref;
    try {
      // Raw media type: GitHub answers with the file itself (any size up to 100 MB); Gitea ignores it and answers JSON.
      const answer = await read(contentsRoute("GET", fullPath), {
        ...repoParams(repo),
        ...(ref ? { ref } : {}),
        headers: { accept: "application/vnd.github.v3.raw" },
      });
      return decodeContent(answer.data, fullPath);
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw toGitError(error, context(`reading ${fullPath} in ${label(repo)}`));
    }
  }

  async function putFile(repo: RepoRef, fullPath: string, content: string, message: string, ref: string | undefined): Promise<void> {
    const action = `writing ${fullPath} in ${label(repo)}`;
    const matches = async () => ((await stat(repo, fullPath, ref))?.content === content ? true : undefined);
    for (let round = 1; ; round++) {
      const current = await stat(repo, fullPath, ref);
      if (current?.content === content) return;
      const body: Record<string, unknown> = { message, content: Buffer.from(content, "utf8").toString("base64") };
      if (current) body.sha = current.sha;
      if (ref) body.branch = ref;
      try {
        await createOnce(
          settings,
          async (signal) => (await send(contentsRoute("PUT", fullPath), { ...repoParams(repo), ...body }, signal), true),
          matches,
          action,
        );
        return;
      } catch (error) {
        // The file or the branch moved between our read and our write: a sha mismatch (GitHub 409/422), or
        // another commit landing on the branch at the same moment (Gitea: "cannot lock ref …", even as a 403).
        // Read again and write again, a few times, with a short pause.
        if (round < 4 && (is(error, 409, 422) || branchMoved(error))) {
          await sleep(100 * round);
          continue;
        }
        throw toGitError(error, context(action, { forbiddenHint: writeHint(repo) }));
      }
    }
  }

  async function putFiles(repo: RepoRef, files: FileContent[], message: string, branch?: string): Promise<void> {
    const ref = branch ?? repo.ref;
    const paths = files.map((f) => repoFilePath(repo.path, f.path));
    for (const [i, file] of files.entries()) await putFile(repo, paths[i] ?? file.path, file.content, message, ref);
  }

  async function deleteFile(repo: RepoRef, path: string, message: string, branch?: string): Promise<boolean> {
    const fullPath = repoFilePath(repo.path, path);
    const ref = branch ?? repo.ref;
    const current = await stat(repo, fullPath, ref);
    if (current === undefined) return false;
    const action = `deleting ${fullPath} in ${label(repo)}`;
    try {
      return await createOnce(
        settings,
        async (signal) => (
          await send(contentsRoute("DELETE", fullPath), { ...repoParams(repo), message, sha: current.sha, ...(ref ? { branch: ref } : {}) }, signal),
          true
        ),
        async () => ((await stat(repo, fullPath, ref)) === undefined ? true : undefined),
        action,
      );
    } catch (error) {
      if (is(error, 404)) return false;
      throw toGitError(error, context(action, { forbiddenHint: writeHint(repo) }));
    }
  }

  return { provider: "GITHUB", apiUrl, getRepo, checkAccess, createRepo, deleteRepo, readFile, putFiles, deleteFile };
}
