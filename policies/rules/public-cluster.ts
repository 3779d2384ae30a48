import type { StackValidationPolicy } from "@pulumi/policy";
import { ManagedCluster } from "pulumi-codefresh";
import { nonPublicReason, validateHostedInputsOf } from "../values";

export interface PublicClusterConfig {
  /** Hosts (or host:port) accepted even though they look private, for example behind a public load balancer. */
  allowedHosts: string[];
}

/**
 * A hosted runtime runs at Codefresh: it reaches managed clusters over the public internet. A hybrid runtime
 * reaches them from its own cluster, so a private address can be right: not judged.
 */
export const publicCluster: StackValidationPolicy = {
  name: "public-cluster-endpoint",
  description:
    "Clusters targeted by a hosted runtime are reachable from the public internet (Codefresh's IPs allow-listed): warns on loopback, private ranges and cluster-internal names (hosted runtimes only).",
  enforcementLevel: "advisory",
  configSchema: { properties: { allowedHosts: { type: "array", items: { type: "string" }, default: [] } } },
  validateStack: validateHostedInputsOf(ManagedCluster, (managed, args, reportViolation) => {
    const server = managed.server;
    if (!server) return;
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      return;
    }
    const { allowedHosts } = args.getConfig<PublicClusterConfig>();
    if (allowedHosts.includes(url.hostname) || allowedHosts.includes(url.host)) return;
    const reason = nonPublicReason(url.hostname);
    if (reason) {
      reportViolation(
        `cluster "${args.name}": ${url.host} is ${reason}, which a hosted runtime cannot reach from the internet; expose the API server publicly (allow-list HostedRuntime.ipAllowList), or add it to allowedHosts`,
      );
    }
  }),
};
