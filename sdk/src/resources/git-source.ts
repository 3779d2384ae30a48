// GitSource: a Codefresh Git Source, an Argo CD Application that syncs the manifests in a repo path.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { GitSourceInfo } from "../api";
import { ConflictError } from "../errors";
import * as git from "../git";
import { ownUrn, withoutStackCapture, providerVersion, stackMarker, Timeouts, timeoutsOf, typeToken } from "./common";
import { changedKeys, Check, client, configValue, guarded, isNumber, isUnknown, lookUpRepoSize, parseDuration, partialCreate, ProviderImpl, readResult, recordedFact, unknown, waitFor } from "./provider-base";
import { claim, claimOrThrow, describeOwner, identities, isDeclared, parseUrn, urnOf } from "./ownership";
import gitSourceShim = require("./shims/git-source");

/** The label that marks a git source as created by a stack (`<project>.<stack>`), so a rerun adopts its own. */
export const stackLabel = "pulumi-stack";
/** The label naming the resource of that stack (its logical name), so two resources never share one git source. */
export const resourceLabel = "pulumi-resource";

export interface GitSourceArgs {
  /** The runtime (pass `runtime.name`). Changing it replaces the git source. */
  runtime: pulumi.Input<string>;
  /** The git source's name: lowercase letters, digits and '-', under 63 characters. Changing it replaces it. @default the resource name */
  name?: pulumi.Input<string>;
  /** The repository: `https://<host>/<owner>/<repo>.git`. */
  repoUrl: pulumi.Input<string>;
  /** Directory in the repo with the manifests. @default "." (the repo root) */
  path?: pulumi.Input<string>;
  /** Branch (or tag) to sync. @default the repo's HEAD */
  branch?: pulumi.Input<string>;
  /** Glob of files to include, for example `*.yaml`. */
  include?: pulumi.Input<string>;
  /** Glob of files to exclude. */
  exclude?: pulumi.Input<string>;
  /** Where the Application itself is applied. Changing it replaces the git source. @default "https://kubernetes.default.svc" */
  destServer?: pulumi.Input<string>;
  /** Namespace the Application applies to. Changing it replaces the git source. */
  destNamespace?: pulumi.Input<string>;
  /** Labels on the git source's Application. Changing them replaces it (Codefresh cannot edit them). */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Ask Codefresh to create the repository if it does not exist. @default false */
  createRepo?: pulumi.Input<boolean>;
  /**
   * An Argo CD Config Management Plugin to render the manifests with (Codefresh Enterprise only; the
   * policy pack checks the plan). Changing it replaces the git source.
   */
  configManagementPlugin?: pulumi.Input<string>;
  /** Manage a git source that already exists (made in the UI, or Codefresh's default one). @default false */
  adopt?: pulumi.Input<boolean>;
}

interface Inputs {
  runtime: string;
  name: string;
  repoUrl: string;
  path: string;
  branch?: string;
  include?: string;
  exclude?: string;
  destServer: string;
  destNamespace?: string;
  labels?: Record<string, string>;
  createRepo: boolean;
  adopt: boolean;
  configManagementPlugin?: string;
  /** The repo's size, read in check with `codefresh:gitToken` where the provider API gives it. */
  repoSizeBytes?: number;
  __stack: string;
  /** The resource's URN, short (see ownUrn): who manages the object. */
  __urn?: string;
  __timeouts?: Timeouts;
  providerVersion?: string;
}

interface Outputs extends Inputs {
  /** Codefresh's app specifier: `<repo>.git/<path>?ref=<branch>`. */
  appSpecifier: string;
  syncStatus: string;
  healthStatus: string;
}

const readyTimeoutMs = 5 * 60_000;
/** Fields Codefresh's editGitSource changes in place. */
const editable = ["repoUrl", "path", "branch", "include", "exclude"] as const;
/** Fields that need a new git source. */
const immutable = ["runtime", "name", "destServer", "destNamespace", "labels", "createRepo", "configManagementPlugin"] as const;
/** The label carrying the Config Management Plugin to Codefresh (CreateGitSourceInput has no field for it). */
export const pluginLabel = "codefresh.io/config-management-plugin";

/**
 * A Codefresh Git Source: an Argo CD Application that syncs the manifests under `path` of `repoUrl`.
 *
 * @example
 * new codefresh.GitSource("team-a", {
 *   runtime: runtime.name,
 *   repoUrl: "https://github.com/acme/apps.git",
 *   path: "team-a",
 *   include: "*.yaml",
 * }, { dependsOn: [sharedConfigRepo] });
 */
export class GitSource extends pulumi.dynamic.Resource {
  static readonly __pulumiType = typeToken("GitSource");

  declare readonly runtime: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly repoUrl: pulumi.Output<string>;
  declare readonly path: pulumi.Output<string>;
  declare readonly branch: pulumi.Output<string | undefined>;
  declare readonly include: pulumi.Output<string | undefined>;
  declare readonly exclude: pulumi.Output<string | undefined>;
  declare readonly destServer: pulumi.Output<string>;
  declare readonly destNamespace: pulumi.Output<string | undefined>;
  declare readonly labels: pulumi.Output<Record<string, string> | undefined>;
  declare readonly createRepo: pulumi.Output<boolean>;
  declare readonly configManagementPlugin: pulumi.Output<string | undefined>;
  /** The repo's size in bytes, read at preview where possible (needs `codefresh:gitToken`); undefined otherwise. */
  declare readonly repoSizeBytes: pulumi.Output<number | undefined>;
  declare readonly adopt: pulumi.Output<boolean>;
  /** The specifier Codefresh stores: `<repo>.git/<path>?ref=<branch>`. */
  declare readonly appSpecifier: pulumi.Output<string>;
  /** Argo CD sync status: `SYNCED`, `OUT_OF_SYNC`, … */
  declare readonly syncStatus: pulumi.Output<string>;
  /** Argo CD health: `HEALTHY`, `PROGRESSING`, … */
  declare readonly healthStatus: pulumi.Output<string>;
  declare readonly providerVersion: pulumi.Output<string>;

  constructor(name: string, args: GitSourceArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStackCapture = withoutStackCapture();
    try {
      super(
        gitSourceShim,
        name,
        {
          appSpecifier: undefined,
          syncStatus: undefined,
          healthStatus: undefined,
          branch: undefined,
          include: undefined,
          exclude: undefined,
          destNamespace: undefined,
          labels: undefined,
          configManagementPlugin: undefined,
          repoSizeBytes: undefined,
          ...args,
          name: args.name ?? name,
          path: args.path ?? ".",
          destServer: args.destServer ?? "https://kubernetes.default.svc",
          createRepo: args.createRepo ?? false,
          adopt: args.adopt ?? false,
          __stack: stackMarker(),
          __urn: ownUrn(name, "GitSource", opts),
          __timeouts: timeoutsOf(opts),
          providerVersion,
        },
        opts,
        "codefresh",
        "GitSource",
      );
    } finally {
      restoreStackCapture();
    }
  }
}

export function appSpecifier(inputs: Pick<Inputs, "repoUrl" | "path" | "branch">): string {
  const repo = git.parseRepoUrl(inputs.repoUrl, "repoUrl");
  const path = inputs.path === "." || inputs.path === "" ? "" : `/${inputs.path}`;
  return `${repo.cloneUrl}${path}${inputs.branch ? `?ref=${encodeURIComponent(inputs.branch)}` : ""}`;
}

function stackLabelValue(marker: string): string {
  return marker.replace(/[^A-Za-z0-9._-]/g, ".").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "").slice(0, 63);
}

/** A label value for a logical name: as is where Kubernetes allows it, else cleaned and suffixed with a hash (still unique). */
function resourceLabelValue(name: string): string {
  const clean = stackLabelValue(name);
  if (clean === name && name.length <= 63) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${clean.slice(0, 54).replace(/[^A-Za-z0-9]+$/, "")}-${hash}`;
}

/** Why create refuses a git source that exists, naming who manages it and the way out; undefined when it is ours to resume. */
function refusal(inputs: Inputs, labels: Record<string, string>): string | undefined {
  const object = identities.gitSource(inputs.runtime, inputs.name).object;
  const stack = labels[stackLabel];
  const resource = labels[resourceLabel];
  const urn = urnOf(inputs, "GitSource");
  const here = urn ? parseUrn(urn) : undefined;
  if (stack === undefined) {
    return `${object} already exists and no stack manages it (it was made in the Codefresh UI, with \`cf\`, or by Codefresh as the default git source); set \`adopt: true\` to manage it here, or choose another name`;
  }
  if (stack !== stackLabelValue(inputs.__stack)) {
    return `${object} is managed by ${resource ? `resource "${resource}" of ` : ""}stack ${stack}; nothing was written. Two stacks must not manage one git source: choose another name, or move it (remove it from that stack's state with \`pulumi state delete\`, then set \`adopt: true\` here)`;
  }
  if (resource !== undefined && here && resource !== resourceLabelValue(here.resource)) {
    // The other resource still in the program is a duplicate; gone from it, this one is probably its new name.
    const renamed = !isDeclared(`${urn!.slice(0, urn!.lastIndexOf("::"))}::${resource}`);
    return `${object} is managed by ${describeOwner({ ...here, resource }, here)}; nothing was written. ${
      renamed ? `If you renamed that resource to "${here.resource}", add \`aliases: [{ name: "${resource}" }]\` so that one resource keeps the git source; otherwise give this one another \`name\`` : "Give one of them another `name`"
    }`;
  }
  return undefined;
}

function outputs(inputs: Inputs, info: GitSourceInfo): Outputs {
  return { ...inputs, appSpecifier: appSpecifier(inputs), syncStatus: info.syncStatus ?? "", healthStatus: info.healthStatus ?? "" };
}

/** The size of the git source's repo, through the `codefresh:gitToken` config (undefined without it). */
function repoSize(repoUrl: string): Promise<number | undefined> {
  const host = git.parseRepoUrl(repoUrl, "repoUrl").host;
  return lookUpRepoSize({
    repoUrl,
    provider: (configValue("codefresh:gitProvider") as git.GitProviderName | undefined) ?? git.inferProvider(host) ?? "GITHUB",
    apiUrl: configValue("codefresh:gitApiUrl"),
    token: configValue("codefresh:gitToken"),
  });
}

async function waitUntilReported(inputs: Inputs, timeoutMs: number): Promise<GitSourceInfo> {
  return waitFor(`git source ${inputs.name}`, timeoutMs, async () => {
    const info = await client().getGitSource(inputs.runtime, inputs.name);
    if (info?.ready) return { done: true, value: info };
    return { done: false, status: info ? "waiting for Argo CD to report it" : "not listed yet" };
  });
}

export const gitSourceProvider: ProviderImpl = guarded({
  async check(olds, news) {
    const check = new Check();
    check.dnsLabel("runtime", news.runtime, "the runtime's name (runtime.name)");
    check.dnsLabel("name", news.name, "the git source's name");
    const inputs = { ...news };
    if (check.requireString("repoUrl", news.repoUrl, "the repo URL, for example https://github.com/acme/apps.git")) {
      try {
        const repo = git.parseRepoUrl(news.repoUrl as string, "repoUrl");
        if (repo.path !== "" || repo.ref !== undefined) {
          check.fail("repoUrl", `give the repository only (${repo.cloneUrl}) and put the directory in path and the branch in branch`);
        }
        inputs.repoUrl = repo.cloneUrl;
      } catch (error) {
        check.fail("repoUrl", (error as Error).message);
      }
    }
    if (!isUnknown(news.path)) {
      const given = typeof news.path === "string" ? news.path.trim() : news.path;
      const path = typeof given === "string" ? given.replace(/^\.\/+/, "").replace(/\/+$/, "") : given;
      if (typeof path !== "string") check.fail("path", "must be a directory path in the repo, for example apps/team-a");
      else if (String(given).startsWith("/")) check.fail("path", `"${String(given)}" is absolute: a path is relative to the repo's root; write "${path.replace(/^\/+/, "") || "."}"`);
      else if (path.split("/").some((segment) => segment === "..")) check.fail("path", `"${path}" must stay inside the repo: remove '..'`);
      else if (/[\u0000-\u001f\u007f?#\\]/.test(path)) check.fail("path", `"${path}" has characters a repo path cannot have (control characters, ?, #, \\)`);
      else inputs.path = path === "" ? "." : path;
    }
    if (news.branch !== undefined && news.branch !== null && check.requireString("branch", news.branch)) {
      if (!/^(?!\/|.*\/\/|.*\.\.|.*@\{)[^\s~^:?*[\\]+(?<![/.])$/.test(news.branch as string) || (news.branch as string).endsWith(".lock")) {
        check.fail("branch", `"${String(news.branch)}" is not a valid git branch name`);
      }
    }
    check.optionalString("include", news.include);
    check.optionalString("exclude", news.exclude);
    if (check.requireString("destServer", news.destServer, "an https URL of the cluster to apply to")) {
      try {
        if (new URL(news.destServer as string).protocol !== "https:") throw new Error();
      } catch {
        check.fail("destServer", `"${String(news.destServer)}" must be an https URL, for example https://kubernetes.default.svc`);
      }
    }
    if (news.destNamespace !== undefined && news.destNamespace !== null) check.dnsLabel("destNamespace", news.destNamespace, "a namespace name");
    check.stringMap("labels", news.labels, "label");
    check.optionalBoolean("createRepo", news.createRepo);
    check.optionalBoolean("adopt", news.adopt);
    if (news.configManagementPlugin !== undefined && news.configManagementPlugin !== null) {
      check.dnsLabel("configManagementPlugin", news.configManagementPlugin, "the plugin's name as configured in Argo CD");
    }
    if (typeof news.runtime === "string" && typeof news.name === "string" && !isUnknown(news.runtime) && !isUnknown(news.name)) {
      const failure = claim(urnOf(news, "GitSource"), identities.gitSource(news.runtime, news.name));
      if (failure) check.fail("name", failure);
    }
    if (isUnknown(news.repoUrl)) {
      inputs.repoSizeBytes = unknown; // not a silent pass: policies report it as unknown at preview
    } else if (check.failures.length === 0 && typeof inputs.repoUrl === "string") {
      const recorded = recordedFact(olds, "repoSizeBytes", olds.repoUrl === inputs.repoUrl, isNumber);
      inputs.repoSizeBytes = recorded ? recorded.value : await repoSize(inputs.repoUrl);
    }
    return { inputs, failures: check.failures };
  },

  async diff(_id, olds, news) {
    const replaces = changedKeys(olds, news, immutable);
    const changes = replaces.length > 0 || changedKeys(olds, news, editable).length > 0;
    // A git source is its name in its runtime: replaced under the same name, the old one must go first, or
    // deleting it afterwards would delete the new one.
    const sameObject = !replaces.includes("runtime") && !replaces.includes("name");
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && sameObject };
  },

  async create(raw) {
    const inputs = raw as unknown as Inputs;
    const urn = urnOf(inputs, "GitSource");
    claimOrThrow("createGitSource", urn, identities.gitSource(inputs.runtime, inputs.name));
    const api = client();
    const owner = { [stackLabel]: stackLabelValue(inputs.__stack), ...(urn ? { [resourceLabel]: resourceLabelValue(parseUrn(urn).resource) } : {}) };
    // Create first: Codefresh refuses a name that exists (before it commits anything), and only then do we
    // read it. One call fewer per git source than reading first, and still idempotent.
    try {
      await api.createGitSource(inputs.runtime, {
        appName: inputs.name,
        appSpecifier: appSpecifier(inputs),
        destServer: inputs.destServer,
        destNamespace: inputs.destNamespace,
        labels: { ...(inputs.labels ?? {}), ...owner, ...(inputs.configManagementPlugin ? { [pluginLabel]: inputs.configManagementPlugin } : {}) },
        include: inputs.include,
        exclude: inputs.exclude,
        createRepo: inputs.createRepo,
      });
    } catch (error) {
      const existing = error instanceof ConflictError ? await api.getGitSource(inputs.runtime, inputs.name) : undefined;
      if (!existing) throw error;
      // Ours from an interrupted run (our labels), or taken over on request; anything else is refused.
      const refused = inputs.adopt ? undefined : refusal(inputs, existing.labels);
      if (refused) throw new ConflictError("createGitSource", refused);
      await api.editGitSource(inputs.runtime, { appName: inputs.name, appSpecifier: appSpecifier(inputs), include: inputs.include, exclude: inputs.exclude });
    }
    const timeout = parseDuration(inputs.__timeouts?.create) ?? readyTimeoutMs;
    try {
      return { id: `${inputs.runtime}/${inputs.name}`, outs: outputs(inputs, await waitUntilReported(inputs, timeout)) };
    } catch (error) {
      throw partialCreate(`${inputs.runtime}/${inputs.name}`, { ...inputs, appSpecifier: appSpecifier(inputs) }, error);
    }
  },

  async read(id, props) {
    const [runtime, name] = id.split("/");
    const info = await client().getGitSource(runtime, name);
    if (!info) return { id: "" };
    const prior = (props ?? {}) as unknown as Inputs;
    const spec = info.repoURL ? git.parseRepoUrl(info.repoURL, "repoURL") : undefined;
    const userLabels = Object.fromEntries(Object.entries(info.labels).filter(([key]) => key !== stackLabel && key !== resourceLabel && key !== pluginLabel));
    const inputs: Inputs = {
      ...prior,
      runtime,
      name,
      repoUrl: spec?.cloneUrl ?? prior.repoUrl,
      path: info.path ?? prior.path,
      branch: info.revision && info.revision !== "HEAD" ? info.revision : undefined,
      include: info.include ?? undefined,
      exclude: info.exclude ?? undefined,
      destServer: info.destServer ?? prior.destServer,
      destNamespace: info.destNamespace ?? prior.destNamespace,
      labels: Object.keys(userLabels).length > 0 ? userLabels : prior.labels === undefined ? undefined : {},
      configManagementPlugin: info.labels[pluginLabel] ?? undefined,
    };
    inputs.repoSizeBytes = (await repoSize(inputs.repoUrl)) ?? prior.repoSizeBytes; // renewed here, reused by check
    return readResult(id, outputs(inputs, info), inputs);
  },

  async update(_id, _olds, news) {
    const inputs = news as unknown as Inputs;
    await client().editGitSource(inputs.runtime, { appName: inputs.name, appSpecifier: appSpecifier(inputs), include: inputs.include, exclude: inputs.exclude });
    const timeout = parseDuration(inputs.__timeouts?.update) ?? readyTimeoutMs;
    return { outs: outputs(inputs, await waitUntilReported(inputs, timeout)) };
  },

  async delete(id) {
    const [runtime, name] = id.split("/");
    await client().deleteGitSource(runtime, name);
  },
});
