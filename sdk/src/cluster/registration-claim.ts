// Who registered a cluster with a runtime. Codefresh keeps one cluster per API server URL in a runtime
// and its public API holds no owner for it, so the claim lives in the target cluster itself: a Lease
// named after the runtime and the URL, whose holder is the resource that registered it. Creating a
// Lease is atomic, so two stacks connecting one cluster to one runtime at the same time cannot both win.
import { createHash } from "node:crypto";
import type { V1Lease } from "@kubernetes/client-node";
import { apiClient, call, k8s, statusOf } from "./client";
import type { ResolvedKubeconfig } from "./kubeconfig";
import { managedByLabel, managedByValue } from "./manager-account";

/** Where every claim lives: one place that every claimant of the same registration looks at. */
export const claimNamespace = "kube-system";

export interface RegistrationClaim {
  /** The Lease's name. */
  readonly name: string;
  /** Who holds it (a resource URN), or undefined when nobody does. */
  readonly holder: string | undefined;
}

/** `pulumi-codefresh-<hash of runtime and server URL>`: one per registration, at most 63 characters. */
export function claimName(runtime: string, server: string): string {
  return `pulumi-codefresh-${createHash("sha256").update(`${runtime}\n${server}`).digest("hex").slice(0, 20)}`;
}

function coordination(resolved: ResolvedKubeconfig) {
  return apiClient(resolved, k8s().CoordinationV1Api);
}

/** The current holder of the registration of `server` in `runtime`, if any. */
export async function readRegistrationClaim(resolved: ResolvedKubeconfig, runtime: string): Promise<RegistrationClaim> {
  const name = claimName(runtime, resolved.server);
  try {
    const lease = await call(resolved, `reading Lease ${claimNamespace}/${name}`, () =>
      coordination(resolved).readNamespacedLease({ name, namespace: claimNamespace }),
    );
    return { name, holder: lease.spec?.holderIdentity ?? undefined };
  } catch (error) {
    if (statusOf(error) === 404) return { name, holder: undefined };
    throw error;
  }
}

/**
 * Takes the claim for `holder` unless someone else holds it; returns the holder after the attempt (the
 * caller compares it with its own). A create that raced another sees the winner's Lease. `known` is a claim
 * the caller has just read, which saves the first read.
 */
export async function takeRegistrationClaim(
  resolved: ResolvedKubeconfig,
  runtime: string,
  holder: string,
  known?: RegistrationClaim,
): Promise<RegistrationClaim> {
  const name = claimName(runtime, resolved.server);
  const body: V1Lease = {
    metadata: {
      name,
      namespace: claimNamespace,
      labels: { [managedByLabel]: managedByValue },
      annotations: { "pulumi-codefresh/runtime": runtime, "pulumi-codefresh/server": resolved.server },
    },
    spec: { holderIdentity: holder },
  };
  let unread = known;
  for (let round = 1; ; round++) {
    const current = unread ?? (await readRegistrationClaim(resolved, runtime));
    unread = undefined;
    if (current.holder !== undefined) return current;
    try {
      // One attempt: a lost answer is resolved by the read of the next round, not by a second create.
      await call(
        resolved,
        `creating Lease ${claimNamespace}/${name}`,
        () => coordination(resolved).createNamespacedLease({ namespace: claimNamespace, body }),
        { attempts: 1 },
      );
      return { name, holder };
    } catch (error) {
      if (round >= 3) throw error;
    }
  }
}

/** Gives the claim up if `holder` holds it; anyone else's claim is left alone. */
export async function releaseRegistrationClaim(resolved: ResolvedKubeconfig, runtime: string, holder: string): Promise<void> {
  const current = await readRegistrationClaim(resolved, runtime);
  if (current.holder !== holder) return;
  try {
    await call(resolved, `deleting Lease ${claimNamespace}/${current.name}`, () =>
      coordination(resolved).deleteNamespacedLease({ name: current.name, namespace: claimNamespace }),
    );
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}
