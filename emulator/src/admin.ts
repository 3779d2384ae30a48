// The admin API under /_emulator: health, counters and the request log, fault rules, the clock, accounts,
// a secret-free view of the state, and what a user does in the Codefresh UI where the public API has no
// operation. Tests, benchmarks and the demo drive the emulator through it; Codefresh has nothing like it.
// Bodies are JSON objects whose fields are checked before use: a malformed one is a 400 naming the field.
import type http from "node:http";
import { GraphQLError } from "graphql";
import { RequestError } from "./errors";
import type { FaultRule, Faults } from "./faults";
import { describeJsonValue, parseJsonObject, readBody, sendJson } from "./http-io";
import type { RequestMetrics } from "./metrics";
import { AccountPlan, newAccount } from "./model";
import { CodefreshService, defaultHostedRuntimeName } from "./service";
import type { StateStore } from "./store";

export interface SeedAccount {
  name: string;
  apiKey: string;
  plan?: AccountPlan | undefined;
}

export interface AdminDependencies {
  store: StateStore;
  service: CodefreshService;
  faults: Faults;
  metrics: RequestMetrics;
  maxBodyBytes: number;
}

export const adminPathPrefix = "/_emulator/";

/** A refusal of the service (a GraphQL business error) as the HTTP status it means, with the same message. */
function sendBusinessError(res: http.ServerResponse, error: unknown): void {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  const status = code === "CONFLICT" || code === "FAILED_PRECONDITION" ? 409 : code === "NOT_FOUND" ? 404 : code === "BAD_USER_INPUT" ? 400 : undefined;
  if (status === undefined) throw error;
  sendJson(res, status, { error: (error as Error).message, code });
}

/** The body as a JSON object; an empty body is `{}`. */
async function readJson(req: http.IncomingMessage, maxBodyBytes: number): Promise<Record<string, unknown>> {
  const text = await readBody(req, maxBodyBytes);
  return text.trim() === "" ? {} : parseJsonObject(text);
}

function wrongField(name: string, expected: string, value: unknown): RequestError {
  return new RequestError(400, `"${name}" must be ${expected}, got ${describeJsonValue(value)}`);
}

function nullableString(body: Record<string, unknown>, name: string): string | null {
  return optionalString(body, name) ?? null;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw wrongField(name, "a string", value);
  return value;
}

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined || value === "") throw new RequestError(400, `"${name}" is required (a non-empty string)`);
  return value;
}

function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw wrongField(name, "a number", value);
  return value;
}

const plans: readonly AccountPlan[] = ["FREE", "PRO", "ENTERPRISE"];

function optionalPlan(body: Record<string, unknown>): AccountPlan | undefined {
  const plan = optionalString(body, "plan");
  if (plan !== undefined && !plans.includes(plan as AccountPlan)) throw new RequestError(400, `"plan" must be one of ${plans.join(", ")}, got "${plan}"`);
  return plan as AccountPlan | undefined;
}

/** The handler of every `/_emulator/…` route. */
export function createAdminHandler({ store, service, faults, metrics, maxBodyBytes }: AdminDependencies) {
  const accountNamed = (name: string) => Object.values(store.current.accounts).find((a) => a.name === name);

  return async function admin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /_emulator/health":
        return sendJson(res, 200, { ok: true });
      case "GET /_emulator/counters":
        return sendJson(res, 200, metrics.counters);
      case "POST /_emulator/counters/reset":
        metrics.reset();
        return sendJson(res, 200, metrics.counters);
      case "GET /_emulator/requests":
        return sendJson(res, 200, metrics.requests());
      case "GET /_emulator/faults":
        return sendJson(res, 200, { rules: faults.list(), injected: faults.injected, injectedBy: faults.injectedBy });
      case "PUT /_emulator/faults": {
        const parsed = await readJson(req, maxBodyBytes);
        const rules = parsed.rules ?? [];
        if (!Array.isArray(rules)) throw wrongField("rules", "an array of fault rules", rules);
        const seed = optionalNumber(parsed, "seed");
        try {
          faults.set(rules as FaultRule[], seed); // faults.ts checks each rule, and counts afresh
        } catch (error) {
          return sendJson(res, 400, { error: (error as Error).message });
        }
        return sendJson(res, 200, { rules: faults.list() });
      }
      case "DELETE /_emulator/faults":
        faults.set([]);
        return sendJson(res, 200, { rules: [] });
      case "POST /_emulator/clock": {
        const advanceMs = optionalNumber(await readJson(req, maxBodyBytes), "advanceMs") ?? 0;
        await store.update((state) => {
          state.clockOffsetMs += advanceMs;
        });
        return sendJson(res, 200, { clockOffsetMs: store.current.clockOffsetMs });
      }
      // What a user does in the Codefresh UI where the public API has no operation (install the hosted
      // runtime, connect its git provider): available even with --no-hosted-install-api.
      case "POST /_emulator/ui/hosted-runtime": {
        const body = await readJson(req, maxBodyBytes);
        const accountName = requiredString(body, "account");
        const runtimeName = optionalString(body, "runtimeName") ?? defaultHostedRuntimeName;
        const target = accountNamed(accountName);
        if (!target) return sendJson(res, 404, { error: `no account ${accountName}` });
        try {
          const runtime = await service.installHosted(target.id, runtimeName);
          return sendJson(res, 201, { name: runtime.name });
        } catch (error) {
          return sendBusinessError(res, error);
        }
      }
      case "POST /_emulator/ui/connect-git": {
        const body = await readJson(req, maxBodyBytes);
        const accountName = requiredString(body, "account");
        const input = {
          provider: requiredString(body, "provider"),
          apiUrl: nullableString(body, "apiUrl"),
          sharingPolicy: optionalString(body, "sharingPolicy") ?? "ALL_USERS_IN_ACCOUNT",
          token: requiredString(body, "token"),
          refreshToken: nullableString(body, "refreshToken"),
          username: nullableString(body, "username"),
          suggestedIscRepo: requiredString(body, "suggestedIscRepo"),
          suggestedGsRepo: requiredString(body, "suggestedGsRepo"),
        };
        const runtimeName = optionalString(body, "runtime") ?? defaultHostedRuntimeName;
        const target = accountNamed(accountName);
        if (!target) return sendJson(res, 404, { error: `no account ${accountName}` });
        try {
          await service.connectGit(target.id, runtimeName, input);
        } catch (error) {
          return sendBusinessError(res, error);
        }
        return sendJson(res, 200, { connected: true });
      }
      case "POST /_emulator/accounts": {
        const body = await readJson(req, maxBodyBytes);
        const seed: SeedAccount = { name: requiredString(body, "name"), apiKey: requiredString(body, "apiKey"), plan: optionalPlan(body) };
        const account = newAccount(seed.name, seed.apiKey, seed.plan);
        const created = await store.update((state) => {
          if (Object.values(state.accounts).some((a) => a.name === seed.name)) return false;
          state.accounts[account.id] = account;
          return true;
        });
        if (!created) return sendJson(res, 409, { error: `account ${seed.name} exists` });
        return sendJson(res, 201, { id: account.id, name: account.name });
      }
      case "GET /_emulator/state":
        return sendJson(res, 200, { accounts: publicState(store, service) });
      default:
        return sendJson(res, 404, { error: `no such admin endpoint: ${route}` });
    }
  };
}

/** Names and statuses only: no key hashes, git tokens or cluster tokens. */
function publicState(store: StateStore, service: CodefreshService) {
  return Object.values(store.current.accounts).map((a) => ({
    id: a.id,
    name: a.name,
    plan: a.plan,
    settings: a.settings,
    runtimes: service.visibleRuntimes(a).map((r) => ({ name: r.name, phase: service.phase(r), managed: r.managed, iscInitialized: r.iscInitialized })),
    gitSources: Object.values(a.gitSources).map((s) => ({ runtime: s.runtime, name: s.name, repoURL: s.repoURL, path: s.path, labels: s.labels })),
    clusters: Object.values(a.clusters).map((c) => ({
      runtime: c.runtime,
      name: c.name,
      server: c.server,
      status: c.connection.status,
      labels: c.labels,
      annotations: c.annotations,
    })),
  }));
}
