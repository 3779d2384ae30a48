import type { GitProviderName, RepoRef } from "./url";

/** What a provider says about a repository. */
export interface RepoInfo {
  /** `owner/name` (Gerrit: the project name). */
  fullName: string;
  defaultBranch: string;
  private: boolean;
  /** Whether the token's user may push (GitHub `permissions.push`; see each adapter for how it is known). */
  canPush: boolean;
  /** Undefined where the provider's API does not say (Gerrit). */
  sizeBytes: number | undefined;
  cloneUrl: string;
  htmlUrl: string;
}

export interface CheckAccessOptions {
  /** Fail with `forbidden` unless the token can push (default true). */
  requireWrite?: boolean | undefined;
  /** Fail with `too-large` above this size (default 100 MB = 100 * 1024 * 1024 bytes). */
  maxSizeBytes?: number | undefined;
}

export interface CreateRepoOptions {
  /** Default true. */
  private?: boolean | undefined;
  description?: string | undefined;
}

export interface FileContent {
  /** Relative to the RepoRef's `path`. */
  path: string;
  content: string;
}

/**
 * One small interface over the git providers a hosted runtime supports. File paths are relative to
 * the RepoRef's `path` (the directory the repository URL points at); the branch defaults to the
 * RepoRef's `ref`, then the repository's default branch.
 */
export interface GitProviderClient {
  readonly provider: GitProviderName;
  readonly apiUrl: string;
  /** Undefined when the repository does not exist (404). */
  getRepo(repo: RepoRef): Promise<RepoInfo | undefined>;
  /** The repository, if the token can use it as asked; GitError `unauthorized`, `not-found`, `forbidden` or `too-large` otherwise. */
  checkAccess(repo: RepoRef, options?: CheckAccessOptions): Promise<RepoInfo>;
  /** Creates the repository with an initial commit on its default branch; an existing one is returned as is. */
  createRepo(repo: RepoRef, options?: CreateRepoOptions): Promise<RepoInfo>;
  /** False if it was already gone. */
  deleteRepo(repo: RepoRef): Promise<boolean>;
  /** The file's text, or undefined if it (or the branch) does not exist. */
  readFile(repo: RepoRef, path: string, branch?: string): Promise<string | undefined>;
  /** Creates or updates each file; files whose content is unchanged are skipped. */
  putFiles(repo: RepoRef, files: FileContent[], message: string, branch?: string): Promise<void>;
  /** False if the file did not exist. */
  deleteFile(repo: RepoRef, path: string, message: string, branch?: string): Promise<boolean>;
}

export interface GitClientOptions {
  provider: GitProviderName;
  /** Default: the provider's public API (GitHub, Bitbucket Cloud) or Gerrit's `https://gerrit-review.googlesource.com/a`, as Codefresh's. */
  apiUrl?: string | undefined;
  /** Secret: a GitHub token, a Bitbucket app password / API token / access token, or a Gerrit HTTP password. */
  token: string;
  /** Bitbucket app passwords and API tokens (Basic auth) and Gerrit HTTP passwords need it; without it Bitbucket uses Bearer. */
  username?: string | undefined;
  /** PEM bundle trusted in addition to the system's (GitHub Enterprise Server, a local test server). */
  caBundle?: string | undefined;
  insecureSkipTlsVerify?: boolean | undefined;
  /** Timeout of one HTTP attempt (default 30 s). */
  requestTimeoutMs?: number | undefined;
  onRetry?: ((info: { attempt: number; delayMs: number; status?: number | undefined }) => void) | undefined;
  /** Attempts for reads and idempotent writes, the first included (default 5). */
  attempts?: number | undefined;
  /** Longest rate-limit or Retry-After wait; a longer one fails at once with `rate-limited` (default 60 s). */
  maxRateLimitWaitMs?: number | undefined;
}
