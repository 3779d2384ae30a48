// Creating a repository on the git server, as Codefresh does when a hosted runtime's git provider is
// connected (or a git source asks for `createRepo`). The emulator's own small client, one call sequence per
// provider API (GitHub and Gitea; Bitbucket Cloud; Gerrit): it must not share code with the SDK's git
// client, which it is there to test. Files are then written with git itself (git-commits.ts).
import http from "node:http";
import https from "node:https";
import { rootCertificates } from "node:tls";
import type { RepoRef } from "./repo-url";
import { transientStatus, UpstreamError } from "./errors";

export type HostedGitProvider = "GITHUB" | "BITBUCKET" | "GERRIT";

export interface GitHostingAccount {
  provider: HostedGitProvider;
  /** The provider's API base URL (GitHub: `…/api/v3` or Gitea's `…/api/v1`; Bitbucket `…/2.0`; Gerrit `…/a`). */
  apiUrl: string;
  token: string;
  /** Bitbucket and Gerrit basic auth; GitHub-like servers take the token alone. */
  username?: string | undefined;
  /** Extra CA bundle (PEM) for a local server's certificate. */
  caBundle?: string | undefined;
}

interface Answer {
  status: number;
  text: string;
}

const requestTimeoutMs = 30_000;

function send(account: GitHostingAccount, method: string, path: string, body?: { json: unknown } | { form: Record<string, string> }): Promise<Answer> {
  const url = new URL(`${account.apiUrl.replace(/\/+$/, "")}${path}`);
  const payload = body === undefined ? undefined : "json" in body ? JSON.stringify(body.json) : new URLSearchParams(body.form).toString();
  const authorization =
    account.provider === "GITHUB" || account.username === undefined
      ? `${account.provider === "GITHUB" ? "token" : "Bearer"} ${account.token}`
      : `Basic ${Buffer.from(`${account.username}:${account.token}`).toString("base64")}`;
  const headers: Record<string, string | number> = { authorization, accept: "application/json", "user-agent": "codefresh-emulator" };
  if (payload !== undefined) {
    headers["content-type"] = body !== undefined && "json" in body ? "application/json" : "application/x-www-form-urlencoded";
    headers["content-length"] = Buffer.byteLength(payload);
  }
  const transport = url.protocol === "http:" ? http : https;
  const ca = account.caBundle ? [...rootCertificates, account.caBundle] : undefined;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers, timeout: requestTimeoutMs, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (error) => reject(new UpstreamError(`${method} ${url.origin}${url.pathname}: ${error.message}`, true)));
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${requestTimeoutMs / 1000} s`)));
    // No answer (a cut connection, a timeout): the git server's or the network's failure, not the request's.
    req.on("error", (error) => reject(new UpstreamError(`${method} ${url.origin}${url.pathname}: ${error.message}`, true)));
    req.end(payload);
  });
}

function refused(action: string, answer: Answer): Error {
  return new UpstreamError(`${action}: the git server answered ${answer.status}: ${answer.text.slice(0, 300)}`, transientStatus(answer.status));
}

const segment = encodeURIComponent;

/** GitHub and Gitea: under the organisation if the owner is one, else under the token's own user. */
async function createOnGitHub(account: GitHostingAccount, repo: RepoRef, description: string | undefined): Promise<void> {
  const action = `creating repository ${repo.owner}/${repo.name}`;
  if ((await send(account, "GET", `/repos/${segment(repo.owner)}/${segment(repo.name)}`)).status === 200) return;
  let route = `/orgs/${segment(repo.owner)}/repos`;
  const org = await send(account, "GET", `/orgs/${segment(repo.owner)}`);
  if (org.status === 404) {
    const user = await send(account, "GET", "/user");
    if (user.status !== 200) throw refused(`${action}: reading the token's user`, user);
    const login = (JSON.parse(user.text) as { login?: string }).login ?? "";
    if (login.toLowerCase() !== repo.owner.toLowerCase()) {
      throw new Error(`${action}: ${repo.owner} is neither an organisation the token can see nor the token's user (${login})`);
    }
    route = "/user/repos";
  } else if (org.status !== 200) {
    throw refused(`${action}: reading organisation ${repo.owner}`, org);
  }
  const created = await send(account, "POST", route, { json: { name: repo.name, private: true, auto_init: true, ...(description ? { description } : {}) } });
  // 409 (Gitea) or 422 (GitHub): created meanwhile by someone else.
  if (created.status === 201 || created.status === 409 || created.status === 422) return;
  throw refused(action, created);
}

/** Bitbucket Cloud: a repository starts empty, so a first commit gives it its default branch. */
async function createOnBitbucket(account: GitHostingAccount, repo: RepoRef, description: string | undefined): Promise<void> {
  const action = `creating repository ${repo.owner}/${repo.name}`;
  const path = `/repositories/${segment(repo.owner)}/${segment(repo.name)}`;
  if ((await send(account, "GET", path)).status === 200) return;
  const created = await send(account, "POST", path, { json: { scm: "git", is_private: true, ...(description ? { description } : {}) } });
  if (created.status !== 200 && created.status !== 201) throw refused(action, created);
  const initial = await send(account, "POST", `${path}/src`, { form: { "README.md": `# ${repo.name}\n`, message: "Initial commit" } });
  if (initial.status !== 201) throw refused(`${action}: the initial commit`, initial);
}

/** Gerrit: a project (possibly nested) with an empty first commit. */
async function createOnGerrit(account: GitHostingAccount, repo: RepoRef, description: string | undefined): Promise<void> {
  const project = repo.owner === "" ? repo.name : `${repo.owner}/${repo.name}`;
  const path = `/projects/${segment(project)}`;
  if ((await send(account, "GET", path)).status === 200) return;
  const created = await send(account, "PUT", path, { json: { create_empty_commit: true, ...(description ? { description } : {}) } });
  if (created.status !== 201 && created.status !== 409) throw refused(`creating project ${project}`, created);
}

/** Creates the (private) repository with a first commit on its default branch; an existing one is left as is. */
export function createRepository(account: GitHostingAccount, repo: RepoRef, options: { description?: string } = {}): Promise<void> {
  switch (account.provider) {
    case "GITHUB":
      return createOnGitHub(account, repo, options.description);
    case "BITBUCKET":
      return createOnBitbucket(account, repo, options.description);
    case "GERRIT":
      return createOnGerrit(account, repo, options.description);
  }
}
