/** The four dynamic resources. */
export { HostedRuntime } from "./hosted-runtime";
export type { HostedRuntimeArgs } from "./hosted-runtime";
export { SharedConfigRepo } from "./shared-config-repo";
export type { SharedConfigRepoArgs } from "./shared-config-repo";
export { GitSource } from "./git-source";
export type { GitSourceArgs } from "./git-source";
export { ManagedCluster } from "./managed-cluster";
export type { ManagedClusterArgs } from "./managed-cluster";
export { platformIpAllowList } from "./ip-allow-list";
export type { IpAllowList } from "./ip-allow-list";
export { typeToken } from "./common";
export { unknownValue, isUnknown } from "./provider/unknown";
export type { ResourceClass, OutputProperties } from "./spec";
