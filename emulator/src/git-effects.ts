// What a runtime's app-proxy writes to git: the Shared Configuration Repository's layout when git is
// connected, one Application manifest per git source and per managed cluster. Real commits in the
// configured git server: the repos are created through the provider's API (git-hosting.ts), and written
// with git (git-commits.ts). Nothing secret is ever committed.
import { join } from "node:path";
import { stringify } from "yaml";
import { FileChange, GitCommitter } from "./git-commits";
import { createRepository, GitHostingAccount, HostedGitProvider } from "./git-hosting";
import { directoryFieldsOf } from "./git-source-fields";
import type { AccountRecord, ClusterRecord, GitSourceRecord, RuntimeRecord } from "./model";
import { businessError } from "./errors";
import { inRepoDirectory, parseRepoUrl, RepoRef } from "./repo-url";

export interface GitEffects {
  connectGit(account: AccountRecord, runtime: RuntimeRecord, args: ConnectGitArgs): Promise<void>;
  writeGitSource(account: AccountRecord, runtime: RuntimeRecord, source: GitSourceRecord, options: { createRepo: boolean }): Promise<void>;
  removeGitSource(account: AccountRecord, runtime: RuntimeRecord, source: GitSourceRecord): Promise<void>;
  writeCluster(account: AccountRecord, runtime: RuntimeRecord, cluster: ClusterManifestFields): Promise<void>;
  removeCluster(account: AccountRecord, runtime: RuntimeRecord, cluster: ClusterRecord): Promise<void>;
  /** A hybrid runtime's first write: the account's Shared Configuration Repository (created if missing) gains the runtime's layout. */
  initRuntime(account: AccountRecord, runtime: RuntimeRecord): Promise<void>;
  /** `removeRuntimeFromIscRepo`: the runtime's directories leave the Shared Configuration Repository, in one commit. */
  removeRuntime(account: AccountRecord, runtime: RuntimeRecord): Promise<void>;
  /** `createArgoRollouts`: Argo Rollouts and its rollout reporter for one cluster, committed to the Shared Configuration Repository. */
  writeArgoRollouts(account: AccountRecord, runtime: RuntimeRecord, target: ArgoRolloutsTarget): Promise<void>;
}

/** Where `createArgoRollouts` installs Argo Rollouts: a cluster of the runtime (`in-cluster`: its own) and a namespace. */
export interface ArgoRolloutsTarget {
  clusterName: string;
  destServer: string;
  destNamespace: string;
}

/**
 * UNCONFIRMED (emulator convention, see schema/unconfirmed.ts): where `createArgoRollouts` commits Argo Rollouts'
 * and its rollout reporter's Applications for one cluster. Codefresh's app-proxy is not public; the components are
 * those of csdp-official's runtime definition (`csdp/hybrid/basic/apps/{argo-rollouts,rollout-reporter}`).
 */
export function argoRolloutsManifestPaths(runtime: string, clusterName: string): { rollouts: string; reporter: string } {
  return { rollouts: `resources/${runtime}/argo-rollouts-${clusterName}.yaml`, reporter: `resources/${runtime}/rollout-reporter-${clusterName}.yaml` };
}

/** What a cluster's manifest holds: not its connection check, which runs while the manifest is pushed. */
export type ClusterManifestFields = Pick<ClusterRecord, "name" | "server" | "labels" | "annotations">;

export interface ConnectGitArgs {
  provider: HostedGitProvider;
  apiUrl: string;
  token: string;
  username?: string | undefined;
  iscRepo: string;
  gitSourceRepo: string;
  defaultGitSourceName: string;
}

export interface GitEffectsOptions {
  /** Extra CA bundle for the git server (a local server with its own certificate). */
  caBundle?: string | undefined;
  /** Where the app-proxy keeps its clones of the Shared Configuration Repository. */
  workDir: string;
}

const internalLabels = { "codefresh.io/entity": "internal-config", "codefresh.io/internal": "true" };

export function gitSourceManifestPath(runtime: string, name: string): string {
  return `resources/${runtime}/${name}.yaml`;
}

export function clusterManifestPath(runtime: string, cluster: string): string {
  return `runtimes/${runtime}/${cluster}.yaml`;
}

export class GitServerEffects implements GitEffects {
  /** Commits to the Shared Configuration Repository, grouping concurrent changes (see git-commits.ts). */
  private readonly committer: GitCommitter;

  constructor(private readonly options: GitEffectsOptions) {
    this.committer = new GitCommitter({ workDir: join(options.workDir, "clones"), caBundle: options.caBundle });
  }

  /** Paths relative to the repository URL's directory, like the app-proxy's. */
  private commitTo(runtime: Pick<RuntimeRecord, "gitToken" | "gitUsername">, repo: RepoRef, changes: FileChange[], message: string): Promise<void> {
    if (!runtime.gitToken) throw businessError("the runtime has no git token; connect git first", "FAILED_PRECONDITION");
    const rooted = changes.map((change) => ({ ...change, path: inRepoDirectory(repo, change.path) }));
    return this.committer.commit(repo, { token: runtime.gitToken, username: runtime.gitUsername }, rooted, message);
  }

  /** The runtime's connected git provider, as the app-proxy reaches it. */
  private hosting(runtime: RuntimeRecord): GitHostingAccount {
    if (!runtime.gitProvider || !runtime.gitToken || !runtime.gitApiUrl) {
      throw businessError(`runtime '${runtime.name}' has no git provider connected; connect git first`, "FAILED_PRECONDITION");
    }
    return {
      provider: runtime.gitProvider as HostedGitProvider,
      apiUrl: runtime.gitApiUrl,
      token: runtime.gitToken,
      username: runtime.gitUsername,
      caBundle: this.options.caBundle,
    };
  }

  private isc(account: AccountRecord): RepoRef {
    if (!account.settings.sharedConfigRepo) {
      throw businessError("the account has no shared configuration repository; connect git first", "FAILED_PRECONDITION");
    }
    return parseRepoUrl(account.settings.sharedConfigRepo, "sharedConfigRepo");
  }

  async connectGit(_account: AccountRecord, runtime: RuntimeRecord, args: ConnectGitArgs): Promise<void> {
    const hosting: GitHostingAccount = {
      provider: args.provider,
      apiUrl: args.apiUrl,
      token: args.token,
      username: args.username,
      caBundle: this.options.caBundle,
    };
    const credentials = { gitToken: args.token, gitUsername: args.username };
    const isc = parseRepoUrl(args.iscRepo, "suggestedIscRepo");
    const sourceRepo = parseRepoUrl(args.gitSourceRepo, "suggestedGsRepo");
    // The two repositories are independent: each is created and initialised on its own, side by side, and
    // both finish before a failure of either is reported.
    const settled = await Promise.allSettled([
      createRepository(hosting, isc, { description: "Codefresh shared configuration repository" }).then(() =>
        this.commitTo(credentials, isc, iscSkeleton(isc, runtime), `Initialise the shared configuration repository for runtime ${runtime.name}`),
      ),
      createRepository(hosting, sourceRepo, { description: "Codefresh git source: the applications Argo CD syncs" }).then(() =>
        this.commitTo(
          credentials,
          sourceRepo,
          [{ path: "README.md", content: "# codefresh-runtime-applications\n\nManifests of the applications Argo CD syncs.\n" }],
          "Initialise the git source repository",
        ),
      ),
    ]);
    for (const result of settled) if (result.status === "rejected") throw result.reason;
  }

  async writeGitSource(account: AccountRecord, runtime: RuntimeRecord, source: GitSourceRecord, options: { createRepo: boolean }): Promise<void> {
    const hosting = this.hosting(runtime);
    if (options.createRepo) {
      await createRepository(hosting, parseRepoUrl(source.appSpecifier, "appSpecifier"));
    }
    const isc = this.isc(account);
    const manifest = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: source.name,
        labels: { ...(source.labels ?? {}), "codefresh.io/entity": "git-source", "codefresh.io/internal": String(source.isInternal) },
      },
      spec: {
        project: "default",
        source: {
          repoURL: source.repoURL,
          path: source.path,
          targetRevision: source.revision,
          ...(source.configManagementPlugin
            ? { plugin: { name: source.configManagementPlugin } }
            : { directory: { recurse: true, ...directoryFieldsOf(source) } }),
        },
        destination: { server: source.destServer, namespace: source.destNamespace },
        syncPolicy: { automated: { allowEmpty: true, prune: true, selfHeal: true } },
      },
    };
    await this.commitTo(runtime, isc, [{ path: gitSourceManifestPath(runtime.name, source.name), content: stringify(manifest) }], `Git source ${source.name}`);
  }

  async removeGitSource(account: AccountRecord, runtime: RuntimeRecord, source: GitSourceRecord): Promise<void> {
    const isc = this.isc(account);
    await this.commitTo(runtime, isc, [{ path: gitSourceManifestPath(runtime.name, source.name), content: null }], `Remove git source ${source.name}`);
  }

  async writeCluster(account: AccountRecord, runtime: RuntimeRecord, cluster: ClusterManifestFields): Promise<void> {
    const isc = this.isc(account);
    const manifest = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: `cluster-${cluster.name}`, labels: { ...internalLabels, "codefresh.io/cluster": cluster.name } },
      spec: {
        project: "default",
        source: {
          repoURL: isc.cloneUrl,
          path: inRepoDirectory(isc, `resources/runtimes/${runtime.name}`),
          targetRevision: "HEAD",
          directory: { recurse: true },
        },
        destination: { server: cluster.server },
        info: [
          ...Object.entries(cluster.labels).map(([name, value]) => ({ name: `label:${name}`, value })),
          ...Object.entries(cluster.annotations).map(([name, value]) => ({ name: `annotation:${name}`, value })),
        ],
      },
    };
    await this.commitTo(runtime, isc, [{ path: clusterManifestPath(runtime.name, cluster.name), content: stringify(manifest) }], `Cluster ${cluster.name}`);
  }

  async removeCluster(account: AccountRecord, runtime: RuntimeRecord, cluster: ClusterRecord): Promise<void> {
    const isc = this.isc(account);
    await this.commitTo(runtime, isc, [{ path: clusterManifestPath(runtime.name, cluster.name), content: null }], `Remove cluster ${cluster.name}`);
  }

  async writeArgoRollouts(account: AccountRecord, runtime: RuntimeRecord, target: ArgoRolloutsTarget): Promise<void> {
    const isc = this.isc(account);
    const paths = argoRolloutsManifestPaths(runtime.name, target.clusterName);
    const application = (name: string, component: string) => ({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: `${name}-${target.clusterName}`,
        labels: { ...internalLabels, "codefresh.io/cluster": target.clusterName, "codefresh.io/component": name },
      },
      spec: {
        project: "default",
        source: { repoURL: "https://github.com/codefresh-io/csdp-official.git", path: `csdp/hybrid/basic/apps/${component}`, targetRevision: "HEAD" },
        destination: { server: target.destServer, namespace: target.destNamespace },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
      },
    });
    await this.commitTo(
      runtime,
      isc,
      [
        { path: paths.rollouts, content: stringify(application("argo-rollouts", "argo-rollouts")) },
        { path: paths.reporter, content: stringify(application("rollout-reporter", "rollout-reporter")) },
      ],
      `Argo Rollouts on ${target.clusterName}`,
    );
  }

  async initRuntime(account: AccountRecord, runtime: RuntimeRecord): Promise<void> {
    const isc = this.isc(account);
    await createRepository(this.hosting(runtime), isc, { description: "Codefresh shared configuration repository" });
    await this.commitTo(runtime, isc, iscSkeleton(isc, runtime), `Add runtime ${runtime.name} to the shared configuration repository`);
  }

  async removeRuntime(account: AccountRecord, runtime: RuntimeRecord): Promise<void> {
    const isc = this.isc(account);
    await this.commitTo(
      runtime,
      isc,
      runtimeDirectories(runtime.name).map((path) => ({ path, content: null })),
      `Remove runtime ${runtime.name} from the shared configuration repository`,
    );
  }
}

/** The directories of the Shared Configuration Repository that belong to one runtime. */
export function runtimeDirectories(runtime: string): string[] {
  return [`runtimes/${runtime}`, `resources/${runtime}`, `resources/runtimes/${runtime}`];
}

/** What connecting git commits to a new Shared Configuration Repository for a runtime. */
function iscSkeleton(isc: RepoRef, runtime: RuntimeRecord): FileChange[] {
  const include = [
    "all-runtimes-all-clusters/*.yaml",
    "all-runtimes-all-clusters/**/*.yaml",
    `runtimes/${runtime.name}/*.yaml`,
    `runtimes/${runtime.name}/**/*.yaml`,
    "control-planes/*.yaml",
    "control-planes/**/*.yaml",
    `${runtime.name}/*.yaml`,
  ].join(",");
  return [
    { path: "README.md", content: "# codefresh-isc\n\nCodefresh Internal Shared Configurations.\n" },
    { path: "resources/all-runtimes-all-clusters/README.md", content: "Resources applied by every runtime to every cluster.\n" },
    { path: "resources/control-planes/README.md", content: "Resources applied to each runtime's own cluster.\n" },
    { path: "resources/app-projects/README.md", content: "Argo CD AppProjects.\n" },
    {
      path: `runtimes/${runtime.name}/in-cluster.yaml`,
      content: stringify({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: "in-cluster", labels: internalLabels },
        spec: {
          project: "default",
          source: {
            repoURL: isc.cloneUrl,
            path: inRepoDirectory(isc, "resources"),
            targetRevision: "HEAD",
            directory: { recurse: true, include: `{${include}}` },
          },
          destination: { namespace: runtime.namespace, server: "https://kubernetes.default.svc" },
          syncPolicy: { automated: { allowEmpty: true, prune: true, selfHeal: true }, syncOptions: ["allowEmpty=true"] },
        },
      }),
    },
  ];
}
