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
