// CodefreshGitOps: the whole Codefresh GitOps set-up as one component — a runtime (an existing one read by
// name, or the account's hosted runtime), its git connection and Shared Configuration Repository, and lists of git
// sources and clusters, with the dependencies Codefresh needs. Each list entry is one child named after the entry,
// so a change of one entry touches only that child. The arguments are plain interfaces (no intersections or
// computed types): other languages' programs get them through the component provider host's schema inference.
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../errors";
import type { GitProviderName } from "../platform";
import { GitSource } from "../resources/git-source";
import { HostedRuntime } from "../resources/hosted-runtime";
import { ManagedCluster } from "../resources/managed-cluster";
import { Runtime } from "../resources/runtime";
import { SharedConfigRepo } from "../resources/shared-config-repo";

/** One git source of the runtime. */
export interface CodefreshGitSourceArgs {
  /** The git source's name in Codefresh, and its child's name. Lowercase letters, digits and '-'. */
  name: string;
  /** The repository, `https://<host>/<owner>/<repo>.git`. */
  repoUrl: pulumi.Input<string>;
  /** The directory of the repository Argo CD syncs. @default "." */
  path?: pulumi.Input<string>;
  /** The branch. @default the repository's default branch */
  branch?: pulumi.Input<string>;
  /** Glob of the files to sync, for example `*.yaml`. */
  include?: pulumi.Input<string>;
  /** Glob of the files to leave out. */
  exclude?: pulumi.Input<string>;
  /** The namespace the git source's Application applies to. */
  destNamespace?: pulumi.Input<string>;
  /** Ask Codefresh to create the repository if it does not exist. @default false */
  createRepo?: pulumi.Input<boolean>;
  /** Manage a git source that exists already (made in the UI). @default false */
  adopt?: pulumi.Input<boolean>;
}

/** One cluster the runtime manages. */
export interface CodefreshClusterArgs {
  /** The cluster's name in Codefresh, and its child's name. Lowercase letters, digits and '-'. */
  name: string;
  /** Admin kubeconfig of the cluster (content). Secret. One of kubeconfig and kubeconfigPath. */
  kubeconfig?: pulumi.Input<string>;
  /** Path of the admin kubeconfig on the machine that runs Pulumi. */
  kubeconfigPath?: pulumi.Input<string>;
  /** Kubeconfig context. @default the current context */
  context?: pulumi.Input<string>;
  /** The ServiceAccount Codefresh's Argo CD uses. @default "argocd-manager" */
  serviceAccountName?: pulumi.Input<string>;
  /** Labels on the cluster in Codefresh. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations on the cluster in Codefresh. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Take over a registration no stack manages. @default false */
  adopt?: pulumi.Input<boolean>;
}

export interface CodefreshGitOpsArgs {
  /**
   * The name of an existing runtime (a hybrid runtime installed with the gitops-runtime Helm chart, or the hosted
   * runtime installed in the UI): read, never changed or deleted. Leave it out to declare the hosted runtime.
   */
  runtimeName?: pulumi.Input<string>;
  /**
   * Without `runtimeName`: the account's hosted runtime is installed (on Codefresh's emulator and in the demo), or
   * with `adoptHostedRuntime: true` taken over as it is (what a real account needs: no public API installs one).
   */
  adoptHostedRuntime?: boolean;
  /** Protect the hosted runtime from deletion (deleting it drops every connection). @default true */
  protectHostedRuntime?: boolean;
  /**
   * `GITHUB`, `BITBUCKET` (Bitbucket Cloud) or `GERRIT` (a string, not a union of them: the component host's schema
   * inference takes no unions; `SharedConfigRepo`'s check refuses any other value, naming the field).
   */
  gitProvider: pulumi.Input<string>;
  /** The Shared Configuration Repository, `https://<host>/<owner>/<repo>.git[/<path>][?ref=<branch>]`. */
  sharedConfigRepoUrl: pulumi.Input<string>;
  /** A hosted runtime's default git source repository. @default the owner's `codefresh-runtime-applications.git` */
  gitSourceRepoUrl?: pulumi.Input<string>;
  /** The git provider's API URL. @default derived from the repository's host */
  gitApiUrl?: pulumi.Input<string>;
  /** A token that can create and push to repositories of the owner (hybrid runtimes: registered as your token). Secret. */
  gitToken: pulumi.Input<string>;
  /** Bitbucket app passwords and Gerrit HTTP passwords need the user name. */
  gitUsername?: pulumi.Input<string>;
  /** Take over account settings made in the UI. @default false */
  adoptSharedConfigRepo?: pulumi.Input<boolean>;
  /** The git sources. */
  gitSources?: CodefreshGitSourceArgs[];
  /** The managed clusters. */
  clusters?: CodefreshClusterArgs[];
}

/** Where an argument of the component goes: an input of a child resource, whose check refuses a bad value naming it. */
export interface ChildInputRoute {
  readonly child: "Runtime" | "HostedRuntime" | "SharedConfigRepo";
  readonly input: string;
}

/** A list argument: one child per entry, each field of an entry an input of that child. */
export interface ChildListRoute<E> {
  readonly child: "GitSource" | "ManagedCluster";
  readonly each: { readonly [K in keyof E]-?: string };
}

/**
 * How each argument reaches a child (every argument is listed, or this does not compile); `component` marks one
 * the component uses itself (a resource option), and checks itself. Tests derive the component's bad inputs from it.
 */
export const gitOpsArgRoutes = {
  runtimeName: { child: "Runtime", input: "name" },
  adoptHostedRuntime: { child: "HostedRuntime", input: "adopt" },
  protectHostedRuntime: { component: "boolean" },
  gitProvider: { child: "SharedConfigRepo", input: "gitProvider" },
  sharedConfigRepoUrl: { child: "SharedConfigRepo", input: "repoUrl" },
  gitSourceRepoUrl: { child: "SharedConfigRepo", input: "gitSourceRepoUrl" },
  gitApiUrl: { child: "SharedConfigRepo", input: "gitApiUrl" },
  gitToken: { child: "SharedConfigRepo", input: "gitToken" },
  gitUsername: { child: "SharedConfigRepo", input: "gitUsername" },
  adoptSharedConfigRepo: { child: "SharedConfigRepo", input: "adopt" },
  gitSources: {
    child: "GitSource",
    each: {
      name: "name",
      repoUrl: "repoUrl",
      path: "path",
      branch: "branch",
      include: "include",
      exclude: "exclude",
      destNamespace: "destNamespace",
      createRepo: "createRepo",
      adopt: "adopt",
    },
  },
  clusters: {
    child: "ManagedCluster",
    each: {
      name: "name",
      kubeconfig: "kubeconfig",
      kubeconfigPath: "kubeconfigPath",
      context: "context",
      serviceAccountName: "serviceAccountName",
      labels: "labels",
      annotations: "annotations",
      adopt: "adopt",
    },
  },
} as const satisfies {
  readonly [K in keyof CodefreshGitOpsArgs]-?: K extends "gitSources"
    ? ChildListRoute<CodefreshGitSourceArgs>
    : K extends "clusters"
      ? ChildListRoute<CodefreshClusterArgs>
      : ChildInputRoute | { readonly component: "boolean" };
};

/** A refusal of the component's arguments: the argument's path (`gitSources[0].repoURL`) and the fix. */
export interface GitOpsArgFailure {
  readonly property: string;
  readonly reason: string;
}

function unknownKeys(given: object, declared: readonly string[], where: string, failures: GitOpsArgFailure[]): void {
  for (const key of Object.keys(given)) {
    if (declared.includes(key)) continue;
    const near = declared.find((name) => name.toLowerCase() === key.toLowerCase());
    failures.push({
      property: `${where}${key}`,
      reason: `is not an argument of CodefreshGitOps${where ? ` ${where.replace(/\.$/, "")}` : ""}: ${near ? `did you mean ${near}?` : "remove it"} (its arguments: ${declared.join(", ")})`,
    });
  }
}

/**
 * What the component checks itself, before it declares a child: the arguments it uses itself, the lists' shape,
 * and keys it does not declare (which it would drop silently). Every other value is checked by the child it goes to.
 */
export function gitOpsArgFailures(args: unknown): GitOpsArgFailure[] {
  const failures: GitOpsArgFailure[] = [];
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return [{ property: "args", reason: "must be an object of the component's arguments (gitProvider, sharedConfigRepoUrl, gitToken, ...)" }];
  }
  const given = args as Record<string, unknown>;
  unknownKeys(given, Object.keys(gitOpsArgRoutes), "", failures);
  for (const [key, route] of Object.entries(gitOpsArgRoutes)) {
    const value = given[key];
    if (value === undefined) continue;
    if ("component" in route && typeof value !== "boolean") failures.push({ property: key, reason: "must be true or false" });
    if (!("each" in route)) continue;
    if (!Array.isArray(value)) {
      failures.push({ property: key, reason: `must be a list of ${route.child} arguments, for example [{ name: "team-a", ... }]` });
      continue;
    }
    for (const [index, entry] of (value as unknown[]).entries()) {
      const where = `${key}[${index}]`;
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        failures.push({ property: where, reason: `must be an object of ${route.child} arguments, for example { name: "team-a", ... }` });
      } else unknownKeys(entry, Object.keys(route.each), `${where}.`, failures);
    }
  }
  return failures;
}

/** What a git source of the set-up reports. */
export interface CodefreshGitSourceStatus {
  name: string;
  appSpecifier: string;
  syncStatus: string;
  healthStatus: string;
}

/** What a cluster of the set-up reports. */
export interface CodefreshClusterStatus {
  name: string;
  server: string;
  connectionStatus: string;
  kubernetesVersion: string;
}

/**
 * The whole Codefresh GitOps set-up: a runtime, its Shared Configuration Repository, git sources and clusters.
 *
 * @example
 * const gitops = new codefresh.CodefreshGitOps("gitops", {
 *   runtimeName: "production",
 *   gitProvider: "GITHUB",
 *   sharedConfigRepoUrl: "https://github.com/acme/codefresh-isc.git",
 *   gitToken: config.requireSecret("gitToken"),
 *   gitSources: [{ name: "team-a", repoUrl: "https://github.com/acme/apps.git", path: "team-a" }],
 *   clusters: [{ name: "prod", kubeconfig: config.requireSecret("prodKubeconfig") }],
 * });
 */
export class CodefreshGitOps extends pulumi.ComponentResource {
  /** The component's type token, as other languages' programs name it. */
  static readonly __pulumiType = "pulumi-codefresh:index:CodefreshGitOps";

  /** The runtime's name. */
  public readonly runtimeName: pulumi.Output<string>;
  /** `hosted` or `hybrid` (undefined while a declared runtime does not exist yet). */
  public readonly runtimeKind: pulumi.Output<string>;
  /** `installationStatus`: `IN_PROGRESS`, `COMPLETED` or `FAILED`. */
  public readonly runtimeStatus: pulumi.Output<string>;
  /** The runtime's version. */
  public readonly runtimeVersion: pulumi.Output<string>;
  /** Base URL of the runtime's app-proxy. */
  public readonly ingressHost: pulumi.Output<string>;
  /** The Shared Configuration Repository. */
  public readonly sharedConfigRepoUrl: pulumi.Output<string>;
  /** The git source Codefresh made for a hosted runtime ("" for a hybrid one). */
  public readonly defaultGitSourceName: pulumi.Output<string>;
  /** The addresses the clusters' API servers allow (see ip-allow-list.ts), and where they came from. */
  public readonly ipAllowList: pulumi.Output<string[]>;
  public readonly ipAllowListSource: pulumi.Output<string>;
  /** Each git source's status, in the order given. */
  public readonly gitSourceStatuses: pulumi.Output<CodefreshGitSourceStatus[]>;
  /** Each cluster's status, in the order given. */
  public readonly clusterStatuses: pulumi.Output<CodefreshClusterStatus[]>;

  constructor(name: string, args: CodefreshGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CodefreshGitOps.__pulumiType, name, {}, opts);
    const failures = gitOpsArgFailures(args);
    if (failures.length > 0) {
      throw new InputError(`CodefreshGitOps ${name}: ${failures.map((failure) => `${failure.property} ${failure.reason}`).join("; ")}`);
    }
    const child = { parent: this };
    const runtime =
      args.runtimeName !== undefined
        ? new Runtime(`${name}-runtime`, { name: args.runtimeName }, child)
        : new HostedRuntime(`${name}-runtime`, { adopt: args.adoptHostedRuntime ?? false }, { ...child, protect: args.protectHostedRuntime ?? true });
    const kind = Runtime.isInstance(runtime) ? runtime.kind.apply((k) => k ?? "") : pulumi.output("hosted");

    const isc = new SharedConfigRepo(
      `${name}-isc`,
      {
        runtime: runtime.name,
        gitProvider: args.gitProvider as pulumi.Input<GitProviderName>,
        repoUrl: args.sharedConfigRepoUrl,
        gitSourceRepoUrl: args.gitSourceRepoUrl,
        gitApiUrl: args.gitApiUrl,
        gitToken: args.gitToken,
        gitUsername: args.gitUsername,
        adopt: args.adoptSharedConfigRepo,
      },
      child,
    );
    // Git sources and clusters need the runtime's git connection: Codefresh commits them to the Shared Configuration Repository.
    const afterIsc = { parent: this, dependsOn: [isc] };
    const sources = (args.gitSources ?? []).map(
      (source) =>
        new GitSource(
          `${name}-${source.name}`,
          {
            runtime: runtime.name,
            name: source.name,
            repoUrl: source.repoUrl,
            path: source.path,
            branch: source.branch,
            include: source.include,
            exclude: source.exclude,
            destNamespace: source.destNamespace,
            createRepo: source.createRepo,
            adopt: source.adopt,
          },
          afterIsc,
        ),
    );
    const clusters = (args.clusters ?? []).map(
      (cluster) =>
        new ManagedCluster(
          `${name}-${cluster.name}`,
          {
            runtime: runtime.name,
            name: cluster.name,
            kubeconfig: cluster.kubeconfig,
            kubeconfigPath: cluster.kubeconfigPath,
            context: cluster.context,
            serviceAccountName: cluster.serviceAccountName,
            labels: cluster.labels,
            annotations: cluster.annotations,
            adopt: cluster.adopt,
          },
          afterIsc,
        ),
    );

    this.runtimeName = runtime.name;
    this.runtimeKind = kind;
    this.runtimeStatus = runtime.status;
    this.runtimeVersion = runtime.version;
    this.ingressHost = runtime.ingressHost;
    this.sharedConfigRepoUrl = isc.repoUrl;
    this.defaultGitSourceName = isc.defaultGitSourceName;
    this.ipAllowList = runtime.ipAllowList;
    this.ipAllowListSource = runtime.ipAllowListSource;
    this.gitSourceStatuses = pulumi.all(
      sources.map((s) =>
        pulumi
          .all([s.name, s.appSpecifier, s.syncStatus, s.healthStatus])
          .apply(([n, appSpecifier, syncStatus, healthStatus]) => ({ name: n, appSpecifier, syncStatus, healthStatus })),
      ),
    );
    this.clusterStatuses = pulumi.all(
      clusters.map((c) =>
        pulumi.all([c.name, c.server, c.connectionStatus, c.kubernetesVersion]).apply(([n, server, connectionStatus, kubernetesVersion]) => ({
          name: n,
          server: server ?? "",
          connectionStatus,
          kubernetesVersion: kubernetesVersion ?? "",
        })),
      ),
    );
    this.registerOutputs({
      runtimeName: this.runtimeName,
      runtimeKind: this.runtimeKind,
      runtimeStatus: this.runtimeStatus,
      runtimeVersion: this.runtimeVersion,
      ingressHost: this.ingressHost,
      sharedConfigRepoUrl: this.sharedConfigRepoUrl,
      defaultGitSourceName: this.defaultGitSourceName,
      ipAllowList: this.ipAllowList,
      ipAllowListSource: this.ipAllowListSource,
      gitSourceStatuses: this.gitSourceStatuses,
      clusterStatuses: this.clusterStatuses,
    });
  }
}
