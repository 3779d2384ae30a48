// What global setup started, for global teardown (same process), and the variables through which
// test files (worker processes) find it.
import { readFileSync } from "node:fs";
import type { LocalKubernetes } from "pulumi-codefresh-emulator";

export const harnessEnv = {
  kubeconfigPath: "PULUMI_CODEFRESH_TEST_KUBECONFIG",
  kubeServer: "PULUMI_CODEFRESH_TEST_KUBE_SERVER",
  kubeWorkDir: "PULUMI_CODEFRESH_TEST_KUBE_WORKDIR",
} as const;

interface Shared {
  kube: LocalKubernetes;
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
