// Application: an Argo CD application added to a git source, as Codefresh's "create application" does: its
// manifests and its Application manifest are committed to the git source's repository through the git provider
// layer, and the runtime's Argo CD syncs them to the destination cluster.
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments, stringify } from "yaml";
import { listAge, type ApplicationInfo, type GitSourceInfo } from "../api";
import { ConflictError, UnsupportedOperationError } from "../errors";
import * as git from "../git";
import { accountGit } from "./account-git";
import { branchOf } from "./git-source";
import { Validate, validate, validator } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import { partialCreate, readResult } from "./provider/guard";
import { processContext } from "./provider/process";
import { isUnknown } from "./provider/unknown";
import { parseDuration, waitFor } from "./provider/wait";
import { describeRuntime, inClusterServer, requireRuntime } from "./runtime-kind";
import { derived, InputsOf, output, OutputsOf, resourceSpec, specProvider, specResource } from "./spec";
import applicationShim = require("./shims/application");

export interface ApplicationArgs {
  /** The runtime, hosted or hybrid (pass `runtime.name`). Changing it replaces the application. */
  runtime: pulumi.Input<string>;
  /**
   * The git source that declares the application (pass `gitSource.name`): its Application manifest is committed to
   * `<git source path>/<name>.yaml` of the git source's repository. Changing it replaces the application.
   */
  gitSource: pulumi.Input<string>;
  /** The application's name in Argo CD. Changing it replaces the application. @default the resource name */
  name?: pulumi.Input<string> | undefined;
  /**
   * The cluster to deploy to: a `ManagedCluster`'s `server` (a hybrid runtime's own cluster: `https://kubernetes.default.svc`).
   * (Typed to take `cluster.server` as is; `check` requires a value.)
   */
  destServer: pulumi.Input<string | undefined>;
  /** The namespace to deploy to (created if missing unless `createNamespace: false`). */
  destNamespace: pulumi.Input<string>;
  /**
   * The application's Kubernetes manifests, file name to YAML, committed to `sourcePath` of the git source's
   * repository. Omit them to point at manifests that exist already (`sourceRepoUrl`, `sourcePath`).
   */
  manifests?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /**
   * The directory of the manifests, relative to the repository's root; it must lie outside the git source's path
   * (the git source applies everything under its path to the runtime's own cluster). @default `apps/<name>`
   */
  sourcePath?: pulumi.Input<string> | undefined;
  /** With `manifests` omitted: the repository that holds them. @default the git source's repository */
  sourceRepoUrl?: pulumi.Input<string> | undefined;
  /** The branch, tag or commit Argo CD syncs. @default the git source's revision */
  sourceRevision?: pulumi.Input<string> | undefined;
  /** Argo CD's `CreateNamespace=true` sync option. @default true */
  createNamespace?: pulumi.Input<boolean> | undefined;
  /** A token that can push to the git source's repository (the `SharedConfigRepo`'s `gitToken`). Secret. */
  gitToken: pulumi.Input<string>;
  /** Bitbucket app passwords and Gerrit HTTP passwords need the user name. */
  gitUsername?: pulumi.Input<string> | undefined;
}

/** File names of manifests: one directory level, YAML. */
const manifestFiles: Validate = validator("manifests", (check, property, value) => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    check.fail(property, 'must be an object of file name to YAML, for example { "deployment.yaml": "apiVersion: apps/v1\\nkind: Deployment…" }');
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) check.fail(property, "is empty: give at least one manifest, or omit it and set sourceRepoUrl and sourcePath");
  for (const [file, content] of entries) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/.test(file)) {
      check.fail(property, `"${file}" is not a manifest file name: use letters, digits, '.', '_' and '-', ending .yaml or .yml`);
      continue;
    }
    if (isUnknown(content)) continue;
    if (typeof content !== "string") {
      check.fail(property, `${file} must be YAML text`);
      continue;
    }
    const docs = parseAllDocuments(content);
    for (const [i, doc] of docs.entries()) {
      const where = docs.length > 1 ? `${file} (document ${i + 1})` : file;
      if (doc.errors.length > 0) {
        check.fail(property, `${where} is not valid YAML: ${doc.errors[0]?.message.split("\n")[0] ?? ""}`);
        continue;
      }
      const object = doc.toJS() as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
      if (object === null) continue;
      if (typeof object.apiVersion !== "string" || typeof object.kind !== "string" || typeof object.metadata?.name !== "string") {
        check.fail(property, `${where} is not a Kubernetes object: it needs apiVersion, kind and metadata.name`);
      }
    }
  }
  return value;
});

/** A directory inside a repository, relative to its root ("./a/" is "a"). */
const directory: Validate = validator("repo-directory", (check, property, value) => {
  if (!check.requireString(property, value, "a directory of the repository, for example apps/guestbook")) return value;
  const path = value
    .trim()
    .replace(/^\.\/+/, "")
    .replace(/\/+$/, "");
  if (value.startsWith("/")) check.fail(property, `"${value}" is absolute: a path is relative to the repository's root; write "${value.replace(/^\/+/, "")}"`);
  else if (path === "" || path === ".") check.fail(property, "must be a directory below the repository's root, for example apps/guestbook");
  else if (path.split("/").some((segment) => segment === "..")) check.fail(property, `"${path}" must stay inside the repository: remove '..'`);
  else if (/[\u0000-\u001f\u007f?#\\*]/.test(path))
    check.fail(property, `"${path}" has characters a repository path cannot have (control characters, ?, #, \\, *): remove them`);
  else return path;
  return value;
});

const repoOnly: Validate = validator("repo-only-url", (check, property, value) => {
  if (!check.requireString(property, value, "the repository URL, for example https://github.com/acme/apps.git")) return value;
  try {
    const repo = git.parseRepoUrl(value, property);
    // The path and revision have fields of their own: one given here would be dropped silently.
    if (repo.path !== "" || repo.ref !== undefined) {
      check.fail(property, `give the repository only (${repo.cloneUrl}) and put the directory in sourcePath and the branch in sourceRevision`);
    }
    return repo.cloneUrl;
  } catch (error) {
    check.fail(property, (error as Error).message);
    return value;
  }
});

/** The fields of an Application: what a change means, their checks and defaults (see ./spec.ts). */
const spec = resourceSpec<ApplicationArgs>()({
  type: "Application",
  // The application is its name in the runtime: a replacement under the same name must remove the old one first.
  deleteBeforeReplace: ["runtime", "name"],
  fields: {
    runtime: { role: "arg", onChange: "replace", required: true, validate: validate.dnsLabel("the runtime's name (runtime.name)") },
    gitSource: { role: "arg", onChange: "replace", required: true, validate: validate.dnsLabel("the git source's name (gitSource.name)") },
    name: { role: "arg", onChange: "replace", required: true, default: (resourceName) => resourceName, validate: validate.dnsLabel("the application's name") },
    destServer: { role: "arg", onChange: "update", required: true, validate: validate.httpsUrl("cluster.server") },
    destNamespace: { role: "arg", onChange: "update", required: true, validate: validate.dnsLabel("a namespace name") },
    manifests: { role: "arg", onChange: "update", validate: manifestFiles },
    sourcePath: { role: "arg", onChange: "update", filled: true, validate: directory },
    sourceRepoUrl: { role: "arg", onChange: "update", validate: repoOnly },
    sourceRevision: { role: "arg", onChange: "update", validate: validate.revision },
    createNamespace: { role: "arg", onChange: "update", default: true, validate: validate.boolean },
    gitToken: {
      role: "arg",
      onChange: "none",
      required: true,
      secret: true,
      validate: validate.requiredText("a git token that can push to the git source's repository (isc.gitToken)"),
    },
    gitUsername: { role: "arg", onChange: "none", validate: validate.text },
    /** True while the repository holds what this resource committed; refresh sets it false when a file changed or went. */
    __manifestsCurrent: derived<boolean>("update", true),
    /** The git source's repository, where the manifests are committed. */
    repoUrl: output<string>(),
    /** Where the Application manifest is, in that repository. */
    applicationPath: output<string>(),
    /** sha256 of each committed file, by path: what refresh compares the repository with. */
    committed: output<Record<string, string>>(),
    /** The commit Argo CD synced ("" when Codefresh does not report the application). */
    revision: output<string>(),
    /** Argo CD's sync status: `SYNCED`, `OUT_OF_SYNC`, `UNKNOWN`. */
    syncStatus: output<string>(),
    /**
     * Argo CD's health: `HEALTHY`, `PROGRESSING`, `DEGRADED`, `MISSING`, … A Deployment is `PROGRESSING` until its
     * pods are available, so on a cluster that runs no pods it stays so.
     */
    healthStatus: output<string>(),
    healthMessage: output<string>(),
  },
});

/** The declaration, for `pulumi-codefresh/provider`'s `declarations`. */
export { spec as applicationSpec };

type Inputs = InputsOf<ApplicationArgs, typeof spec.fields>;
type Outputs = OutputsOf<ApplicationArgs, typeof spec.fields>;

const syncTimeoutMs = 5 * 60_000;
/** Argo CD's finalizer: deleting the Application deletes what it deployed. */
const resourcesFinalizer = "resources-finalizer.argocd.argoproj.io";

/**
 * An Argo CD application in a git source: create commits its manifests and its Application manifest to the git
 * source's repository (an edit is a new commit), then waits until Codefresh reports it synced. Delete removes its
 * files; Argo CD then deletes what it deployed. Refresh compares the repository with what was committed.
 *
 * @example
 * new codefresh.Application("guestbook", {
 *   runtime: runtime.name, gitSource: apps.name, destServer: prod.server, destNamespace: "guestbook",
 *   manifests: { "deployment.yaml": deployment, "service.yaml": service }, gitToken: config.requireSecret("gitToken"),
 * });
 */
export const Application = specResource(spec, applicationShim);
export type Application = InstanceType<typeof Application>;

const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

interface Placement {
  source: GitSourceInfo;
  repo: git.RepoRef;
  branch: string | undefined;
  applicationPath: string;
  sourceRepoUrl: string;
  sourcePath: string;
  sourceRevision: string;
}

/** Where the files go, from the git source as Codefresh reports it; refusals name the runtime and the fix. */
async function placementOf(context: ProviderContext, inputs: Inputs): Promise<Placement> {
  const runtime = await requireRuntime(context.client, inputs.runtime, `Application ${inputs.name}`);
  if (runtime.managed && inputs.destServer.replace(/\/+$/, "") === inClusterServer) {
    throw new ConflictError(
      "createApplication",
      `${describeRuntime(runtime)} never deploys to its own cluster (it is Codefresh's): set destServer to a ManagedCluster's server`,
    );
  }
  const source = await context.client.getGitSource(inputs.runtime, inputs.gitSource, { maxAgeMs: listAge.poll });
  if (!source?.repoURL) {
    throw new ConflictError(
      "createApplication",
      `git source "${inputs.gitSource}" does not exist in ${describeRuntime(runtime)}: declare it with a GitSource and pass its \`name\` output`,
    );
  }
  const repo = git.parseRepoUrl(source.repoURL, "repoURL");
  const sourceDir = (source.path ?? ".").replace(/^\.\/?/, "").replace(/\/+$/, "");
  const branch = branchOf(source);
  const sourcePath = inputs.sourcePath ?? `apps/${inputs.name}`;
  const sameRepo = inputs.sourceRepoUrl === undefined || inputs.sourceRepoUrl === repo.cloneUrl;
  if (inputs.manifests && !sameRepo) {
    throw new ConflictError(
      "createApplication",
      `manifests are committed to the git source's repository (${repo.cloneUrl}): remove sourceRepoUrl, or remove manifests`,
    );
  }
  if (sameRepo && (sourceDir === "" || sourcePath === sourceDir || sourcePath.startsWith(`${sourceDir}/`))) {
    throw new ConflictError(
      "createApplication",
      `sourcePath "${sourcePath}" is inside git source ${inputs.gitSource}'s path ("${sourceDir || "."}"), which the git source applies to ${describeRuntime(runtime)}'s own cluster: set sourcePath outside it${sourceDir === "" ? ", and give the git source a path of its own (for example argocd-apps)" : ""}`,
    );
  }
  return {
    source,
    repo,
    branch,
    applicationPath: `${sourceDir ? `${sourceDir}/` : ""}${inputs.name}.yaml`,
    sourceRepoUrl: inputs.sourceRepoUrl ?? repo.cloneUrl,
    sourcePath,
    sourceRevision: inputs.sourceRevision ?? source.revision ?? "HEAD",
  };
}

function applicationManifest(inputs: Inputs, placement: Placement): string {
  return stringify({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: inputs.name, finalizers: [resourcesFinalizer], labels: { "app.kubernetes.io/managed-by": "pulumi-codefresh" } },
    spec: {
      project: "default",
      source: { repoURL: placement.sourceRepoUrl, path: placement.sourcePath, targetRevision: placement.sourceRevision },
      destination: { server: inputs.destServer, namespace: inputs.destNamespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: inputs.createNamespace ? ["CreateNamespace=true"] : [] },
    },
  });
}

/** Every file this resource commits, by path from the repository's root. */
function filesOf(inputs: Inputs, placement: Placement): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, content] of Object.entries(inputs.manifests ?? {})) files[`${placement.sourcePath}/${name}`] = content;
  files[placement.applicationPath] = applicationManifest(inputs, placement);
  return files;
}

async function waitUntilSynced(
  context: ProviderContext,
  inputs: Inputs,
  timeoutMs: number,
  after: { revision?: string | undefined },
): Promise<ApplicationInfo | undefined> {
  const probe = async () => {
    const app = await context.client.getApplication(inputs.runtime, inputs.name);
    if (app?.syncStatus === "SYNCED" && app.revision !== undefined && app.revision !== after.revision) return { done: true as const, value: app };
    return { done: false as const, status: app ? `${app.syncStatus.toLowerCase()}${app.healthMessage ? ` (${app.healthMessage})` : ""}` : "not reported yet" };
  };
  try {
    return await waitFor(`application ${inputs.name}`, timeoutMs, probe, (message) => context.log(message));
  } catch (error) {
    if (!(error instanceof UnsupportedOperationError)) throw error;
    context.log(`application ${inputs.name}: committed; ${error.message}`);
    return undefined;
  }
}

function outputs(
  inputs: Inputs,
  placement: Pick<Placement, "repo" | "applicationPath" | "sourcePath">,
  committed: Record<string, string>,
  app: ApplicationInfo | undefined,
): Outputs {
  return {
    ...inputs,
    sourcePath: placement.sourcePath,
    __manifestsCurrent: true,
    repoUrl: placement.repo.cloneUrl,
    applicationPath: placement.applicationPath,
    committed,
    revision: app?.revision ?? "",
    syncStatus: app?.syncStatus ?? "UNKNOWN",
    healthStatus: app?.healthStatus ?? "UNKNOWN",
    healthMessage: app?.healthMessage ?? "",
  };
}

async function commit(context: ProviderContext, inputs: Inputs, placement: Placement, remove: string[], message: string): Promise<Record<string, string>> {
  const { client } = await accountGit(context, inputs.gitToken, inputs.gitUsername, `Application ${inputs.name}`);
  const files = filesOf(inputs, placement);
  const root = { ...placement.repo, path: "" };
  // The manifests first, the Application last: Argo CD never sees an Application whose manifests are missing.
  const ordered = Object.entries(files).sort(([a], [b]) => Number(a === placement.applicationPath) - Number(b === placement.applicationPath));
  await client.putFiles(
    root,
    ordered.map(([path, content]) => ({ path, content })),
    message,
    placement.branch,
  );
  for (const path of remove) await client.deleteFile(root, path, `${message}: remove ${path}`, placement.branch);
  return Object.fromEntries(Object.entries(files).map(([path, content]) => [path, hashOf(content)]));
}

export const applicationProvider = specProvider<ApplicationArgs, typeof spec.fields, Inputs, Outputs>(
  spec,
  {
    async check(_context, { news, inputs, check }) {
      const hasManifests = news.manifests !== undefined && news.manifests !== null;
      if (!hasManifests && (news.sourceRepoUrl === undefined || news.sourcePath === undefined)) {
        if (news.sourceRepoUrl === undefined && news.sourcePath === undefined) {
          check.fail("manifests", "give the application's manifests, or point at existing ones with sourceRepoUrl and sourcePath");
        } else
          check.fail(news.sourcePath === undefined ? "sourcePath" : "sourceRepoUrl", "pointing at existing manifests needs both sourceRepoUrl and sourcePath");
      }
      if ((news.sourcePath === undefined || news.sourcePath === null) && typeof news.name === "string" && !isUnknown(news.name)) {
        inputs.sourcePath = `apps/${news.name}`;
      }
    },

    async create(context, inputs) {
      const placement = await placementOf(context, inputs);
      const { client } = await accountGit(context, inputs.gitToken, inputs.gitUsername, `Application ${inputs.name}`);
      const existing = await client.readFile({ ...placement.repo, path: "" }, placement.applicationPath, placement.branch);
      if (existing !== undefined && !/managed-by: pulumi-codefresh/.test(existing)) {
        throw new ConflictError(
          "createApplication",
          `${placement.repo.cloneUrl} already has ${placement.applicationPath}, not written by this package: choose another name, or remove that file`,
        );
      }
      const committed = await commit(context, inputs, placement, [], `Application ${inputs.name}`);
      const id = `${inputs.runtime}/${inputs.name}`;
      try {
        const app = await waitUntilSynced(context, inputs, parseDuration(inputs.__timeouts?.create) ?? syncTimeoutMs, {});
        return { id, outs: outputs(inputs, placement, committed, app) };
      } catch (error) {
        throw partialCreate(id, outputs(inputs, placement, committed, undefined), error);
      }
    },

    async read(context, id, props) {
      if (!props) return { id: "" };
      const { client } = await accountGit(context, props.gitToken, props.gitUsername, `Application ${props.name}`);
      const root = { ...git.parseRepoUrl(props.repoUrl, "repoUrl"), path: "" };
      const source = await context.client.getGitSource(props.runtime, props.gitSource, { maxAgeMs: listAge.refresh });
      const branch = branchOf(source);
      const found = await Promise.all(Object.keys(props.committed).map(async (path) => [path, await client.readFile(root, path, branch)] as const));
      const application = found.find(([path]) => path === props.applicationPath)?.[1];
      if (application === undefined) return { id: "" }; // gone from git: Argo CD deleted the application
      const current = found.every(([path, content]) => content !== undefined && hashOf(content) === props.committed[path]);
      const app = await context.client.getApplication(props.runtime, props.name).catch((error: unknown) => {
        if (error instanceof UnsupportedOperationError) return undefined;
        throw error;
      });
      const { repoUrl: _r, applicationPath: _a, committed: _c, revision: _v, syncStatus: _s, healthStatus: _h, healthMessage: _m, ...prior } = props;
      const inputs: Inputs = { ...prior, __manifestsCurrent: current };
      return readResult(
        id,
        {
          ...props,
          __manifestsCurrent: current,
          revision: app?.revision ?? props.revision,
          syncStatus: app?.syncStatus ?? "UNKNOWN",
          healthStatus: app?.healthStatus ?? "UNKNOWN",
          healthMessage: app?.healthMessage ?? "",
        },
        inputs,
      );
    },

    async update(context, _id, olds, news) {
      const placement = await placementOf(context, news);
      const wanted = filesOf(news, placement);
      const remove = Object.keys(olds.committed).filter((path) => !(path in wanted));
      const committed = await commit(context, news, placement, remove, `Application ${news.name}: update`);
      // With its manifests in the git source's repository, Argo CD's revision moves with this commit; otherwise it need not.
      const after = news.manifests && olds.revision ? { revision: olds.revision } : {};
      const app = await waitUntilSynced(context, news, parseDuration(news.__timeouts?.update) ?? syncTimeoutMs, after);
      return { outs: outputs(news, placement, committed, app) };
    },

    async delete(context, _id, props) {
      const { client } = await accountGit(context, props.gitToken, props.gitUsername, `Application ${props.name}`);
      const root = { ...git.parseRepoUrl(props.repoUrl, "repoUrl"), path: "" };
      const source = await context.client.getGitSource(props.runtime, props.gitSource, { maxAgeMs: listAge.poll });
      const branch = branchOf(source);
      // The Application first: with its finalizer, Argo CD deletes what it deployed; then its manifests.
      await client.deleteFile(root, props.applicationPath, `Remove application ${props.name}`, branch);
      for (const path of Object.keys(props.committed).filter((p) => p !== props.applicationPath)) {
        await client.deleteFile(root, path, `Remove application ${props.name}: ${path}`, branch);
      }
      const probe = async () =>
        (await context.client.getApplication(props.runtime, props.name))
          ? { done: false as const, status: "Argo CD is deleting it" }
          : { done: true as const, value: undefined };
      try {
        await waitFor(`deleting application ${props.name}`, parseDuration(props.__timeouts?.delete) ?? syncTimeoutMs, probe, (message) => context.log(message));
      } catch (error) {
        if (!(error instanceof UnsupportedOperationError)) throw error;
        context.log(`application ${props.name}: its files are removed; Argo CD deletes what it deployed. ${error.message}`);
      }
    },
  },
  processContext,
);
