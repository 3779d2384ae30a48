// GraphQL documents of Codefresh's public API. The go-sdk ones are copied as go-sdk sends them
// (codefresh-io/go-sdk pkg/graphql, pkg/appproxy, whitespace condensed); ours select more fields of the
// same confirmed types (go-sdk's generated models), never invented ones. Invented operations live in
// ./unconfirmed.ts only.

const runtimeFields = `metadata { name namespace } self { syncStatus healthMessage healthStatus }
  syncStatus healthStatus healthMessage cluster managed isRemoteClusterConnected ingressHost internalIngressHost
  ingressClass ingressController runtimeVersion installationStatus installationType repo managedClustersNum
  gitProvider accessMode`;

/** go-sdk `Runtime().Get`. */
export const getRuntime = `query GetRuntime($name: String!) { runtime(name: $name) { ${runtimeFields} } }`;

/** Ours: `runtime` with the git-connection fields (confirmed on `Runtime`) too. */
export const getRuntimeDetailed = `query GetRuntime($name: String!) { runtime(name: $name) { ${runtimeFields} chartVersion iscInitialized
  status { isc { status } gitSourceConfigured { status } defaultGitIntegration { status } runtimeGitToken { status } } } }`;

/** Ours: `runtimes` with the fields the resources need (go-sdk's `Runtimes` selects a subset). */
export const listRuntimes = `query Runtimes { runtimes { edges { node { ${runtimeFields} iscInitialized } } } }`;

export const deleteRuntime = `mutation DeleteRuntime($name: String!) { deleteRuntime(name: $name) }`;
export const deleteManagedRuntime = `mutation DeleteManagedRuntime($name: String!) { deleteManagedRuntime(name: $name) }`;

/** go-sdk `User().GetCurrent` (operation `Me`): the user's id and the active account's fields of terraform-provider-codefresh's `GetActiveGitopsAccountInfo`, plus `csdpValidated` and `features`. */
export const accountInfo = `query Me { me { id activeAccount { id name gitProvider gitApiUrl sharedConfigRepo admins csdpValidated
  supportsManagedRuntime features { helmHostedRuntime bitbucketSupportForManagedRuntime gitopsPlanEnforcement } } } }`;

export const updateCsdpSettings = `mutation updateCsdpSettings($gitProvider: GitProviders!, $gitApiUrl: String!, $sharedConfigRepo: String!) {
  updateCsdpSettings(gitProvider: $gitProvider, gitApiUrl: $gitApiUrl, sharedConfigRepo: $sharedConfigRepo) }`;

export const suggestIscRepo = `mutation SuggestIscRepo($suggestedSharedConfigRepo: String!) {
  suggestIscRepo(suggestedSharedConfigRepo: $suggestedSharedConfigRepo) }`;

/** go-sdk `Cluster().List`, with the cluster's labels and annotations (go-sdk's `ObjectMeta`). */
export const listClusters = `query clusters($runtime: String, $pagination: SlicePaginationArgs) {
  clusters(runtime: $runtime, pagination: $pagination) {
    edges { node { metadata { name runtime labels { key value } annotations { key value } } server
      info { connectionState { status message } serverVersion cacheInfo { resourcesCount apisCount } } } }
    pageInfo { endCursor hasNextPage } } }`;

/** Ours: go-sdk's `GitSources` with pagination and the Application fields the resources read. */
export const listGitSources = `query GitSources($runtime: String, $pagination: SlicePaginationArgs) {
  gitSources(runtime: $runtime, pagination: $pagination) {
    edges { node { metadata { name labels { key value } } self { path repoURL revision include exclude
      destination { server namespace } status { syncStatus healthStatus } } } }
    pageInfo { endCursor hasNextPage } } }`;

// ---- app-proxy ----------------------------------------------------------------------------------

export const createGitSource = `mutation CreateGitSource($args: CreateGitSourceInput!) { createGitSource(args: $args) }`;
export const editGitSource = `mutation EditGitSource($args: EditGitSourceInput!) { editGitSource(args: $args) }`;
export const deleteApplication = `mutation DeleteApplication($args: DeleteApplicationInput!) { deleteApplication(args: $args) }`;
export const removeCluster = `mutation RemoveCluster($server: String!, $runtime: String!) { removeCluster(server: $server, runtime: $runtime) }`;
export const createArgoRollouts = `mutation CreateArgoRollouts($args: CreateArgoRolloutsInput!) { createArgoRollouts(args: $args) }`;
export const removeRuntimeFromIscRepo = `mutation RemoveRuntimeFromIscRepo { removeRuntimeFromIscRepo }`;
export const gitIntegrations = `query GitIntegrations { gitIntegrations { name provider apiUrl sharingPolicy users { userId } } }`;
/** go-sdk `GitIntegration().Add`. */
export const addGitIntegration = `mutation AddGitIntegration($args: AddGitIntegrationArgs!) {
  addGitIntegration(args: $args) { name sharingPolicy provider apiUrl registeredUsers } }`;
/** go-sdk `GitIntegration().Register`. */
export const registerToGitIntegration = `mutation RegisterToGitIntegration($args: RegisterToGitIntegrationArgs!) {
  registerToGitIntegration(args: $args) { name sharingPolicy provider apiUrl registeredUsers } }`;
export const removeGitIntegration = `mutation RemoveGitIntegration($name: String!) { removeGitIntegration(name: $name) }`;
