// GitSource: a Codefresh Git Source, an Argo CD Application that syncs the manifests in a repo path.
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { listAge, type GitSourceInfo } from "../api";
import { ConflictError } from "../errors";
import * as git from "../git";
import { claim, claimOrThrow, describeOwner, identities, isDeclared, parseUrn, urnOf } from "./ownership";
import { validate, Validate, validator } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import { isNumber, lookUpRepoSize, recordedFact } from "./provider/facts";
import { partialCreate, readResult } from "./provider/guard";
import { isUnknown, unknownValue } from "./provider/unknown";
import { parseDuration, waitFor } from "./provider/wait";
import { explainMissingRuntime } from "./runtime-kind";
import { processContext } from "./provider/process";
import { derived, InputsOf, output, OutputsOf, resourceSpec, specProvider, specResource } from "./spec";
import gitSourceShim = require("./shims/git-source");

/** The label that marks a git source as created by a stack (`<project>.<stack>`), so a rerun adopts its own. */
export const stackLabel = "pulumi-stack";
/** The label naming the resource of that stack (its logical name), so two resources never share one git source. */
export const resourceLabel = "pulumi-resource";

export interface GitSourceArgs {
  /** The runtime, hosted or hybrid (pass `runtime.name` of a `HostedRuntime` or a `Runtime`). Changing it replaces the git source. */
  runtime: pulumi.Input<string>;
  /** The git source's name: lowercase letters, digits and '-', under 63 characters. Changing it replaces it. @default the resource name */
  name?: pulumi.Input<string> | undefined;
  /** The repository: `https://<host>/<owner>/<repo>.git`. */
  repoUrl: pulumi.Input<string>;
  /** Directory in the repo with the manifests. @default "." (the repo root) */
  path?: pulumi.Input<string> | undefined;
  /** Branch (or tag) to sync. @default the repo's HEAD */
  branch?: pulumi.Input<string> | undefined;
  /** Glob of files to include, for example `*.yaml`. */
  include?: pulumi.Input<string> | undefined;
  /** Glob of files to exclude. */
  exclude?: pulumi.Input<string> | undefined;
  /** Where the Application itself is applied. Changing it replaces the git source. @default "https://kubernetes.default.svc" */
  destServer?: pulumi.Input<string> | undefined;
  /** Namespace the Application applies to. Changing it replaces the git source. */
  destNamespace?: pulumi.Input<string> | undefined;
  /** Labels on the git source's Application. Changing them replaces it (Codefresh cannot edit them). */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /** Ask Codefresh to create the repository if it does not exist. @default false */
  createRepo?: pulumi.Input<boolean> | undefined;
  /**
   * An Argo CD Config Management Plugin to render the manifests with (Codefresh Enterprise only; the
   * policy pack checks the plan). Changing it replaces the git source.
   */
  configManagementPlugin?: pulumi.Input<string> | undefined;
  /** Manage a git source that already exists (made in the UI, or Codefresh's default one). @default false */
  adopt?: pulumi.Input<boolean> | undefined;
}

/** A repository only (no path or branch in it), normalised to its clone URL. */
const repoOnlyUrl: Validate = validator("repo-only-url", (check, property, value) => {
  if (!check.requireString(property, value, "the repo URL, for example https://github.com/acme/apps.git")) return value;
  try {
    const repo = git.parseRepoUrl(value, property);
    if (repo.path !== "" || repo.ref !== undefined) {
      check.fail(property, `give the repository only (${repo.cloneUrl}) and put the directory in path and the branch in branch`);
    }
    return repo.cloneUrl;
  } catch (error) {
    check.fail(property, (error as Error).message);
    return value;
  }
});

/** A directory inside the repo, relative to its root, normalised ("./a/" is "a", "" is "."). */
const repoPath: Validate = validator("repo-path", (check, property, value) => {
  const given = typeof value === "string" ? value.trim() : value;
  const path = typeof given === "string" ? given.replace(/^\.\/+/, "").replace(/\/+$/, "") : given;
  if (typeof path !== "string") check.fail(property, "must be a directory path in the repo, for example apps/team-a");
  else if (String(given).startsWith("/"))
    check.fail(property, `"${String(given)}" is absolute: a path is relative to the repo's root; write "${path.replace(/^\/+/, "") || "."}"`);
  else if (path.split("/").some((segment) => segment === "..")) check.fail(property, `"${path}" must stay inside the repo: remove '..'`);
  else if (/[\u0000-\u001f\u007f?#\\]/.test(path))
    check.fail(property, `"${path}" has characters a repo path cannot have (control characters, ?, #, \\): remove them`);
  else return path === "" ? "." : path;
  return value;
});

/** The fields of a GitSource: what a change means, their checks and defaults (see ./spec.ts). */
const spec = resourceSpec<GitSourceArgs>()({
  type: "GitSource",
  // A git source is its name in its runtime: replaced under the same name, the old one must go first,
  // or deleting it afterwards would delete the new one.
  deleteBeforeReplace: ["runtime", "name"],
  fields: {
    runtime: { role: "arg", onChange: "replace", required: true, validate: validate.dnsLabel("the runtime's name (runtime.name)") },
    name: { role: "arg", onChange: "replace", required: true, default: (resourceName) => resourceName, validate: validate.dnsLabel("the git source's name") },
    repoUrl: { role: "arg", onChange: "update", required: true, validate: repoOnlyUrl },
    path: { role: "arg", onChange: "update", required: true, default: ".", validate: repoPath },
    branch: { role: "arg", onChange: "update", validate: validate.branch },
    include: { role: "arg", onChange: "update", validate: validate.text },
    exclude: { role: "arg", onChange: "update", validate: validate.text },
    destServer: {
      role: "arg",
      onChange: "replace",
      required: true,
      default: "https://kubernetes.default.svc",
      validate: validate.httpsUrl("https://kubernetes.default.svc"),
    },
    destNamespace: { role: "arg", onChange: "replace", validate: validate.dnsLabel("a namespace name") },
    labels: { role: "arg", onChange: "replace", validate: validate.labels },
    createRepo: { role: "arg", onChange: "replace", default: false, validate: validate.boolean },
    configManagementPlugin: { role: "arg", onChange: "replace", validate: validate.dnsLabel("the plugin's name as configured in Argo CD") },
    adopt: { role: "arg", onChange: "none", default: false, validate: validate.boolean },
    /** The repo's size in bytes, read at preview where possible (needs `codefresh:gitToken`); undefined otherwise. */
    repoSizeBytes: derived<number>("none"),
    /** The specifier Codefresh stores: `<repo>.git/<path>?ref=<branch>`. */
    appSpecifier: output<string>(),
    /** Argo CD sync status: `SYNCED`, `OUT_OF_SYNC`, … */
    syncStatus: output<string>(),
    /** Argo CD health: `HEALTHY`, `PROGRESSING`, … */
    healthStatus: output<string>(),
  },
});

/** The declaration, for `pulumi-codefresh/provider`'s `declarations`. */
export { spec as gitSourceSpec };

type Inputs = InputsOf<GitSourceArgs, typeof spec.fields>;
type Outputs = OutputsOf<GitSourceArgs, typeof spec.fields>;

const readyTimeoutMs = 5 * 60_000;
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
export const GitSource = specResource(spec, gitSourceShim);
export type GitSource = InstanceType<typeof GitSource>;

/** The branch a git source follows, as its `revision` says; undefined for `HEAD` (the repository's default branch). */
export function branchOf(source: Pick<GitSourceInfo, "revision"> | undefined): string | undefined {
  return source?.revision && source.revision !== "HEAD" ? source.revision : undefined;
}

export function appSpecifier(inputs: Pick<Inputs, "repoUrl" | "path" | "branch">): string {
  const repo = git.parseRepoUrl(inputs.repoUrl, "repoUrl");
  const path = inputs.path === "." || inputs.path === "" ? "" : `/${inputs.path}`;
  return `${repo.cloneUrl}${path}${inputs.branch ? `?ref=${encodeURIComponent(inputs.branch)}` : ""}`;
}

function stackLabelValue(marker: string): string {
  return marker
    .replace(/[^A-Za-z0-9._-]/g, ".")
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "")
    .slice(0, 63);
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
      renamed
        ? `If you renamed that resource to "${here.resource}", add \`aliases: [{ name: "${resource}" }]\` so that one resource keeps the git source; otherwise give this one another \`name\``
        : "Give one of them another `name`"
    }`;
  }
  return undefined;
}

function outputs(inputs: Inputs, info: GitSourceInfo): Outputs {
  return { ...inputs, appSpecifier: appSpecifier(inputs), syncStatus: info.syncStatus ?? "", healthStatus: info.healthStatus ?? "" };
}

/** The size of the git source's repo, through the `codefresh:gitToken` config (undefined without it). */
function repoSize(context: ProviderContext, repoUrl: string): Promise<number | undefined> {
  const repo = git.parseRepoUrl(repoUrl, "repoUrl");
  const provider = context.value("codefresh:gitProvider") as git.GitProviderName | undefined;
  return lookUpRepoSize(context, {
    repo,
    provider: provider ?? git.inferProvider(repo.host) ?? "GITHUB",
    apiUrl: context.value("codefresh:gitApiUrl"),
    token: context.value("codefresh:gitToken"),
  });
}

async function waitUntilReported(context: ProviderContext, inputs: Inputs, timeoutMs: number): Promise<GitSourceInfo> {
  const probe = async () => {
    const info = await context.client.getGitSource(inputs.runtime, inputs.name, { maxAgeMs: listAge.poll });
    if (info?.ready) return { done: true as const, value: info };
    return { done: false as const, status: info ? "waiting for Argo CD to report it" : "not listed yet" };
  };
  return waitFor(`git source ${inputs.name}`, timeoutMs, probe, (message) => context.log(message));
}

/** A git source's labels without the ones this package sets itself (owner, config management plugin). */
export function userLabelsOf(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => key !== stackLabel && key !== resourceLabel && key !== pluginLabel));
}

/** What Codefresh holds of the fields `editGitSource` writes, in the inputs' terms (undefined: not reported). */
function editableFieldsOf(info: GitSourceInfo) {
  return {
    repoUrl: info.repoURL ? git.parseRepoUrl(info.repoURL, "repoURL").cloneUrl : undefined,
    path: info.path ?? undefined,
    branch: branchOf(info),
    include: info.include ?? undefined,
    exclude: info.exclude ?? undefined,
  };
}

/** Whether Codefresh already holds what `editGitSource` would write for `inputs`. */
function holdsEdit(info: GitSourceInfo, inputs: Inputs): boolean {
  const held = editableFieldsOf(info);
  return held.repoUrl !== undefined && isDeepStrictEqual(editOf({ ...inputs, ...held, repoUrl: held.repoUrl, path: held.path ?? "." }), editOf(inputs));
}

function editOf(inputs: Inputs) {
  return { appName: inputs.name, appSpecifier: appSpecifier(inputs), include: inputs.include, exclude: inputs.exclude };
}

export const gitSourceProvider = specProvider<GitSourceArgs, typeof spec.fields, Inputs, Outputs>(
  spec,
  {
    async check(context, { olds, news, inputs, check }) {
      if (typeof news.runtime === "string" && typeof news.name === "string" && !isUnknown(news.runtime) && !isUnknown(news.name)) {
        const failure = claim(urnOf(news, "GitSource"), identities.gitSource(news.runtime, news.name));
        if (failure) check.fail("name", failure);
      }
      if (isUnknown(news.repoUrl)) {
        inputs.repoSizeBytes = unknownValue; // not a silent pass: policies report it as unknown at preview
      } else if (check.failures.length === 0 && typeof inputs.repoUrl === "string") {
        const recorded = recordedFact(olds, "repoSizeBytes", olds.repoUrl === inputs.repoUrl, isNumber);
        inputs.repoSizeBytes = recorded ? recorded.value : await repoSize(context, inputs.repoUrl);
      }
    },

    async create(context, inputs) {
      const urn = urnOf(inputs, "GitSource");
      claimOrThrow("createGitSource", urn, identities.gitSource(inputs.runtime, inputs.name));
      const api = context.client;
      const owner = { [stackLabel]: stackLabelValue(inputs.__stack), ...(urn ? { [resourceLabel]: resourceLabelValue(parseUrn(urn).resource) } : {}) };
      // Adopting expects the git source: read first, and write only what differs (an imported program's first
      // `pulumi up` changes nothing in Codefresh).
      const adopted = inputs.adopt ? await api.getGitSource(inputs.runtime, inputs.name, { maxAgeMs: listAge.poll }) : undefined;
      if (adopted) {
        if (!holdsEdit(adopted, inputs)) await api.editGitSource(inputs.runtime, editOf(inputs));
      } else {
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
          if (!existing) throw await explainMissingRuntime(api, error, inputs.runtime, `GitSource ${inputs.name}`);
          // Ours from an interrupted run (our labels), or taken over on request; anything else is refused.
          const refused = inputs.adopt ? undefined : refusal(inputs, existing.labels);
          if (refused) throw new ConflictError("createGitSource", refused);
          await api.editGitSource(inputs.runtime, editOf(inputs));
        }
      }
      const timeout = parseDuration(inputs.__timeouts?.create) ?? readyTimeoutMs;
      const id = `${inputs.runtime}/${inputs.name}`;
      try {
        return { id, outs: outputs(inputs, await waitUntilReported(context, inputs, timeout)) };
      } catch (error) {
        throw partialCreate(id, { ...inputs, appSpecifier: appSpecifier(inputs) }, error);
      }
    },

    async read(context, id, props) {
      const [runtime = "", name = ""] = id.split("/");
      const info = await context.client.getGitSource(runtime, name, { maxAgeMs: listAge.refresh });
      if (!info) return { id: "" };
      const prior: Partial<Outputs> = props ?? {};
      const held = editableFieldsOf(info);
      const userLabels = userLabelsOf(info.labels);
      const { appSpecifier: _specifier, syncStatus: _sync, healthStatus: _health, ...priorInputs } = prior;
      const inputs: Inputs = {
        ...priorInputs,
        __stack: prior.__stack ?? "",
        runtime,
        name,
        repoUrl: held.repoUrl ?? prior.repoUrl ?? "",
        path: held.path ?? prior.path ?? ".",
        branch: held.branch,
        include: held.include,
        exclude: held.exclude,
        destServer: info.destServer ?? prior.destServer ?? "",
        destNamespace: info.destNamespace ?? prior.destNamespace,
        labels: Object.keys(userLabels).length > 0 ? userLabels : prior.labels === undefined ? undefined : {},
        configManagementPlugin: info.labels[pluginLabel] ?? undefined,
        createRepo: prior.createRepo ?? false,
        adopt: prior.adopt ?? false,
      };
      inputs.repoSizeBytes = (await repoSize(context, inputs.repoUrl)) ?? prior.repoSizeBytes; // renewed here, reused by check
      return readResult(id, outputs(inputs, info), inputs);
    },

    async update(context, _id, _olds, news) {
      await context.client.editGitSource(news.runtime, editOf(news));
      const timeout = parseDuration(news.__timeouts?.update) ?? readyTimeoutMs;
      return { outs: outputs(news, await waitUntilReported(context, news, timeout)) };
    },

    async delete(context, id) {
      const [runtime = "", name = ""] = id.split("/");
      await context.client.deleteGitSource(runtime, name);
    },
  },
  processContext,
);
