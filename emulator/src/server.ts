// The emulator's HTTP server: the platform GraphQL API, each runtime's app-proxy (GraphQL and the REST
// cluster registration), API-key authentication, fault injection, request log and counters, and an
// admin API under /_emulator. Binds 127.0.0.1 only.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createSchema, createYoga } from "graphql-yoga";
import { GraphQLError, OperationDefinitionNode, parse } from "graphql";
import { Faults, FaultRule } from "./faults";
import { GitEffects, GitServerEffects } from "./git-effects";
import { AccountPlan, newAccount, hashApiKey } from "./model";
import { appProxyTypeDefs } from "./schema/app-proxy";
import type { AppProxyContext, PlatformContext } from "./schema/context";
import { platformTypeDefs } from "./schema/platform";
import { appProxyResolvers, platformResolvers } from "./schema/resolvers";
import {
  connectGit,
  defaultHostedRuntimeName,
  InitManagedRuntimeInput,
  unconfirmedAppProxyResolvers,
  unconfirmedAppProxyTypeDefs,
  unconfirmedPlatformResolvers,
  unconfirmedPlatformTypeDefs,
} from "./schema/unconfirmed";
import { RestError } from "./errors";
import { CodefreshService } from "./service";
import { StateStore } from "./store";

export interface SeedAccount {
  name: string;
  apiKey: string;
  plan?: AccountPlan;
}

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Directory of the state file (created if missing). */
  dataDir: string;
  /** Accounts to create if absent (an existing account gains the key). */
  accounts?: SeedAccount[];
  installDelayMs?: number;
  deleteDelayMs?: number;
  gitSourceDelayMs?: number;
  clusterRecheckMs?: number;
  /** Added to every request (benchmarks). */
  latencyMs?: number;
  /** Serve the invented hosted-install and connect-git operations (default true). */
  hostedInstallApi?: boolean;
  faults?: FaultRule[];
  faultSeed?: number;
  /** Extra CA bundle (PEM) for the git server. */
  gitCaBundle?: string;
  /** Replaces the git side effects (tests of the emulator alone). */
  gitEffects?: GitEffects;
}

export interface CounterEntry {
  count: number;
  kind: "query" | "mutation" | "rest";
}

export interface Counters {
  total: number;
  reads: number;
  writes: number;
  byOperation: Record<string, CounterEntry>;
  faultsInjected: Record<string, number>;
}

export interface LoggedRequest {
  at: string;
  surface: "platform" | "app-proxy" | "rest";
  operation: string;
  kind: "query" | "mutation" | "rest";
  status: number;
  fault?: string;
  ms: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`: use as `codefresh:apiUrl`. */
  readonly url: string;
  readonly port: number;
  readonly service: CodefreshService;
  readonly faults: Faults;
  counters(): Counters;
  resetCounters(): void;
  requests(): LoggedRequest[];
  stop(): Promise<void>;
}

const requestLogSize = 2000;

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const store = new StateStore(options.dataDir);
  let baseUrl = "";
  const faults = new Faults(options.faults ?? [], options.faultSeed);
  const git = options.gitEffects ?? new GitServerEffects({ caBundle: options.gitCaBundle, workDir: join(options.dataDir, "app-proxy") });
  const service = new CodefreshService(
    store,
    {
      installDelayMs: options.installDelayMs ?? 2_000,
      deleteDelayMs: options.deleteDelayMs ?? 1_000,
      gitSourceDelayMs: options.gitSourceDelayMs ?? 300,
      // Argo CD's cluster info updater re-checks every 10 s (controller/clusterinfoupdater.go,
      // defaultSecretUpdateInterval): a revoked token or deleted ServiceAccount shows as Failed within that.
      clusterRecheckMs: options.clusterRecheckMs ?? 10_000,
      baseUrl: () => baseUrl,
    },
    git,
  );
  await store.update((state) => {
    for (const seed of options.accounts ?? []) {
      const existing = Object.values(state.accounts).find((a) => a.name === seed.name);
      if (existing) {
        const hash = hashApiKey(seed.apiKey);
        if (!existing.apiKeyHashes.includes(hash)) existing.apiKeyHashes.push(hash);
        if (seed.plan) existing.plan = seed.plan;
      } else {
        const account = newAccount(seed.name, seed.apiKey, seed.plan);
        state.accounts[account.id] = account;
      }
    }
  });

  const hostedApi = options.hostedInstallApi ?? true;
  const platform = createYoga<PlatformContext>({
    schema: createSchema<PlatformContext>({
      typeDefs: hostedApi ? [platformTypeDefs, unconfirmedPlatformTypeDefs] : [platformTypeDefs],
      resolvers: hostedApi ? [platformResolvers, unconfirmedPlatformResolvers] : [platformResolvers],
    }),
    graphqlEndpoint: "/2.0/api/graphql",
    landingPage: false,
    graphiql: false,
    logging: false,
    maskedErrors: false,
  });
  const appProxy = createYoga<AppProxyContext>({
    schema: createSchema<AppProxyContext>({
      typeDefs: hostedApi ? [appProxyTypeDefs, unconfirmedAppProxyTypeDefs] : [appProxyTypeDefs],
      resolvers: hostedApi ? [appProxyResolvers, unconfirmedAppProxyResolvers] : [appProxyResolvers],
    }),
    graphqlEndpoint: "/app-proxy/api/graphql",
    landingPage: false,
    graphiql: false,
    logging: false,
    maskedErrors: false,
  });

  const counters: Counters = { total: 0, reads: 0, writes: 0, byOperation: {}, faultsInjected: faults.injected };
  const log: LoggedRequest[] = [];
  const count = (operation: string, kind: CounterEntry["kind"]) => {
    counters.total++;
    if (kind === "query") counters.reads++;
    else counters.writes++;
    const entry = (counters.byOperation[operation] ??= { count: 0, kind });
    entry.count++;
  };

  const server = http.createServer((req, res) => {
    const started = Date.now();
    handle(req, res, started).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `emulator: ${(error as Error).message}` });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, started: number): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    if (url.pathname.startsWith("/_emulator/")) return admin(req, res, url);

    const body = await readBody(req);
    const apiKey = req.headers.authorization;
    const account = service.accountForKey(typeof apiKey === "string" ? apiKey : undefined);

    let surface: LoggedRequest["surface"];
    let runtime: string | undefined;
    let rest = false;
    const ingress = /^\/ingress\/([0-9a-f]{24})\/([^/]+)\/app-proxy\/api\/(graphql|clusters)$/.exec(url.pathname);
    if (url.pathname === "/2.0/api/graphql") {
      surface = "platform";
    } else if (ingress) {
      surface = ingress[3] === "graphql" ? "app-proxy" : "rest";
      rest = ingress[3] === "clusters";
      runtime = decodeURIComponent(ingress[2]);
      if (account && account.id !== ingress[1]) return sendJson(res, 403, { error: "Forbidden: this runtime belongs to another account", status: 403 });
    } else if (url.pathname === "/api/user" && req.method === "GET") {
      if (!account) return unauthorized(res);
      return sendJson(res, 200, { _id: account.userId, userName: "admin", email: account.userEmail, activeAccountName: account.name, account: [{ _id: account.id, name: account.name }] });
    } else {
      return sendJson(res, 404, { error: `no such endpoint: ${req.method} ${url.pathname}` });
    }

    const { operation, kind } = rest ? { operation: "addCluster", kind: "rest" as const } : describeOperation(body);
    const record = (status: number, fault?: string) => {
      log.push({ at: new Date(started).toISOString(), surface, operation, kind, status, fault, ms: Date.now() - started });
      if (log.length > requestLogSize) log.splice(0, log.length - requestLogSize);
    };
    count(operation, kind);
    if (options.latencyMs) await delay(options.latencyMs);

    if (!account) {
      record(401);
      return unauthorized(res);
    }

    const fault = faults.pick(operation);
    if (fault && /^\d+$/.test(fault.kind)) {
      const status = Number(fault.kind);
      const retryAfter = fault.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
      record(status, fault.kind);
      res.writeHead(status, { "content-type": "application/json", ...(retryAfter !== undefined ? { "retry-after": String(retryAfter) } : {}) });
      res.end(JSON.stringify({ error: status === 429 ? "Too Many Requests" : "injected server error", status }));
      return;
    }
    if (fault?.kind === "reset") {
      record(0, "reset");
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "late") await delay(fault.delayMs ?? 5_000);
    if (fault?.kind === "graphql-error" && !rest) {
      record(200, "graphql-error");
      return sendJson(res, 200, { data: null, errors: [{ message: fault.message ?? "Internal server error (injected)", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
    }

    const accountRecordId = account.id;
    let status: number;
    let payload: string;
    let headers: Record<string, string> = { "content-type": "application/json" };
    if (rest) {
      try {
        const parsed = body === "" ? {} : (JSON.parse(body) as Record<string, unknown>);
        const cluster = await service.addCluster(account.id, runtime as string, parsed);
        status = 201;
        payload = JSON.stringify({ name: cluster.name, server: cluster.server, connectionState: cluster.connection });
      } catch (error) {
        status = error instanceof RestError ? error.status : error instanceof SyntaxError ? 400 : 500;
        payload = JSON.stringify({ error: (error as Error).message, status });
      }
    } else {
      const account = service.mustAccount(accountRecordId);
      const init = { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body };
      if (runtime !== undefined && !service.runtime(account, runtime)) {
        record(404);
        return sendJson(res, 404, { error: `no runtime "${runtime}" in this account`, status: 404 });
      }
      const answer =
        runtime === undefined
          ? await platform.fetch(new URL("/2.0/api/graphql", baseUrl), init, { service, git, faults, account })
          : await appProxy.fetch(new URL("/app-proxy/api/graphql", baseUrl), init, { service, git, faults, account, runtime });
      status = answer.status;
      payload = await answer.text();
      headers = { "content-type": answer.headers.get("content-type") ?? "application/json" };
    }

    if (fault?.kind === "drop") {
      // Applied, but the client never hears about it.
      record(0, "drop");
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "slow") await delay(fault.delayMs ?? 5_000);
    record(status, fault?.kind);
    res.writeHead(status, headers);
    res.end(payload);
  }

  /** A refusal of the service (a GraphQL business error) as the HTTP status it means, with the same message. */
  function sendBusinessError(res: http.ServerResponse, error: unknown): void {
    const code = error instanceof GraphQLError ? error.extensions.code : undefined;
    const status = code === "CONFLICT" || code === "FAILED_PRECONDITION" ? 409 : code === "NOT_FOUND" ? 404 : code === "BAD_USER_INPUT" ? 400 : undefined;
    if (status === undefined) throw error;
    sendJson(res, status, { error: (error as Error).message, code });
  }

  async function admin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /_emulator/health":
        return sendJson(res, 200, { ok: true });
      case "GET /_emulator/counters":
        return sendJson(res, 200, counters);
      case "POST /_emulator/counters/reset":
        resetCounters();
        return sendJson(res, 200, counters);
      case "GET /_emulator/requests":
        return sendJson(res, 200, log);
      case "GET /_emulator/faults":
        return sendJson(res, 200, { rules: faults.list(), injected: faults.injected });
      case "PUT /_emulator/faults": {
        const parsed = JSON.parse(await readBody(req)) as { rules?: FaultRule[]; seed?: number };
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
        const parsed = JSON.parse(await readBody(req)) as { advanceMs?: number };
        await store.update((state) => {
          state.clockOffsetMs += parsed.advanceMs ?? 0;
        });
        return sendJson(res, 200, { clockOffsetMs: store.current.clockOffsetMs });
      }
      // What a user does in the Codefresh UI where the public API has no operation (install the hosted
      // runtime, connect its git provider): available even with --no-hosted-install-api.
      case "POST /_emulator/ui/hosted-runtime": {
        const body = JSON.parse(await readBody(req)) as { account: string; runtimeName?: string };
        const target = Object.values(store.current.accounts).find((a) => a.name === body.account);
        if (!target) return sendJson(res, 404, { error: `no account ${body.account}` });
        try {
          const runtime = await service.installHosted(target.id, body.runtimeName ?? defaultHostedRuntimeName);
          return sendJson(res, 201, { name: runtime.name });
        } catch (error) {
          return sendBusinessError(res, error);
        }
      }
      case "POST /_emulator/ui/connect-git": {
        const body = JSON.parse(await readBody(req)) as { account: string; runtime?: string } & InitManagedRuntimeInput;
        const target = Object.values(store.current.accounts).find((a) => a.name === body.account);
        if (!target) return sendJson(res, 404, { error: `no account ${body.account}` });
        try {
          await connectGit(service, git, target.id, body.runtime ?? defaultHostedRuntimeName, { ...body, sharingPolicy: body.sharingPolicy ?? "ALL_USERS_IN_ACCOUNT" });
        } catch (error) {
          return sendBusinessError(res, error);
        }
        return sendJson(res, 200, { connected: true });
      }
      case "POST /_emulator/accounts": {
        const seed = JSON.parse(await readBody(req)) as SeedAccount;
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
      case "GET /_emulator/state": {
        // Names and statuses only: no key hashes, git tokens or cluster tokens.
        const accounts = Object.values(store.current.accounts).map((a) => ({
          id: a.id,
          name: a.name,
          plan: a.plan,
          settings: a.settings,
          runtimes: service.visibleRuntimes(a).map((r) => ({ name: r.name, phase: service.phase(r), managed: r.managed, iscInitialized: r.iscInitialized })),
          gitSources: Object.values(a.gitSources).map((s) => ({ runtime: s.runtime, name: s.name, repoURL: s.repoURL, path: s.path, labels: s.labels })),
          clusters: Object.values(a.clusters).map((c) => ({ runtime: c.runtime, name: c.name, server: c.server, status: c.connection.status, labels: c.labels, annotations: c.annotations })),
        }));
        return sendJson(res, 200, { accounts });
      }
      default:
        return sendJson(res, 404, { error: `no such admin endpoint: ${route}` });
    }
  }

  function resetCounters(): void {
    counters.total = 0;
    counters.reads = 0;
    counters.writes = 0;
    counters.byOperation = {};
    faults.resetCounts();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    service,
    faults,
    counters: () => structuredClone(counters),
    resetCounters,
    requests: () => [...log],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function describeOperation(body: string): { operation: string; kind: "query" | "mutation" } {
  try {
    const { query } = JSON.parse(body) as { query?: string };
    const document = parse(query ?? "");
    const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
    const field = op?.selectionSet.selections.find((s) => s.kind === "Field");
    const name = field && field.kind === "Field" ? field.name.value : op?.name?.value ?? "unknown";
    return { operation: name, kind: op?.operation === "mutation" ? "mutation" : "query" };
  } catch {
    return { operation: "invalid", kind: "query" };
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 5 * 1024 * 1024) {
        reject(new Error("request body over 5 MB"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Codefresh's answer to a missing or wrong key, as its docs quote it. */
function unauthorized(res: http.ServerResponse): void {
  sendJson(res, 401, { error: "Unauthorized: Invalid token.", status: 401 });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
