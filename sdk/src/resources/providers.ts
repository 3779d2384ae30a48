// Loaded by the serialized shim in the provider process (see shim.ts): the implementation of each
// resource type, and the stack config hook. Program code never needs this module. Its path
// (`pulumi-codefresh/dist/resources/providers`) is in every stack's state: keep it.
import "./provider/compile-cache"; // first: it speeds up loading what follows
import type * as pulumi from "@pulumi/pulumi";
import { applicationSpec, applicationProvider } from "./application";
import { argoRolloutsSpec, argoRolloutsProvider } from "./argo-rollouts";
import { gitSourceSpec, gitSourceProvider } from "./git-source";
import { hostedRuntimeSpec, hostedRuntimeProvider } from "./hosted-runtime";
import { managedClusterSpec, managedClusterProvider } from "./managed-cluster";
import { configure, processContext } from "./provider/process";
import { runtimeSpec, runtimeProvider } from "./runtime";
import { sharedConfigRepoSpec, sharedConfigRepoProvider } from "./shared-config-repo";
import type { ProviderKey } from "./shim";
import { declarationOf, type Declaration } from "./spec";
import { withCaller } from "../user-agent";

export { configure, processContext };
export type { Declaration, DeclaredArg } from "./spec";
export type { ValueKind } from "./provider/check";

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

/** What each resource declares (arguments with their kinds of value, derived inputs, outputs), from its spec. */
export function declarations(): Record<ProviderKey, Declaration> {
  return {
    HostedRuntime: declarationOf(hostedRuntimeSpec),
    Runtime: declarationOf(runtimeSpec),
    SharedConfigRepo: declarationOf(sharedConfigRepoSpec),
    GitSource: declarationOf(gitSourceSpec),
    ManagedCluster: declarationOf(managedClusterSpec),
    ArgoRollouts: declarationOf(argoRolloutsSpec),
    Application: declarationOf(applicationSpec),
  };
}

/** What the shim calls: the implementation of `key`, plus `configure`. */
export function get(key: ProviderKey): EngineProvider & { configure: typeof configure } {
  const provider = providers[key];
  // Each operation's requests name it in their User-Agent (user-agent.ts); check and diff make none but lookups.
  const tagged = Object.fromEntries(
    (Object.keys(provider) as (keyof EngineProvider)[]).map((method) => [
      method,
      (...args: unknown[]) => withCaller(`${key}.${method}`, () => (provider[method] as (...a: unknown[]) => unknown)(...args)),
    ]),
  ) as unknown as EngineProvider;
  return { ...tagged, configure };
}
