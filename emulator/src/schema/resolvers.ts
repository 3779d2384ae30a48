// Resolvers of both GraphQL surfaces: thin mappings from records to Codefresh's types; behaviour and
// rules live in CodefreshService.
import { editableFieldsView } from "../git-source-fields";
import type { AccountRecord, ClusterRecord, GitSourceRecord, RuntimeRecord } from "../model";
import { type CodefreshService, mustAccount } from "../service";
import type { AppProxyContext, PlatformContext } from "./context";

interface Pagination {
  after?: string | null;
  before?: string | null;
  first?: number | null;
  last?: number | null;
}

const defaultPageSize = 50;

/** Relay-like slices, cursors being the position in a stable order. */
export function slice<T>(items: T[], pagination: Pagination | null | undefined) {
  const start = pagination?.after ? decodeCursor(pagination.after) + 1 : 0;
  const size = Math.max(1, Math.min(pagination?.first ?? defaultPageSize, 500));
  const page = items.slice(start, start + size);
  const edges = page.map((node, i) => ({ node, cursor: encodeCursor(start + i) }));
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
      hasNextPage: start + size < items.length,
      hasPrevPage: start > 0,
    },
  };
}

const encodeCursor = (index: number) => Buffer.from(`idx:${index}`).toString("base64");
function decodeCursor(cursor: string): number {
  const match = /^idx:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return match ? Number(match[1]) : -1;
}

const status = (ok: boolean, description: string) => ({ description, status: ok ? "SUCCESSFUL" : "UNKNOWN" });
const pairs = (map: Record<string, string> | undefined) => Object.entries(map ?? {}).map(([key, value]) => ({ key, value }));

function runtimeView(service: CodefreshService, account: AccountRecord, runtime: RuntimeRecord) {
  const phase = service.phase(runtime);
  const installationStatus = phase === "installing" ? "IN_PROGRESS" : phase === "failed" ? "FAILED" : "COMPLETED";
  const healthStatus = phase === "ready" ? "HEALTHY" : phase === "failed" || phase === "deleting" ? "DEGRADED" : "PROGRESSING";
  const clusters = Object.values(account.clusters).filter((c) => c.runtime === runtime.name);
  return {
    metadata: { name: runtime.name, namespace: runtime.namespace, runtime: runtime.name, cluster: "https://kubernetes.default.svc", account: account.id },
    self: { syncStatus: phase === "ready" ? "SYNCED" : "UNKNOWN", healthStatus, healthMessage: phase === "deleting" ? "runtime is being deleted" : null },
    syncStatus: phase === "ready" ? "SYNCED" : "UNKNOWN",
    healthStatus,
    healthMessage: phase === "deleting" ? "runtime is being deleted" : phase === "failed" ? "installation failed" : null,
    cluster: "https://kubernetes.default.svc",
    managed: runtime.managed,
    isRemoteClusterConnected: clusters.some((c) => c.connection.status === "Successful"),
    ingressHost: service.ingressHost(account, runtime.name),
    internalIngressHost: null,
    ingressClass: null,
    ingressController: null,
    runtimeVersion: runtime.runtimeVersion,
    chartVersion: runtime.chartVersion,
    installationStatus,
    installationType: runtime.installationType,
    repo: runtime.iscInitialized ? (account.settings.sharedConfigRepo ?? null) : null,
    managedClustersNum: clusters.length,
    gitProvider: runtime.gitProvider ?? null,
    accessMode: "INGRESS",
    iscInitialized: runtime.iscInitialized,
    status: {
      appProxyStarted: status(phase === "ready", "app-proxy"),
      gitSourceConfigured: status(runtime.iscInitialized, "git source"),
      defaultGitIntegration: status(runtime.iscInitialized, "default git integration"),
      isc: status(runtime.iscInitialized, "shared configuration repository"),
      runtimeGitToken: status(runtime.gitToken !== undefined, "runtime git token"),
      syncMode: "GITOPS",
      argoCdState: phase === "ready" ? "CONNECTED" : "UNKNOWN",
    },
    lastUpdated: new Date(runtime.deleteRequestedAt ?? runtime.installReadyAt).toISOString(),
  };
}

function clusterView(cluster: ClusterRecord) {
  return {
    metadata: { name: cluster.name, runtime: cluster.runtime },
    server: cluster.server,
    info: {
      connectionState: { status: cluster.connection.status, message: cluster.connection.message || null },
      serverVersion: cluster.serverVersion ?? null,
      cacheInfo: { resourcesCount: cluster.resourcesCount ?? null, apisCount: cluster.apisCount ?? null },
      applicationsCount: 0,
    },
    namespaces: [],
    inactive: false,
    updatedAt: new Date(cluster.connection.checkedAt).toISOString(),
  };
}

/** Each runtime's own cluster, listed as Codefresh lists it. */
function inClusterView(runtime: RuntimeRecord) {
  return {
    metadata: { name: "in-cluster", runtime: runtime.name },
    server: "https://kubernetes.default.svc",
    info: {
      connectionState: { status: "Successful", message: null },
      serverVersion: "v1.30.0",
      cacheInfo: { resourcesCount: null, apisCount: null },
      applicationsCount: 0,
    },
    namespaces: [],
    inactive: false,
    updatedAt: new Date(runtime.installReadyAt).toISOString(),
  };
}

function gitSourceView(service: CodefreshService, source: GitSourceRecord) {
  const ready = service.gitSourceReady(source);
  return {
    metadata: { name: source.name, namespace: source.runtime, runtime: source.runtime, labels: pairs(source.labels) },
    self: ready
      ? {
          repoURL: source.repoURL,
          path: source.path,
          revision: source.revision,
          ...editableFieldsView(source),
          destination: { server: source.destServer, namespace: source.destNamespace ?? null, name: null },
          syncStatus: "SYNCED",
          healthStatus: "HEALTHY",
          isGitSource: true,
          status: { syncStatus: "SYNCED", healthStatus: "HEALTHY" },
        }
      : null,
    syncStatus: ready ? "SYNCED" : "UNKNOWN",
    healthStatus: ready ? "HEALTHY" : "PROGRESSING",
    healthMessage: null,
    isRestricted: false,
  };
}

export const platformResolvers = {
  Query: {
    runtime(_: unknown, args: { name: string }, ctx: PlatformContext) {
      const runtime = ctx.service.runtime(ctx.account, args.name);
      return runtime ? runtimeView(ctx.service, ctx.account, runtime) : null;
    },
    runtimes(_: unknown, args: { pagination?: Pagination }, ctx: PlatformContext) {
      const items = ctx.service.visibleRuntimes(ctx.account).sort((a, b) => a.createdAt - b.createdAt);
      return slice(
        items.map((r) => runtimeView(ctx.service, ctx.account, r)),
        args.pagination,
      );
    },
    me(_: unknown, __: unknown, ctx: PlatformContext) {
      const { account } = ctx;
      const hosted = ctx.service.visibleRuntimes(account).find((r) => r.managed);
      return {
        id: account.userId,
        name: "admin",
        email: account.userEmail,
        isAdmin: true,
        accounts: [{ id: account.id, name: account.name }],
        activeAccount: {
          id: account.id,
          name: account.name,
          gitProvider: account.settings.gitProvider ?? null,
          gitApiUrl: account.settings.gitApiUrl ?? null,
          sharedConfigRepo: account.settings.sharedConfigRepo ?? null,
          admins: [account.userId],
          csdpValidated: account.settings.csdpValidated,
          supportsManagedRuntime: true,
          features: {
            helmHostedRuntime: true,
            gitlabSupportForManagedRuntime: false,
            bitbucketSupportForManagedRuntime: true,
            gitopsPlanEnforcement: account.plan !== "ENTERPRISE",
          },
        },
        runtimeName: hosted?.name ?? null,
      };
    },
    async clusters(_: unknown, args: { runtime?: string | null; pagination?: Pagination }, ctx: PlatformContext) {
      await ctx.service.refreshClusterConnections(ctx.account.id, args.runtime ?? undefined);
      const account = ctx.service.mustAccount(ctx.account.id);
      const runtimes = ctx.service.visibleRuntimes(account).filter((r) => !args.runtime || r.name === args.runtime);
      const items = runtimes.flatMap((runtime) => [
        inClusterView(runtime),
        ...Object.values(account.clusters)
          .filter((c) => c.runtime === runtime.name)
          .sort((a, b) => a.createdAt - b.createdAt || a.server.localeCompare(b.server))
          .map(clusterView),
      ]);
      return slice(items, args.pagination);
    },
    gitSources(_: unknown, args: { runtime?: string | null; pagination?: Pagination }, ctx: PlatformContext) {
      const items = Object.values(ctx.account.gitSources)
        .filter((s) => !args.runtime || s.runtime === args.runtime)
        .filter((s) => ctx.service.runtime(ctx.account, s.runtime) !== undefined)
        .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name))
        .map((s) => gitSourceView(ctx.service, s));
      return slice(items, args.pagination);
    },
  },
  Mutation: {
    createRuntime() {
      // Hybrid runtimes are installed with Helm in the user's cluster; the emulator models hosted ones.
      throw new Error("createRuntime: hybrid runtimes are not supported by this emulator; it models the hosted runtime");
    },
    deleteRuntime: (_: unknown, args: { name: string }, ctx: PlatformContext) => ctx.service.deleteRuntime(ctx.account.id, args.name),
    deleteManagedRuntime: (_: unknown, args: { name: string }, ctx: PlatformContext) => ctx.service.deleteRuntime(ctx.account.id, args.name),
    updateCsdpSettings: (_: unknown, args: { gitProvider: string; gitApiUrl: string; sharedConfigRepo: string }, ctx: PlatformContext) =>
      ctx.service.updateSettings(ctx.account.id, args.gitProvider as never, args.gitApiUrl, args.sharedConfigRepo),
    suggestIscRepo: (_: unknown, args: { suggestedSharedConfigRepo: string }, ctx: PlatformContext) =>
      ctx.service.suggestIscRepo(ctx.account.id, args.suggestedSharedConfigRepo),
  },
};

export const appProxyResolvers = {
  Query: {
    gitIntegration(_: unknown, args: { name?: string | null }, ctx: AppProxyContext) {
      const integration = ctx.account.gitIntegrations[`${ctx.runtime}/${args.name ?? "default"}`];
      return integration ? { ...integration, users: integration.registeredUsers.map((userId) => ({ userId })) } : null;
    },
    gitIntegrations(_: unknown, __: unknown, ctx: AppProxyContext) {
      return Object.values(ctx.account.gitIntegrations)
        .filter((i) => i.runtime === ctx.runtime)
        .map((i) => ({ ...i, users: i.registeredUsers.map((userId) => ({ userId })) }));
    },
  },
  Mutation: {
    createGitSource: (_: unknown, { args }: { args: Parameters<CodefreshService["createGitSource"]>[2] }, ctx: AppProxyContext) =>
      ctx.service.createGitSource(ctx.account.id, ctx.runtime, args),
    editGitSource: (_: unknown, { args }: { args: Parameters<CodefreshService["editGitSource"]>[2] }, ctx: AppProxyContext) =>
      ctx.service.editGitSource(ctx.account.id, ctx.runtime, args),
    deleteApplication: (_: unknown, { args }: { args: { appName: string } }, ctx: AppProxyContext) =>
      ctx.service.deleteApplication(ctx.account.id, ctx.runtime, args.appName),
    removeCluster: (_: unknown, args: { server: string; runtime: string }, ctx: AppProxyContext) =>
      ctx.service.removeCluster(ctx.account.id, args.runtime, args.server.replace(/\/+$/, "")),
    async createArgoRollouts(_: unknown, { args }: { args: { destServer: string; destNamespace: string } }, ctx: AppProxyContext) {
      await ctx.service.store.update((state) => {
        mustAccount(state, ctx.account.id).rollouts[`${ctx.runtime}/${args.destServer}/${args.destNamespace}`] = { runtime: ctx.runtime, ...args };
      });
      return null;
    },
    async removeRuntimeFromIscRepo(_: unknown, __: unknown, ctx: AppProxyContext) {
      ctx.service.readyRuntime(ctx.service.mustAccount(ctx.account.id), ctx.runtime);
      return 1;
    },
    async removeGitIntegration(_: unknown, args: { name: string }, ctx: AppProxyContext) {
      await ctx.service.store.update((state) => {
        delete mustAccount(state, ctx.account.id).gitIntegrations[`${ctx.runtime}/${args.name}`];
      });
      return null;
    },
  },
};
