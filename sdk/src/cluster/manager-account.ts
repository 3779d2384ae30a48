// The `argocd-manager` credentials Codefresh needs in a target cluster, as `cf cluster add` makes them
// (csdp-official add-cluster): a ServiceAccount, a cluster-admin-equivalent ClusterRole and its binding,
// and a long-lived token Secret filled in by kube-controller-manager. We make them directly, so the
// caller's Codefresh API key never has to be stored in the target cluster.
import type { SecretSet } from "../secrets";
import { createHash } from "node:crypto";
import type { V1ClusterRole, V1ClusterRoleBinding, V1ObjectMeta, V1Secret, V1ServiceAccount } from "@kubernetes/client-node";
import { ClusterError } from "../errors";
import { pollUntil } from "../net";
import { apiClient, call, k8s, statusOf } from "./client";
import type { ResolvedKubeconfig } from "./kubeconfig";

/** The label on every object this package creates; objects without it are never changed or deleted. */
export const managedByLabel = "app.kubernetes.io/managed-by";
export const managedByValue = "pulumi-codefresh";
/**
 * Annotation naming who created the objects (the resource's URN; `<project>/<stack>` before 0.2), so a
 * rerun can adopt its own and nobody else's.
 */
export const ownerAnnotation = "pulumi-codefresh/owner";

export interface ManagerAccountOptions {
  /** ServiceAccount name (default `argocd-manager`); one per registration when several share an API server. */
  serviceAccountName?: string | undefined;
  /** Namespace of the ServiceAccount and its token Secret (default `kube-system`). */
  namespace?: string | undefined;
  /** How long to wait for the token controller to fill the Secret (default 60 s). */
  tokenTimeoutMs?: number | undefined;
  /** Progress messages for long waits. */
  onProgress?: ((message: string) => void) | undefined;
  /** Recorded on each object this call creates (see {@link ownerAnnotation}); objects of another owner are refused. */
  owner?: string | undefined;
  /** Earlier values of `owner` that mean the same owner (the stack, as recorded before resource URNs). */
  formerOwners?: readonly string[] | undefined;
  /** The process's secret set: the token joins it as soon as it is read, before anything can print it. */
  secrets?: SecretSet | undefined;
  /**
   * Whether the objects are expected to exist (an update or a repair): each is then read first. Otherwise
   * (a first connection) each is created first, and read only when it exists: one call per object either way.
   */
  expectExisting?: boolean | undefined;
}

export interface ManagerAccountNames {
  readonly serviceAccount: string;
  readonly namespace: string;
  readonly clusterRole: string;
  readonly clusterRoleBinding: string;
  readonly tokenSecret: string;
}

export function managerAccountNames(options: ManagerAccountOptions = {}): ManagerAccountNames {
  const serviceAccount = options.serviceAccountName ?? "argocd-manager";
  return {
    serviceAccount,
    namespace: options.namespace ?? "kube-system",
    clusterRole: `${serviceAccount}-role`,
    clusterRoleBinding: `${serviceAccount}-role-binding`,
    tokenSecret: `${serviceAccount}-token`,
  };
}

/** What Codefresh registers: secrets are `token`. */
export interface ManagerCredentials {
  readonly server: string;
  /** Base64 PEM of the cluster CA (from the token Secret, else the kubeconfig). */
  readonly caData: string | undefined;
  /** The ServiceAccount's bearer token. Secret. */
  readonly token: string;
  /** sha256 of the token: safe to keep in state, lets `read` notice a rotated token. */
  readonly tokenHash: string;
  readonly names: ManagerAccountNames;
  /** Which of the objects this call found already there without our label (adopted, never deleted). */
  readonly adopted: readonly string[];
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function labels(): Record<string, string> {
  return { [managedByLabel]: managedByValue };
}

function ownerMetadata(options: ManagerAccountOptions): Pick<V1ObjectMeta, "labels" | "annotations"> {
  return { labels: labels(), ...(options.owner ? { annotations: { [ownerAnnotation]: options.owner } } : {}) };
}

function isOurs(metadata: V1ObjectMeta | undefined): boolean {
  return metadata?.labels?.[managedByLabel] === managedByValue;
}

/** Made by this package for someone else (another resource or stack): never reused, never deleted. */
function otherOwner(metadata: V1ObjectMeta | undefined, options: ManagerAccountOptions): string | undefined {
  const owner = metadata?.annotations?.[ownerAnnotation];
  if (!isOurs(metadata) || !owner || !options.owner) return undefined;
  return owner === options.owner || options.formerOwners?.includes(owner) ? undefined : owner;
}

/**
 * Reads an object, or creates it when absent: read first when it probably exists, create first when it
 * probably does not (a 409 then sends us to the read). A create that fails for a transient reason is
 * never sent again blindly: a read decides whether it happened; a 409 means a concurrent create won, and
 * the read gives the winner's object.
 */
async function readOrCreate<T extends { metadata?: V1ObjectMeta }>(
  resolved: ResolvedKubeconfig,
  what: string,
  read: () => Promise<T>,
  create: () => Promise<T>,
  readFirst: boolean,
): Promise<T> {
  const lost = (error: unknown) => error instanceof ClusterError && (error.problem === "timeout" || error.problem === "unreachable");
  let skipRead = !readFirst;
  for (let round = 1; ; round++) {
    if (!skipRead) {
      try {
        return await call(resolved, `reading ${what}`, read);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    skipRead = false;
    try {
      return await call(resolved, `creating ${what}`, create, { attempts: 1 });
    } catch (error) {
      if (round >= 3 || !(isConflict(error) || lost(error))) throw error;
    }
  }
}

function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

function isConflict(error: unknown): boolean {
  return statusOf(error) === 409;
}

/** Creates or adopts the ServiceAccount, RBAC and token Secret, waits for the token, and returns it. */
export async function ensureManagerAccount(resolved: ResolvedKubeconfig, options: ManagerAccountOptions = {}): Promise<ManagerCredentials> {
  const names = managerAccountNames(options);
  const api = k8s();
  const core = apiClient(resolved, api.CoreV1Api);
  const rbac = apiClient(resolved, api.RbacAuthorizationV1Api);
  const { namespace } = names;
  const readFirst = options.expectExisting === true;
  const adopted: string[] = [];
  const note = (kind: string, name: string, metadata: V1ObjectMeta | undefined) => {
    if (!isOurs(metadata)) adopted.push(`${kind}/${name}`);
  };

  const serviceAccount: V1ServiceAccount = await readOrCreate(
    resolved,
    `ServiceAccount ${namespace}/${names.serviceAccount}`,
    () => core.readNamespacedServiceAccount({ name: names.serviceAccount, namespace }),
    () =>
      core.createNamespacedServiceAccount({
        namespace,
        body: {
          metadata: { name: names.serviceAccount, namespace, ...ownerMetadata(options) },
        },
      }),
    readFirst,
  );
  note("ServiceAccount", names.serviceAccount, serviceAccount.metadata);
  const holder = otherOwner(serviceAccount.metadata, options);
  if (holder) {
    throw new ClusterError(
      "forbidden",
      `ServiceAccount ${namespace}/${names.serviceAccount} on ${resolved.server} belongs to ${holder}; sharing it would let either one's delete disconnect the other. Give this ManagedCluster its own serviceAccountName`,
    );
  }

  // The role and its binding name each other, not the objects: made side by side, once the ServiceAccount is known to be ours.
  const [clusterRole, binding]: [V1ClusterRole, V1ClusterRoleBinding] = await Promise.all([
    readOrCreate(
      resolved,
      `ClusterRole ${names.clusterRole}`,
      () => rbac.readClusterRole({ name: names.clusterRole }),
      () =>
        rbac.createClusterRole({
          body: {
            metadata: { name: names.clusterRole, ...ownerMetadata(options) },
            rules: [
              { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
              { nonResourceURLs: ["*"], verbs: ["*"] },
            ],
          },
        }),
      readFirst,
    ),
    readOrCreate(
      resolved,
      `ClusterRoleBinding ${names.clusterRoleBinding}`,
      () => rbac.readClusterRoleBinding({ name: names.clusterRoleBinding }),
      () =>
        rbac.createClusterRoleBinding({
          body: {
            metadata: { name: names.clusterRoleBinding, ...ownerMetadata(options) },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: names.clusterRole },
            subjects: [{ kind: "ServiceAccount", name: names.serviceAccount, namespace }],
          },
        }),
      readFirst,
    ),
  ]);
  note("ClusterRole", names.clusterRole, clusterRole.metadata);
  note("ClusterRoleBinding", names.clusterRoleBinding, binding.metadata);
  const boundToUs = binding.subjects?.some((s) => s.kind === "ServiceAccount" && s.name === names.serviceAccount && s.namespace === namespace);
  if (!boundToUs || binding.roleRef.name !== names.clusterRole) {
    throw new ClusterError(
      "forbidden",
      `ClusterRoleBinding ${names.clusterRoleBinding} on ${resolved.server} exists but does not bind ${namespace}/${names.serviceAccount} to ${names.clusterRole}; remove it or choose another serviceAccountName`,
    );
  }

  const readOrCreateSecret = (first: boolean): Promise<V1Secret> =>
    readOrCreate(
      resolved,
      `Secret ${namespace}/${names.tokenSecret}`,
      () => core.readNamespacedSecret({ name: names.tokenSecret, namespace }),
      () =>
        core.createNamespacedSecret({
          namespace,
          body: {
            metadata: {
              name: names.tokenSecret,
              namespace,
              ...ownerMetadata(options),
              annotations: { "kubernetes.io/service-account.name": names.serviceAccount, ...ownerMetadata(options).annotations },
            },
            type: "kubernetes.io/service-account-token",
          },
        }),
      first,
    );
  const secret: V1Secret = await readOrCreateSecret(readFirst);
  note("Secret", names.tokenSecret, secret.metadata);
  if (secret.type !== "kubernetes.io/service-account-token" || secret.metadata?.annotations?.["kubernetes.io/service-account.name"] !== names.serviceAccount) {
    throw new ClusterError(
      "forbidden",
      `Secret ${namespace}/${names.tokenSecret} on ${resolved.server} exists but is not a token Secret of ${names.serviceAccount}; remove it or choose another serviceAccountName`,
    );
  }

  // kube-controller-manager's token controller fills the Secret asynchronously. The first look is at
  // the Secret just read; later ones read it again.
  const timeoutMs = options.tokenTimeoutMs ?? 60_000;
  const accountUid = serviceAccount.metadata?.uid;
  let unread: V1Secret | undefined = secret;
  const filled = await pollUntil(
    async () => {
      const current: V1Secret = unread ?? (await readOrCreateSecret(true));
      unread = undefined;
      const filledFor = current.metadata?.annotations?.["kubernetes.io/service-account.uid"];
      if (filledFor !== undefined && accountUid !== undefined && filledFor !== accountUid) {
        // The token of an earlier ServiceAccount of this name (deleted, then made again): the API server
        // refuses it, and the token controller deletes the Secret only later. Replace it now, this very one.
        await call(resolved, `deleting the stale Secret ${namespace}/${names.tokenSecret}`, () =>
          core.deleteNamespacedSecret({ name: names.tokenSecret, namespace, body: { preconditions: { uid: current.metadata?.uid ?? "" } } }),
        ).catch((error: unknown) => {
          if (!isNotFound(error) && !isConflict(error)) throw error; // gone already, or replaced by someone else
        });
        return { done: false, status: "replacing the token Secret of an earlier ServiceAccount" };
      }
      const token = current.data?.token;
      return token ? { done: true, value: { token, caData: current.data?.["ca.crt"] } } : { done: false, status: "no token yet" };
    },
    {
      timeoutMs,
      intervalMs: 50,
      backoff: 2,
      maxIntervalMs: 2_000,
      progressEveryMs: 10_000,
      onProgress: ({ elapsedMs }) =>
        options.onProgress?.(`waiting for the ${names.serviceAccount} token on ${resolved.server} (${Math.round(elapsedMs / 1000)} s)`),
      onTimeout: () =>
        new ClusterError(
          "timeout",
          `the token of Secret ${namespace}/${names.tokenSecret} on ${resolved.server} was not filled in within ${Math.round(timeoutMs / 1000)} s; is kube-controller-manager running with its token controller?`,
        ),
    },
  );
  const token = Buffer.from(filled.token, "base64").toString("utf8");
  options.secrets?.add(token);
  return {
    server: resolved.server,
    caData: filled.caData ?? resolved.caData,
    token,
    tokenHash: hashToken(token),
    names,
    adopted,
  };
}

/** What is in the cluster now, for `read`/refresh: a deleted ServiceAccount or rotated token shows as drift. */
export interface ManagerAccountState {
  readonly serviceAccountExists: boolean;
  readonly clusterRoleBindingExists: boolean;
  /** sha256 of the current token, when the Secret exists and is filled. */
  readonly tokenHash: string | undefined;
  /** The {@link ownerAnnotation} of the ServiceAccount, if any. */
  readonly owner: string | undefined;
}

export async function readManagerAccount(resolved: ResolvedKubeconfig, options: ManagerAccountOptions = {}): Promise<ManagerAccountState> {
  const names = managerAccountNames(options);
  const api = k8s();
  const core = apiClient(resolved, api.CoreV1Api);
  const rbac = apiClient(resolved, api.RbacAuthorizationV1Api);
  const exists = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call(resolved, `reading ${what}`, read);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  const [serviceAccount, binding, secret] = await Promise.all([
    exists("ServiceAccount", () => core.readNamespacedServiceAccount({ name: names.serviceAccount, namespace: names.namespace })),
    exists("ClusterRoleBinding", () => rbac.readClusterRoleBinding({ name: names.clusterRoleBinding })),
    exists("Secret", () => core.readNamespacedSecret({ name: names.tokenSecret, namespace: names.namespace })),
  ]);
  const token = secret?.data?.token ? Buffer.from(secret.data.token, "base64").toString("utf8") : undefined;
  return {
    serviceAccountExists: serviceAccount !== undefined,
    clusterRoleBindingExists: binding !== undefined,
    tokenHash: token === undefined ? undefined : hashToken(token),
    owner: serviceAccount?.metadata?.annotations?.[ownerAnnotation],
  };
}

/**
 * Deletes the objects that carry our label: the binding, the role and the token Secret side by side, then the
 * ServiceAccount, last: a binding left by an interrupted delete must not grant cluster-admin to whoever makes
 * an account of that name next. Objects we adopted, and objects already gone, are left alone without error.
 */
export async function removeManagerAccount(resolved: ResolvedKubeconfig, options: ManagerAccountOptions = {}): Promise<string[]> {
  const names = managerAccountNames(options);
  const api = k8s();
  const core = apiClient(resolved, api.CoreV1Api);
  const rbac = apiClient(resolved, api.RbacAuthorizationV1Api);
  /** The object's name when this call deleted it. */
  const removeIfOurs = async (what: string, read: () => Promise<{ metadata?: V1ObjectMeta }>, remove: () => Promise<unknown>): Promise<string[]> => {
    let current: { metadata?: V1ObjectMeta };
    try {
      current = await call(resolved, `reading ${what}`, read);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    if (!isOurs(current.metadata) || otherOwner(current.metadata, options)) return [];
    try {
      await call(resolved, `deleting ${what}`, remove);
      return [what];
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return [];
    }
  };
  const first = await Promise.all([
    removeIfOurs(
      `ClusterRoleBinding ${names.clusterRoleBinding}`,
      () => rbac.readClusterRoleBinding({ name: names.clusterRoleBinding }),
      () => rbac.deleteClusterRoleBinding({ name: names.clusterRoleBinding }),
    ),
    removeIfOurs(
      `ClusterRole ${names.clusterRole}`,
      () => rbac.readClusterRole({ name: names.clusterRole }),
      () => rbac.deleteClusterRole({ name: names.clusterRole }),
    ),
    removeIfOurs(
      `Secret ${names.namespace}/${names.tokenSecret}`,
      () => core.readNamespacedSecret({ name: names.tokenSecret, namespace: names.namespace }),
      () => core.deleteNamespacedSecret({ name: names.tokenSecret, namespace: names.namespace }),
    ),
  ]);
  const last = await removeIfOurs(
    `ServiceAccount ${names.namespace}/${names.serviceAccount}`,
    () => core.readNamespacedServiceAccount({ name: names.serviceAccount, namespace: names.namespace }),
    () => core.deleteNamespacedServiceAccount({ name: names.serviceAccount, namespace: names.namespace }),
  );
  return [...first.flat(), ...last];
}
