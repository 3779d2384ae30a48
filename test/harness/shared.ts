// What global setup started, for global teardown (same process), and the variables through which
// test files (worker processes) find it.
import { readFileSync } from "node:fs";
import { giteaAdmin, startRequestLogProxy } from "pulumi-codefresh-emulator";
import type { GiteaAdmin, LocalGitea, LocalKubernetes, RequestLogProxy } from "pulumi-codefresh-emulator";

export const harnessEnv = {
  kubeconfigPath: "PULUMI_CODEFRESH_TEST_KUBECONFIG",
  kubeServer: "PULUMI_CODEFRESH_TEST_KUBE_SERVER",
  kubeWorkDir: "PULUMI_CODEFRESH_TEST_KUBE_WORKDIR",
  giteaUrl: "PULUMI_CODEFRESH_TEST_GITEA_URL",
  giteaWorkDir: "PULUMI_CODEFRESH_TEST_GITEA_WORKDIR",
  giteaAdminUser: "PULUMI_CODEFRESH_TEST_GITEA_ADMIN_USER",
  giteaAdminPassword: "PULUMI_CODEFRESH_TEST_GITEA_ADMIN_PASSWORD",
  giteaAdminToken: "PULUMI_CODEFRESH_TEST_GITEA_ADMIN_TOKEN",
} as const;

interface Shared {
  kube: LocalKubernetes;
  gitea: LocalGitea;
}

const key = Symbol.for("pulumi-codefresh.test-harness");

export function setShared(shared: Shared): void {
  (globalThis as Record<symbol, unknown>)[key] = shared;
}

export function getShared(): Shared | undefined {
  return (globalThis as Record<symbol, unknown>)[key] as Shared | undefined;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: integration tests run with the harness's global setup (npm test)`);
  return value;
}

/** The shared cluster as test files see it: admin kubeconfig and enough to start proxies in front of it. */
export function sharedCluster() {
  const kubeconfigPath = required(harnessEnv.kubeconfigPath);
  const workDir = required(harnessEnv.kubeWorkDir);
  const kubeconfig = readFileSync(kubeconfigPath, "utf8");
  const caCert = readFileSync(`${workDir}/ca.crt`, "utf8");
  const adminToken = /token: (\S+)/.exec(kubeconfig)?.[1] ?? "";
  return {
    server: required(harnessEnv.kubeServer),
    kubeconfig,
    kubeconfigPath,
    caCert,
    adminToken,
    workDir,
    tls: { caCertPath: `${workDir}/ca.crt`, certPath: `${workDir}/apiserver.crt`, keyPath: `${workDir}/apiserver.key` },
  };
}

export interface SharedGitServer extends GiteaAdmin {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** PEM of Gitea's self-signed certificate (the CA bundle for the SDK and GIT_SSL_CAINFO for git), and its file. */
  caCert: string;
  caCertPath: string;
  adminUser: string;
  adminPassword: string;
  /** Scopes `all`; secret. */
  adminToken: string;
  workDir: string;
}

let gitServer: SharedGitServer | undefined;

/** The shared Gitea as test files see it, with admin helpers (users, orgs, scoped tokens). */
export function sharedGitServer(): SharedGitServer {
  if (gitServer) return gitServer;
  const workDir = required(harnessEnv.giteaWorkDir);
  const caCertPath = `${workDir}/cert.pem`;
  const connection = {
    url: required(harnessEnv.giteaUrl),
    caCert: readFileSync(caCertPath, "utf8"),
    adminUser: required(harnessEnv.giteaAdminUser),
    adminPassword: required(harnessEnv.giteaAdminPassword),
    adminToken: required(harnessEnv.giteaAdminToken),
  };
  gitServer = { ...connection, ...giteaAdmin(connection), caCertPath, workDir };
  return gitServer;
}

/**
 * A proxy in front of the shared Gitea, serving Gitea's own certificate (so git and the SDK trust it as
 * they trust Gitea), that injects the emulator's fault kinds when given rules (`proxy.faults.set`).
 * Point a stack's `gitUrl` and `gitApiUrl` at it (`${proxy.url}`, `${proxy.url}/api/v1`); stop it after.
 */
export async function startGitFaultProxy(): Promise<RequestLogProxy> {
  const gitea = sharedGitServer();
  return startRequestLogProxy({
    upstream: gitea.url,
    upstreamCa: gitea.caCert,
    cert: readFileSync(`${gitea.workDir}/cert.pem`),
    key: readFileSync(`${gitea.workDir}/key.pem`),
  });
}
