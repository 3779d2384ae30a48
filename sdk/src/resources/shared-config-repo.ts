// SharedConfigRepo: the account's GitOps settings (git provider, API URL, Shared Configuration Repo)
// and the runtime's git connection. For a hosted runtime, connecting git makes Codefresh create the
// Shared Configuration Repo and the default Git Source repo; a hybrid runtime was installed with the
// account's settings already made, and commits with each user's git token registered on its git integration.
import type * as pulumi from "@pulumi/pulumi";
import { listAge, type AccountInfo, type RuntimeInfo } from "../api";
import { ConflictError } from "../errors";
import * as git from "../git";
import { secureUrl } from "../net";
import { claim, claimOrThrow, identities, urnOf } from "./ownership";
import { validate, Validate, validator } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import { isNumber, lookUpRepoSize, recordedFact, type RepoSizeLookup } from "./provider/facts";
import { readResult } from "./provider/guard";
import { processContext } from "./provider/process";
import { isUnknown, unknownValue } from "./provider/unknown";
import { parseDuration, waitFor } from "./provider/wait";
import { describeRuntime, requireRuntime } from "./runtime-kind";
import { output, derived, InputsOf, OutputsOf, resourceSpec, specProvider, specResource } from "./spec";
import sharedConfigRepoShim = require("./shims/shared-config-repo");

export interface SharedConfigRepoArgs {
  /**
   * The runtime whose git connection this makes (pass `runtime.name` of a `HostedRuntime` or a `Runtime`).
   * A hosted runtime: Codefresh creates both repositories. A hybrid runtime: the account's settings are
   * written only where they differ, and `gitToken` is registered as your token on its `default` git integration.
   */
  runtime: pulumi.Input<string>;
  /**
   * `GITHUB`, `BITBUCKET` (Bitbucket Cloud) or `GERRIT`: the providers a hosted runtime supports, and those
   * of a hybrid runtime's this package's git layer speaks (Codefresh also supports GitLab, GitHub Enterprise
   * and Bitbucket Data Center for hybrid runtimes).
   */
  gitProvider: pulumi.Input<git.GitProviderName>;
  /**
   * The Shared Configuration Repository, in Codefresh's format `https://<host>/<owner>/<repo>.git[/<path>][?ref=<branch>]`.
   * Codefresh creates it if it does not exist. It cannot change once runtimes have cloned it.
   */
  repoUrl: pulumi.Input<string>;
  /**
   * The repository of the default Git Source Codefresh creates with it (hosted runtimes only: a hybrid
   * runtime gets no default git source from Codefresh, and this is not used).
   * @default the same owner's `codefresh-runtime-applications.git`
   */
  gitSourceRepoUrl?: pulumi.Input<string> | undefined;
  /** The provider's API URL; derived from the repo host when omitted (GitHub Enterprise: `https://<host>/api/v3`). */
  gitApiUrl?: pulumi.Input<string> | undefined;
  /**
   * A token that can create and push to repos in the owner (GitHub: `repo` scope), or an app/HTTP password. Secret.
   * A hosted runtime commits with it; on a hybrid runtime it is registered as the API key's user's git token.
   */
  gitToken: pulumi.Input<string>;
  /** Bitbucket Cloud app passwords and Gerrit HTTP passwords need the user name. */
  gitUsername?: pulumi.Input<string> | undefined;
  /**
   * Set when `gitApiUrl` is an on-premises API on a host unrelated to `repoUrl`'s. Without it such a
   * `gitApiUrl` is refused, as it would receive the git token (`api.<host>` and the repo's own host need
   * nothing; nor does Gerrit). @default false
   */
  gitApiOnPremises?: pulumi.Input<boolean> | undefined;
  /** Take over settings made in the Codefresh UI instead of failing because the account already has them. */
  adopt?: pulumi.Input<boolean> | undefined;
}

/** A repo URL in Codefresh's format, normalised. */
const repoUrl = (example?: string): Validate =>
  validator("repo-url", (check, property, value) => {
    if (!check.requireString(property, value, ...(example ? [`the repo URL, for example ${example}`] : []))) return value;
    try {
      return git.parseRepoUrl(value, property).repoUrl;
    } catch (error) {
      check.fail(property, (error as Error).message);
      return value;
    }
  });

const hostedProvider: Validate = validator("git-provider", (check, property, value) => {
  if (!check.requireString(property, value, `one of ${git.hostedGitProviders.join(", ")}`)) return value;
  try {
    return git.assertHostedProvider(value, property);
  } catch (error) {
    check.fail(property, (error as Error).message);
    return value;
  }
});

/** An https URL (http only on loopback), without trailing slashes; whether its host may get the token is a check of its own. */
const apiUrl: Validate = validator("api-url", (check, property, value) => {
  try {
    secureUrl(String(value), property, { loopbackHttp: true });
    return String(value).replace(/\/+$/, "");
  } catch {
    check.fail(property, `"${String(value)}" must be an https URL, for example https://api.github.com`);
    return value;
  }
});

/** The fields of a SharedConfigRepo: what a change means, their checks and defaults (see ./spec.ts). */
const spec = resourceSpec<SharedConfigRepoArgs>()({
  type: "SharedConfigRepo",
  fields: {
    runtime: { role: "arg", onChange: "replace", required: true, validate: validate.dnsLabel("the runtime's name (runtime.name)") },
    gitProvider: { role: "arg", onChange: "update", required: true, validate: hostedProvider },
    // A changed repoUrl is not a replacement: update explains why Codefresh refuses it once cloned.
    repoUrl: { role: "arg", onChange: "update", required: true, validate: repoUrl("https://github.com/acme/codefresh-isc.git") },
    gitSourceRepoUrl: { role: "arg", onChange: "update", filled: true, validate: repoUrl() },
    gitApiUrl: { role: "arg", onChange: "update", filled: true, validate: apiUrl },
    gitToken: {
      role: "arg",
      onChange: "update",
      required: true,
      secret: true,
      validate: validate.requiredText("a git token (mark it secret: config.requireSecret)"),
    },
    gitUsername: { role: "arg", onChange: "update", validate: validate.text },
    gitApiOnPremises: { role: "arg", onChange: "none", validate: validate.boolean },
    adopt: { role: "arg", onChange: "none", default: false, validate: validate.boolean },
    /** The repo's size in bytes, read at preview where the provider's API gives it (GitHub, Bitbucket); undefined otherwise. */
    repoSizeBytes: derived<number>("none"),
    /** The Codefresh account's id. */
    accountId: output<string>(),
    /** The Git Source Codefresh created pointing at `gitSourceRepoUrl` ("" if none). */
    defaultGitSourceName: output<string>(),
    /** Codefresh validated the settings. */
    csdpValidated: output<boolean>(),
  },
});

/** The declaration, for `pulumi-codefresh/provider`'s `declarations`. */
export { spec as sharedConfigRepoSpec };

type Inputs = InputsOf<SharedConfigRepoArgs, typeof spec.fields>;
type Outputs = OutputsOf<SharedConfigRepoArgs, typeof spec.fields>;

const connectTimeoutMs = 5 * 60_000;
const defaultSourceRepoName = "codefresh-runtime-applications";

/**
 * The account's Shared Configuration Repository and the runtime's git connection, for a hosted or a
 * hybrid runtime (see `runtime`).
 *
 * Destroying it leaves the account settings and both repos in place: Codefresh does not allow account
 * GitOps settings to be removed, only changed, and the repos hold your configuration.
 *
 * @example
 * const repo = new codefresh.SharedConfigRepo("isc", {
 *   runtime: runtime.name,
 *   gitProvider: "GITHUB",
 *   repoUrl: "https://github.com/acme/codefresh-isc.git",
 *   gitToken: config.requireSecret("githubToken"),
 * });
 */
export const SharedConfigRepo = specResource(spec, sharedConfigRepoShim);
export type SharedConfigRepo = InstanceType<typeof SharedConfigRepo>;

/** Whether an API host belongs with a repo host: the same host, `api.<host>`, or one a subdomain of the other. */
export function relatedHosts(apiHost: string, repoHostWithPort: string): boolean {
  const api = apiHost.toLowerCase();
  const repo = repoHostWithPort.replace(/:\d+$/, "").toLowerCase();
  return api === repo || api.endsWith(`.${repo}`) || repo.endsWith(`.${api}`);
}

/** The repo's size from its provider's API (read-only, one attempt of 5 s); undefined where unknown. */
function sizeOf(
  context: ProviderContext,
  inputs: { repoUrl: string; gitProvider: git.GitProviderName; gitToken: string; gitUsername?: string | undefined; gitApiUrl?: string | undefined },
  lookup: RepoSizeLookup,
): Promise<number | undefined> {
  return lookUpRepoSize(
    context,
    { repo: git.parseRepoUrl(inputs.repoUrl), provider: inputs.gitProvider, apiUrl: inputs.gitApiUrl, token: inputs.gitToken, username: inputs.gitUsername },
    lookup,
  );
}

/**
 * After a write the repo exists (Codefresh created it): a size unknown at check is looked up for the
 * outputs; the inputs keep what check recorded until the first refresh.
 */
async function measured(context: ProviderContext, inputs: Inputs): Promise<Inputs> {
  return inputs.repoSizeBytes === undefined ? { ...inputs, repoSizeBytes: await sizeOf(context, inputs, "fresh") } : inputs;
}

function sameRepo(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  try {
    return git.parseRepoUrl(a).repoUrl === git.parseRepoUrl(b).repoUrl;
  } catch {
    return a === b;
  }
}

async function outputs(context: ProviderContext, inputs: Inputs, account: AccountInfo, maxAgeMs: number = listAge.recent): Promise<Outputs> {
  const sources = await context.client.listGitSources(inputs.runtime, { maxAgeMs }).catch(() => []);
  const sourceRepo = git.parseRepoUrl(inputs.gitSourceRepoUrl);
  const defaultSource = sources.find((s) => s.repoURL !== undefined && git.parseRepoUrl(s.repoURL, "repoURL").cloneUrl === sourceRepo.cloneUrl);
  return { ...inputs, accountId: account.id, defaultGitSourceName: defaultSource?.name ?? "", csdpValidated: account.csdpValidated ?? false };
}

/** The name of the git integration a runtime commits through (Codefresh's installers and UI create `default`). */
const integrationName = "default";

/**
 * A hybrid runtime's git connection, through Codefresh's public operations: the account's settings where
 * they differ (Codefresh's UI asks for them before the first runtime is installed, so usually none), the
 * runtime's `default` git integration if it has none, and the user's token registered with it.
 */
async function connectHybrid(context: ProviderContext, inputs: Inputs, runtime: RuntimeInfo): Promise<AccountInfo> {
  const api = context.client;
  const account = await api.getAccount();
  const apiUrl = inputs.gitApiUrl.replace(/\/+$/, "");
  if (account.gitProvider !== inputs.gitProvider || account.gitApiUrl?.replace(/\/+$/, "") !== apiUrl || !sameRepo(account.sharedConfigRepo, inputs.repoUrl)) {
    await api.updateAccountSettings({ gitProvider: inputs.gitProvider, gitApiUrl: apiUrl, sharedConfigRepo: inputs.repoUrl });
  }
  const integration = (await api.listGitIntegrations(runtime.name)).find((i) => i.name === integrationName);
  if (!integration) {
    context.log(`${describeRuntime(runtime)}: adding its "${integrationName}" git integration (${inputs.gitProvider}, ${apiUrl})`);
    await api.addGitIntegration(runtime.name, { name: integrationName, provider: inputs.gitProvider, apiUrl });
  } else if (integration.provider !== inputs.gitProvider) {
    throw new ConflictError(
      "registerToGitIntegration",
      `${describeRuntime(runtime)} commits through its "${integrationName}" git integration, which is ${integration.provider}, not ${inputs.gitProvider}; set gitProvider: "${integration.provider}" (a runtime's git provider is the account's, chosen when its first runtime was installed)`,
    );
  }
  if (inputs.adopt && integration?.users.includes(account.userId)) {
    // Adopted as it is: the user already has a token there; a later change of gitToken registers the new one.
    context.log(`${describeRuntime(runtime)}: adopted; your token is already registered with its "${integrationName}" git integration`);
    return account;
  }
  await api.registerToGitIntegration(runtime.name, { name: integrationName, token: inputs.gitToken, username: inputs.gitUsername });
  return api.getAccount();
}

/** Connects the runtime's git provider, by its kind; answers the account's settings after. */
function connect(context: ProviderContext, inputs: Inputs, runtime: RuntimeInfo): Promise<AccountInfo> {
  return runtime.managed ? connectHosted(context, inputs) : connectHybrid(context, inputs, runtime);
}

async function connectHosted(context: ProviderContext, inputs: Inputs): Promise<AccountInfo> {
  const api = context.client;
  await api.connectGit(inputs.runtime, {
    provider: inputs.gitProvider,
    apiUrl: inputs.gitApiUrl,
    token: inputs.gitToken,
    username: inputs.gitUsername,
    sharedConfigRepo: inputs.repoUrl,
    gitSourceRepo: inputs.gitSourceRepoUrl,
  });
  const timeout = parseDuration(inputs.__timeouts?.create) ?? connectTimeoutMs;
  const probe = async () => {
    const runtime = await api.getRuntime(inputs.runtime);
    return runtime?.iscInitialized ? { done: true as const, value: undefined } : { done: false as const, status: "creating the repositories" };
  };
  await waitFor(`connecting git for runtime ${inputs.runtime}`, timeout, probe, (message) => context.log(message));
  return api.getAccount();
}

/** Refuses a change of repo once runtimes have cloned the current one, saying why and what to do. */
async function assertRepoChangeAllowed(context: ProviderContext, account: AccountInfo, wanted: string): Promise<void> {
  if (!account.sharedConfigRepo || sameRepo(account.sharedConfigRepo, wanted)) return;
  const cloned = (await context.client.listRuntimes()).filter((r) => r.iscInitialized);
  if (cloned.length > 0) {
    throw new ConflictError(
      "updateCsdpSettings",
      `the account's Shared Configuration Repository is ${account.sharedConfigRepo} and runtime(s) ${cloned.map((r) => r.name).join(", ")} have cloned it; Codefresh does not allow it to change after that (it keeps one per account). Keep repoUrl: "${account.sharedConfigRepo}", or ask Codefresh support to reset it`,
    );
  }
}

const isKnownText = (value: unknown): value is string => typeof value === "string" && !isUnknown(value);

export const sharedConfigRepoProvider = specProvider<SharedConfigRepoArgs, typeof spec.fields, Inputs, Outputs>(
  spec,
  {
    async check(context, { olds, news, inputs, check }) {
      const provider =
        check.failures.some((f) => f.property === "gitProvider") || !isKnownText(inputs.gitProvider) ? undefined : (inputs.gitProvider as git.GitProviderName);
      const repo = check.failures.some((f) => f.property === "repoUrl") || !isKnownText(inputs.repoUrl) ? undefined : git.parseRepoUrl(inputs.repoUrl);
      if ((news.gitSourceRepoUrl === undefined || news.gitSourceRepoUrl === null) && repo) {
        inputs.gitSourceRepoUrl = `https://${repo.host}/${repo.owner ? `${repo.owner}/` : ""}${defaultSourceRepoName}.git`;
      }
      if (news.gitApiUrl === undefined || news.gitApiUrl === null) {
        if (repo && provider) inputs.gitApiUrl = git.defaultApiUrl(provider, repo.host);
      } else if (repo && isKnownText(inputs.gitApiUrl) && !check.failures.some((f) => f.property === "gitApiUrl")) {
        const url = new URL(inputs.gitApiUrl);
        if (provider !== "GERRIT" && news.gitApiOnPremises !== true && !isUnknown(news.gitApiOnPremises) && !relatedHosts(url.hostname, repo.host)) {
          check.fail(
            "gitApiUrl",
            `${url.host} is not the host of repoUrl (${repo.host}) nor its API host (api.${repo.host.replace(/:\d+$/, "")}), and it would receive the git token; fix gitApiUrl, or set gitApiOnPremises: true if it is your on-premises API`,
          );
        }
      }
      if ((news.gitProvider === "BITBUCKET" || news.gitProvider === "GERRIT") && (news.gitUsername === undefined || news.gitUsername === "")) {
        check.fail("gitUsername", `${news.gitProvider === "GERRIT" ? "Gerrit HTTP passwords" : "Bitbucket app passwords"} need the user name: set gitUsername`);
      }
      const duplicate = claim(urnOf(news, "SharedConfigRepo"), identities.sharedConfigRepo());
      if (duplicate) check.fail("repoUrl", duplicate);
      if ([news.repoUrl, news.gitToken, news.gitApiUrl].some(isUnknown)) {
        inputs.repoSizeBytes = unknownValue; // reported as unknown by the policy pack, not passed
      } else if (check.failures.length === 0 && repo && provider && typeof news.gitToken === "string") {
        const unchanged = olds.repoUrl === repo.repoUrl && olds.gitApiUrl === inputs.gitApiUrl;
        const recorded = recordedFact(olds, "repoSizeBytes", unchanged, isNumber);
        inputs.repoSizeBytes = recorded
          ? recorded.value
          : await sizeOf(
              context,
              {
                repoUrl: repo.repoUrl,
                gitProvider: provider,
                gitApiUrl: typeof inputs.gitApiUrl === "string" ? inputs.gitApiUrl : undefined,
                gitToken: news.gitToken,
                gitUsername: typeof news.gitUsername === "string" ? news.gitUsername : undefined,
              },
              "check",
            );
      }
    },

    async create(context, inputs) {
      claimOrThrow("updateCsdpSettings", urnOf(inputs, "SharedConfigRepo"), identities.sharedConfigRepo());
      const api = context.client;
      const account = await api.getAccount();
      if (account.sharedConfigRepo && !sameRepo(account.sharedConfigRepo, inputs.repoUrl)) {
        await assertRepoChangeAllowed(context, account, inputs.repoUrl);
        if (!inputs.adopt) {
          throw new ConflictError(
            "updateCsdpSettings",
            `the account already has a Shared Configuration Repository (${account.sharedConfigRepo}); set repoUrl to it and \`adopt: true\` to manage it here`,
          );
        }
      }
      const runtime = await requireRuntime(api, inputs.runtime, "SharedConfigRepo");
      const connected = runtime.managed && runtime.iscInitialized && sameRepo(account.sharedConfigRepo, inputs.repoUrl);
      const settled = connected ? account : await connect(context, inputs, runtime);
      return { id: settled.id, outs: await outputs(context, await measured(context, inputs), settled) };
    },

    async read(context, id, props) {
      const account = await context.client.getAccount();
      if (!account.sharedConfigRepo || !props) return { id: "" };
      const { accountId: _id, defaultGitSourceName: _source, csdpValidated: _validated, ...prior } = props;
      const inputs: Inputs = {
        ...prior,
        gitProvider: (account.gitProvider as git.GitProviderName | undefined) ?? prior.gitProvider,
        gitApiUrl: account.gitApiUrl ?? prior.gitApiUrl,
        repoUrl: sameRepo(account.sharedConfigRepo, prior.repoUrl) ? prior.repoUrl : account.sharedConfigRepo,
      };
      // Renewed here, reused by check while the repo is the same.
      inputs.repoSizeBytes = (await sizeOf(context, inputs, "fresh")) ?? prior.repoSizeBytes;
      return readResult(id, await outputs(context, inputs, account, listAge.refresh), inputs);
    },

    async update(context, _id, _olds, news) {
      const account = await context.client.getAccount();
      await assertRepoChangeAllowed(context, account, news.repoUrl);
      const runtime = await requireRuntime(context.client, news.runtime, "SharedConfigRepo");
      const settled = await connect(context, news, runtime);
      return { outs: await outputs(context, await measured(context, news), settled) };
    },

    async delete(context, _id, props) {
      // Codefresh keeps account GitOps settings forever (they can be changed, never removed), and the
      // repos hold the user's configuration: detach, and say so.
      context.log(
        `SharedConfigRepo: detached. Codefresh does not allow account GitOps settings to be removed; the account keeps ${String(props.repoUrl)} as its Shared Configuration Repository, and both repositories stay in git`,
      );
    },
  },
  processContext,
);
