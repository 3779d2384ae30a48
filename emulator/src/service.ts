// What Codefresh does, per account: the behaviour behind both GraphQL surfaces and the REST cluster
// registration. Resolvers stay thin; business rules and their error messages live here.
import { randomBytes } from "node:crypto";
import { parse as parseYaml } from "yaml";
import type { ApplicationSync } from "./argo-sync";
import { checkClusterCredentials } from "./cluster-check";
import { businessError, RestError } from "./errors";
import type { ConnectGitArgs, GitEffects } from "./git-effects";
import { editableFieldsOf, type EditableGitSourceInput } from "./git-source-fields";
import { AccountRecord, ClusterRecord, EmulatorState, GitProvider, GitSourceRecord, hashApiKey, ReportedRuntimeError, RuntimeRecord } from "./model";
import { GitIntegrations, hostedGitProviders } from "./git-integrations";
import type { StateStore } from "./store";

export interface ServiceOptions {
  /** Time a hosted runtime stays IN_PROGRESS (Codefresh: up to ten minutes). */
  installDelayMs: number;
  /** Time a deleted runtime stays readable (Codefresh: up to five minutes). */
  deleteDelayMs: number;
  /** Time before a new git source's Application is reported (`self` non-null). */
  gitSourceDelayMs: number;
  /** How old a cluster's connection check may be before a read checks again. */
  clusterRecheckMs: number;
  /** Base URL of this emulator, for runtime ingress hosts. */
  baseUrl: () => string;
}

export const runtimeNamePattern = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const clusterNamePattern = /^[a-z]([-a-z\d]{0,61}[a-z\d])?$/;

/** The default name of the hosted runtime, as Codefresh's docs show it. */
/** The runtime's own cluster, as Argo CD names it. */
const inClusterServer = "https://kubernetes.default.svc";

export const defaultHostedRuntimeName = "codefresh-hosted";
/** The git source Codefresh creates when a hosted runtime's git provider is connected. */
export const defaultGitSourceName = "default-git-source";

/** What connecting a hosted runtime's git provider takes (go-sdk's InitManagedRuntimeArgs fields). */
export interface ConnectGitInput {
  provider: string;
  apiUrl?: string | null;
  sharingPolicy: string;
  token: string;
  refreshToken?: string | null;
  username?: string | null;
  suggestedIscRepo: string;
  suggestedGsRepo: string;
}

/** `createRuntime`'s input (go-sdk's RuntimeInstallationArgs). */
export interface RuntimeInstallationInput {
  runtimeName: string;
  runtimeNamespace?: string | null;
  cluster: string;
  installationType?: "HELM" | "HELM_HOSTED" | null;
  managed?: boolean | null;
  gitProvider?: string | null;
  runtimeVersion: string;
  chartVersion?: string | null;
  componentNames: (string | null)[];
  ingressHost?: string | null;
  internalIngressHost?: string | null;
  ingressClass?: string | null;
  ingressController?: string | null;
  repo?: string | null;
  recover?: boolean | null;
  accessMode?: "INGRESS" | "TUNNEL" | null;
}

export type RuntimePhase = "installing" | "ready" | "failed" | "deleting" | "gone";

export class CodefreshService {
  readonly integrations = new GitIntegrations(this);
  /** What the runtimes' Argo CD knows of the applications in their git sources (argo-sync.ts); set by the server. */
  applicationSync?: ApplicationSync;
  /** A hybrid runtime's first write lays out its directories once, however many writes arrive together. */
  private readonly runtimeLayouts = new Map<string, Promise<void>>();
  /** The git connection in progress per runtime (`accountId/runtime`); see {@link connectGit}. */
  private readonly gitConnections = new Map<string, Promise<null>>();

  constructor(
    readonly store: StateStore,
    readonly options: ServiceOptions,
    readonly git: GitEffects,
  ) {}

  now(): number {
    return Date.now() + this.store.current.clockOffsetMs;
  }

  accountForKey(apiKey: string | undefined): AccountRecord | undefined {
    if (!apiKey) return undefined;
    const hash = hashApiKey(apiKey);
    return Object.values(this.store.current.accounts).find((a) => a.apiKeyHashes.includes(hash));
  }

  // ---- runtimes --------------------------------------------------------------------------------

  phase(runtime: RuntimeRecord, now = this.now()): RuntimePhase {
    if (runtime.deleteDoneAt !== undefined) return now >= runtime.deleteDoneAt ? "gone" : "deleting";
    if (now < runtime.installReadyAt) return "installing";
    return runtime.installFails ? "failed" : "ready";
  }

  visibleRuntimes(account: AccountRecord): RuntimeRecord[] {
    const now = this.now();
    return Object.values(account.runtimes).filter((r) => this.phase(r, now) !== "gone");
  }

  runtime(account: AccountRecord, name: string): RuntimeRecord | undefined {
    const runtime = account.runtimes[name];
    return runtime && this.phase(runtime) !== "gone" ? runtime : undefined;
  }

  /** Where the emulator serves a runtime's app-proxy (a hosted runtime's ingress, a hybrid one's tunnel). */
  servedIngressHost(account: AccountRecord, runtime: string): string {
    return `${this.options.baseUrl()}/ingress/${account.id}/${runtime}`;
  }

  /** The runtime's `ingressHost`: a hybrid runtime registered with its own ingress reports that one. */
  ingressHost(account: AccountRecord, runtime: string): string {
    return account.runtimes[runtime]?.ingressHost ?? this.servedIngressHost(account, runtime);
  }

  /** Installs the account's hosted runtime; Codefresh allows one per account. */
  installHosted(accountId: string, runtimeName: string, options: { fail?: boolean } = {}): Promise<RuntimeRecord> {
    if (!runtimeNamePattern.test(runtimeName)) {
      throw businessError(`invalid runtime name "${runtimeName}": lowercase letters, digits and '-', starting with a letter`, "BAD_USER_INPUT");
    }
    return this.store.update((state) => {
      const account = mustAccount(state, accountId);
      purgeGone(this, account);
      const existing = Object.values(account.runtimes).find((r) => r.managed);
      const taken = account.runtimes[runtimeName];
      if (taken && !taken.managed) throw businessError(`runtime '${runtimeName}' already exists`, "CONFLICT");
      if (existing) {
        // The message is ours: Codefresh's own answer to a second hosted install is not public.
        throw businessError(`account already has a hosted runtime ("${existing.name}"); only one hosted runtime is allowed per account`, "CONFLICT");
      }
      const now = this.now();
      const runtime: RuntimeRecord = {
        name: runtimeName,
        namespace: runtimeName,
        managed: true,
        installationType: "HELM_HOSTED",
        runtimeVersion: "0.1.71",
        chartVersion: "0.19.0",
        createdAt: now,
        installReadyAt: now + this.options.installDelayMs,
        installFails: options.fail,
        iscInitialized: false,
      };
      account.runtimes[runtimeName] = runtime;
      return runtime;
    });
  }

  /**
   * `createRuntime`: registers a hybrid runtime, as the gitops-runtime Helm chart's app-proxy and
   * csdp-official's installer/install.sh do with the user's API key. Returns the runtime's new access token
   * (stored hashed). Hosted runtimes are Codefresh's to install: a user key cannot register one.
   */
  async registerRuntime(accountId: string, args: RuntimeInstallationInput): Promise<{ name: string; newAccessToken: string }> {
    if (args.managed === true || args.installationType === "HELM_HOSTED") {
      throw businessError(
        "hosted runtimes are installed by Codefresh, not with createRuntime (new ones only through Codefresh sales); register a hybrid runtime (installationType HELM)",
        "FORBIDDEN",
      );
    }
    if (!runtimeNamePattern.test(args.runtimeName)) {
      throw businessError(`invalid runtime name "${args.runtimeName}": lowercase letters, digits and '-', starting with a letter`, "BAD_USER_INPUT");
    }
    const ingressHost = args.ingressHost?.replace(/\/+$/, "") || undefined;
    if (ingressHost !== undefined && !/^https?:\/\/\S+$/.test(ingressHost)) {
      throw businessError(`ingressHost "${ingressHost}" must be an http(s) URL`, "BAD_USER_INPUT");
    }
    const newAccessToken = randomBytes(24).toString("hex");
    await this.store.update((state) => {
      const account = mustAccount(state, accountId);
      purgeGone(this, account);
      const existing = account.runtimes[args.runtimeName];
      if (existing && !(args.recover === true && !existing.managed)) {
        throw businessError(`runtime '${args.runtimeName}' already exists`, "CONFLICT");
      }
      const now = this.now();
      account.runtimes[args.runtimeName] = {
        ...existing,
        name: args.runtimeName,
        namespace: args.runtimeNamespace ?? existing?.namespace ?? args.runtimeName,
        managed: false,
        installationType: "HELM",
        runtimeVersion: args.runtimeVersion,
        chartVersion: args.chartVersion ?? existing?.chartVersion ?? args.runtimeVersion,
        createdAt: existing?.createdAt ?? now,
        installReadyAt: existing?.installReadyAt ?? now + this.options.installDelayMs,
        iscInitialized: existing?.iscInitialized ?? false,
        gitProvider: (args.gitProvider as GitProvider | null | undefined) ?? existing?.gitProvider,
        cluster: args.cluster,
        ingressHost,
        internalIngressHost: args.internalIngressHost ?? undefined,
        ingressClass: args.ingressClass ?? undefined,
        ingressController: args.ingressController ?? undefined,
        accessMode: args.accessMode ?? (ingressHost ? "INGRESS" : "TUNNEL"),
        componentNames: [...args.componentNames].filter((c): c is string => typeof c === "string"),
        repo: args.repo ?? undefined,
        accessTokenHash: hashApiKey(newAccessToken),
      };
    });
    return { name: args.runtimeName, newAccessToken };
  }

  /** `reportRuntimeErrors`: replaces what the runtime reported; an ERROR makes it DEGRADED. */
  reportRuntimeErrors(accountId: string, runtimeName: string, errors: ReportedRuntimeError[]): Promise<number> {
    return this.store.update((state) => {
      const runtime = this.runtime(mustAccount(state, accountId), runtimeName);
      if (!runtime) throw businessError(`runtime '${runtimeName}' does not exist`, "NOT_FOUND");
      runtime.reportedErrors = errors.map(({ level, message }) => ({ level, message }));
      return errors.length;
    });
  }

  /** `migrateRuntime` moves a CLI-installed runtime to the Helm chart; every runtime here is Helm-installed. */
  migrateRuntime(account: AccountRecord, runtimeName: string): never {
    const runtime = this.runtime(account, runtimeName);
    if (!runtime) throw businessError(`runtime '${runtimeName}' does not exist`, "NOT_FOUND");
    throw businessError(
      `runtime '${runtimeName}' is already installed with Helm (installationType ${runtime.installationType}); only CLI-installed runtimes can be migrated`,
      "FAILED_PRECONDITION",
    );
  }

  /** `deleteManagedRuntime`: only for the hosted runtime; a hybrid one is uninstalled with Helm and `deleteRuntime`. */
  deleteManagedRuntime(accountId: string, name: string): Promise<number> {
    const runtime = this.runtime(this.mustAccount(accountId), name);
    if (runtime && !runtime.managed) {
      throw businessError(`runtime '${name}' is not a hosted runtime; uninstall it with Helm and delete it with deleteRuntime`, "FAILED_PRECONDITION");
    }
    return this.deleteRuntime(accountId, name);
  }

  /** `deleteRuntime`/`deleteManagedRuntime`: the runtime stays readable until the delete delay passes. */
  deleteRuntime(accountId: string, name: string): Promise<number> {
    return this.store.update((state) => {
      const account = mustAccount(state, accountId);
      const runtime = account.runtimes[name];
      if (!runtime || this.phase(runtime) === "gone") {
        throw businessError(`runtime '${name}' does not exist`, "NOT_FOUND");
      }
      if (runtime.deleteDoneAt === undefined) {
        runtime.deleteRequestedAt = this.now();
        runtime.deleteDoneAt = this.now() + this.options.deleteDelayMs;
        // Its git sources, clusters and integrations go with it; account settings stay.
        for (const [key, source] of Object.entries(account.gitSources)) if (source.runtime === name) delete account.gitSources[key];
        for (const [key, cluster] of Object.entries(account.clusters)) if (cluster.runtime === name) delete account.clusters[key];
        for (const [key, integration] of Object.entries(account.gitIntegrations)) if (integration.runtime === name) delete account.gitIntegrations[key];
        for (const [key, rollouts] of Object.entries(account.rollouts)) if (rollouts.runtime === name) delete account.rollouts[key];
        for (const [key, app] of Object.entries(account.applications ?? {})) if (app.runtime === name) delete account.applications?.[key];
      }
      return 1;
    });
  }

  /**
   * Connects the hosted runtime's git provider: creates and initialises the Shared Configuration and git
   * source repositories, then records the provider, the account's settings, the default git integration and
   * git source. Asked through the (invented) initManagedRuntime mutation, or as a user would in the UI,
   * through the admin API (`POST /_emulator/ui/connect-git`).
   */
  connectGit(accountId: string, runtimeName: string, input: ConnectGitInput): Promise<null> {
    // One at a time per runtime, as its app-proxy connects git: a second request (two stacks at once, or a
    // retry) waits and then finds the repos the first made, instead of reading them half-initialised.
    const key = `${accountId}/${runtimeName}`;
    const run = (this.gitConnections.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.connectGitNow(accountId, runtimeName, input));
    this.gitConnections.set(key, run);
    const forget = () => {
      if (this.gitConnections.get(key) === run) this.gitConnections.delete(key);
    };
    run.then(forget, forget);
    return run;
  }

  private async connectGitNow(accountId: string, runtimeName: string, input: ConnectGitInput): Promise<null> {
    const account = this.mustAccount(accountId);
    const runtime = this.readyRuntime(account, runtimeName);
    if (!runtime.managed) throw businessError(`runtime '${runtime.name}' is not a hosted runtime`, "FAILED_PRECONDITION");
    if (!hostedGitProviders.includes(input.provider as GitProvider)) {
      throw businessError(`${input.provider} is not supported for hosted runtimes; use GITHUB, BITBUCKET (Bitbucket Cloud) or GERRIT`, "BAD_USER_INPUT");
    }
    const existingIsc = account.settings.sharedConfigRepo;
    if (existingIsc !== undefined && existingIsc !== input.suggestedIscRepo && this.visibleRuntimes(account).some((r) => r.iscInitialized)) {
      throw businessError(`the account already has a shared configuration repository (${existingIsc})`, "CONFLICT");
    }
    const apiUrl = input.apiUrl ?? undefined;
    if (!apiUrl) throw businessError("apiUrl is required by this emulator (it cannot reach public git providers)", "BAD_USER_INPUT");
    const connect: ConnectGitArgs = {
      provider: input.provider as ConnectGitArgs["provider"],
      apiUrl,
      token: input.token,
      username: input.username ?? undefined,
      iscRepo: input.suggestedIscRepo,
      gitSourceRepo: input.suggestedGsRepo,
      defaultGitSourceName,
    };
    await this.git.connectGit(account, runtime, connect);
    await this.store.update((state) => {
      const target = mustAccount(state, account.id);
      const stored = target.runtimes[runtime.name];
      // Missing only if its delete completed while git was being connected.
      if (!stored) throw businessError(`runtime '${runtime.name}' does not exist`, "NOT_FOUND");
      Object.assign(stored, {
        iscInitialized: true,
        gitProvider: connect.provider,
        gitApiUrl: apiUrl,
        gitToken: input.token,
        gitUsername: connect.username,
        defaultGitSourceRepo: input.suggestedGsRepo,
      });
      target.settings = { gitProvider: connect.provider, gitApiUrl: apiUrl, sharedConfigRepo: input.suggestedIscRepo, csdpValidated: true };
      target.gitIntegrations[`${runtime.name}/default`] = {
        runtime: runtime.name,
        name: "default",
        provider: connect.provider,
        apiUrl,
        sharingPolicy: input.sharingPolicy === "ACCOUNT_ADMINS" ? "ACCOUNT_ADMINS" : "ALL_USERS_IN_ACCOUNT",
        registrations: { [target.userId]: { token: input.token, username: connect.username, tokenType: "USER_TOKEN" } },
      };
      const key = `${runtime.name}/${defaultGitSourceName}`;
      if (!target.gitSources[key]) {
        target.gitSources[key] = {
          runtime: runtime.name,
          name: defaultGitSourceName,
          appSpecifier: input.suggestedGsRepo,
          repoURL: input.suggestedGsRepo.replace(/(\.git).*$/, "$1"),
          path: ".",
          revision: "HEAD",
          destServer: "https://kubernetes.default.svc",
          isInternal: false,
          createdAt: this.now(),
          readyAt: this.now(),
        };
      }
    });
    return null;
  }

  // ---- account settings ------------------------------------------------------------------------

  /** `updateCsdpSettings`: an upsert, refused once a runtime has cloned a different repo. */
  updateSettings(accountId: string, gitProvider: GitProvider, gitApiUrl: string, sharedConfigRepo: string): Promise<null> {
    if (!/^(https?:\/\/)(\S+)(\.git)(\S*)$/.test(sharedConfigRepo)) {
      throw businessError(`sharedConfigRepo "${sharedConfigRepo}" must look like https://<host>/<owner>/<repo>.git[/<path>][?ref=<branch>]`, "BAD_USER_INPUT");
    }
    return this.store.update((state) => {
      const account = mustAccount(state, accountId);
      const cloned = this.visibleRuntimes(account).some((r) => r.iscInitialized);
      if (cloned && account.settings.sharedConfigRepo !== undefined && account.settings.sharedConfigRepo !== sharedConfigRepo) {
        // Codefresh's wording is not public; the behaviour (refusal once cloned) is documented.
        throw businessError(
          "shared configuration repository cannot be changed: runtimes have already cloned it; contact Codefresh support to reset it",
          "FORBIDDEN",
        );
      }
      account.settings = { ...account.settings, gitProvider, gitApiUrl, sharedConfigRepo };
      return null;
    });
  }

  suggestIscRepo(accountId: string, suggested: string): Promise<string> {
    return this.store.update((state) => {
      const account = mustAccount(state, accountId);
      account.settings.sharedConfigRepo ??= suggested;
      return account.settings.sharedConfigRepo;
    });
  }

  // ---- git sources -----------------------------------------------------------------------------

  gitSourceReady(source: GitSourceRecord): boolean {
    return this.now() >= source.readyAt;
  }

  async createGitSource(
    accountId: string,
    runtimeName: string,
    input: {
      appName: string;
      appSpecifier: string;
      destServer: string;
      destNamespace?: string | null;
      labels?: string | null;
      isInternal?: boolean | null;
      createRepo?: boolean | null;
    } & EditableGitSourceInput,
  ): Promise<null> {
    if (!runtimeNamePattern.test(input.appName)) {
      throw businessError(
        `invalid git source name "${input.appName}": lowercase letters, digits and '-', starting with a letter, under 63 characters`,
        "BAD_USER_INPUT",
      );
    }
    const spec = parseAppSpecifier(input.appSpecifier);
    const labels = parseLabels(input.labels);
    const account = this.mustAccount(accountId);
    this.readyRuntime(account, runtimeName);
    if (account.gitSources[`${runtimeName}/${input.appName}`]) {
      throw businessError(`git source "${input.appName}" already exists in runtime "${runtimeName}"`, "CONFLICT");
    }
    const runtime = await this.writableRuntime(account, runtimeName);
    const source: GitSourceRecord = {
      runtime: runtimeName,
      name: input.appName,
      appSpecifier: input.appSpecifier,
      repoURL: spec.repoURL,
      path: spec.path,
      revision: spec.revision,
      destServer: input.destServer,
      destNamespace: input.destNamespace ?? undefined,
      labels,
      ...editableFieldsOf(input),
      configManagementPlugin: labels?.["codefresh.io/config-management-plugin"],
      isInternal: input.isInternal ?? false,
      createdAt: this.now(),
      readyAt: this.now() + this.options.gitSourceDelayMs,
    };
    // The manifest is committed first: a failed commit leaves no half-created source.
    await this.git.writeGitSource(account, runtime, source, { createRepo: input.createRepo === true });
    await this.store.update((state) => {
      const target = mustAccount(state, accountId);
      const key = `${runtimeName}/${input.appName}`;
      if (target.gitSources[key]) throw businessError(`git source "${input.appName}" already exists in runtime "${runtimeName}"`, "CONFLICT");
      target.gitSources[key] = source;
    });
    return null;
  }

  async editGitSource(accountId: string, runtimeName: string, input: { appName: string; appSpecifier: string } & EditableGitSourceInput): Promise<null> {
    const spec = parseAppSpecifier(input.appSpecifier);
    const account = this.mustAccount(accountId);
    this.readyRuntime(account, runtimeName);
    const key = `${runtimeName}/${input.appName}`;
    const existing = account.gitSources[key];
    if (!existing) throw businessError(`git source "${input.appName}" does not exist in runtime "${runtimeName}"`, "NOT_FOUND");
    const runtime = await this.writableRuntime(account, runtimeName);
    const updated: GitSourceRecord = {
      ...existing,
      appSpecifier: input.appSpecifier,
      repoURL: spec.repoURL,
      path: spec.path,
      revision: spec.revision,
      ...editableFieldsOf(input),
    };
    await this.git.writeGitSource(account, runtime, updated, { createRepo: false });
    await this.store.update((state) => {
      mustAccount(state, accountId).gitSources[key] = updated;
    });
    return null;
  }

  async deleteApplication(accountId: string, runtimeName: string, appName: string): Promise<null> {
    const account = this.mustAccount(accountId);
    this.readyRuntime(account, runtimeName);
    const key = `${runtimeName}/${appName}`;
    const existing = account.gitSources[key];
    if (!existing) throw businessError(`application "${appName}" does not exist in runtime "${runtimeName}"`, "NOT_FOUND");
    const runtime = await this.writableRuntime(account, runtimeName);
    await this.git.removeGitSource(account, runtime, existing);
    await this.store.update((state) => {
      delete mustAccount(state, accountId).gitSources[key];
    });
    return null;
  }

  // ---- clusters --------------------------------------------------------------------------------

  /** `POST /app-proxy/api/clusters`, as csdp-official's add-cluster.sh sends it. */
  async addCluster(
    accountId: string,
    runtimeName: string,
    body: { name?: unknown; kubeConfig?: unknown; annotations?: unknown; labels?: unknown },
  ): Promise<ClusterRecord> {
    const name = typeof body.name === "string" ? body.name : "";
    if (!clusterNamePattern.test(name)) {
      throw new RestError(400, `invalid cluster name "${name}": must match ${clusterNamePattern.source}`);
    }
    if (typeof body.kubeConfig !== "string" || body.kubeConfig === "") throw new RestError(400, "kubeConfig is required (base64 of a kubeconfig)");
    const kube = parseSubmittedKubeconfig(body.kubeConfig);
    const labels = decodeMap(body.labels, "labels");
    const annotations = decodeMap(body.annotations, "annotations");
    const account = this.mustAccount(accountId);
    this.readyRuntime(account, runtimeName);
    const sameName = Object.values(account.clusters).find((c) => c.runtime === runtimeName && c.name === name && c.server !== kube.server);
    if (sameName) throw new RestError(409, `cluster name "${name}" is already used by ${sameName.server} in runtime "${runtimeName}"`);
    const runtime = await this.writableRuntime(account, runtimeName);
    // The check reads the cluster and never fails (an unreachable one is Failed): it runs while the manifest is pushed.
    const [check] = await Promise.all([
      checkClusterCredentials(kube),
      this.git.writeCluster(account, runtime, { name, server: kube.server, labels, annotations }),
    ]);
    const record: ClusterRecord = {
      runtime: runtimeName,
      name,
      server: kube.server,
      caData: kube.caData,
      insecure: kube.insecure,
      token: kube.token,
      labels,
      annotations,
      createdAt: this.now(),
      connection: { status: check.status, message: check.message, checkedAt: this.now() },
      serverVersion: check.serverVersion,
      resourcesCount: check.resourcesCount,
      apisCount: check.apisCount,
    };
    await this.store.update((state) => {
      const target = mustAccount(state, accountId);
      const previous = target.clusters[`${runtimeName}/${kube.server}`];
      target.clusters[`${runtimeName}/${kube.server}`] = { ...record, createdAt: previous?.createdAt ?? record.createdAt };
    });
    return record;
  }

  async removeCluster(accountId: string, runtimeName: string, server: string): Promise<null> {
    const account = this.mustAccount(accountId);
    this.readyRuntime(account, runtimeName);
    const key = `${runtimeName}/${server}`;
    const existing = account.clusters[key];
    if (!existing) throw businessError(`cluster "${server}" is not connected to runtime "${runtimeName}"`, "NOT_FOUND");
    const runtime = await this.writableRuntime(account, runtimeName);
    await this.git.removeCluster(account, runtime, existing);
    await this.store.update((state) => {
      delete mustAccount(state, accountId).clusters[key];
    });
    return null;
  }

  /**
   * Argo CD's cluster info updater: in the background, every connection older than `clusterRecheckMs` (on the
   * emulator's clock, which the admin API can move) is checked again, so a revoked token shows as Failed within
   * that, and no read waits for it. Answers the function that stops it.
   */
  startClusterInfoUpdater(tickMs = 1_000): () => void {
    let running: Promise<void> | undefined;
    const timer = setInterval(() => {
      if (running) return; // one round at a time: a slow cluster delays the next round, not the reads
      running = Promise.allSettled(Object.keys(this.store.current.accounts).map((id) => this.refreshClusterConnections(id))).then(() => {
        running = undefined;
      });
    }, tickMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Re-checks the account's connections older than `clusterRecheckMs`. */
  async refreshClusterConnections(accountId: string): Promise<void> {
    const account = this.store.current.accounts[accountId];
    if (!account) return;
    const stale = Object.values(account.clusters).filter((c) => this.now() - c.connection.checkedAt >= this.options.clusterRecheckMs);
    if (stale.length === 0) return;
    const results = await Promise.all(
      stale.map(async (c) => ({
        key: `${c.runtime}/${c.server}`,
        check: await checkClusterCredentials({ server: c.server, caData: c.caData, insecure: c.insecure, token: c.token }),
      })),
    );
    await this.store.update((state) => {
      const target = mustAccount(state, accountId);
      for (const { key, check } of results) {
        const cluster = target.clusters[key];
        if (!cluster) continue;
        cluster.connection = { status: check.status, message: check.message, checkedAt: this.now() };
        cluster.serverVersion = check.serverVersion ?? cluster.serverVersion;
        cluster.resourcesCount = check.resourcesCount ?? cluster.resourcesCount;
        cluster.apisCount = check.apisCount ?? cluster.apisCount;
      }
    });
  }

  // ---- the Shared Configuration Repository, per runtime --------------------------------------------

  /**
   * The runtime as its app-proxy writes to git. A hosted runtime commits with the token given when git was
   * connected; a hybrid one with the calling user's token registered on its default git integration, and
   * its first write adds its layout to the account's Shared Configuration Repository.
   */
  async writableRuntime(account: AccountRecord, runtimeName: string): Promise<RuntimeRecord> {
    const runtime = this.readyRuntime(account, runtimeName);
    if (runtime.managed || runtime.gitToken) return runtime;
    const registration = this.integrations.registration(account.id, runtime.name, account.userId);
    if (!registration) {
      throw businessError(
        `runtime '${runtime.name}' has no git token of yours: register your git token with its git integration (registerToGitIntegration) first`,
        "FAILED_PRECONDITION",
      );
    }
    const writer: RuntimeRecord = {
      ...runtime,
      gitToken: registration.token,
      gitUsername: registration.username,
      gitProvider: runtime.gitProvider ?? registration.integration.provider,
      gitApiUrl: registration.integration.apiUrl,
    };
    if (!runtime.iscInitialized) {
      const key = `${account.id}/${runtime.name}`;
      let layout = this.runtimeLayouts.get(key);
      if (!layout) {
        layout = (async () => {
          await this.git.initRuntime(account, writer);
          await this.store.update((state) => {
            const stored = mustAccount(state, account.id).runtimes[runtime.name];
            if (stored) stored.iscInitialized = true;
          });
        })().finally(() => this.runtimeLayouts.delete(key));
        this.runtimeLayouts.set(key, layout);
      }
      await layout;
    }
    return writer;
  }

  /**
   * `createArgoRollouts`: installs Argo Rollouts on a cluster of the runtime (its own, `https://kubernetes.default.svc`,
   * for a hybrid runtime; a connected managed cluster for either kind) and, as Codefresh does, commits Argo Rollouts
   * and its rollout reporter to the Shared Configuration Repository (where: an emulator convention, unconfirmed).
   */
  async createArgoRollouts(accountId: string, runtimeName: string, destServer: string, destNamespace: string): Promise<null> {
    const account = this.mustAccount(accountId);
    const runtime = this.readyRuntime(account, runtimeName);
    const server = destServer.replace(/\/+$/, "");
    const cluster = account.clusters[`${runtimeName}/${server}`];
    if (server === inClusterServer && runtime.managed) {
      throw businessError(
        `runtime '${runtimeName}' is a hosted runtime: its own cluster is Codefresh's; install Argo Rollouts on one of its managed clusters`,
        "FAILED_PRECONDITION",
      );
    }
    if (server !== inClusterServer && !cluster) throw businessError(`cluster "${server}" is not connected to runtime "${runtimeName}"`, "NOT_FOUND");
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(destNamespace))
      throw businessError(`destNamespace "${destNamespace}" is not a namespace name`, "BAD_USER_INPUT");
    const writer = await this.writableRuntime(account, runtimeName);
    await this.git.writeArgoRollouts(account, writer, { clusterName: cluster?.name ?? "in-cluster", destServer: server, destNamespace });
    await this.store.update((state) => {
      mustAccount(state, accountId).rollouts[`${runtimeName}/${server}/${destNamespace}`] = { runtime: runtimeName, destServer: server, destNamespace };
    });
    return null;
  }

  /** `removeRuntimeFromIscRepo`: commits the removal of the runtime's directories; answers how many manifests went. */
  async removeRuntimeFromIsc(accountId: string, runtimeName: string): Promise<number> {
    const account = this.mustAccount(accountId);
    const runtime = this.readyRuntime(account, runtimeName);
    if (!runtime.iscInitialized) return 0;
    const writer = await this.writableRuntime(account, runtimeName);
    const manifests =
      1 + // runtimes/<runtime>/in-cluster.yaml
      Object.values(account.clusters).filter((c) => c.runtime === runtimeName).length +
      Object.values(account.gitSources).filter((g) => g.runtime === runtimeName && g.name !== defaultGitSourceName).length;
    await this.git.removeRuntime(account, writer);
    await this.store.update((state) => {
      const stored = mustAccount(state, accountId).runtimes[runtimeName];
      if (stored) stored.iscInitialized = false;
    });
    return manifests;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  mustAccount(accountId: string): AccountRecord {
    return mustAccount(this.store.current, accountId);
  }

  /** The runtime, installed and not being deleted; app-proxy operations need one. */
  readyRuntime(account: AccountRecord, name: string): RuntimeRecord {
    const runtime = account.runtimes[name];
    const phase = runtime ? this.phase(runtime) : "gone";
    if (!runtime || phase === "gone") throw businessError(`runtime '${name}' does not exist`, "NOT_FOUND");
    if (phase !== "ready") throw businessError(`runtime '${name}' is not ready (${phase})`, "FAILED_PRECONDITION");
    return runtime;
  }
}

/** The account in `state`, or the unknown account's error (the resolvers' writes use it too). */
export function mustAccount(state: EmulatorState, accountId: string): AccountRecord {
  const account = state.accounts[accountId];
  if (!account) throw businessError("account not found", "UNAUTHENTICATED");
  return account;
}

function purgeGone(service: CodefreshService, account: AccountRecord): void {
  for (const [name, runtime] of Object.entries(account.runtimes)) {
    if (service.phase(runtime) === "gone") delete account.runtimes[name];
  }
}

/** `https://host/owner/repo.git/path?ref=branch` (or without `.git`) → repo URL, path, revision. */
export function parseAppSpecifier(specifier: string): { repoURL: string; path: string; revision: string } {
  let url: URL;
  try {
    url = new URL(specifier);
  } catch {
    throw businessError(`appSpecifier "${specifier}" is not a URL`, "BAD_USER_INPUT");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw businessError(`appSpecifier "${specifier}" must be an http(s) URL`, "BAD_USER_INPUT");
  const revision = url.searchParams.get("ref") ?? "HEAD";
  const segments = url.pathname.split("/").filter((s) => s !== "");
  const gitIndex = segments.findIndex((s) => s.endsWith(".git"));
  const repoSegments = gitIndex >= 0 ? segments.slice(0, gitIndex + 1) : segments.slice(0, 2);
  if (repoSegments.length < 2) throw businessError(`appSpecifier "${specifier}" does not name a repository`, "BAD_USER_INPUT");
  const path = segments.slice(repoSegments.length).join("/");
  if (path.split("/").includes("..")) throw businessError(`appSpecifier "${specifier}" must not contain '..'`, "BAD_USER_INPUT");
  const repoPath = repoSegments.join("/");
  return { repoURL: `${url.origin}/${repoPath.endsWith(".git") ? repoPath : `${repoPath}.git`}`, path: path === "" ? "." : path, revision };
}

function parseLabels(text: string | null | undefined): Record<string, string> | undefined {
  if (text === null || text === undefined || text.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch {
    throw businessError("labels must be a YAML or JSON map of strings", "BAD_USER_INPUT");
  }
  return toStringMap(parsed, "labels", businessError);
}

function toStringMap(value: unknown, field: string, fail: (message: string, code: string) => Error): Record<string, string> {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw fail(`${field} must be a map of strings`, "BAD_USER_INPUT");
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item !== "string") throw fail(`${field}.${key} must be a string`, "BAD_USER_INPUT");
    out[key] = item;
  }
  return out;
}

function decodeMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null || value === "") return {};
  if (typeof value !== "string") throw new RestError(400, `${field} must be base64 of a YAML map`);
  let parsed: unknown;
  try {
    parsed = parseYaml(Buffer.from(value, "base64").toString("utf8"));
  } catch {
    throw new RestError(400, `${field} must be base64 of a YAML map`);
  }
  return toStringMap(parsed, field, (message) => new RestError(400, message));
}

export interface SubmittedKubeconfig {
  server: string;
  caData?: string | undefined;
  insecure: boolean;
  token: string;
}

/** add-cluster.sh sends `kubectl config view --minify --flatten -o json | base64`. */
export function parseSubmittedKubeconfig(base64: string): SubmittedKubeconfig {
  let doc: unknown;
  try {
    doc = parseYaml(Buffer.from(base64, "base64").toString("utf8"));
  } catch {
    throw new RestError(400, "kubeConfig is not base64 of a kubeconfig");
  }
  // Submitted by anyone: read every level as unknown, so a kubeconfig of the wrong shape is a 400, not a crash.
  const root = asRecord(doc);
  const named = (list: unknown, name: unknown, entry: string) => {
    const items = Array.isArray(list) ? list.map(asRecord) : [];
    const item = typeof name === "string" ? items.find((i) => i.name === name) : undefined;
    return asRecord(item?.[entry]);
  };
  const currentContext = root["current-context"];
  const contexts = Array.isArray(root.contexts) ? root.contexts.map(asRecord) : [];
  const context = asRecord((contexts.find((c) => c.name === currentContext) ?? contexts[0])?.context);
  const cluster = named(root.clusters, context.cluster, "cluster");
  const user = named(root.users, context.user, "user");
  if (typeof cluster.server !== "string" || cluster.server === "") throw new RestError(400, "kubeConfig has no cluster server for its current context");
  if (typeof user.token !== "string" || user.token === "") throw new RestError(400, "kubeConfig has no bearer token for its current context");
  const caData = cluster["certificate-authority-data"];
  if (caData !== undefined && typeof caData !== "string") throw new RestError(400, "kubeConfig's certificate-authority-data must be a string");
  return {
    server: cluster.server.replace(/\/+$/, ""),
    caData,
    insecure: cluster["insecure-skip-tls-verify"] === true,
    token: user.token,
  };
}

/** `value` if it is a map, else an empty one. */
function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
