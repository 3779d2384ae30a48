/** The Codefresh API client: typed operations, one transport with retries, typed errors. */
export { CodefreshClient, listAge } from "./client";
export type { ListReadOptions } from "./client";
export type {
  AccountInfo,
  AddClusterInput,
  ApplicationInfo,
  ClientOptions,
  ClusterConnectionStatus,
  ClusterInfo,
  ConnectGitInput,
  CreateGitSourceInput,
  GitProvider,
  GitSourceInfo,
  InstallationStatus,
  RuntimeInfo,
} from "./client";
export { argoRolloutsManifestPaths, uiInstructions } from "./unconfirmed";
