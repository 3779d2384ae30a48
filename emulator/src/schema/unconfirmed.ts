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
import { ConnectGitInput, defaultHostedRuntimeName } from "../service";
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

export const unconfirmedPlatformResolvers = {
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
