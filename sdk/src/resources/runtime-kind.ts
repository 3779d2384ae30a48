// The two kinds of Codefresh GitOps runtime, and the one look-up every resource makes of its runtime
// before its first write, so that a refusal that depends on the kind names the runtime, its kind and
// what to do.
import type { CodefreshClient, RuntimeInfo } from "../api";
import { NotFoundError } from "../errors";

/**
 * `hosted`: Codefresh runs Argo CD for the account (deprecated; one per account, new ones only through
 * Codefresh sales). `hybrid`: installed in the user's own cluster with Codefresh's `gitops-runtime` Helm chart.
 */
export type RuntimeKind = "hosted" | "hybrid";

export const runtimeKinds: readonly RuntimeKind[] = ["hosted", "hybrid"];

/** The runtime's own cluster, as Argo CD names it: Codefresh's for a hosted runtime, the user's for a hybrid one. */
export const inClusterServer = "https://kubernetes.default.svc";

export function kindOf(runtime: Pick<RuntimeInfo, "managed">): RuntimeKind {
  return runtime.managed ? "hosted" : "hybrid";
}

/** "hybrid runtime team-a" / "hosted runtime codefresh-hosted". */
export function describeRuntime(runtime: Pick<RuntimeInfo, "name" | "managed">): string {
  return `${kindOf(runtime)} runtime ${runtime.name}`;
}

/**
 * The runtime `name`, which `what` (a resource, for its message) needs; a NotFoundError that lists the
 * account's runtimes and says how each kind comes to exist when it is missing.
 */
export async function requireRuntime(client: CodefreshClient, name: string, what: string): Promise<RuntimeInfo> {
  const runtime = await client.getRuntime(name);
  if (runtime) return runtime;
  const known = await client.listRuntimes().catch(() => []);
  const listed = known.length > 0 ? `it has ${known.map((r) => `${r.name} (${kindOf(r)})`).join(", ")}` : "it has none";
  throw new NotFoundError(
    "runtime",
    `${what}: runtime "${name}" does not exist in this Codefresh account (${listed}). Pass the name of an existing runtime (a Runtime resource reads one by name), install a hybrid runtime with Codefresh's gitops-runtime Helm chart, or declare the HostedRuntime in this program and pass runtime.name`,
  );
}

/**
 * `error` as thrown, unless it says the runtime has no app-proxy to reach because it does not exist: then
 * the message of {@link requireRuntime}, which lists the account's runtimes and what to do.
 */
export async function explainMissingRuntime(client: CodefreshClient, error: unknown, name: string, what: string): Promise<unknown> {
  if (!(error instanceof NotFoundError) || error.operation !== "runtime") return error;
  try {
    await requireRuntime(client, name, what);
  } catch (explained) {
    return explained;
  }
  return error;
}

/** Why Codefresh may fail to connect a cluster, by the kind of the runtime that connects it. */
export function connectionAdvice(runtime: Pick<RuntimeInfo, "name" | "managed" | "namespace"> | undefined): string {
  if (!runtime) return "Allow-list Codefresh's IPs (a runtime's ipAllowList output) on the API server";
  return runtime.managed
    ? `${describeRuntime(runtime)} runs at Codefresh and reaches clusters from the public internet: allow-list its IPs (HostedRuntime.ipAllowList, the platform and hosted-runtime addresses) on the API server`
    : `${describeRuntime(runtime)} reaches the cluster from its own cluster (Argo CD in namespace ${runtime.namespace ?? runtime.name}): check the network from there to the API server, and allow-list Codefresh's platform IPs (Runtime.ipAllowList)`;
}
