// Loaded by the serialized shim in the provider process (see shim.ts): the implementation of each
// resource type, and the stack config hook. Program code never needs this module.
import { gitSourceProvider } from "./git-source";
import { hostedRuntimeProvider } from "./hosted-runtime";
import { managedClusterProvider } from "./managed-cluster";
import { configure, ProviderImpl } from "./provider-base";

export { configure };
import { sharedConfigRepoProvider } from "./shared-config-repo";
import type { ProviderKey } from "./shim";

export const providers: Record<ProviderKey, ProviderImpl> = {
  HostedRuntime: hostedRuntimeProvider,
  SharedConfigRepo: sharedConfigRepoProvider,
  GitSource: gitSourceProvider,
  ManagedCluster: managedClusterProvider,
};

/** What the shim calls: the implementation of `key`, plus `configure`. */
export function get(key: ProviderKey): ProviderImpl & { configure: typeof configure } {
  return { ...providers[key], configure };
}
