// The ways the emulator refuses a request, kept apart from the rules that raise them so that every
// module (service, git effects, admin API) can use them without importing each other.
import { GraphQLError } from "graphql";

/** A business error, answered as HTTP 200 with `errors[]` like Codefresh's. */
export function businessError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** An error of the REST surface, answered with its HTTP status. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A request refused for its form (method, content type, size, JSON) before anything runs: answered
 * with its status and `{ error, status }`, on every surface and on the admin API.
 */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A server behind an operation (the git server) failed it. `transient` when the server or the network
 * failed (a 5xx or 429, a connection cut, a timeout) rather than the request (credentials, a missing
 * repo): Codefresh's servers answer those as any unexpected error, `INTERNAL_SERVER_ERROR`
 * (graphql-servers.ts), which clients retry.
 */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/** Whether an upstream's HTTP status is its own failure (retry later) rather than a refusal of the request. */
export const transientStatus = (status: number): boolean => status === 429 || status >= 500 || status === 0;
