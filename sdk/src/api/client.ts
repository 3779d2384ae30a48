// The typed Codefresh client the resources use: platform GraphQL, each runtime's app-proxy (GraphQL and
// the REST cluster registration), with retries, idempotent creates and typed errors.
import type { GitProviderName } from "../platform";
import { SecretSet } from "../secrets";
import { stringify as toYaml } from "yaml";
import { CodefreshConfig, requireApiKey } from "../config";
import { NotFoundError, UnsupportedOperationError } from "../errors";
import { createFetch } from "../http";
import * as documents from "./documents";
import { Transport } from "./transport";
import * as unconfirmed from "./unconfirmed";

export type InstallationStatus = "COMPLETED" | "FAILED" | "IN_PROGRESS";
export type GitProvider = "GITHUB" | "GITLAB" | "BITBUCKET" | "BITBUCKET_SERVER" | "GERRIT";
export type ClusterConnectionStatus = "Successful" | "Failed" | "Unknown";

export interface RuntimeInfo {
  name: string;
  namespace: string | undefined;
  /** True for a hosted runtime. */
  managed: boolean;
  installationStatus: InstallationStatus;
  installationType: string | undefined;
  runtimeVersion: string | undefined;
  ingressHost: string | undefined;
  internalIngressHost: string | undefined;
  healthStatus: string | undefined;
  healthMessage: string | undefined;
  syncStatus: string | undefined;
  repo: string | undefined;
  managedClustersNum: number;
  gitProvider: GitProvider | undefined;
  isRemoteClusterConnected: boolean | undefined;
  iscInitialized: boolean | undefined;
  /** The API server of the runtime's own cluster, as the runtime registered it. */
  cluster: string | undefined;
  /** How Codefresh reaches the app-proxy: `INGRESS`, `TUNNEL` (hybrid runtimes), or none reported. */
  accessMode: string | undefined;
}

export interface AccountInfo {
  id: string;
  /** The API key's user (go-sdk `User.ID`). */
  userId: string;
  name: string;
  gitProvider: GitProvider | undefined;
  gitApiUrl: string | undefined;
  sharedConfigRepo: string | undefined;
  csdpValidated: boolean | undefined;
  supportsManagedRuntime: boolean | undefined;
}

export interface ClusterInfo {
  name: string;
  runtime: string;
  server: string;
  connectionStatus: ClusterConnectionStatus;
  connectionMessage: string | undefined;
  serverVersion: string | undefined;
  /** The cluster's labels and annotations in Codefresh (its Argo CD cluster Secret's). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  resourcesCount: number | undefined;
  apisCount: number | undefined;
}

export interface GitSourceInfo {
  name: string;
  runtime: string;
  labels: Record<string, string>;
  /** False until Codefresh reports the Application (its `self` is null until then). */
  ready: boolean;
  repoURL: string | undefined;
  path: string | undefined;
  revision: string | undefined;
  include: string | undefined;
  exclude: string | undefined;
  destServer: string | undefined;
  destNamespace: string | undefined;
  syncStatus: string | undefined;
  healthStatus: string | undefined;
}

export interface CreateGitSourceInput {
  appName: string;
  /** `https://host/owner/repo.git[/path][?ref=branch]` */
  appSpecifier: string;
  destServer: string;
  destNamespace?: string | undefined;
  labels?: Record<string, string> | undefined;
  include?: string | undefined;
  exclude?: string | undefined;
  createRepo?: boolean | undefined;
}

export interface AddClusterInput {
  name: string;
  server: string;
  /** Base64 PEM of the cluster CA. */
  caData?: string | undefined;
  insecureSkipTlsVerify?: boolean | undefined;
  /** The argocd-manager bearer token. Secret. */
  token: string;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

export interface ConnectGitInput {
  provider: GitProviderName;
  apiUrl?: string | undefined;
  /** Git token (or Gerrit HTTP password, Bitbucket app password). Secret. */
  token: string;
  username?: string | undefined;
  sharingPolicy?: "ACCOUNT_ADMINS" | "ALL_USERS_IN_ACCOUNT" | undefined;
  sharedConfigRepo: string;
  gitSourceRepo: string;
}

/** One application of a runtime's git sources, as Argo CD reports it. */
export interface ApplicationInfo {
  name: string;
  runtime: string;
  repoURL: string | undefined;
  path: string | undefined;
  /** The commit Argo CD synced. */
  revision: string | undefined;
  destServer: string | undefined;
  destNamespace: string | undefined;
  syncStatus: string;
  healthStatus: string | undefined;
  healthMessage: string | undefined;
}

export interface ClientOptions {
  config: CodefreshConfig;
  /** Called before each retry, for progress logs. */
  onRetry?: ((info: { operation: string; attempt: number; delayMs: number; reason: string }) => void) | undefined;
  /** Attempts per call (default 5). */
  attempts?: number | undefined;
  /** Largest wait between attempts (default 30 s). */
  maxDelayMs?: number | undefined;
  /** The process's secret set: tokens passed through this client join it (a set of its own by default). */
  secrets?: SecretSet | undefined;
}

interface Slice<T> {
  edges: { node: T }[];
  pageInfo?: { endCursor: string | null; hasNextPage: boolean } | undefined;
}

type RawRuntime = {
  metadata: { name: string; namespace?: string | null };
  managed: boolean;
  installationStatus: InstallationStatus;
  installationType?: string | null | undefined;
  runtimeVersion?: string | null | undefined;
  ingressHost?: string | null | undefined;
  internalIngressHost?: string | null | undefined;
  healthStatus?: string | null | undefined;
  healthMessage?: string | null | undefined;
  syncStatus?: string | null | undefined;
  repo?: string | null | undefined;
  managedClustersNum?: number | null | undefined;
  gitProvider?: GitProvider | null | undefined;
  isRemoteClusterConnected?: boolean | null | undefined;
  iscInitialized?: boolean | null | undefined;
  cluster?: string | null | undefined;
  accessMode?: string | null | undefined;
};

/**
 * How old a shared list answer a reader accepts (ms since it was sent; never one sent before a write through
 * this client completed). A poll waiting for Codefresh to report a change takes only a read not yet sent
 * (it joins the others of its wave); a refresh's reads, where nothing is written, share one list per type.
 */
export const listAge = { poll: 0, recent: 1_000, refresh: 10_000 } as const;

/** Options of the list reads. */
export interface ListReadOptions {
  /** See {@link listAge}; default `listAge.recent`. */
  maxAgeMs?: number | undefined;
}
/**
 * How long a list read waits for others to join it before it is sent. The answers to one grouped commit
 * (a wave of Pulumi's parallel creates) arrive within a few milliseconds, and each create then reads the
 * list to see its object reported: joined, they send one list instead of one each.
 */
const listJoinMs = 5;

/** A list read: waiting to be sent (`sentAt` undefined), or sent, with its answer to come or come. */
interface ListRead {
  sentAt: number | undefined;
  value: Promise<unknown>;
}

interface Pair {
  key: string;
  value: string;
}
const fromPairs = (pairs: Pair[] | null | undefined): Record<string, string> => Object.fromEntries((pairs ?? []).map((p) => [p.key, p.value]));

const opt = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

function toRuntime(raw: RawRuntime): RuntimeInfo {
  return {
    name: raw.metadata.name,
    namespace: opt(raw.metadata.namespace),
    managed: raw.managed,
    installationStatus: raw.installationStatus,
    installationType: opt(raw.installationType),
    runtimeVersion: opt(raw.runtimeVersion),
    ingressHost: opt(raw.ingressHost),
    internalIngressHost: opt(raw.internalIngressHost),
    healthStatus: opt(raw.healthStatus),
    healthMessage: opt(raw.healthMessage),
    syncStatus: opt(raw.syncStatus),
    repo: opt(raw.repo),
    managedClustersNum: raw.managedClustersNum ?? 0,
    gitProvider: opt(raw.gitProvider),
    isRemoteClusterConnected: opt(raw.isRemoteClusterConnected),
    iscInitialized: opt(raw.iscInitialized),
    cluster: opt(raw.cluster),
    accessMode: opt(raw.accessMode),
  };
}

export class CodefreshClient {
  private readonly transport: Transport;
  private readonly graphqlUrl: string;
  /** Secrets passed through this client (git and cluster tokens), kept only to redact them from errors. */
  private readonly secrets: SecretSet;
  private readonly ingressCache = new Map<string, string>();
  /** Recent list answers, shared by concurrent readers (see {@link memoized}). */
  private readonly listMemo = new Map<string, ListRead>();
  /** When the last write through this client completed: lists sent before it may miss that write. */
  private listsFreshAfter = 0;

  constructor(readonly options: ClientOptions) {
    const apiKey = requireApiKey(options.config);
    this.secrets = options.secrets ?? new SecretSet();
    this.graphqlUrl = `${options.config.apiUrl}/2.0/api/graphql`;
    this.transport = new Transport({
      apiKey,
      fetch: createFetch({ caBundle: options.config.caBundle }),
      requestTimeoutMs: options.config.requestTimeoutMs,
      attempts: options.attempts,
      maxDelayMs: options.maxDelayMs,
      secrets: () => this.secrets,
      onRetry: options.onRetry,
    });
  }

  // ---- runtimes --------------------------------------------------------------------------------

  async listRuntimes(): Promise<RuntimeInfo[]> {
    const data = await this.platform<{ runtimes: Slice<RawRuntime> }>("runtimes", documents.listRuntimes, {});
    return data.runtimes.edges.map((e) => toRuntime(e.node));
  }

  async getRuntime(name: string): Promise<RuntimeInfo | undefined> {
    const data = await this.platform<{ runtime: RawRuntime | null }>("runtime", documents.getRuntimeDetailed, { name });
    return data.runtime ? toRuntime(data.runtime) : undefined;
  }

  /** The account's hosted runtime (`managed: true`), if it has one. */
  async findHostedRuntime(): Promise<RuntimeInfo | undefined> {
    return (await this.listRuntimes()).find((r) => r.managed);
  }

  /**
   * Installs the account's hosted runtime (an operation only our emulator offers; see unconfirmed.ts).
   * A retry after an unknown outcome first looks for the runtime, so it never installs twice.
   */
  async installHostedRuntime(runtimeName?: string): Promise<string> {
    try {
      const data = await this.transport.graphql<{ installHostedRuntime: { name: string } }>(
        this.graphqlUrl,
        "installHostedRuntime",
        unconfirmed.installHostedRuntime,
        runtimeName === undefined ? {} : { runtimeName },
        {
          idempotent: false,
          recover: async () => {
            const hosted = await this.findHostedRuntime();
            return hosted ? { installHostedRuntime: { name: hosted.name } } : undefined;
          },
        },
      );
      return data.installHostedRuntime.name;
    } catch (error) {
      throw explainUnsupported(error, "installHostedRuntime");
    }
  }

  /** Starts deleting a runtime; false when it did not exist. Deleting by name is safe to repeat. */
  async deleteRuntime(name: string, options: { legacyManaged?: boolean } = {}): Promise<boolean> {
    const [operation, document] = options.legacyManaged
      ? (["deleteManagedRuntime", documents.deleteManagedRuntime] as const)
      : (["deleteRuntime", documents.deleteRuntime] as const);
    try {
      await this.transport.graphql(this.graphqlUrl, operation, document, { name }, { idempotent: true });
      this.forgetLists();
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  // ---- account GitOps settings -----------------------------------------------------------------

  async getAccount(): Promise<AccountInfo> {
    type Raw = { me: { id: string; activeAccount: Record<string, unknown> & { id: string; name: string } } };
    const data = await this.platform<Raw>("me", documents.accountInfo, {});
    const a = data.me.activeAccount;
    return {
      id: a.id,
      userId: data.me.id,
      name: a.name,
      gitProvider: opt(a.gitProvider as GitProvider | null),
      gitApiUrl: opt(a.gitApiUrl as string | null),
      sharedConfigRepo: opt(a.sharedConfigRepo as string | null),
      csdpValidated: opt(a.csdpValidated as boolean | null),
      supportsManagedRuntime: opt(a.supportsManagedRuntime as boolean | null),
    };
  }

  /** `updateCsdpSettings`: an upsert, safe to repeat. */
  async updateAccountSettings(settings: { gitProvider: GitProvider; gitApiUrl: string; sharedConfigRepo: string }): Promise<void> {
    await this.transport.graphql(this.graphqlUrl, "updateCsdpSettings", documents.updateCsdpSettings, { ...settings }, { idempotent: true });
  }

  // ---- git sources -----------------------------------------------------------------------------

  listGitSources(runtime: string, options: ListReadOptions = {}): Promise<GitSourceInfo[]> {
    return this.memoized(`gitSources/${runtime}`, () => this.fetchGitSources(runtime), options.maxAgeMs);
  }

  private async fetchGitSources(runtime: string): Promise<GitSourceInfo[]> {
    type Raw = {
      metadata: { name: string; labels?: { key: string; value: string }[] | null };
      self: {
        path?: string | null | undefined;
        repoURL?: string | null | undefined;
        revision?: string | null | undefined;
        include?: string | null | undefined;
        exclude?: string | null | undefined;
        destination?: { server?: string | null; namespace?: string | null } | null;
        status?: { syncStatus?: string | null; healthStatus?: string | null } | null;
      } | null;
    };
    const nodes = await this.paginate<Raw>("gitSources", documents.listGitSources, { runtime }, (d) => (d as { gitSources: Slice<Raw> }).gitSources);
    return nodes.map((n) => ({
      name: n.metadata.name,
      runtime,
      labels: fromPairs(n.metadata.labels),
      ready: n.self !== null,
      repoURL: opt(n.self?.repoURL),
      path: opt(n.self?.path),
      revision: opt(n.self?.revision),
      include: opt(n.self?.include),
      exclude: opt(n.self?.exclude),
      destServer: opt(n.self?.destination?.server),
      destNamespace: opt(n.self?.destination?.namespace),
      syncStatus: opt(n.self?.status?.syncStatus),
      healthStatus: opt(n.self?.status?.healthStatus),
    }));
  }

  async getGitSource(runtime: string, name: string, options: ListReadOptions = {}): Promise<GitSourceInfo | undefined> {
    return (await this.listGitSources(runtime, options)).find((s) => s.name === name);
  }

  /** Creates a git source; a retry after an unknown outcome first checks whether it exists. */
  async createGitSource(runtime: string, input: CreateGitSourceInput): Promise<void> {
    const args = { ...input, labels: input.labels === undefined ? undefined : toYaml(input.labels) };
    this.forgetLists();
    await this.appProxyCall(
      runtime,
      "createGitSource",
      documents.createGitSource,
      { args },
      {
        idempotent: false,
        recover: async () => {
          this.forgetLists(); // the read that decides whether to send again must be fresh
          return (await this.getGitSource(runtime, input.appName)) ? { createGitSource: null } : undefined;
        },
      },
    );
    this.forgetLists();
  }

  async editGitSource(
    runtime: string,
    input: { appName: string; appSpecifier: string; include?: string | undefined; exclude?: string | undefined },
  ): Promise<void> {
    await this.appProxyCall(runtime, "editGitSource", documents.editGitSource, { args: input }, { idempotent: true });
    this.forgetLists();
  }

  /** Deletes a git source (an Argo CD Application); false when it did not exist. */
  async deleteGitSource(runtime: string, appName: string): Promise<boolean> {
    try {
      await this.appProxyCall(runtime, "deleteApplication", documents.deleteApplication, { args: { appName } }, { idempotent: true });
      this.forgetLists();
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  // ---- clusters --------------------------------------------------------------------------------

  /** Managed clusters of a runtime, every page; the runtime's own `in-cluster` is left out. */
  listClusters(runtime: string, options: ListReadOptions = {}): Promise<ClusterInfo[]> {
    return this.memoized(`clusters/${runtime}`, () => this.fetchClusters(runtime), options.maxAgeMs);
  }

  private async fetchClusters(runtime: string): Promise<ClusterInfo[]> {
    type Raw = {
      metadata: { name: string; runtime: string; labels?: Pair[] | null; annotations?: Pair[] | null };
      server: string;
      info?: {
        connectionState?: { status: ClusterConnectionStatus; message?: string | null } | null;
        serverVersion?: string | null | undefined;
        cacheInfo?: { resourcesCount?: number | null; apisCount?: number | null } | null;
      } | null;
    };
    const nodes = await this.paginate<Raw>("clusters", documents.listClusters, { runtime }, (d) => (d as { clusters: Slice<Raw> }).clusters);
    return nodes
      .filter((n) => n.server !== "https://kubernetes.default.svc")
      .map((n) => ({
        name: n.metadata.name,
        runtime: n.metadata.runtime,
        server: n.server,
        connectionStatus: n.info?.connectionState?.status ?? "Unknown",
        connectionMessage: opt(n.info?.connectionState?.message) || undefined,
        serverVersion: opt(n.info?.serverVersion),
        labels: fromPairs(n.metadata.labels),
        annotations: fromPairs(n.metadata.annotations),
        resourcesCount: opt(n.info?.cacheInfo?.resourcesCount),
        apisCount: opt(n.info?.cacheInfo?.apisCount),
      }));
  }

  async getCluster(runtime: string, server: string, options: ListReadOptions = {}): Promise<ClusterInfo | undefined> {
    const wanted = server.replace(/\/+$/, "");
    return (await this.listClusters(runtime, options)).find((c) => c.server === wanted);
  }

  /**
   * Registers a cluster with the runtime, as Codefresh's add-cluster job does (`POST
   * {ingressHost}/app-proxy/api/clusters`). Registering the same server again updates it, so it is safe to repeat.
   */
  async addCluster(runtime: string, input: AddClusterInput): Promise<void> {
    this.secrets.add(input.token);
    const kubeconfig = {
      apiVersion: "v1",
      kind: "Config",
      "current-context": input.name,
      clusters: [
        {
          name: input.server.replace(/^https?:\/\//, ""),
          cluster: {
            server: input.server,
            ...(input.caData ? { "certificate-authority-data": input.caData } : {}),
            ...(input.insecureSkipTlsVerify ? { "insecure-skip-tls-verify": true } : {}),
          },
        },
      ],
      contexts: [{ name: input.name, context: { cluster: input.server.replace(/^https?:\/\//, ""), user: input.name } }],
      users: [{ name: input.name, user: { token: input.token } }],
    };
    const body = {
      name: input.name,
      kubeConfig: Buffer.from(JSON.stringify(kubeconfig)).toString("base64"),
      annotations: Buffer.from(toYaml(input.annotations ?? {})).toString("base64"),
      labels: Buffer.from(toYaml(input.labels ?? {})).toString("base64"),
    };
    const ingress = await this.ingress(runtime);
    await this.transport.postJson(`${ingress}/app-proxy/api/clusters`, "addCluster", body, { idempotent: true });
    this.forgetLists();
  }

  /** Removes the management link only (apps keep running); false when the cluster was not connected. */
  async removeCluster(runtime: string, server: string): Promise<boolean> {
    try {
      await this.appProxyCall(runtime, "removeCluster", documents.removeCluster, { server, runtime }, { idempotent: true });
      this.forgetLists();
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  /**
   * `createArgoRollouts` on the runtime's app-proxy (go-sdk `Cluster().CreateArgoRollouts`): Codefresh installs
   * Argo Rollouts on the cluster; safe to repeat (an install of the same cluster and namespace).
   */
  async createArgoRollouts(runtime: string, destServer: string, destNamespace: string): Promise<void> {
    await this.appProxyCall(runtime, "createArgoRollouts", documents.createArgoRollouts, { args: { destServer, destNamespace } }, { idempotent: true });
  }

  /**
   * One application of the runtime's git sources, undefined when Argo CD has none of that name (an operation
   * only our emulator offers; see unconfirmed.ts: against Codefresh, an UnsupportedOperationError).
   */
  async getApplication(runtime: string, name: string): Promise<ApplicationInfo | undefined> {
    type Raw = {
      metadata?: { name: string; namespace?: string | null; runtime: string } | null;
      repoURL?: string | null;
      path?: string | null;
      revision?: string | null;
      destination?: { server?: string | null; namespace?: string | null } | null;
      syncStatus: string;
      healthStatus?: string | null;
      healthMessage?: string | null;
    };
    try {
      const data = await this.platform<{ application: Raw | null }>("application", unconfirmed.application, { runtime, name });
      const a = data.application;
      if (!a) return undefined;
      return {
        name: a.metadata?.name ?? name,
        runtime: a.metadata?.runtime ?? runtime,
        repoURL: opt(a.repoURL),
        path: opt(a.path),
        revision: opt(a.revision),
        destServer: opt(a.destination?.server),
        destNamespace: opt(a.destination?.namespace),
        syncStatus: a.syncStatus,
        healthStatus: opt(a.healthStatus),
        healthMessage: opt(a.healthMessage),
      };
    } catch (error) {
      throw explainUnsupported(error, "application");
    }
  }

  // ---- hosted runtime's git connection ---------------------------------------------------------

  /**
   * Connects the hosted runtime's git provider; Codefresh then creates the shared configuration and git
   * source repos (an operation only our emulator offers; see unconfirmed.ts). Safe to repeat.
   */
  async connectGit(runtime: string, input: ConnectGitInput): Promise<void> {
    this.secrets.add(input.token);
    const args = {
      provider: input.provider,
      apiUrl: input.apiUrl,
      sharingPolicy: input.sharingPolicy ?? "ALL_USERS_IN_ACCOUNT",
      token: input.token,
      username: input.username,
      suggestedIscRepo: input.sharedConfigRepo,
      suggestedGsRepo: input.gitSourceRepo,
    };
    try {
      await this.appProxyCall(runtime, "initManagedRuntime", unconfirmed.initManagedRuntime, { args }, { idempotent: true });
      this.forgetLists();
    } catch (error) {
      throw explainUnsupported(error, "initManagedRuntime");
    }
  }

  /**
   * `addGitIntegration` on the runtime's app-proxy (go-sdk `GitIntegration().Add`): Codefresh refuses a name
   * that exists, so a retry after an unknown outcome first lists the runtime's integrations.
   */
  async addGitIntegration(
    runtime: string,
    input: { name: string; provider: GitProviderName; apiUrl: string; sharingPolicy?: "ACCOUNT_ADMINS" | "ALL_USERS_IN_ACCOUNT" | undefined },
  ): Promise<void> {
    const args = { name: input.name, provider: input.provider, apiUrl: input.apiUrl, sharingPolicy: input.sharingPolicy ?? "ALL_USERS_IN_ACCOUNT" };
    await this.appProxyCall(
      runtime,
      "addGitIntegration",
      documents.addGitIntegration,
      { args },
      {
        idempotent: false,
        recover: async () =>
          (await this.listGitIntegrations(runtime)).some((i) => i.name === input.name) ? { addGitIntegration: { name: input.name } } : undefined,
      },
    );
  }

  /**
   * `registerToGitIntegration` (go-sdk `GitIntegration().Register`): registers the calling user's git token
   * with the runtime's integration, which a hybrid runtime commits with. Registering again replaces the token.
   */
  async registerToGitIntegration(runtime: string, input: { name: string; token: string; username?: string | undefined }): Promise<void> {
    this.secrets.add(input.token);
    const args = { name: input.name, token: input.token, ...(input.username ? { username: input.username } : {}) };
    await this.appProxyCall(runtime, "registerToGitIntegration", documents.registerToGitIntegration, { args }, { idempotent: true });
    this.forgetLists();
  }

  async listGitIntegrations(runtime: string): Promise<{ name: string; provider: string; apiUrl: string | undefined; users: string[] }[]> {
    type Raw = { name: string; provider: string; apiUrl?: string | null; users?: { userId: string }[] | null };
    const data = await this.appProxyCall<{ gitIntegrations: Raw[] }>(runtime, "gitIntegrations", documents.gitIntegrations, {}, { idempotent: true });
    return data.gitIntegrations.map((i) => ({ name: i.name, provider: i.provider, apiUrl: opt(i.apiUrl), users: (i.users ?? []).map((u) => u.userId) }));
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /**
   * A recent list read is reused (see {@link listAge}), and concurrent readers share one request: a refresh
   * of N git sources then lists them once instead of N times (each list is all the sources). A read waits
   * {@link listJoinMs} for others before it is sent. A list sent before a write through this client
   * completed is never reused, so a client never reads its own writes stale; a read still waiting to be
   * sent serves every reader, whatever completed before it is sent.
   */
  private memoized<T>(key: string, load: () => Promise<T>, maxAgeMs: number = listAge.recent): Promise<T> {
    const hit = this.listMemo.get(key);
    if (hit && (hit.sentAt === undefined || (hit.sentAt > this.listsFreshAfter && hit.sentAt + maxAgeMs > Date.now()))) return hit.value as Promise<T>;
    const read: ListRead = { sentAt: undefined, value: Promise.resolve() };
    const value = new Promise<void>((resolve) => setTimeout(resolve, listJoinMs)).then(() => {
      read.sentAt = Date.now();
      return load();
    });
    read.value = value;
    this.listMemo.set(key, read);
    value.catch(() => {
      if (this.listMemo.get(key) === read) this.listMemo.delete(key);
    });
    return value;
  }

  private forgetLists(): void {
    this.listsFreshAfter = Date.now();
  }

  private platform<T>(operation: string, document: string, variables: Record<string, unknown>): Promise<T> {
    return this.transport.graphql<T>(this.graphqlUrl, operation, document, variables, { idempotent: true });
  }

  private async paginate<T>(operation: string, document: string, variables: Record<string, unknown>, pick: (data: unknown) => Slice<T>): Promise<T[]> {
    const nodes: T[] = [];
    let after: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const data = await this.platform<unknown>(operation, document, { ...variables, pagination: after === null ? { first: 100 } : { first: 100, after } });
      const slice = pick(data);
      nodes.push(...slice.edges.map((e) => e.node));
      if (!slice.pageInfo?.hasNextPage || !slice.pageInfo.endCursor) return nodes;
      after = slice.pageInfo.endCursor;
    }
    return nodes;
  }

  /** The runtime's app-proxy base URL: `internalIngressHost` when set, else `ingressHost` (go-sdk `AppProxy`). */
  private async ingress(runtime: string): Promise<string> {
    const cached = this.ingressCache.get(runtime);
    if (cached) return cached;
    const info = await this.getRuntime(runtime);
    if (!info) throw new NotFoundError("runtime", `runtime '${runtime}' does not exist`);
    const host = info.internalIngressHost || info.ingressHost;
    if (!host) throw new NotFoundError("runtime", `runtime '${runtime}' does not have ingressHost configured`);
    const base = host.replace(/\/+$/, "");
    this.ingressCache.set(runtime, base);
    return base;
  }

  private async appProxyCall<T>(
    runtime: string,
    operation: string,
    document: string,
    variables: Record<string, unknown>,
    call: { idempotent: boolean; recover?: () => Promise<T | undefined> },
  ): Promise<T> {
    const ingress = await this.ingress(runtime);
    return this.transport.graphql<T>(`${ingress}/app-proxy/api/graphql`, operation, document, variables, call);
  }
}

function explainUnsupported(error: unknown, operation: keyof typeof unconfirmed.uiInstructions): unknown {
  if (error instanceof UnsupportedOperationError) {
    return new UnsupportedOperationError(operation, unconfirmed.uiInstructions[operation], error.details);
  }
  return error;
}
