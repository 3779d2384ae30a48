// UNCONFIRMED OPERATIONS — invented by this emulator, not seen in any public Codefresh client.
//
// Codefresh's UI installs a hosted runtime and connects its git provider through operations that no
// public client (go-sdk, cli-v2, terraform provider) calls, so their names and shapes are unknown.
// We define them here, and only here, so that everything else speaks the confirmed public schema:
//
//   platform  mutation installHostedRuntime(runtimeName: String): RuntimeCreationResponse!   (invented name)
//   platform  query application(runtime: String!, name: String!): Application               (invented; the type
//             Application and its fields are confirmed in go-sdk's platform models, but no public client
//             reads one application: Codefresh's UI does, through a query that is not public)
//   app-proxy mutation initManagedRuntime(args: InitManagedRuntimeArgs!): Void               (guessed name; the
//             input type InitManagedRuntimeArgs and its fields are confirmed in go-sdk's app-proxy models)
//
// Emulator conventions a client relies on, equally unconfirmed (Codefresh's app-proxy is not public):
//   `createArgoRollouts` commits `resources/<runtime>/argo-rollouts-<cluster>.yaml` and
//   `resources/<runtime>/rollout-reporter-<cluster>.yaml` to the Shared Configuration Repository (`in-cluster`
//   for the runtime's own cluster; see git-effects.ts argoRolloutsManifestPaths).
//
// Start the emulator with `--no-hosted-install-api` to serve the schema without them, as the real
// Codefresh does: a client then gets GraphQL's own "Cannot query field" error and must fall back to
// adopting what the user made in the UI.
import { randomBytes } from "node:crypto";
import { ConnectGitInput, defaultHostedRuntimeName } from "../service";
import type { ApplicationRecord } from "../argo-sync";
import { businessError } from "../errors";
import type { AppProxyContext, PlatformContext } from "./context";

export const unconfirmedPlatformTypeDefs = /* GraphQL */ `
  extend type Query {
    "UNCONFIRMED (invented): one application of a runtime's git sources, as its Argo CD reports it; null when it has none of that name."
    application(runtime: String!, name: String!): Application
  }
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

export const unconfirmedPlatformResolvers = {
  Query: {
    async application(_: unknown, args: { runtime: string; name: string }, ctx: PlatformContext) {
      const runtime = ctx.service.runtime(ctx.service.mustAccount(ctx.account.id), args.runtime);
      if (!runtime) throw businessError(`runtime '${args.runtime}' does not exist`, "NOT_FOUND");
      const apps = (await ctx.service.applicationSync?.applications(ctx.account.id, args.runtime)) ?? [];
      const app = apps.find((a) => a.name === args.name);
      return app ? applicationView(ctx.account.id, app) : null;
    },
  },
  Mutation: {
    async installHostedRuntime(_: unknown, args: { runtimeName?: string | null }, ctx: PlatformContext) {
      const runtime = await ctx.service.installHosted(ctx.account.id, args.runtimeName ?? defaultHostedRuntimeName, {
        fail: ctx.faults.takeBusiness("install-failure"),
      });
      return { name: runtime.name, newAccessToken: randomBytes(24).toString("hex") };
    },
  },
};

/** The invented mutation's input: the fields of go-sdk's InitManagedRuntimeArgs, as the service takes them. */
export type InitManagedRuntimeInput = ConnectGitInput;

export const unconfirmedAppProxyResolvers = {
  Mutation: {
    initManagedRuntime: (_: unknown, { args }: { args: InitManagedRuntimeInput }, ctx: AppProxyContext) =>
      ctx.service.connectGit(ctx.account.id, ctx.runtime, args),
  },
};

/** An application as the platform's `Application` type shows it. */
function applicationView(accountId: string, app: ApplicationRecord) {
  return {
    metadata: { name: app.name, runtime: app.runtime, namespace: app.destNamespace ?? null, account: accountId, labels: [], annotations: [] },
    repoURL: app.repoURL,
    path: app.path,
    revision: app.revision ?? null,
    destination: { server: app.destServer, namespace: app.destNamespace ?? null, name: null },
    syncStatus: app.syncStatus,
    healthStatus: app.healthStatus,
    healthMessage: app.healthMessage,
    isGitSource: false,
    status: { syncStatus: app.syncStatus, healthStatus: app.healthStatus },
    errors: [],
  };
}
