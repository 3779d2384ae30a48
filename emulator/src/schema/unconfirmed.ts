// UNCONFIRMED OPERATIONS — invented by this emulator, not seen in any public Codefresh client.
//
// Codefresh's UI installs a hosted runtime and connects its git provider through operations that no
// public client (go-sdk, cli-v2, terraform provider) calls, so their names and shapes are unknown.
// We define them here, and only here, so that everything else speaks the confirmed public schema:
//
//   platform  mutation installHostedRuntime(runtimeName: String): RuntimeCreationResponse!   (invented name)
//   app-proxy mutation initManagedRuntime(args: InitManagedRuntimeArgs!): Void               (guessed name; the
//             input type InitManagedRuntimeArgs and its fields are confirmed in go-sdk's app-proxy models)
//
// Start the emulator with `--no-hosted-install-api` to serve the schema without them, as the real
// Codefresh does: a client then gets GraphQL's own "Cannot query field" error and must fall back to
// adopting what the user made in the UI.
import { randomBytes } from "node:crypto";
import type * as git from "pulumi-codefresh/dist/git";
import type { ConnectGitArgs, GitEffects } from "../git-effects";
import type { GitSourceRecord } from "../model";
import { businessError } from "../errors";
import type { CodefreshService } from "../service";
import type { AppProxyContext, PlatformContext } from "./context";

export const unconfirmedPlatformTypeDefs = /* GraphQL */ `
  extend type Mutation {
    "UNCONFIRMED (invented): install the account's hosted runtime; it is IN_PROGRESS until Codefresh finishes."
    installHostedRuntime(runtimeName: String): RuntimeCreationResponse!
  }
`;

export const unconfirmedAppProxyTypeDefs = /* GraphQL */ `
  input InitManagedRuntimeArgs {
    provider: GitProviders!
    apiUrl: String
    sharingPolicy: SharingPolicy!
    token: String!
    refreshToken: String
    username: String
    suggestedIscRepo: String!
    suggestedGsRepo: String!
  }
  extend type Mutation {
    "UNCONFIRMED (guessed name): connect the hosted runtime's git provider; creates the shared configuration and git source repos."
    initManagedRuntime(args: InitManagedRuntimeArgs!): Void
  }
`;

/** The default name of the hosted runtime, as Codefresh's docs show it. */
export const defaultHostedRuntimeName = "codefresh-hosted";
export const defaultGitSourceName = "default-git-source";
const hostedProviders = new Set(["GITHUB", "BITBUCKET", "GERRIT"]);

export const unconfirmedPlatformResolvers = {
  Mutation: {
    async installHostedRuntime(_: unknown, args: { runtimeName?: string | null }, ctx: PlatformContext) {
      const runtime = await ctx.service.installHosted(ctx.account.id, args.runtimeName ?? defaultHostedRuntimeName, {
        fail: ctx.faults.takeInstallFailure(),
      });
      return { name: runtime.name, newAccessToken: randomBytes(24).toString("hex") };
    },
  },
};

export interface InitManagedRuntimeInput {
  provider: string;
  apiUrl?: string | null;
  sharingPolicy: string;
  token: string;
  refreshToken?: string | null;
  username?: string | null;
  suggestedIscRepo: string;
  suggestedGsRepo: string;
}

/**
 * What connecting git does, whether asked through the (invented) initManagedRuntime mutation or, as a
 * user would in the UI, through the emulator's admin API (`POST /_emulator/ui/connect-git`).
 */
export async function connectGit(service: CodefreshService, gitEffects: GitEffects, accountId: string, runtimeName: string, args: InitManagedRuntimeInput): Promise<null> {
  const account = service.mustAccount(accountId);
  const runtime = service.readyRuntime(account, runtimeName);
  if (!runtime.managed) throw businessError(`runtime '${runtime.name}' is not a hosted runtime`, "FAILED_PRECONDITION");
  if (!hostedProviders.has(args.provider)) {
    throw businessError(`${args.provider} is not supported for hosted runtimes; use GITHUB, BITBUCKET (Bitbucket Cloud) or GERRIT`, "BAD_USER_INPUT");
  }
  const existingIsc = account.settings.sharedConfigRepo;
  if (existingIsc !== undefined && existingIsc !== args.suggestedIscRepo && service.visibleRuntimes(account).some((r) => r.iscInitialized)) {
    throw businessError(`the account already has a shared configuration repository (${existingIsc})`, "CONFLICT");
  }
  const apiUrl = args.apiUrl ?? undefined;
  if (!apiUrl) throw businessError("apiUrl is required by this emulator (it cannot reach public git providers)", "BAD_USER_INPUT");
  const connect: ConnectGitArgs = {
    provider: args.provider as git.GitProviderName,
    apiUrl,
    token: args.token,
    username: args.username ?? undefined,
    iscRepo: args.suggestedIscRepo,
    gitSourceRepo: args.suggestedGsRepo,
    defaultGitSourceName,
  };
  await gitEffects.connectGit(account, runtime, connect);
  await service.store.update((state) => {
    const target = state.accounts[account.id];
    const rt = target.runtimes[runtime.name];
    Object.assign(rt, {
      iscInitialized: true,
      gitProvider: connect.provider,
      gitApiUrl: apiUrl,
      gitToken: args.token,
      gitUsername: connect.username,
      defaultGitSourceRepo: args.suggestedGsRepo,
    });
    target.settings = { gitProvider: connect.provider, gitApiUrl: apiUrl, sharedConfigRepo: args.suggestedIscRepo, csdpValidated: true };
    target.gitIntegrations[`${runtime.name}/default`] = {
      runtime: runtime.name,
      name: "default",
      provider: connect.provider,
      apiUrl,
      sharingPolicy: args.sharingPolicy === "ACCOUNT_ADMINS" ? "ACCOUNT_ADMINS" : "ALL_USERS_IN_ACCOUNT",
      registeredUsers: [target.userId],
    };
    const key = `${runtime.name}/${defaultGitSourceName}`;
    if (!target.gitSources[key]) {
      const source: GitSourceRecord = {
        runtime: runtime.name,
        name: defaultGitSourceName,
        appSpecifier: args.suggestedGsRepo,
        repoURL: args.suggestedGsRepo.replace(/(\.git).*$/, "$1"),
        path: ".",
        revision: "HEAD",
        destServer: "https://kubernetes.default.svc",
        isInternal: false,
        createdAt: service.now(),
        readyAt: service.now(),
      };
      target.gitSources[key] = source;
    }
  });
  return null;
}

export const unconfirmedAppProxyResolvers = {
  Mutation: {
    initManagedRuntime: (_: unknown, { args }: { args: InitManagedRuntimeInput }, ctx: AppProxyContext) =>
      connectGit(ctx.service, ctx.git, ctx.account.id, ctx.runtime, args),
  },
};
