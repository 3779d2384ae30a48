/**
 * Target clusters: load a kubeconfig, check the Kubernetes version, and create, read or remove the
 * `argocd-manager` credentials Codefresh registers.
 */
export * from "./kubeconfig";
export * from "./version";
export * from "./manager-account";
export { toClusterError } from "./client";
export * from "./registration-claim";
