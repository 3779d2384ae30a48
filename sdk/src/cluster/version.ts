import { ClusterError } from "../errors";
import { apiClient, call, CallOptions, k8s } from "./client";
import type { ResolvedKubeconfig } from "./kubeconfig";

/** Codefresh's documented minimum for a managed cluster. */
export const minimumKubernetesVersion = "1.18";

export interface ServerVersion {
  /** As the server reports it, for example `v1.36.3` or `v1.30.2-eks-1552ad0`. */
  readonly gitVersion: string;
  readonly major: number;
  readonly minor: number;
}

/** Parses `v1.36.3`, `1.18`, `v1.30.2-eks-1` into major and minor. */
export function parseKubernetesVersion(text: string): { major: number; minor: number } | undefined {
  const match = /^v?(\d+)\.(\d+)/.exec(text.trim());
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

/** True when `version` is at least `minimum` (both `major.minor`). */
export function meetsMinimum(version: { major: number; minor: number }, minimum: string): boolean {
  const min = parseKubernetesVersion(minimum);
  if (!min) throw new Error(`not a Kubernetes version: ${minimum}`);
  return version.major > min.major || (version.major === min.major && version.minor >= min.minor);
}

/** Reads `/version` (read-only, time-bounded). */
export async function readServerVersion(resolved: ResolvedKubeconfig, options?: CallOptions): Promise<ServerVersion> {
  const api = apiClient(resolved, k8s().VersionApi);
  const info = await call(resolved, "reading the Kubernetes version", () => api.getCode(), options);
  const parsed = parseKubernetesVersion(info.gitVersion) ?? {
    major: Number.parseInt(info.major, 10),
    minor: Number.parseInt(info.minor, 10),
  };
  if (!Number.isFinite(parsed.major) || !Number.isFinite(parsed.minor)) {
    throw new ClusterError("unsupported-version", `${resolved.server} reports a version that cannot be read: ${info.gitVersion}`);
  }
  return { gitVersion: info.gitVersion, ...parsed };
}

/** Refuses a cluster older than `minimum` with a message that says what Codefresh requires. */
export function assertSupportedVersion(version: ServerVersion, server: string, minimum = minimumKubernetesVersion): void {
  if (!meetsMinimum(version, minimum)) {
    throw new ClusterError(
      "unsupported-version",
      `${server} runs Kubernetes ${version.gitVersion}; Codefresh managed clusters need ${minimum} or newer: upgrade the cluster first`,
    );
  }
}

/**
 * How many CustomResourceDefinitions the cluster has (read-only). One item and the server's count of the rest
 * (`remainingItemCount`), not the whole list: a cluster's 300-400 CRDs with their schemas are tens of MB, read on
 * every create and refresh. A server that pages without that count gets the whole list asked for.
 */
export async function countCustomResourceDefinitions(resolved: ResolvedKubeconfig, options?: CallOptions): Promise<number> {
  const api = apiClient(resolved, k8s().ApiextensionsV1Api);
  const what = "listing CustomResourceDefinitions";
  const page = await call(resolved, what, () => api.listCustomResourceDefinition({ limit: 1 }), options);
  const remaining = page.metadata?.remainingItemCount;
  if (remaining !== undefined) return page.items.length + Number(remaining);
  if (!page.metadata?._continue) return page.items.length; // the whole list fit in the page
  const list = await call(resolved, what, () => api.listCustomResourceDefinition(), options);
  return list.items.length;
}
