// SharedConfigRepo: the account's GitOps settings (git provider, API URL, Shared Configuration Repo)
// and the hosted runtime's git-provider connection, which makes Codefresh create the Shared
// Configuration Repo and the default Git Source repo.
import * as pulumi from "@pulumi/pulumi";
import type { AccountInfo } from "../api";
import { ConflictError } from "../errors";
import * as git from "../git";
import { ownUrn, stackMarker, withoutStackCapture, providerVersion, Timeouts, timeoutsOf, typeToken, withSecretOutputs } from "./common";
import { Check, client, guarded, isNumber, isUnknown, lookUpRepoSize, parseDuration, progress, ProviderImpl, readResult, recordedFact, rememberSecret, unknown, waitFor } from "./provider-base";
import { claim, claimOrThrow, identities, urnOf } from "./ownership";
import sharedConfigRepoShim = require("./shims/shared-config-repo");

export interface SharedConfigRepoArgs {
  /** The hosted runtime whose git provider this connects (pass `runtime.name`). */
  runtime: pulumi.Input<string>;
  /** `GITHUB`, `BITBUCKET` (Bitbucket Cloud) or `GERRIT`: the providers a hosted runtime supports. */
  gitProvider: pulumi.Input<"GITHUB" | "BITBUCKET" | "GERRIT">;
  /**
   * The Shared Configuration Repository, in Codefresh's format `https://<host>/<owner>/<repo>.git[/<path>][?ref=<branch>]`.
   * Codefresh creates it if it does not exist. It cannot change once runtimes have cloned it.
   */
  repoUrl: pulumi.Input<string>;
  /**
   * The repository of the default Git Source Codefresh creates with it.
   * @default the same owner's `codefresh-runtime-applications.git`
   */
  gitSourceRepoUrl?: pulumi.Input<string>;
  /** The provider's API URL; derived from the repo host when omitted (GitHub Enterprise: `https://<host>/api/v3`). */
  gitApiUrl?: pulumi.Input<string>;
  /** A token that can create and push to repos in the owner (GitHub: `repo` scope), or an app/HTTP password. Secret. */
  gitToken: pulumi.Input<string>;
  /** Bitbucket Cloud app passwords and Gerrit HTTP passwords need the user name. */
  gitUsername?: pulumi.Input<string>;
  /**
   * Set when `gitApiUrl` is an on-premises API on a host unrelated to `repoUrl`'s. Without it such a
   * `gitApiUrl` is refused, as it would receive the git token (`api.<host>` and the repo's own host need
   * nothing; nor does Gerrit). @default false
   */
  gitApiOnPremises?: pulumi.Input<boolean>;
  /** Take over settings made in the Codefresh UI instead of failing because the account already has them. */
  adopt?: pulumi.Input<boolean>;
}

interface Inputs {
  runtime: string;
  gitProvider: git.GitProviderName;
  repoUrl: string;
  gitSourceRepoUrl: string;
  gitApiUrl: string;
  gitToken: string;
  gitUsername?: string;
  gitApiOnPremises?: boolean;
  adopt: boolean;
  /** The Shared Configuration Repo's size, read in check where the provider API gives it. */
  repoSizeBytes?: number;
  /** The resource's URN, short (see ownUrn), and its stack: who manages the object. */
  __urn?: string;
  __stack?: string;
  __timeouts?: Timeouts;
  providerVersion?: string;
}

interface Outputs extends Inputs {
  accountId: string;
  /** The default Git Source Codefresh created with the repos (manage it with a GitSource and `adopt: true`). */
  defaultGitSourceName: string;
  csdpValidated: boolean;
}

const connectTimeoutMs = 5 * 60_000;
const defaultSourceRepoName = "codefresh-runtime-applications";

/**
 * The account's Shared Configuration Repository and the hosted runtime's git connection.
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
export class SharedConfigRepo extends pulumi.dynamic.Resource {
  static readonly __pulumiType = typeToken("SharedConfigRepo");

  declare readonly runtime: pulumi.Output<string>;
  declare readonly gitProvider: pulumi.Output<string>;
  /** The Shared Configuration Repository, normalised. */
  declare readonly repoUrl: pulumi.Output<string>;
  /** The default Git Source's repository. */
  declare readonly gitSourceRepoUrl: pulumi.Output<string>;
  declare readonly gitApiUrl: pulumi.Output<string>;
  declare readonly gitApiOnPremises: pulumi.Output<boolean | undefined>;
  declare readonly gitToken: pulumi.Output<string>;
  declare readonly gitUsername: pulumi.Output<string | undefined>;
  declare readonly adopt: pulumi.Output<boolean>;
  /** The Codefresh account's id. */
  declare readonly accountId: pulumi.Output<string>;
  /** The Git Source Codefresh created pointing at `gitSourceRepoUrl` ("" if none). */
  declare readonly defaultGitSourceName: pulumi.Output<string>;
  /** Codefresh validated the settings. */
  declare readonly csdpValidated: pulumi.Output<boolean>;
  /** The repo's size in bytes, read at preview where the provider's API gives it (GitHub, Bitbucket); undefined otherwise. */
  declare readonly repoSizeBytes: pulumi.Output<number | undefined>;
  declare readonly providerVersion: pulumi.Output<string>;

  constructor(name: string, args: SharedConfigRepoArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStackCapture = withoutStackCapture();
    try {
      super(
        sharedConfigRepoShim,
        name,
        {
          accountId: undefined,
          defaultGitSourceName: undefined,
          repoSizeBytes: undefined,
          csdpValidated: undefined,
          gitSourceRepoUrl: undefined,
          gitApiUrl: undefined,
          gitUsername: undefined,
          gitApiOnPremises: undefined,
          ...args,
          gitToken: pulumi.secret(args.gitToken),
          adopt: args.adopt ?? false,
          __urn: ownUrn(name, "SharedConfigRepo", opts),
          __stack: stackMarker(),
          __timeouts: timeoutsOf(opts),
          providerVersion,
        },
        withSecretOutputs(opts, ["gitToken"]),
        "codefresh",
        "SharedConfigRepo",
      );
    } finally {
      restoreStackCapture();
    }
  }
}

/** Whether an API host belongs with a repo host: the same host, `api.<host>`, or one a subdomain of the other. */
function relatedHosts(apiHost: string, repoHostWithPort: string): boolean {
  const api = apiHost.toLowerCase();
  const repo = repoHostWithPort.replace(/:\d+$/, "").toLowerCase();
  return api === repo || api.endsWith(`.${repo}`) || repo.endsWith(`.${api}`);
}

/** The repo's size from its provider's API (read-only, one attempt of 5 s); undefined where unknown. */
function sizeOf(inputs: Pick<Inputs, "repoUrl" | "gitProvider" | "gitToken" | "gitUsername"> & { gitApiUrl?: string }): Promise<number | undefined> {
  if (!inputs.gitProvider || !inputs.gitToken) return Promise.resolve(undefined);
  return lookUpRepoSize({ repoUrl: inputs.repoUrl, provider: inputs.gitProvider, apiUrl: inputs.gitApiUrl, token: inputs.gitToken, username: inputs.gitUsername });
}

/**
 * After a write the repo exists (Codefresh created it): a size unknown at check is looked up for the
 * outputs; the inputs keep what check recorded until the first refresh.
 */
async function measured(inputs: Inputs): Promise<Inputs> {
  return inputs.repoSizeBytes === undefined ? { ...inputs, repoSizeBytes: await sizeOf(inputs) } : inputs;
}

function sameRepo(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  try {
    return git.parseRepoUrl(a).repoUrl === git.parseRepoUrl(b).repoUrl;
  } catch {
    return a === b;
  }
}

async function outputs(inputs: Inputs, account: AccountInfo): Promise<Outputs> {
  const sources = await client().listGitSources(inputs.runtime).catch(() => []);
  const sourceRepo = git.parseRepoUrl(inputs.gitSourceRepoUrl);
  const defaultSource = sources.find((s) => s.repoURL !== undefined && git.parseRepoUrl(s.repoURL, "repoURL").cloneUrl === sourceRepo.cloneUrl);
  return { ...inputs, accountId: account.id, defaultGitSourceName: defaultSource?.name ?? "", csdpValidated: account.csdpValidated ?? false };
}

async function connect(inputs: Inputs): Promise<AccountInfo> {
  const api = client();
  rememberSecret(inputs.gitToken);
  await api.connectGit(inputs.runtime, {
    provider: inputs.gitProvider,
    apiUrl: inputs.gitApiUrl,
    token: inputs.gitToken,
    username: inputs.gitUsername,
    sharedConfigRepo: inputs.repoUrl,
    gitSourceRepo: inputs.gitSourceRepoUrl,
  });
  const timeout = parseDuration(inputs.__timeouts?.create) ?? connectTimeoutMs;
  await waitFor(`connecting git for runtime ${inputs.runtime}`, timeout, async () => {
    const runtime = await api.getRuntime(inputs.runtime);
    return runtime?.iscInitialized ? { done: true, value: undefined } : { done: false, status: "creating the repositories" };
  });
  return api.getAccount();
}

/** Refuses a change of repo once runtimes have cloned the current one, saying why and what to do. */
async function assertRepoChangeAllowed(account: AccountInfo, wanted: string): Promise<void> {
  if (!account.sharedConfigRepo || sameRepo(account.sharedConfigRepo, wanted)) return;
  const cloned = (await client().listRuntimes()).filter((r) => r.iscInitialized);
  if (cloned.length > 0) {
    throw new ConflictError(
      "updateCsdpSettings",
      `the account's Shared Configuration Repository is ${account.sharedConfigRepo} and runtime(s) ${cloned.map((r) => r.name).join(", ")} have cloned it; Codefresh does not allow it to change after that (it keeps one per account). Keep repoUrl: "${account.sharedConfigRepo}", or ask Codefresh support to reset it`,
    );
  }
}

export const sharedConfigRepoProvider: ProviderImpl = guarded({
  async check(olds, news) {
    const check = new Check();
    check.dnsLabel("runtime", news.runtime, "the hosted runtime's name (runtime.name)");
    let provider: git.GitProviderName | undefined;
    if (!isUnknown(news.gitProvider)) {
      try {
        provider = git.assertHostedProvider(String(news.gitProvider), "gitProvider");
      } catch (error) {
        check.fail("gitProvider", (error as Error).message);
      }
    }
    const inputs = { ...news };
    let repo: git.RepoRef | undefined;
    if (check.requireString("repoUrl", news.repoUrl, "the repo URL, for example https://github.com/acme/codefresh-isc.git")) {
      try {
        repo = git.parseRepoUrl(news.repoUrl as string, "repoUrl");
        inputs.repoUrl = repo.repoUrl;
      } catch (error) {
        check.fail("repoUrl", (error as Error).message);
      }
    }
    if (news.gitSourceRepoUrl !== undefined && news.gitSourceRepoUrl !== null) {
      if (check.requireString("gitSourceRepoUrl", news.gitSourceRepoUrl)) {
        try {
          inputs.gitSourceRepoUrl = git.parseRepoUrl(news.gitSourceRepoUrl as string, "gitSourceRepoUrl").repoUrl;
        } catch (error) {
          check.fail("gitSourceRepoUrl", (error as Error).message);
        }
      }
    } else if (repo) {
      inputs.gitSourceRepoUrl = `https://${repo.host}/${repo.owner ? `${repo.owner}/` : ""}${defaultSourceRepoName}.git`;
    }
    if (news.gitApiUrl !== undefined && news.gitApiUrl !== null && !isUnknown(news.gitApiUrl)) {
      try {
        const url = new URL(String(news.gitApiUrl));
        if (url.protocol !== "https:" && !(url.protocol === "http:" && ["127.0.0.1", "localhost"].includes(url.hostname))) throw new Error("not https");
        inputs.gitApiUrl = String(news.gitApiUrl).replace(/\/+$/, "");
        if (repo && provider !== "GERRIT" && news.gitApiOnPremises !== true && !isUnknown(news.gitApiOnPremises) && !relatedHosts(url.hostname, repo.host)) {
          check.fail(
            "gitApiUrl",
            `${url.host} is not the host of repoUrl (${repo.host}) nor its API host (api.${repo.host.replace(/:\d+$/, "")}), and it would receive the git token; fix gitApiUrl, or set gitApiOnPremises: true if it is your on-premises API`,
          );
        }
      } catch {
        check.fail("gitApiUrl", `"${String(news.gitApiUrl)}" must be an https URL, for example https://api.github.com`);
      }
    } else if (repo && provider) {
      inputs.gitApiUrl = git.defaultApiUrl(provider, repo.host);
    }
    check.requireString("gitToken", news.gitToken, "a git token (mark it secret: config.requireSecret)");
    check.optionalString("gitUsername", news.gitUsername);
    if ((news.gitProvider === "BITBUCKET" || news.gitProvider === "GERRIT") && (news.gitUsername === undefined || news.gitUsername === "")) {
      check.fail("gitUsername", `${news.gitProvider === "GERRIT" ? "Gerrit HTTP passwords" : "Bitbucket app passwords"} need the user name: set gitUsername`);
    }
    check.optionalBoolean("adopt", news.adopt);
    check.optionalBoolean("gitApiOnPremises", news.gitApiOnPremises);
    const duplicate = claim(urnOf(news, "SharedConfigRepo"), identities.sharedConfigRepo());
    if (duplicate) check.fail("repoUrl", duplicate);
    if ([news.repoUrl, news.gitToken, news.gitApiUrl].some(isUnknown)) {
      inputs.repoSizeBytes = unknown; // reported as unknown by the policy pack, not passed
    } else if (check.failures.length === 0 && repo && provider && typeof news.gitToken === "string") {
      const unchanged = olds.repoUrl === repo.repoUrl && olds.gitApiUrl === inputs.gitApiUrl;
      const recorded = recordedFact(olds, "repoSizeBytes", unchanged, isNumber);
      inputs.repoSizeBytes = recorded
        ? recorded.value
        : await sizeOf({
            repoUrl: repo.repoUrl,
            gitProvider: provider,
            gitApiUrl: inputs.gitApiUrl as string | undefined,
            gitToken: news.gitToken,
            gitUsername: typeof news.gitUsername === "string" ? news.gitUsername : undefined,
          });
    }
    return { inputs, failures: check.failures };
  },

  async diff(_id, olds, news) {
    const replaces = isUnknown(news.runtime) || olds.runtime !== news.runtime ? ["runtime"] : [];
    const keys = ["gitProvider", "repoUrl", "gitSourceRepoUrl", "gitApiUrl", "gitToken", "gitUsername"];
    const changed = keys.some((key) => isUnknown(news[key]) || (olds[key] ?? "") !== (news[key] ?? ""));
    // A changed repoUrl is not a replacement: update explains why Codefresh refuses it once cloned.
    return { changes: replaces.length > 0 || changed, replaces };
  },

  async create(raw) {
    const inputs = raw as unknown as Inputs;
    claimOrThrow("updateCsdpSettings", urnOf(inputs, "SharedConfigRepo"), identities.sharedConfigRepo());
    const api = client();
    const account = await api.getAccount();
    if (account.sharedConfigRepo && !sameRepo(account.sharedConfigRepo, inputs.repoUrl)) {
      await assertRepoChangeAllowed(account, inputs.repoUrl);
      if (!inputs.adopt) {
        throw new ConflictError(
          "updateCsdpSettings",
          `the account already has a Shared Configuration Repository (${account.sharedConfigRepo}); set repoUrl to it and \`adopt: true\` to manage it here`,
        );
      }
    }
    const runtime = await api.getRuntime(inputs.runtime);
    if (!runtime) throw new Error(`runtime "${inputs.runtime}" does not exist in this account: create the HostedRuntime first (pass runtime.name)`);
    const connected = runtime.iscInitialized && sameRepo(account.sharedConfigRepo, inputs.repoUrl);
    const settled = connected ? account : await connect(inputs);
    return { id: settled.id, outs: await outputs(await measured(inputs), settled) };
  },

  async read(id, props) {
    const account = await client().getAccount();
    if (!account.sharedConfigRepo) return { id: "" };
    const prior = (props ?? {}) as unknown as Inputs;
    const inputs: Inputs = {
      ...prior,
      gitProvider: (account.gitProvider as git.GitProviderName | undefined) ?? prior.gitProvider,
      gitApiUrl: account.gitApiUrl ?? prior.gitApiUrl,
      repoUrl: sameRepo(account.sharedConfigRepo, prior.repoUrl) ? prior.repoUrl : account.sharedConfigRepo,
    };
    // Renewed here, reused by check while the repo is the same.
    inputs.repoSizeBytes = (await sizeOf(inputs)) ?? prior.repoSizeBytes;
    return readResult(id, await outputs(inputs, account), inputs);
  },

  async update(_id, _olds, news) {
    const inputs = news as unknown as Inputs;
    const account = await client().getAccount();
    await assertRepoChangeAllowed(account, inputs.repoUrl);
    const settled = await connect(inputs);
    return { outs: await outputs(await measured(inputs), settled) };
  },

  async delete(_id, props) {
    // Codefresh keeps account GitOps settings forever (they can be changed, never removed), and the
    // repos hold the user's configuration: detach, and say so.
    progress(
      `SharedConfigRepo: detached. Codefresh does not allow account GitOps settings to be removed; the account keeps ${String(props.repoUrl)} as its Shared Configuration Repository, and both repositories stay in git`,
    );
  },
});
