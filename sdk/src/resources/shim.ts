// The serialized half of every dynamic resource. Pulumi stores a dynamic resource's provider, as
// source text, with each resource in state; if it closed over this package's code, every resource
// would carry a copy of it (tens of KB), and fixes would never reach resources created before them
// (pulumi/pulumi#16826). So the serialized provider is this shim: each method loads the implementation
// by package name when it runs, in the provider process. Each resource type's shim is the whole export of
// its own module (./shims/*): installed under node_modules, Pulumi stores just `require("pulumi-codefresh/
// dist/resources/shims/<type>.js")` (~280 bytes); linked from elsewhere (this repo's workspace), it
// stores the shim's text (~2.2 KB). Neither grows with the package.
import type * as pulumi from "@pulumi/pulumi";

/** The package name the provider process loads implementations from. */
export const packageName = "pulumi-codefresh";

/** The resource types, each with its implementation in ./providers.ts. */
export type ProviderKey = "HostedRuntime" | "Runtime" | "SharedConfigRepo" | "GitSource" | "ManagedCluster" | "ArgoRollouts" | "Application";

/**
 * A provider whose methods load `pulumi-codefresh/dist/resources/providers` at call time and delegate to
 * the implementation of `key`. Only `key` and the tiny loader are captured: about 2 KB of state per
 * resource copy, whatever the size of this package (each method costs ~250 bytes of serializer wrapper,
 * which is why the bodies are one-liners).
 */
export function thinProvider(key: ProviderKey): pulumi.dynamic.ResourceProvider {
  // Anything referenced here is serialized with it: keep to `require` and `key`.
  const load = () => (require("pulumi-codefresh/dist/resources/providers") as typeof import("./providers")).get(key);
  return {
    configure: async (req) => load().configure(req),
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}
