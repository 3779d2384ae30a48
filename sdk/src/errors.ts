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

/** Invalid arguments of a component, found before it declares anything (a resource's own are check failures). */
export class InputError extends CodefreshError {
  override readonly name = "InputError";
}

/** Why a Kubernetes cluster could not be used. */
export type ClusterProblem = "invalid-kubeconfig" | "unreachable" | "unauthorized" | "forbidden" | "unsupported-version" | "insecure-tls" | "timeout";

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

/** A failed call to Codefresh: names the operation, carries the server's message and code (secrets removed). */
export class CodefreshApiError extends CodefreshError {
  override readonly name: string = "CodefreshApiError";
  constructor(
    /** The GraphQL root field or REST call, for example `createGitSource`. */
    readonly operation: string,
    message: string,
    readonly details: { status?: number | undefined; code?: string | undefined; retryAfterMs?: number | undefined } = {},
  ) {
    super(`Codefresh ${operation}: ${message}`);
  }
  get status(): number | undefined {
    return this.details.status;
  }
  get code(): string | undefined {
    return this.details.code;
  }
}

/** 401/403, or `UNAUTHENTICATED`: the API key is missing, wrong, or lacks rights. */
export class AuthenticationError extends CodefreshApiError {
  override readonly name = "AuthenticationError";
}

/** The object does not exist (a `null` answer, `NOT_FOUND`, or "does not exist"). */
export class NotFoundError extends CodefreshApiError {
  override readonly name = "NotFoundError";
}

/** The object exists already, or the change conflicts with what exists (`CONFLICT`, 409). */
export class ConflictError extends CodefreshApiError {
  override readonly name = "ConflictError";
}

/** 429 after every retry; `details.retryAfterMs` holds the server's last `Retry-After`. */
export class RateLimitedError extends CodefreshApiError {
  override readonly name = "RateLimitedError";
}

/** No answer within the per-request timeout, after every retry. */
export class RequestTimeoutError extends CodefreshApiError {
  override readonly name = "RequestTimeoutError";
}

/** 5xx, a dropped connection, or an internal GraphQL error, after every retry. */
export class ServerError extends CodefreshApiError {
  override readonly name = "ServerError";
}

/** Any other `errors[]` answer: the server refused the request; the message says why. */
export class GraphqlResponseError extends CodefreshApiError {
  override readonly name = "GraphqlResponseError";
}

/**
 * The server does not offer this operation (GraphQL's "Cannot query field"). Raised for the operations
 * our emulator defines that Codefresh's public API does not (see sdk/src/api/unconfirmed.ts); the
 * message says what to do in the Codefresh UI instead.
 */
export class UnsupportedOperationError extends CodefreshApiError {
  override readonly name = "UnsupportedOperationError";
}

/** Why a git repository or git provider could not be used. */
export type GitProblem =
  "invalid-url" | "unsupported-provider" | "unauthorized" | "forbidden" | "not-found" | "too-large" | "unreachable" | "conflict" | "rate-limited";

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
