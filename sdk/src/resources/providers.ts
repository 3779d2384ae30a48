// Loaded by the serialized shim in the provider process (see shim.ts): the implementation of each
// resource type, and the stack config hook. Program code never needs this module.
import { gitSourceProvider } from "./git-source";
import { hostedRuntimeProvider } from "./hosted-runtime";
import { managedClusterProvider } from "./managed-cluster";
import type { ProviderImpl } from "./provider-base";
import { sharedConfigRepoProvider } from "./shared-config-repo";
import type { ProviderKey } from "./shim";

export { configure } from "./provider-base";

export const providers: Record<ProviderKey, ProviderImpl> = {
  HostedRuntime: hostedRuntimeProvider,
  SharedConfigRepo: sharedConfigRepoProvider,
  GitSource: gitSourceProvider,
  ManagedCluster: managedClusterProvider,
};
