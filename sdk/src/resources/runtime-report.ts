// What both runtime resources (HostedRuntime, Runtime) report of a runtime: the fields of Codefresh's `runtime`
// query that go-sdk's Runtime().Get reads, and the IP allow-list of its kind. Declared once, spread into each spec.
import type { RuntimeInfo } from "../api";
import { resolveIpAllowList } from "./ip-allow-list";
import type { ProviderContext } from "./provider/context";
import { kindOf } from "./runtime-kind";
import { output } from "./spec";

export const runtimeReportFields = {
  /** `installationStatus`: `IN_PROGRESS`, `COMPLETED` or `FAILED`. */
  status: output<string>(),
  /** `installationType`: `HELM` for a hybrid runtime, `HELM_HOSTED` for a hosted one. */
  installationType: output<string>(),
  /** The runtime version (a hybrid runtime's chart `appVersion`; Codefresh upgrades hosted runtimes itself). */
  version: output<string>(),
  /** The namespace the runtime runs in. */
  namespace: output<string>(),
  /** The API server of the runtime's own cluster, as the runtime registered it. */
  cluster: output<string>(),
  /** Base URL of the runtime's app-proxy: its ingress, or the tunnel Codefresh serves for it. */
  ingressHost: output<string>(),
  /** `INGRESS` or `TUNNEL`; "" when Codefresh reports none. */
  accessMode: output<string>(),
  /** Argo CD health of the runtime: `HEALTHY`, `PROGRESSING`, `DEGRADED`, … */
  healthStatus: output<string>(),
  healthMessage: output<string>(),
  syncStatus: output<string>(),
  /** The git provider the runtime commits to (`GITHUB`, `GITLAB`, `BITBUCKET`, `BITBUCKET_SERVER`, `GERRIT`); "" until known. */
  gitProvider: output<string>(),
  /** The runtime's Shared Configuration Repository, as it registered it ("" when not reported). */
  repo: output<string>(),
  /** Whether the runtime's layout is in the Shared Configuration Repository. */
  iscInitialized: output<boolean>(),
  managedClustersNum: output<number>(),
  /**
   * The addresses its managed clusters allow on their API servers: Codefresh's platform IPs, and for a hosted
   * runtime the hosted-runtime IPs (withdrawn from Codefresh's page with the deprecation; see ip-allow-list.ts).
   */
  ipAllowList: output<string[]>(),
  /** Where `ipAllowList` came from: Codefresh's page and its dates, or the stack config key that replaced a list. */
  ipAllowListSource: output<string>(),
} as const;

type Report = { [K in keyof typeof runtimeReportFields]: NonNullable<(typeof runtimeReportFields)[K]["type"]> };

/** The report's values for `runtime`, with the stack config's allow-list overrides. */
export function runtimeReport(context: Pick<ProviderContext, "value">, runtime: RuntimeInfo): Report {
  const allowList = resolveIpAllowList(kindOf(runtime), (key) => context.value(key));
  return {
    status: runtime.installationStatus,
    installationType: runtime.installationType ?? "",
    version: runtime.runtimeVersion ?? "",
    namespace: runtime.namespace ?? "",
    cluster: runtime.cluster ?? "",
    ingressHost: runtime.ingressHost ?? "",
    accessMode: runtime.accessMode ?? "",
    healthStatus: runtime.healthStatus ?? "",
    healthMessage: runtime.healthMessage ?? "",
    syncStatus: runtime.syncStatus ?? "",
    gitProvider: runtime.gitProvider ?? "",
    repo: runtime.repo ?? "",
    iscInitialized: runtime.iscInitialized ?? false,
    managedClustersNum: runtime.managedClustersNum,
    ipAllowList: allowList.addresses,
    ipAllowListSource: allowList.source,
  };
}
