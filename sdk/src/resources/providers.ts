// Loaded by the serialized shim in the provider process (see shim.ts): the implementation of each
// resource type, and the stack config hook. Program code never needs this module. Its path
// (`pulumi-codefresh/dist/resources/providers`) is in every stack's state: keep it.
import "./provider/compile-cache"; // first: it speeds up loading what follows
import type * as pulumi from "@pulumi/pulumi";
import { applicationProvider } from "./application";
import { argoRolloutsProvider } from "./argo-rollouts";
import { gitSourceProvider } from "./git-source";
import { hostedRuntimeProvider } from "./hosted-runtime";
import { managedClusterProvider } from "./managed-cluster";
import { configure, processContext } from "./provider/process";
import { runtimeProvider } from "./runtime";
import { sharedConfigRepoProvider } from "./shared-config-repo";
import type { ProviderKey } from "./shim";

export { configure, processContext };

/** A provider as the engine drives it: raw values in, until `check` has run. */
export type EngineProvider = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

export const providers: Record<ProviderKey, EngineProvider> = {
  HostedRuntime: hostedRuntimeProvider,
  Runtime: runtimeProvider,
  SharedConfigRepo: sharedConfigRepoProvider,
  GitSource: gitSourceProvider,
  ManagedCluster: managedClusterProvider,
  ArgoRollouts: argoRolloutsProvider,
  Application: applicationProvider,
};

/** What the shim calls: the implementation of `key`, plus `configure`. */
export function get(key: ProviderKey): EngineProvider & { configure: typeof configure } {
  return { ...providers[key], configure };
}
