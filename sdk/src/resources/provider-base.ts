// The provider-side half shared by the four resources: configuration resolved once per provider
// process, one Codefresh client, progress messages to the engine, input checks that name the field,
// waiting with backoff under a deadline, and errors with every secret removed.
import type * as pulumi from "@pulumi/pulumi";
import { CodefreshClient } from "../api";
import { CodefreshConfig, ConfigSource, resolveConfig } from "../config";
import { CodefreshError } from "../errors";
import { redact } from "../redact";
import { sleep } from "../retry";
import * as git from "../git";
import { truncate } from "../text";

/** The value Pulumi passes for inputs not known until apply. */
export const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === unknown;
}

let configSource: ConfigSource = { get: () => undefined };
let resolved: { config: CodefreshConfig; client?: CodefreshClient } | undefined;
const secretsSeen = new Set<string>();

/** Called by the shim's `configure` with the stack's whole config (secrets decrypted). */
export function configure(req: { config: { get(key: string): string | undefined } }): void {
  configSource = { get: (key) => req.config.get(key) };
  resolved = undefined;
}

/** Settings from stack config (`codefresh:*`) or the environment, resolved once. */
export function settings(): CodefreshConfig {
  resolved ??= { config: resolveConfig(configSource, process.env) };
  if (resolved.config.apiKey) secretsSeen.add(resolved.config.apiKey);
  return resolved.config;
}

/** A stack config value (full key, for example `codefresh:accountPlan`). */
export function configValue(key: string): string | undefined {
  return configSource.get(key);
}

export function client(): CodefreshClient {
  const config = settings();
  resolved!.client ??= new CodefreshClient({
    config,
    onRetry: ({ operation, attempt, delayMs, reason }) =>
      progress(`Codefresh ${operation}: attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s`),
  });
  return resolved!.client;
}

/** Remembers a secret so that no error or message of this process can carry it. */
export function rememberSecret(value: string | undefined): void {
  if (value) secretsSeen.add(value);
}

export function scrub(text: string): string {
  return redact(text, secretsSeen);
}

// ---- read-only lookups in check ---------------------------------------------------------------------

/**
 * A repo's size from its provider's API: one attempt, at most 5 s, read-only, so check stays fast and
 * never writes. Undefined where it cannot be known (no token, the repo does not exist yet, Gerrit, or
 * the provider did not answer in time); create reports real access problems.
 */
/**
 * A fact `check` looked up on an earlier run (a repo's size, a cluster's version), taken from the old
 * inputs while what it depends on is unchanged: a no-change preview then makes no remote call, and
 * `pulumi refresh` (or `preview --refresh`) renews it through `read`. Undefined when it must be looked up.
 */
export function factFromState<T>(olds: Record<string, unknown>, key: string, unchanged: boolean, valid: (value: unknown) => value is T): T | undefined {
  return recordedFact(olds, key, unchanged, valid)?.value;
}

/**
 * Like {@link factFromState}, where a missing value is a fact too: the size of a repo Codefresh creates
 * during create is not known when check runs, and stays unknown in the inputs until `pulumi refresh`.
 * `{ value }` (perhaps undefined) for a resource that exists while what the fact depends on is unchanged,
 * so a no-change preview neither calls out nor differs from state; undefined when it must be looked up.
 */
export function recordedFact<T>(olds: Record<string, unknown>, key: string, unchanged: boolean, valid: (value: unknown) => value is T): { value: T | undefined } | undefined {
  if (!unchanged || Object.keys(olds).length === 0) return undefined;
  return { value: valid(olds[key]) ? olds[key] : undefined };
}

export const isNumber = (value: unknown): value is number => typeof value === "number";
export const isText = (value: unknown): value is string => typeof value === "string";

export async function lookUpRepoSize(options: {
  repoUrl: string;
  provider: git.GitProviderName;
  apiUrl?: string;
  token?: string;
  username?: string;
}): Promise<number | undefined> {
  if (!options.token) return undefined;
  rememberSecret(options.token);
  try {
    const repo = git.parseRepoUrl(options.repoUrl, "repoUrl");
    const gitClient = git.createGitClient({
      provider: options.provider,
      apiUrl: options.apiUrl,
      token: options.token,
      username: options.username,
      caBundle: configValue("codefresh:gitCaBundle"),
      requestTimeoutMs: 5_000,
      attempts: 1,
    });
    return (await gitClient.getRepo(repo))?.sizeBytes;
  } catch {
    return undefined;
  }
}

// ---- progress to the engine -----------------------------------------------------------------------

type EngineClient = { log(request: unknown, callback: (error: unknown) => void): void };
let engine: EngineClient | undefined | null;

/**
 * Shows a message in `pulumi up`'s output. The dynamic-provider process gets the engine's address as
 * its first argument; without it (unit tests) the message goes to stderr.
 */
export function progress(message: string): void {
  const text = scrub(message);
  if (engine === undefined) {
    engine = null;
    const address = process.argv[2];
    if (address && /^[\w.-]+:\d+$/.test(address)) {
      try {
        const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
        const services = require("@pulumi/pulumi/proto/engine_grpc_pb.js") as { EngineClient: new (address: string, credentials: unknown) => EngineClient };
        engine = new services.EngineClient(address, grpc.credentials.createInsecure());
      } catch {
        engine = null;
      }
    }
  }
  if (engine) {
    const messages = require("@pulumi/pulumi/proto/engine_pb.js") as {
      LogRequest: new () => { setSeverity(s: number): unknown; setMessage(m: string): unknown; setEphemeral(e: boolean): unknown };
      LogSeverity: { INFO: number };
    };
    const request = new messages.LogRequest();
    request.setSeverity(messages.LogSeverity.INFO);
    request.setMessage(text);
    request.setEphemeral(false);
    engine.log(request, () => undefined);
  } else {
    process.stderr.write(`${text}\n`);
  }
}

// ---- checks -----------------------------------------------------------------------------------------

export type Failures = pulumi.dynamic.CheckFailure[];

/** Collects check failures; each names the field, what is wrong and the fix. */
export class Check {
  readonly failures: Failures = [];
  fail(property: string, reason: string): void {
    this.failures.push({ property, reason: scrub(reason) });
  }
  /** A required string: present, not blank, no control characters. Unknown values pass (known at apply). */
  requireString(property: string, value: unknown, what = "a non-empty string"): value is string {
    if (isUnknown(value)) return false;
    if (typeof value !== "string" || value.trim() === "") {
      this.fail(property, `is required: give ${what}`);
      return false;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      this.fail(property, "must not contain control characters or newlines");
      return false;
    }
    return true;
  }
  optionalString(property: string, value: unknown): value is string | undefined {
    if (value === undefined || value === null || isUnknown(value)) return true;
    if (typeof value !== "string") {
      this.fail(property, "must be a string");
      return false;
    }
    return this.requireString(property, value);
  }
  optionalBoolean(property: string, value: unknown): void {
    if (value !== undefined && value !== null && !isUnknown(value) && typeof value !== "boolean") this.fail(property, "must be true or false");
  }
  /** A Kubernetes-style name (lowercase letters, digits and '-', letter first, at most 63). */
  dnsLabel(property: string, value: unknown, what: string): void {
    if (!this.requireString(property, value, what)) return;
    const text = value as string;
    if (text.length > 63) this.fail(property, `"${truncate(text, 20)}" is ${text.length} characters; at most 63`);
    else if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(text)) {
      const suggestion = text.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^[^a-z]+/, "").replace(/-+$/, "");
      this.fail(
        property,
        `"${text}" is not valid: use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit${suggestion ? ` (for example "${suggestion}")` : ""}`,
      );
    }
  }
  /** Labels or annotations: a map of strings with Kubernetes-valid keys. */
  stringMap(property: string, value: unknown, kind: "label" | "annotation"): void {
    if (value === undefined || value === null || isUnknown(value)) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      this.fail(property, `must be a map of ${kind} names to string values`);
      return;
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (isUnknown(item)) continue;
      if (!validMetadataKey(key)) {
        this.fail(`${property}.${key}`, `"${key}" is not a valid Kubernetes ${kind} key: [prefix/]name, name up to 63 of [A-Za-z0-9._-] starting and ending alphanumeric, prefix a DNS subdomain`);
      }
      if (typeof item !== "string") {
        this.fail(`${property}.${key}`, "must be a string");
      } else if (kind === "label" && item !== "" && !/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(item)) {
        this.fail(`${property}.${key}`, `label value "${truncate(item, 40)}" is not valid: up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric`);
      } else if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(item)) {
        this.fail(`${property}.${key}`, "must not contain control characters");
      }
    }
  }
}

function validMetadataKey(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)) return false;
  if (parts.length === 2) {
    const prefix = parts[0];
    return prefix.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix);
  }
  return true;
}

// ---- waiting ----------------------------------------------------------------------------------------

/** Parses Pulumi's customTimeouts strings ("10m", "90s", "1h30m") into ms. */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  if (!match || text.trim() === "") return undefined;
  const [, h, m, s] = match;
  return ((Number(h ?? 0) * 60 + Number(m ?? 0)) * 60 + Number(s ?? 0)) * 1000;
}

/** Thrown when a wait passes its deadline; the resource's state lets `pulumi up` resume. */
export class WaitTimeoutError extends CodefreshError {
  override readonly name = "WaitTimeoutError";
}

/**
 * Polls `probe` with backoff (0.25 s growing by half to 10 s: short waits end soon after they could,
 * long ones cost a probe every 10 s) until it returns a value, reporting progress every
 * 15 s, and fails after `timeoutMs` with a message that says how to resume.
 */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<{ done: true; value: T } | { done: false; status: string }>): Promise<T> {
  const started = Date.now();
  let lastReport = started;
  let status = "not started";
  for (let delay = 250; ; delay = Math.min(delay * 1.5, 10_000)) {
    const result = await probe();
    if (result.done) return result.value;
    status = result.status;
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      throw new WaitTimeoutError(
        `${what}: still ${status} after ${Math.round(elapsed / 1000)} s (the timeout). Nothing is lost: run \`pulumi up\` again to keep waiting, or raise customTimeouts`,
      );
    }
    if (Date.now() - lastReport >= 15_000) {
      progress(`${what}: ${status} (${Math.round(elapsed / 1000)} s)`);
      lastReport = Date.now();
    }
    await sleep(Math.min(delay, Math.max(0, timeoutMs - elapsed)));
  }
}

/** An Error with secrets removed, so that nothing the engine prints or stores can carry one. */
export function scrubbed(error: unknown): Error {
  if (error instanceof Error) {
    const clean = scrub(error.message);
    if (clean === error.message) return error;
    const copy = new Error(clean);
    copy.name = error.name;
    return copy;
  }
  return new Error(scrub(String(error)));
}

/** The `id` of a partially created resource: the engine keeps it, and the next `up` resumes with update. */
export function partialCreate(id: string, properties: Record<string, unknown>, error: unknown): Error {
  const failure = scrubbed(error) as Error & { id?: string; properties?: Record<string, unknown>; reasons?: string[] };
  failure.id = id;
  failure.properties = properties;
  failure.reasons = [failure.message];
  return failure;
}

/** Keys whose new value is unknown (preview) or differs from the old one (deep, order-insensitive for maps). */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((key) => isUnknown(news[key]) || stable(olds[key]) !== stable(news[key]));
}

export function stable(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
  if (entries.length === 0) return "";
  return `{${entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`)
    .join(",")}}`;
}

/**
 * A read result the dynamic-provider host can encode: it builds a protobuf Struct from `props` and
 * `inputs` directly, which rejects `undefined` ("Unexpected struct type"), so those keys are dropped.
 */
export function readResult(id: string, props: object, inputs: object): pulumi.dynamic.ReadResult {
  return { id, props: plain(props) as Record<string, unknown>, inputs: plain(inputs) as Record<string, unknown> };
}

/** The shape every resource's provider implementation has. */
export interface ProviderImpl {
  check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props: Record<string, unknown> | undefined): Promise<pulumi.dynamic.ReadResult>;
  update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
}

/** A copy the host can encode as a protobuf Struct, which rejects `undefined`: those keys are dropped. */
function plain<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Wraps an implementation so every thrown error leaves with secrets removed. */
export function guarded(impl: ProviderImpl): ProviderImpl {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw scrubbed(error);
      }
    };
  return {
    // The host encodes check's inputs as a protobuf Struct, which rejects `undefined`: drop those keys.
    check: wrap(async (olds, news) => {
      const result = await impl.check(olds, news);
      return result.inputs ? { ...result, inputs: plain(result.inputs) } : result;
    }),
    diff: wrap(impl.diff.bind(impl)),
    // Outputs too are encoded as a Struct: a key whose value is undefined is dropped, not sent.
    create: wrap(async (inputs) => {
      const result = await impl.create(inputs);
      return { ...result, outs: plain(result.outs) };
    }),
    read: wrap(impl.read.bind(impl)),
    update: wrap(async (id, olds, news) => {
      const result = await impl.update(id, olds, news);
      return result.outs ? { ...result, outs: plain(result.outs) } : result;
    }),
    delete: wrap(impl.delete.bind(impl)),
  };
}
