// The emulator's HTTP server, put together: the state store and the service, the seeded accounts, the
// two GraphQL servers, the Codefresh API pipeline (api-handler.ts) and the admin API under /_emulator
// (admin.ts). Binds 127.0.0.1 only. Hostile requests are bounded: the body's size (http-io.ts), the
// GraphQL document's depth, width and tokens (query-limits.ts), and the time to receive a request.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { adminPathPrefix, createAdminHandler, SeedAccount } from "./admin";
import { createApiHandler } from "./api-handler";
import { Faults, FaultRule } from "./faults";
import { ApplicationSync } from "./argo-sync";
import { GitEffects, GitServerEffects } from "./git-effects";
import { createGraphqlServers } from "./graphql-servers";
import { RequestError } from "./errors";
import { answerClientError, bodyTooLarge, defaultMaxBodyBytes, sendJson, sendRequestError } from "./http-io";
import { Counters, LoggedRequest, RequestMetrics } from "./metrics";
import { hashApiKey, newAccount } from "./model";
import { defaultQueryLimits, QueryLimits } from "./query-limits";
import { CodefreshService } from "./service";
import { SecretBox } from "./secret-box";
import { StateStore } from "./store";

export type { SeedAccount } from "./admin";
export type { CounterEntry, Counters, LoggedRequest } from "./metrics";
export type { QueryLimits } from "./query-limits";
export { defaultQueryLimits } from "./query-limits";
export { defaultMaxBodyBytes } from "./http-io";

/** The default time a client has to send a whole request, headers and body. */
export const defaultRequestTimeoutMs = 10_000;

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number | undefined;
  /** Directory of the state file (created if missing). */
  dataDir: string;
  /** Accounts to create if absent (an existing account gains the key). */
  accounts?: SeedAccount[] | undefined;
  installDelayMs?: number | undefined;
  deleteDelayMs?: number | undefined;
  gitSourceDelayMs?: number | undefined;
  clusterRecheckMs?: number | undefined;
  /** Added to every request (benchmarks). */
  latencyMs?: number | undefined;
  /** Serve the invented hosted-install and connect-git operations (default true). */
  hostedInstallApi?: boolean | undefined;
  faults?: FaultRule[] | undefined;
  faultSeed?: number | undefined;
  /** Extra CA bundle (PEM) for the git server. */
  gitCaBundle?: string | undefined;
  /**
   * The key that seals secrets at rest (hex or base64 of 32 bytes, or a passphrase). Keep it outside the data
   * directory. Without one, a random key lives in memory only: a restart cannot read the secrets back.
   */
  secretKey?: string | undefined;
  /** Replaces the git side effects (tests of the emulator alone). */
  gitEffects?: GitEffects | undefined;
  /** Larger request bodies are answered 413 (default 1 MiB). */
  maxBodyBytes?: number | undefined;
  /** A request whose headers and body are not all received in this time is answered 408 (default 10 s). */
  requestTimeoutMs?: number | undefined;
  /** Bounds on GraphQL documents (default {@link defaultQueryLimits}); a document over one is answered 400. */
  queryLimits?: { [Limit in keyof QueryLimits]?: number | undefined } | undefined;
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

/** Creates each seeded account that is missing; an existing one gains the key (and the plan, if given). */
function seedAccounts(store: StateStore, accounts: SeedAccount[]): Promise<void> {
  return store.update((state) => {
    for (const seed of accounts) {
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
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const store = new StateStore(options.dataDir, new SecretBox(options.secretKey ?? SecretBox.generateKey()));
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
  service.applicationSync = new ApplicationSync(service, { workDir: join(options.dataDir, "argocd"), caBundle: options.gitCaBundle });
  await seedAccounts(store, options.accounts ?? []);

  const metrics = new RequestMetrics(faults);
  const queryLimits: QueryLimits = {
    maxDepth: options.queryLimits?.maxDepth ?? defaultQueryLimits.maxDepth,
    maxSelections: options.queryLimits?.maxSelections ?? defaultQueryLimits.maxSelections,
    maxTokens: options.queryLimits?.maxTokens ?? defaultQueryLimits.maxTokens,
  };
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const graphql = createGraphqlServers(options.hostedInstallApi ?? true, queryLimits);
  const api = createApiHandler({ service, faults, metrics, graphql, baseUrl: () => baseUrl, latencyMs: options.latencyMs, maxBodyBytes, queryLimits });
  const admin = createAdminHandler({ store, service, faults, metrics, maxBodyBytes });

  const dispatch = async (req: http.IncomingMessage, res: http.ServerResponse, started: number): Promise<void> => {
    const url = URL.parse(req.url ?? "/", baseUrl); // a target such as `//` is no URL
    if (url === null) throw new RequestError(400, `the request target ${JSON.stringify(req.url)} is not a valid path`);
    return url.pathname.startsWith(adminPathPrefix) ? admin(req, res, url) : api(req, res, url, started);
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    dispatch(req, res, Date.now()).catch((error: unknown) => {
      if (error instanceof RequestError) sendRequestError(res, error);
      else if (!res.headersSent) sendJson(res, 500, { error: `emulator: ${(error as Error).message}` });
      else res.destroy();
    });
  };
  const requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const server = http.createServer(
    {
      // A slow or stalled client (headers or body dribbled, or nothing sent) is answered 408 and disconnected;
      // node checks its connections every connectionsCheckingInterval, so keep that a fraction of the timeout.
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
    },
    onRequest,
  );
  server.on("clientError", answerClientError);
  // A client that asks before sending its body (Expect: 100-continue) learns of a body over the limit before it sends it.
  server.on("checkContinue", (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (Number(req.headers["content-length"]) > maxBodyBytes) {
      return sendRequestError(res, new RequestError(413, bodyTooLarge(maxBodyBytes).message, { connection: "close" })); // the body will not come
    }
    res.writeContinue();
    onRequest(req, res);
  });
  const port = await listen(server, options.port ?? 0);
  baseUrl = `http://127.0.0.1:${port}`;
  const stopClusterInfoUpdater = service.startClusterInfoUpdater();

  return {
    url: baseUrl,
    port,
    service,
    faults,
    counters: () => structuredClone(metrics.counters),
    resetCounters: () => metrics.reset(),
    requests: () => metrics.requests(),
    stop: () =>
      new Promise<void>((resolve) => {
        stopClusterInfoUpdater();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
