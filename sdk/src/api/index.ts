/** The Codefresh API client: typed operations, one transport with retries, typed errors. */
export { CodefreshClient, listAge } from "./client";
export type { ListReadOptions } from "./client";
export type {
  AccountInfo,
  AddClusterInput,
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
export { uiInstructions } from "./unconfirmed";
