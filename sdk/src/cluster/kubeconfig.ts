import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { KubeConfig } from "@kubernetes/client-node";
import { ClusterError } from "../errors";

/** Where a cluster's admin credentials come from. Exactly one of `kubeconfig` and `kubeconfigPath`. */
export interface KubeconfigSource {
  /** Kubeconfig content (YAML or JSON). Secret. */
  kubeconfig?: string | undefined;
  /** Path of a kubeconfig file, read on the machine that runs Pulumi. */
  kubeconfigPath?: string | undefined;
  /** Context to use; the kubeconfig's current context when omitted. */
  context?: string | undefined;
  /** Skip TLS verification of the API server. Off unless set explicitly (and flagged by the policy pack). */
  insecureSkipTlsVerify?: boolean | undefined;
}

/** The parts of a kubeconfig the package uses, checked. */
export interface ResolvedKubeconfig {
  readonly kubeConfig: KubeConfig;
  readonly contextName: string;
  /** The API server URL of the selected context. */
  readonly server: string;
  /** Base64 PEM of the cluster CA, when the kubeconfig has one. */
  readonly caData: string | undefined;
  readonly insecureSkipTlsVerify: boolean;
}

/**
 * Loads and checks a kubeconfig without contacting the cluster: it must parse, name the context
 * asked for, point at an https server, and not skip TLS verification unless that was asked for.
 * Messages never quote the kubeconfig, which carries credentials.
 */
export function resolveKubeconfig(source: KubeconfigSource, field = "kubeconfig"): ResolvedKubeconfig {
  if ((source.kubeconfig === undefined) === (source.kubeconfigPath === undefined)) {
    throw new ClusterError("invalid-kubeconfig", `${field}: give exactly one of kubeconfig (content) and kubeconfigPath (a file)`);
  }
  let text = source.kubeconfig ?? "";
  if (source.kubeconfigPath !== undefined) {
    try {
      text = readFileSync(source.kubeconfigPath, "utf8");
    } catch (err) {
      throw new ClusterError(
        "invalid-kubeconfig",
        `kubeconfigPath: cannot read ${source.kubeconfigPath}: ${(err as NodeJS.ErrnoException).code ?? "error"}; give the path of a readable kubeconfig file`,
      );
    }
  }
  // check, then create or read, resolve the same kubeconfig in one provider process: parse it once.
  const key = createHash("sha256")
    .update(`${field}\0${source.context ?? ""}\0${String(source.insecureSkipTlsVerify === true)}\0`)
    .update(text)
    .digest("hex");
  const known = resolvedKubeconfigs.get(key);
  if (known) return known;
  const resolved = parseKubeconfig(text, source, field);
  // Files the kubeconfig names may change between calls: read them again each time.
  const user = resolved.kubeConfig.getCurrentUser();
  if (resolved.kubeConfig.getCurrentCluster()?.caFile || user?.certFile || user?.keyFile) return resolved;
  if (resolvedKubeconfigs.size >= resolvedKubeconfigLimit) resolvedKubeconfigs.delete(resolvedKubeconfigs.keys().next().value as string);
  resolvedKubeconfigs.set(key, resolved);
  return resolved;
}

/** Kubeconfigs parsed in this process, by a hash of their text and options (the oldest go first). */
const resolvedKubeconfigs = new Map<string, ResolvedKubeconfig>();
const resolvedKubeconfigLimit = 256;

function parseKubeconfig(text: string, source: KubeconfigSource, field: string): ResolvedKubeconfig {
  // Loaded lazily: client-node is ESM-only and heavy, and check() of other resources never needs it.
  const { KubeConfig } = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(text);
  } catch {
    throw new ClusterError(
      "invalid-kubeconfig",
      `${field}: not a valid kubeconfig: give YAML with clusters, users and contexts, as \`kubectl config view --raw\` prints it`,
    );
  }
  const contexts = kubeConfig.getContexts().map((c) => c.name);
  const contextName = source.context ?? kubeConfig.getCurrentContext();
  if (!contextName || !contexts.includes(contextName)) {
    const wanted = source.context
      ? `context "${source.context}" is not in it`
      : contextName
        ? `its current-context "${contextName}" names a context that is not in it (fix current-context, or set context)`
        : "it has no current-context (set context)";
    throw new ClusterError(
      "invalid-kubeconfig",
      `${field}: ${wanted}; contexts: ${contexts.join(", ") || "(none)"}${source.context ? " (use one of them, or leave context out for the current context)" : ""}`,
    );
  }
  kubeConfig.setCurrentContext(contextName);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) {
    throw new ClusterError("invalid-kubeconfig", `${field}: context "${contextName}" has no cluster server URL`);
  }
  if (!cluster.server.startsWith("https://")) {
    throw new ClusterError("invalid-kubeconfig", `${field}: the server of context "${contextName}" must be an https URL, not ${cluster.server}`);
  }
  const skip = Boolean(cluster.skipTLSVerify);
  if (skip && source.insecureSkipTlsVerify !== true) {
    throw new ClusterError(
      "insecure-tls",
      `${field}: context "${contextName}" skips TLS verification; give the cluster CA instead, or set insecureSkipTlsVerify: true to accept the risk`,
    );
  }
  if (source.insecureSkipTlsVerify === true && !skip) {
    // Honour the explicit request for this connection only.
    (cluster as { skipTLSVerify: boolean }).skipTLSVerify = true;
  }
  let caData = cluster.caData;
  if (caData === undefined && cluster.caFile !== undefined) {
    try {
      caData = readFileSync(cluster.caFile).toString("base64");
    } catch {
      throw new ClusterError("invalid-kubeconfig", `${field}: cannot read certificate-authority file ${cluster.caFile}`);
    }
  }
  return { kubeConfig, contextName, server: cluster.server.replace(/\/+$/, ""), caData, insecureSkipTlsVerify: source.insecureSkipTlsVerify === true || skip };
}
