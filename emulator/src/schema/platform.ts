// The platform GraphQL schema (`/2.0/api/graphql`), reconstructed from Codefresh's public clients:
// operation, argument, field and enum names follow go-sdk's documents and generated models
// (codefresh-io/go-sdk pkg/graphql, pkg/model/platform). Codefresh publishes no SDL; fields the
// package never reads are left out. Operations no public client shows live in ./unconfirmed.ts.

import { editableGitSourceSdl } from "../git-source-fields";
import { gitProvidersSdl } from "../model";

export const platformTypeDefs = /* GraphQL */ `
  "A mutation with no result; Codefresh answers null."
  scalar Void

  enum InstallationType {
    HELM
    HELM_HOSTED
  }
  enum InstallationStatus {
    COMPLETED
    FAILED
    IN_PROGRESS
  }
  enum SyncStatus {
    OUT_OF_SYNC
    SYNCED
    SYNCING
    UNKNOWN
  }
  enum HealthStatus {
    DEGRADED
    HEALTHY
    MISSING
    PROGRESSING
    SUSPENDED
    TERMINATED
    UNKNOWN
  }
  enum AccessMode {
    INGRESS
    TUNNEL
  }
  enum AppProxyStatus {
    FAILED
    SUCCESSFUL
    UNKNOWN
  }
  enum RuntimeSyncMode {
    GITOPS
    HELM
    UNKNOWN
  }
  enum ArgoCdState {
    CONNECTED
    NOT_AUTHORIZED
    NOT_FOUND
    UNKNOWN
  }
  ${gitProvidersSdl}
  "Mixed case, as in Codefresh's schema."
  enum ClusterConnectionStatus {
    Failed
    Successful
    Unknown
  }

  input SlicePaginationArgs {
    after: String
    before: String
    first: Int
    last: Int
  }
  type SliceInfo {
    startCursor: String
    endCursor: String
    hasNextPage: Boolean!
    hasPrevPage: Boolean!
  }

  type ObjectMeta {
    name: String!
    namespace: String
    runtime: String!
    cluster: String
    account: String!
    labels: [StringPair!]
    annotations: [StringPair!]
  }
  type StringPair {
    key: String!
    value: String!
  }

  type GenericEntity {
    syncStatus: SyncStatus!
    healthStatus: HealthStatus
    healthMessage: String
  }
  type AppProxyInfo {
    description: String
    status: AppProxyStatus!
  }
  type RuntimeStatus {
    appProxyStarted: AppProxyInfo
    gitSourceConfigured: AppProxyInfo
    defaultGitIntegration: AppProxyInfo
    isc: AppProxyInfo
    runtimeGitToken: AppProxyInfo
    syncMode: RuntimeSyncMode!
    argoCdState: ArgoCdState!
  }

  type Runtime {
    metadata: ObjectMeta!
    self: GenericEntity
    syncStatus: SyncStatus!
    healthStatus: HealthStatus
    healthMessage: String
    cluster: String
    managed: Boolean!
    isRemoteClusterConnected: Boolean!
    ingressHost: String
    internalIngressHost: String
    ingressClass: String
    ingressController: String
    runtimeVersion: String
    chartVersion: String
    installationStatus: InstallationStatus!
    installationType: InstallationType!
    repo: String
    managedClustersNum: Int!
    gitProvider: GitProviders
    accessMode: AccessMode!
    iscInitialized: Boolean
    status: RuntimeStatus
    lastUpdated: String
  }
  type RuntimeEdge {
    node: Runtime!
    cursor: String!
  }
  type RuntimeSlice {
    edges: [RuntimeEdge!]!
    pageInfo: SliceInfo!
  }

  input RuntimeInstallationArgs {
    runtimeName: String!
    runtimeNamespace: String
    cluster: String!
    installationType: InstallationType
    managed: Boolean
    gitProvider: GitProviders
    runtimeVersion: String!
    chartVersion: String
    componentNames: [String!]!
    ingressHost: String
    internalIngressHost: String
    ingressClass: String
    ingressController: String
    gatewayName: String
    gatewayNamespace: String
    repo: String
    recover: Boolean
    isExternalArgoCd: Boolean
    accessMode: AccessMode
  }
  type RuntimeCreationResponse {
    name: String!
    newAccessToken: String!
  }

  type AccountFeatures {
    helmHostedRuntime: Boolean
    gitlabSupportForManagedRuntime: Boolean
    bitbucketSupportForManagedRuntime: Boolean
    gitopsPlanEnforcement: Boolean
  }
  type Account {
    id: ID!
    name: String
    gitProvider: GitProviders
    gitApiUrl: String
    sharedConfigRepo: String
    admins: [String!]
    csdpValidated: Boolean
    supportsManagedRuntime: Boolean
    features: AccountFeatures
  }
  type User {
    id: ID!
    name: String!
    email: String!
    isAdmin: Boolean
    accounts: [Account!]
    activeAccount: Account!
    runtimeName: String
  }

  type ConnectionState {
    status: ClusterConnectionStatus!
    message: String
  }
  type CacheInfo {
    resourcesCount: Int
    apisCount: Int
  }
  type ClusterInfo {
    connectionState: ConnectionState
    serverVersion: String
    cacheInfo: CacheInfo
    applicationsCount: Int!
  }
  type Cluster {
    metadata: ObjectMeta!
    server: String!
    info: ClusterInfo
    namespaces: [String!]
    inactive: Boolean
    updatedAt: String
  }
  type ClusterEdge {
    node: Cluster!
    cursor: String!
  }
  type ClusterSlice {
    edges: [ClusterEdge!]!
    pageInfo: SliceInfo!
  }

  type ArgoCDApplicationDestination {
    server: String
    namespace: String
    name: String
  }
  type ArgoCDApplicationStatus {
    syncStatus: SyncStatus!
    healthStatus: HealthStatus
  }
  type Application {
    metadata: ObjectMeta
    repoURL: String
    path: String
    revision: String
    ${editableGitSourceSdl}
    destination: ArgoCDApplicationDestination
    syncStatus: SyncStatus!
    healthStatus: HealthStatus
    healthMessage: String
    isGitSource: Boolean
    status: ArgoCDApplicationStatus
    errors: [Error]!
  }
  type GitSource {
    metadata: ObjectMeta!
    self: Application
    syncStatus: SyncStatus!
    healthStatus: HealthStatus
    healthMessage: String
    isRestricted: Boolean!
  }
  type GitSourceEdge {
    node: GitSource!
    cursor: String!
  }
  type GitSourceSlice {
    edges: [GitSourceEdge!]!
    pageInfo: SliceInfo!
  }

  enum ErrorLevels {
    ERROR
    WARNING
  }
  enum HealthErrorCodes {
    BROKEN_REFERENCE
    INACTIVE_RUNTIME
    INSUFFICIENT_RESOURCES
    RUNTIME_INSTALLATION_ERROR
    TRANSITIVE_ERROR
    UNKNOWN
  }
  enum SyncErrorCodes {
    INVALID_SPEC
    LONG_SYNC
    MISSING_ROLLOUTS_COMPONENT
    UNKNOWN
  }
  type HealthError {
    level: ErrorLevels!
    title: String!
    message: String!
    suggestion: String
    code: HealthErrorCodes!
    lastSeen: String!
  }
  type SyncError {
    level: ErrorLevels!
    title: String!
    message: String!
    suggestion: String
    code: SyncErrorCodes!
    lastSeen: String!
  }
  union Error = HealthError | SyncError
  input HealthErrorInput {
    level: ErrorLevels!
    message: String!
  }
  input ReportRuntimeErrorsArgs {
    runtime: String!
    errors: [HealthErrorInput]!
  }

  "A runtime's component: an Argo CD Application the installer registered."
  type Component {
    metadata: ObjectMeta!
    errors: [Error]!
    self: Application
    syncStatus: SyncStatus!
    healthStatus: HealthStatus
    healthMessage: String
    version: String!
  }
  type ComponentEdge {
    node: Component!
    cursor: String!
  }
  type ComponentSlice {
    edges: [ComponentEdge!]!
    pageInfo: SliceInfo!
  }

  enum PlanTypes {
    CLASSIC_PLAN
    GITOPS_PLAN
  }
  type GitOpsUsage {
    applications: Int
    clusters: Int
  }
  type GitOpsLimits {
    applications: Int
    clusters: Int
  }
  type LimitsStatus {
    planType: PlanTypes!
    usage: GitOpsUsage
    limits: GitOpsLimits
    status: Boolean!
  }

  type Query {
    runtime(name: String!): Runtime
    runtimes(pagination: SlicePaginationArgs): RuntimeSlice!
    me: User!
    clusters(runtime: String, pagination: SlicePaginationArgs): ClusterSlice!
    gitSources(pagination: SlicePaginationArgs, project: String, runtime: String): GitSourceSlice!
    components(runtime: String!, pagination: SlicePaginationArgs): ComponentSlice!
    limitsStatus: LimitsStatus!
    latestCliRelease: String!
  }

  type Mutation {
    createRuntime(installationArgs: RuntimeInstallationArgs!): RuntimeCreationResponse!
    deleteRuntime(name: String!): Int
    deleteManagedRuntime(name: String!): Int
    updateCsdpSettings(gitProvider: GitProviders!, gitApiUrl: String!, sharedConfigRepo: String!): Void
    suggestIscRepo(suggestedSharedConfigRepo: String!): String
    migrateRuntime(runtimeName: String!): Void
    reportRuntimeErrors(reportErrorsArgs: ReportRuntimeErrorsArgs!): Int!
  }
`;
