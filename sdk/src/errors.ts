/**
 * The one error hierarchy of the package. Every error a user can meet is a `CodefreshError`; the
 * subclasses say what kind of problem it is, and every message says what to do about it.
 */
export class CodefreshError extends Error {
  override readonly name: string = "CodefreshError";
}

/** Invalid or missing configuration (provider config or environment), found before any remote call. */
export class ConfigError extends CodefreshError {
  override readonly name = "ConfigError";
  constructor(
    /** The config key or environment variable at fault, for example `codefresh:apiUrl`. */
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

/** Why a Kubernetes cluster could not be used. */
export type ClusterProblem =
  | "invalid-kubeconfig"
  | "unreachable"
  | "unauthorized"
  | "forbidden"
  | "unsupported-version"
  | "insecure-tls"
  | "timeout";

/** A target cluster that cannot be connected, with what to fix. Never carries a token or kubeconfig. */
export class ClusterError extends CodefreshError {
  override readonly name = "ClusterError";
  constructor(
    readonly problem: ClusterProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Why a git repository or git provider could not be used. */
export type GitProblem =
  | "invalid-url"
  | "unsupported-provider"
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "too-large"
  | "unreachable"
  | "conflict"
  | "rate-limited";

/** A git repository that cannot be used as asked, with what to fix. Never carries a token. */
export class GitError extends CodefreshError {
  override readonly name = "GitError";
  constructor(
    readonly problem: GitProblem,
    message: string,
  ) {
    super(message);
  }
}
