// The admin API under /_emulator: health, counters and the request log, fault rules, the clock, accounts,
// a secret-free view of the state, and what a user does in the Codefresh UI where the public API has no
// operation. Tests, benchmarks and the demo drive the emulator through it; Codefresh has nothing like it.
import type http from "node:http";
import { GraphQLError } from "graphql";
import type { FaultRule, Faults } from "./faults";
import { readBody, sendJson } from "./http-io";
import type { RequestMetrics } from "./metrics";
import { AccountPlan, newAccount } from "./model";
import { ConnectGitInput, CodefreshService, defaultHostedRuntimeName } from "./service";
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
}

export const adminPathPrefix = "/_emulator/";

/** A refusal of the service (a GraphQL business error) as the HTTP status it means, with the same message. */
function sendBusinessError(res: http.ServerResponse, error: unknown): void {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  const status = code === "CONFLICT" || code === "FAILED_PRECONDITION" ? 409 : code === "NOT_FOUND" ? 404 : code === "BAD_USER_INPUT" ? 400 : undefined;
  if (status === undefined) throw error;
  sendJson(res, status, { error: (error as Error).message, code });
}

async function readJson<T>(req: http.IncomingMessage): Promise<T> {
  return JSON.parse(await readBody(req)) as T;
}

/** The handler of every `/_emulator/…` route. */
export function createAdminHandler({ store, service, faults, metrics }: AdminDependencies) {
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
        return sendJson(res, 200, { rules: faults.list(), injected: faults.injected });
      case "PUT /_emulator/faults": {
        const parsed = await readJson<{ rules?: FaultRule[]; seed?: number }>(req);
        try {
          faults.set(parsed.rules ?? [], parsed.seed);
        } catch (error) {
          return sendJson(res, 400, { error: (error as Error).message });
        }
        return sendJson(res, 200, { rules: faults.list() });
      }
      case "DELETE /_emulator/faults":
        faults.set([]);
        return sendJson(res, 200, { rules: [] });
      case "POST /_emulator/clock": {
        const parsed = await readJson<{ advanceMs?: number }>(req);
        await store.update((state) => {
          state.clockOffsetMs += parsed.advanceMs ?? 0;
        });
        return sendJson(res, 200, { clockOffsetMs: store.current.clockOffsetMs });
      }
      // What a user does in the Codefresh UI where the public API has no operation (install the hosted
      // runtime, connect its git provider): available even with --no-hosted-install-api.
      case "POST /_emulator/ui/hosted-runtime": {
        const body = await readJson<{ account: string; runtimeName?: string }>(req);
        const target = accountNamed(body.account);
        if (!target) return sendJson(res, 404, { error: `no account ${body.account}` });
        try {
          const runtime = await service.installHosted(target.id, body.runtimeName ?? defaultHostedRuntimeName);
          return sendJson(res, 201, { name: runtime.name });
        } catch (error) {
          return sendBusinessError(res, error);
        }
      }
      case "POST /_emulator/ui/connect-git": {
        const body = await readJson<{ account: string; runtime?: string } & ConnectGitInput>(req);
        const target = accountNamed(body.account);
        if (!target) return sendJson(res, 404, { error: `no account ${body.account}` });
        try {
          await service.connectGit(target.id, body.runtime ?? defaultHostedRuntimeName, {
            ...body,
            sharingPolicy: body.sharingPolicy ?? "ALL_USERS_IN_ACCOUNT",
          });
        } catch (error) {
          return sendBusinessError(res, error);
        }
        return sendJson(res, 200, { connected: true });
      }
      case "POST /_emulator/accounts": {
        const seed = await readJson<SeedAccount>(req);
        if (!seed.name || !seed.apiKey) return sendJson(res, 400, { error: "name and apiKey are required" });
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
