// The app-proxy GraphQL schema (`{ingressHost}/app-proxy/api/graphql`), one per runtime, reconstructed
// from go-sdk's documents and models (pkg/appproxy, pkg/model/app-proxy). Unconfirmed operations live
// in ./unconfirmed.ts.

import { editableGitSourceSdl } from "../git-source-fields";
import { gitProvidersSdl } from "../model";

export const appProxyTypeDefs = /* GraphQL */ `
  "A mutation with no result; the app-proxy answers null."
  scalar Void

  ${gitProvidersSdl}
  enum SharingPolicy {
    ACCOUNT_ADMINS
    ALL_USERS_IN_ACCOUNT
  }
  enum TokenType {
    RUNTIME_TOKEN
    USER_TOKEN
  }

  input CreateGitSourceInput {
    appName: String!
    appSpecifier: String!
    destServer: String!
    destNamespace: String
    "A string, not a map (YAML or JSON of one), as in Codefresh's schema."
    labels: String
    ${editableGitSourceSdl}
    isInternal: Boolean
    createRepo: Boolean
  }
  input EditGitSourceInput {
    appName: String!
    appSpecifier: String!
    ${editableGitSourceSdl}
  }
  input DeleteApplicationInput {
    appName: String!
  }
  input CreateArgoRolloutsInput {
    destServer: String!
    destNamespace: String!
  }

  type UserGitIntegration {
    userId: String!
    isValid: Boolean!
  }
  type GitIntegration {
    name: String!
    sharingPolicy: SharingPolicy!
    provider: GitProviders!
    apiUrl: String!
    users: [UserGitIntegration!]
    registeredUsers: [String!]
  }
  input AddGitIntegrationArgs {
    name: String
    provider: GitProviders!
    apiUrl: String
    sharingPolicy: SharingPolicy!
  }
  input EditGitIntegrationArgs {
    name: String
    apiUrl: String
    sharingPolicy: SharingPolicy!
  }
  input RegisterToGitIntegrationArgs {
    name: String
    token: String!
    refreshToken: String
    username: String
    tokenType: TokenType
  }

  type AppProxyVersionInfo {
    version: String!
    platformHost: String!
    platformVersion: String!
  }

  type Query {
    versionInfo: AppProxyVersionInfo!
    gitIntegration(name: String): GitIntegration
    gitIntegrations: [GitIntegration!]!
  }

  type Mutation {
    createGitSource(args: CreateGitSourceInput!): Void
    editGitSource(args: EditGitSourceInput!): Void
    deleteApplication(args: DeleteApplicationInput!): Void
    removeCluster(server: String!, runtime: String!): Void
    createArgoRollouts(args: CreateArgoRolloutsInput!): Void
    removeRuntimeFromIscRepo: Int
    addGitIntegration(args: AddGitIntegrationArgs!): GitIntegration
    editGitIntegration(args: EditGitIntegrationArgs!): GitIntegration
    removeGitIntegration(name: String!): Void
    registerToGitIntegration(args: RegisterToGitIntegrationArgs!): GitIntegration
    deregisterFromGitIntegration(name: String): GitIntegration
  }
`;
