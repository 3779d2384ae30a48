// The serialized half of every dynamic resource. Pulumi stores a dynamic resource's provider, as
// source text, with each resource in state; if it closed over this package's code, every resource
// would carry a copy of it (tens of KB), and fixes would never reach resources created before them
// (pulumi/pulumi#16826). So the serialized provider is this shim: each method loads the implementation
// by package name when it runs, in the provider process, and state keeps only ~1 KB per resource.
import type * as pulumi from "@pulumi/pulumi";

/** The package name the provider process loads implementations from. */
export const packageName = "pulumi-codefresh";

/** What a resource's provider module exports (see provider-base.ts). */
export type ProviderKey = "HostedRuntime" | "SharedConfigRepo" | "GitSource" | "ManagedCluster";

/**
 * A provider whose methods `require("pulumi-codefresh/dist/resources/providers")` at call time and
 * delegate to the implementation registered under `key`. Only `key` is captured.
 */
export function thinProvider(key: ProviderKey): pulumi.dynamic.ResourceProvider {
  // Written without helpers on purpose: anything referenced here would be serialized with it.
  return {
    async configure(req) {
      require("pulumi-codefresh/dist/resources/providers").configure(req);
    },
    async check(olds, news) {
      return require("pulumi-codefresh/dist/resources/providers").providers[key].check(olds, news);
    },
    async diff(id, olds, news) {
      return require("pulumi-codefresh/dist/resources/providers").providers[key].diff(id, olds, news);
    },
    async create(inputs) {
      return require("pulumi-codefresh/dist/resources/providers").providers[key].create(inputs);
    },
    async read(id, props) {
      return require("pulumi-codefresh/dist/resources/providers").providers[key].read(id, props);
    },
    async update(id, olds, news) {
      return require("pulumi-codefresh/dist/resources/providers").providers[key].update(id, olds, news);
    },
    async delete(id, props) {
      return require("pulumi-codefresh/dist/resources/providers").providers[key].delete(id, props);
    },
  };
}
