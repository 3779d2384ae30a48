/** The dynamic resources. */
export { HostedRuntime } from "./hosted-runtime";
export type { HostedRuntimeArgs } from "./hosted-runtime";
export { Runtime } from "./runtime";
export type { RuntimeArgs } from "./runtime";
export { kindOf, runtimeKinds } from "./runtime-kind";
export type { RuntimeKind } from "./runtime-kind";
export { SharedConfigRepo } from "./shared-config-repo";
export type { SharedConfigRepoArgs } from "./shared-config-repo";
export { GitSource } from "./git-source";
export type { GitSourceArgs } from "./git-source";
export { ManagedCluster } from "./managed-cluster";
export type { ManagedClusterArgs } from "./managed-cluster";
export { hostedRuntimeIpAllowList, ipAllowListConfigKeys, platformIpAllowList, resolveIpAllowList } from "./ip-allow-list";
export type { IpAllowList, ResolvedIpAllowList } from "./ip-allow-list";
export { typeToken } from "./common";
export { unknownValue, isUnknown } from "./provider/unknown";
export type { ResourceClass, OutputProperties } from "./spec";
