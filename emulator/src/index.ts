/**
 * pulumi-codefresh-emulator: a local Codefresh for tests, demos and CI, with the real servers it
 * works with: a Kubernetes control plane and a git server, each on loopback.
 */
export { freePort, startProcess, waitUntilReady, logTail } from "./local/process";
export type { ManagedProcess, StartOptions } from "./local/process";
export { startKubernetes, kubeconfigFor } from "./local/kubernetes";
export type { LocalKubernetes, LocalKubernetesOptions } from "./local/kubernetes";
export { startClusterProxy } from "./local/cluster-proxy";
export type { ClusterProxy, ClusterProxyOptions, ProxiedCluster } from "./local/cluster-proxy";
export { RequestLog, startRequestLogProxy } from "./local/request-log-proxy";
export type { LoggedProxyRequest, RequestLogProxy, RequestLogProxyOptions } from "./local/request-log-proxy";
export { startEmulator, defaultMaxBodyBytes, defaultQueryLimits, defaultRequestTimeoutMs } from "./server";
export { clusterUserAgent } from "./cluster-check";
export type { EmulatorOptions, RunningEmulator, SeedAccount, Counters, LoggedRequest, QueryLimits } from "./server";
export { Faults, callerOf, mulberry32, parseFaultSpec, faultKinds, faultKindRegistry } from "./faults";
export type { BusinessFaultKind, FaultKind, FaultKindDefinition, FaultOutcome, FaultRule } from "./faults";
export type { GitEffects } from "./git-effects";
export { GitCommitter } from "./git-commits";
export type { FileChange, GitCommitterOptions, GitCredentials } from "./git-commits";
export { startGitea, giteaAdmin, giteaAppIni } from "./local/gitea";
export type { LocalGitea, LocalGiteaOptions, GiteaAdmin, GiteaConnection, GiteaUser } from "./local/gitea";
export { startLocalStack } from "./local/stack";
export type { LocalStack, LocalStackInfo, LocalStackOptions } from "./local/stack";
