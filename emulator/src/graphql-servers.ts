// The two GraphQL servers (the platform API and every runtime's app-proxy), built the same way: the
// public schema, plus the invented operations of schema/unconfirmed.ts unless they are switched off, and
// the same bounds on a document's size (query-limits.ts).
import { GraphQLError } from "graphql";
import { createSchema, createYoga, type YogaServerInstance } from "graphql-yoga";
import { UpstreamError } from "./errors";
import { QueryLimits, useQueryLimits } from "./query-limits";
import { appProxyTypeDefs } from "./schema/app-proxy";
import type { AppProxyContext, PlatformContext } from "./schema/context";
import { platformTypeDefs } from "./schema/platform";
import { appProxyResolvers, platformResolvers } from "./schema/resolvers";
import { unconfirmedAppProxyResolvers, unconfirmedAppProxyTypeDefs, unconfirmedPlatformResolvers, unconfirmedPlatformTypeDefs } from "./schema/unconfirmed";

export const platformGraphqlPath = "/2.0/api/graphql";
export const appProxyGraphqlPath = "/app-proxy/api/graphql";

/** A yoga server whose `fetch` takes the resolvers' context as its server context. */
export type GraphqlServer<Context extends object> = YogaServerInstance<Context, object>;

export interface GraphqlServers {
  platform: GraphqlServer<PlatformContext>;
  appProxy: GraphqlServer<AppProxyContext>;
}

/** The schema of one server: its type definitions and resolver maps, in the same order. */
interface SchemaParts<Context> {
  typeDefs: string[];
  resolvers: Extract<NonNullable<Parameters<typeof createSchema<Context>>[0]["resolvers"]>, readonly unknown[]>;
}

/**
 * Errors as Codefresh's servers answer them: a business error's message and code as thrown; a failure of the
 * git server behind an operation as any unexpected error (Apollo's `INTERNAL_SERVER_ERROR`), with its message.
 */
function answeredError(error: unknown): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (!(original instanceof UpstreamError) || !original.transient) return error as Error;
  const located = error instanceof GraphQLError ? error : undefined;
  return new GraphQLError(original.message, { nodes: located?.nodes ?? null, path: located?.path ?? null, extensions: { code: "INTERNAL_SERVER_ERROR" } });
}

/** One yoga server on `endpoint`; errors unmasked, because a business error's message is the answer. */
function graphqlServer<Context extends object>(endpoint: string, parts: SchemaParts<Context>, limits: QueryLimits): GraphqlServer<Context> {
  return createYoga<Context>({
    schema: createSchema<Context>(parts),
    graphqlEndpoint: endpoint,
    landingPage: false,
    graphiql: false,
    logging: false,
    maskedErrors: { maskError: answeredError },
    plugins: [useQueryLimits(limits)],
  });
}

/** `withUnconfirmed`: serve the invented hosted-install and connect-git operations too. */
export function createGraphqlServers(withUnconfirmed: boolean, limits: QueryLimits): GraphqlServers {
  const platform: SchemaParts<PlatformContext> = withUnconfirmed
    ? { typeDefs: [platformTypeDefs, unconfirmedPlatformTypeDefs], resolvers: [platformResolvers, unconfirmedPlatformResolvers] }
    : { typeDefs: [platformTypeDefs], resolvers: [platformResolvers] };
  const appProxy: SchemaParts<AppProxyContext> = withUnconfirmed
    ? { typeDefs: [appProxyTypeDefs, unconfirmedAppProxyTypeDefs], resolvers: [appProxyResolvers, unconfirmedAppProxyResolvers] }
    : { typeDefs: [appProxyTypeDefs], resolvers: [appProxyResolvers] };
  return {
    platform: graphqlServer(platformGraphqlPath, platform, limits),
    appProxy: graphqlServer(appProxyGraphqlPath, appProxy, limits),
  };
}
