// The edge between the engine and a resource's methods: what comes back is a value the host can
// encode, and no error leaves with a secret in it.
import type * as pulumi from "@pulumi/pulumi";
import type { SecretSet } from "../../secrets";

/** A copy the host can encode as a protobuf Struct, which rejects `undefined` ("Unexpected struct type"): those keys are dropped. */
export function plain<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** An Error with secrets removed, so that nothing the engine prints or stores can carry one. */
export function scrubbed(error: unknown, secrets: SecretSet): Error {
  if (error instanceof Error) {
    const clean = secrets.scrub(error.message);
    if (clean === error.message) return error;
    const copy = new Error(clean);
    copy.name = error.name;
    return copy;
  }
  return new Error(secrets.scrub(String(error)));
}

/** The error of a partially created resource: the engine keeps `id` and `properties`, and the next `up` resumes with update. */
export class PartialCreateError extends Error {
  readonly reasons: string[];
  constructor(
    readonly id: string,
    readonly properties: Record<string, unknown>,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = cause instanceof Error ? cause.name : "Error";
    this.reasons = [this.message];
  }
}

/** Turns an error into a partial create of `id`; {@link guard} scrubs it on the way out. */
export function partialCreate(id: string, properties: object, error: unknown): PartialCreateError {
  return new PartialCreateError(id, properties as Record<string, unknown>, error);
}

/** Runs one provider method: errors leave scrubbed (a partial create keeps its id and scrubbed properties). */
export async function guard<R>(secrets: SecretSet, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PartialCreateError) {
      const clean = new PartialCreateError(error.id, plain(error.properties), scrubbed(error, secrets));
      return Promise.reject(clean);
    }
    throw scrubbed(error, secrets);
  }
}

/** A read result the host can encode. */
export function readResult<O>(id: string, props: O, inputs: object): pulumi.dynamic.ReadResult<O> {
  return { id, props: plain(props), inputs: plain(inputs) as O };
}
