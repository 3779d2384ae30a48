// Helpers every rule uses: the resources' type tokens, reading a property that may be unknown during
// preview, and telling public from private addresses.
import { isIP } from "node:net";
import { UnknownValueError } from "@pulumi/policy";

export const types = {
  HostedRuntime: "pulumi-nodejs:dynamic/codefresh:HostedRuntime",
  SharedConfigRepo: "pulumi-nodejs:dynamic/codefresh:SharedConfigRepo",
  GitSource: "pulumi-nodejs:dynamic/codefresh:GitSource",
  ManagedCluster: "pulumi-nodejs:dynamic/codefresh:ManagedCluster",
} as const;

const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Reads a property. A value not known during preview throws the policy SDK's UnknownValueError (the
 * SDK's proxy does so when it is touched; a raw sentinel is turned into one here), which Pulumi
 * reports as "can't run policy … during preview" (advisory): never a crash, never a silent pass.
 */
export function read<T = unknown>(props: Record<string, unknown>, key: string): T | undefined {
  const value = props[key];
  if (value === unknownSentinel) throw new UnknownValueError(unknownSentinel, [key]);
  return value as T | undefined;
}

/** Why a host cannot be reached from the public internet, or undefined if it can. */
export function nonPublicReason(host: string): string | undefined {
  const name = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost")) return "a loopback name";
  if (name === "kubernetes.default.svc" || name.endsWith(".svc") || name.endsWith(".cluster.local") || name.endsWith(".internal") || name.endsWith(".local")) {
    return "a cluster-internal or local DNS name";
  }
  const version = isIP(name);
  if (version === 4) {
    const [a, b] = name.split(".").map(Number);
    if (a === 127) return "a loopback address";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "a private (RFC 1918) address";
    if (a === 169 && b === 254) return "a link-local address";
    if (a === 100 && b >= 64 && b <= 127) return "a carrier-grade NAT (RFC 6598) address";
    if (a === 0) return "an unspecified address";
  } else if (version === 6) {
    if (name === "::1") return "a loopback address";
    if (/^f[cd]/.test(name)) return "a private (unique local) address";
    if (/^fe[89ab]/.test(name)) return "a link-local address";
  } else if (!name.includes(".")) {
    return "a single-label name that only resolves inside a network";
  }
  return undefined;
}
