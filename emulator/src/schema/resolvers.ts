// Resolvers of both GraphQL surfaces: thin mappings from records to Codefresh's types; behaviour and
// rules live in CodefreshService.
import { businessError } from "../errors";
import type { AddGitIntegrationInput, EditGitIntegrationInput, RegisterToGitIntegrationInput } from "../git-integrations";
import { editableFieldsView } from "../git-source-fields";
import type { AccountPlan, AccountRecord, ClusterRecord, GitIntegrationRecord, GitSourceRecord, ReportedRuntimeError, RuntimeRecord } from "../model";
import type { CodefreshService, RuntimeInstallationInput } from "../service";
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
  const reported = runtime.reportedErrors ?? [];
  const degradedByErrors = reported.some((e) => e.level === "ERROR");
  const healthStatus =
    phase === "ready" ? (degradedByErrors ? "DEGRADED" : "HEALTHY") : phase === "failed" || phase === "deleting" ? "DEGRADED" : "PROGRESSING";
  const reportedMessage = reported.length > 0 ? reported.map((e) => e.message).join("; ") : null;
  const clusters = Object.values(account.clusters).filter((c) => c.runtime === runtime.name);
  return {
    metadata: { name: runtime.name, namespace: runtime.namespace, runtime: runtime.name, cluster: "https://kubernetes.default.svc", account: account.id },
    self: {
      syncStatus: phase === "ready" ? "SYNCED" : "UNKNOWN",
      healthStatus,
      healthMessage: phase === "deleting" ? "runtime is being deleted" : reportedMessage,
    },
    syncStatus: phase === "ready" ? "SYNCED" : "UNKNOWN",
    healthStatus,
    healthMessage: phase === "deleting" ? "runtime is being deleted" : phase === "failed" ? "installation failed" : reportedMessage,
    cluster: runtime.cluster ?? "https://kubernetes.default.svc",
    managed: runtime.managed,
    isRemoteClusterConnected: clusters.some((c) => c.connection.status === "Successful"),
    ingressHost: service.ingressHost(account, runtime.name),
    internalIngressHost: runtime.internalIngressHost ?? null,
    ingressClass: runtime.ingressClass ?? null,
    ingressController: runtime.ingressController ?? null,
    runtimeVersion: runtime.runtimeVersion,
    chartVersion: runtime.chartVersion,
    installationStatus,
    installationType: runtime.installationType,
    repo: runtime.iscInitialized ? (account.settings.sharedConfigRepo ?? null) : (runtime.repo ?? null),
    managedClustersNum: clusters.length,
    gitProvider: runtime.gitProvider ?? null,
    accessMode: runtime.accessMode ?? "INGRESS",
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

function clusterView(account: AccountRecord, cluster: ClusterRecord) {
  return {
    metadata: {
      name: cluster.name,
      runtime: cluster.runtime,
      cluster: cluster.server,
      account: account.id,
      labels: pairs(cluster.labels),
      annotations: pairs(cluster.annotations),
    },
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
function inClusterView(account: AccountRecord, runtime: RuntimeRecord) {
  return {
    metadata: { name: "in-cluster", runtime: runtime.name, cluster: "https://kubernetes.default.svc", account: account.id },
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

function gitSourceView(service: CodefreshService, account: AccountRecord, source: GitSourceRecord) {
  const ready = service.gitSourceReady(source);
  return {
    metadata: { name: source.name, namespace: source.runtime, runtime: source.runtime, account: account.id, labels: pairs(source.labels) },
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
          errors: [],
        }
      : null,
    syncStatus: ready ? "SYNCED" : "UNKNOWN",
    healthStatus: ready ? "HEALTHY" : "PROGRESSING",
    healthMessage: null,
    isRestricted: false,
  };
}

/** The components a hosted runtime runs (the gitops-runtime chart's component list). */
const hostedComponents = ["app-proxy", "internal-router", "argo-gateway", "runtime-event-reporter", "cluster-event-reporter", "argocd"];
const inClusterServer = "https://kubernetes.default.svc";

function componentsOf(service: CodefreshService, account: AccountRecord, runtime: RuntimeRecord) {
  const ready = service.phase(runtime) === "ready";
  const component = (name: string, cluster: string) => ({
    metadata: {
      group: "argoproj.io",
      version: "v1alpha1",
      kind: "Application",
      name,
      namespace: runtime.namespace,
      runtime: runtime.name,
      cluster,
      account: account.id,
    },
    errors: [],
    self: {
      syncStatus: ready ? "SYNCED" : "UNKNOWN",
      healthStatus: ready ? "HEALTHY" : "PROGRESSING",
      status: { syncStatus: ready ? "SYNCED" : "UNKNOWN", healthStatus: ready ? "HEALTHY" : "PROGRESSING" },
      errors: [],
    },
    syncStatus: ready ? "SYNCED" : "UNKNOWN",
    healthStatus: ready ? "HEALTHY" : "PROGRESSING",
    healthMessage: null,
    version: runtime.runtimeVersion,
  });
  const installed = runtime.componentNames ?? (runtime.managed ? hostedComponents : []);
  const rollouts = Object.values(account.rollouts)
    .filter((r) => r.runtime === runtime.name)
    .map((r) => {
      const cluster = Object.values(account.clusters).find((c) => c.runtime === runtime.name && c.server === r.destServer);
      return component(cluster ? `argo-rollouts-${cluster.name}` : "argo-rollouts", r.destServer);
    });
  return [...installed.map((name) => component(name, inClusterServer)), ...rollouts];
}

/** The emulator's assumed GitOps plan limits (Codefresh does not publish them); ENTERPRISE has none. */
export const planLimits: Record<AccountPlan, { clusters: number; applications: number } | null> = {
  FREE: { clusters: 1, applications: 10 },
  PRO: { clusters: 10, applications: 100 },
  ENTERPRISE: null,
};

/** cli-v2's VERSION at the commit this emulator was checked against. */
export const latestCliRelease = "v0.2.16";
/** What the emulated platform reports as its version (app-proxy `versionInfo`). */
export const platformVersion = "1.0.0-emulator";

function limitsStatus(account: AccountRecord) {
  const usage = { clusters: Object.keys(account.clusters).length, applications: Object.keys(account.gitSources).length };
  const limits = planLimits[account.plan];
  return {
    planType: "GITOPS_PLAN",
    usage,
    limits,
    status: limits === null || (usage.clusters <= limits.clusters && usage.applications <= limits.applications),
  };
}

function gitIntegrationView(integration: GitIntegrationRecord) {
  const users = Object.keys(integration.registrations);
  return {
    name: integration.name,
    sharingPolicy: integration.sharingPolicy,
    provider: integration.provider,
    apiUrl: integration.apiUrl ?? "",
    registeredUsers: users,
    users: users.map((userId) => ({ userId, isValid: true })),
  };
}

const syncErrorCodes = new Set(["INVALID_SPEC", "LONG_SYNC", "MISSING_ROLLOUTS_COMPONENT"]);

export const platformResolvers = {
  Error: {
    __resolveType: (error: { code: string }) => (syncErrorCodes.has(error.code) ? "SyncError" : "HealthError"),
  },
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
      const account = ctx.service.mustAccount(ctx.account.id);
      const runtimes = ctx.service.visibleRuntimes(account).filter((r) => !args.runtime || r.name === args.runtime);
      const items = runtimes.flatMap((runtime) => [
        inClusterView(account, runtime),
        ...Object.values(account.clusters)
          .filter((c) => c.runtime === runtime.name)
          .sort((a, b) => a.createdAt - b.createdAt || a.server.localeCompare(b.server))
          .map((c) => clusterView(account, c)),
      ]);
      return slice(items, args.pagination);
    },
    components(_: unknown, args: { runtime: string; pagination?: Pagination }, ctx: PlatformContext) {
      const runtime = ctx.service.runtime(ctx.account, args.runtime);
      if (!runtime) throw businessError(`runtime '${args.runtime}' does not exist`, "NOT_FOUND");
      return slice(componentsOf(ctx.service, ctx.account, runtime), args.pagination);
    },
    limitsStatus: (_: unknown, __: unknown, ctx: PlatformContext) => limitsStatus(ctx.account),
    latestCliRelease: () => latestCliRelease,
    gitSources(_: unknown, args: { runtime?: string | null; pagination?: Pagination }, ctx: PlatformContext) {
      const items = Object.values(ctx.account.gitSources)
        .filter((s) => !args.runtime || s.runtime === args.runtime)
        .filter((s) => ctx.service.runtime(ctx.account, s.runtime) !== undefined)
        .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name))
        .map((s) => gitSourceView(ctx.service, ctx.account, s));
      return slice(items, args.pagination);
    },
  },
  Mutation: {
    createRuntime: (_: unknown, args: { installationArgs: RuntimeInstallationInput }, ctx: PlatformContext) =>
      ctx.service.registerRuntime(ctx.account.id, args.installationArgs),
    deleteRuntime: (_: unknown, args: { name: string }, ctx: PlatformContext) => ctx.service.deleteRuntime(ctx.account.id, args.name),
    deleteManagedRuntime: (_: unknown, args: { name: string }, ctx: PlatformContext) => ctx.service.deleteManagedRuntime(ctx.account.id, args.name),
    migrateRuntime: (_: unknown, args: { runtimeName: string }, ctx: PlatformContext) => ctx.service.migrateRuntime(ctx.account, args.runtimeName),
    reportRuntimeErrors: (_: unknown, args: { reportErrorsArgs: { runtime: string; errors: (ReportedRuntimeError | null)[] } }, ctx: PlatformContext) =>
      ctx.service.reportRuntimeErrors(
        ctx.account.id,
        args.reportErrorsArgs.runtime,
        args.reportErrorsArgs.errors.filter((e): e is ReportedRuntimeError => e !== null),
      ),
    updateCsdpSettings: (_: unknown, args: { gitProvider: string; gitApiUrl: string; sharedConfigRepo: string }, ctx: PlatformContext) =>
      ctx.service.updateSettings(ctx.account.id, args.gitProvider as never, args.gitApiUrl, args.sharedConfigRepo),
    suggestIscRepo: (_: unknown, args: { suggestedSharedConfigRepo: string }, ctx: PlatformContext) =>
      ctx.service.suggestIscRepo(ctx.account.id, args.suggestedSharedConfigRepo),
  },
};

export const appProxyResolvers = {
  Query: {
    versionInfo: (_: unknown, __: unknown, ctx: AppProxyContext) => ({
      version: ctx.service.readyRuntime(ctx.account, ctx.runtime).runtimeVersion,
      platformHost: ctx.service.options.baseUrl(),
      platformVersion,
    }),
    gitIntegration(_: unknown, args: { name?: string | null }, ctx: AppProxyContext) {
      const integration = ctx.service.integrations.get(ctx.account.id, ctx.runtime, args.name);
      return integration ? gitIntegrationView(integration) : null;
    },
    gitIntegrations: (_: unknown, __: unknown, ctx: AppProxyContext) => ctx.service.integrations.list(ctx.account.id, ctx.runtime).map(gitIntegrationView),
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
    createArgoRollouts: (_: unknown, { args }: { args: { destServer: string; destNamespace: string } }, ctx: AppProxyContext) =>
      ctx.service.createArgoRollouts(ctx.account.id, ctx.runtime, args.destServer, args.destNamespace),
    removeRuntimeFromIscRepo: (_: unknown, __: unknown, ctx: AppProxyContext) => ctx.service.removeRuntimeFromIsc(ctx.account.id, ctx.runtime),
    addGitIntegration: async (_: unknown, { args }: { args: AddGitIntegrationInput }, ctx: AppProxyContext) =>
      gitIntegrationView(await ctx.service.integrations.add(ctx.account.id, ctx.runtime, args)),
    editGitIntegration: async (_: unknown, { args }: { args: EditGitIntegrationInput }, ctx: AppProxyContext) =>
      gitIntegrationView(await ctx.service.integrations.edit(ctx.account.id, ctx.runtime, args)),
    registerToGitIntegration: async (_: unknown, { args }: { args: RegisterToGitIntegrationInput }, ctx: AppProxyContext) =>
      gitIntegrationView(await ctx.service.integrations.register(ctx.account.id, ctx.runtime, ctx.account.userId, args)),
    deregisterFromGitIntegration: async (_: unknown, args: { name?: string | null }, ctx: AppProxyContext) =>
      gitIntegrationView(await ctx.service.integrations.deregister(ctx.account.id, ctx.runtime, ctx.account.userId, args.name)),
    removeGitIntegration: (_: unknown, args: { name: string }, ctx: AppProxyContext) => ctx.service.integrations.remove(ctx.account.id, ctx.runtime, args.name),
  },
};
