// A runtime's git integrations, as its app-proxy keeps them: each names a provider and its API, and each
// user of the account registers their own git token with it (Codefresh commits a user's changes with
// that user's token). Tokens are secrets: stored sealed on disk (store.ts), never returned by a query.
import { businessError } from "./errors";
import { type GitIntegrationRecord, type GitProvider, gitProviders, type GitTokenRegistration } from "./model";
import { type CodefreshService, mustAccount } from "./service";

/** The integration a name-less call means, and the one connecting git creates. */
export const defaultIntegrationName = "default";

type SharingPolicy = GitIntegrationRecord["sharingPolicy"];

/** Each provider's public API, used when an integration names none. */
const defaultApiUrls: Partial<Record<GitProvider, string>> = {
  GITHUB: "https://api.github.com",
  GITLAB: "https://gitlab.com/api/v4",
  BITBUCKET: "https://api.bitbucket.org/2.0",
};

/** Providers a hosted runtime accepts (Codefresh's docs); hybrid runtimes accept every provider of the enum. */
export const hostedGitProviders: readonly GitProvider[] = ["GITHUB", "BITBUCKET", "GERRIT"];

export interface AddGitIntegrationInput {
  name?: string | null;
  provider: string;
  apiUrl?: string | null;
  sharingPolicy: string;
}

export interface EditGitIntegrationInput {
  name?: string | null;
  apiUrl?: string | null;
  sharingPolicy: string;
}

export interface RegisterToGitIntegrationInput {
  name?: string | null;
  token: string;
  refreshToken?: string | null;
  username?: string | null;
  tokenType?: string | null;
}

const key = (runtime: string, name: string) => `${runtime}/${name}`;
const sharingPolicy = (value: string): SharingPolicy => (value === "ACCOUNT_ADMINS" ? "ACCOUNT_ADMINS" : "ALL_USERS_IN_ACCOUNT");

export class GitIntegrations {
  constructor(private readonly service: CodefreshService) {}

  get(accountId: string, runtime: string, name: string | null | undefined): GitIntegrationRecord | undefined {
    return this.service.mustAccount(accountId).gitIntegrations[key(runtime, name ?? defaultIntegrationName)];
  }

  list(accountId: string, runtime: string): GitIntegrationRecord[] {
    return Object.values(this.service.mustAccount(accountId).gitIntegrations).filter((i) => i.runtime === runtime);
  }

  /** The token a user's change is committed with: their registration on the runtime's default integration. */
  registration(accountId: string, runtime: string, userId: string): (GitTokenRegistration & { integration: GitIntegrationRecord }) | undefined {
    const integration = this.get(accountId, runtime, defaultIntegrationName);
    const registration = integration?.registrations[userId];
    return integration && registration ? { ...registration, integration } : undefined;
  }

  add(accountId: string, runtimeName: string, input: AddGitIntegrationInput): Promise<GitIntegrationRecord> {
    const name = input.name ?? defaultIntegrationName;
    const provider = input.provider as GitProvider;
    if (!gitProviders.includes(provider)) throw businessError(`unknown git provider ${input.provider}`, "BAD_USER_INPUT");
    const apiUrl = input.apiUrl ?? defaultApiUrls[provider];
    if (!apiUrl) throw businessError(`apiUrl is required for ${provider} (it has no public API address)`, "BAD_USER_INPUT");
    return this.service.store.update((state) => {
      const account = mustAccount(state, accountId);
      const runtime = this.service.readyRuntime(account, runtimeName);
      if (runtime.managed && !hostedGitProviders.includes(provider)) {
        throw businessError(`${provider} is not supported for hosted runtimes; use GITHUB, BITBUCKET (Bitbucket Cloud) or GERRIT`, "BAD_USER_INPUT");
      }
      if (account.gitIntegrations[key(runtimeName, name)]) {
        throw businessError(`git integration "${name}" already exists in runtime "${runtimeName}"`, "CONFLICT");
      }
      const record: GitIntegrationRecord = {
        runtime: runtimeName,
        name,
        provider,
        apiUrl,
        sharingPolicy: sharingPolicy(input.sharingPolicy),
        registrations: {},
      };
      account.gitIntegrations[key(runtimeName, name)] = record;
      return record;
    });
  }

  edit(accountId: string, runtimeName: string, input: EditGitIntegrationInput): Promise<GitIntegrationRecord> {
    return this.change(accountId, runtimeName, input.name, (integration) => {
      if (input.apiUrl) integration.apiUrl = input.apiUrl;
      integration.sharingPolicy = sharingPolicy(input.sharingPolicy);
    });
  }

  register(accountId: string, runtimeName: string, userId: string, input: RegisterToGitIntegrationInput): Promise<GitIntegrationRecord> {
    if (input.token.trim() === "") throw businessError("token must not be empty", "BAD_USER_INPUT");
    return this.change(accountId, runtimeName, input.name, (integration) => {
      integration.registrations[userId] = {
        token: input.token,
        refreshToken: input.refreshToken ?? undefined,
        username: input.username ?? undefined,
        tokenType: input.tokenType === "RUNTIME_TOKEN" ? "RUNTIME_TOKEN" : "USER_TOKEN",
      };
    });
  }

  deregister(accountId: string, runtimeName: string, userId: string, name: string | null | undefined): Promise<GitIntegrationRecord> {
    return this.change(accountId, runtimeName, name, (integration) => {
      if (!integration.registrations[userId]) {
        throw businessError(`you are not registered to git integration "${integration.name}"`, "FAILED_PRECONDITION");
      }
      delete integration.registrations[userId];
    });
  }

  remove(accountId: string, runtimeName: string, name: string): Promise<null> {
    return this.service.store.update((state) => {
      const account = mustAccount(state, accountId);
      this.service.readyRuntime(account, runtimeName);
      if (!account.gitIntegrations[key(runtimeName, name)]) {
        throw businessError(`git integration "${name}" does not exist in runtime "${runtimeName}"`, "NOT_FOUND");
      }
      delete account.gitIntegrations[key(runtimeName, name)];
      return null;
    });
  }

  private change(accountId: string, runtimeName: string, name: string | null | undefined, edit: (integration: GitIntegrationRecord) => void) {
    const integrationName = name ?? defaultIntegrationName;
    return this.service.store.update((state) => {
      const account = mustAccount(state, accountId);
      this.service.readyRuntime(account, runtimeName);
      const integration = account.gitIntegrations[key(runtimeName, integrationName)];
      if (!integration) throw businessError(`git integration "${integrationName}" does not exist in runtime "${runtimeName}"`, "NOT_FOUND");
      edit(integration);
      return integration;
    });
  }
}
