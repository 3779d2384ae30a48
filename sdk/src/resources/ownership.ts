// Which resource manages which Codefresh object. Two resources must never manage one object: Codefresh
// keeps one cluster per API server URL in a runtime and one git source per name, so a second "create"
// would silently overwrite or merge into the first. Two guards:
// - in one program: every resource's `check` claims the identity of its object in this provider
//   process (the engine runs one dynamic-provider process per operation, for every resource), so the
//   second claimant fails in preview, or before any write when its identity is known only at apply;
// - across stacks and runs: each object carries its owner (stack and resource), read back by create.
import { ConflictError } from "../errors";
import { dynamicTypePrefix, fullUrn, typeToken } from "./common";
import { isUnknown } from "./provider/unknown";

/** A resource's URN, as the program computes it (`pulumi.createUrn`). */
export type ResourceUrn = string;

/**
 * The resource's whole URN from its inputs (`__urn`, short, and `__stack`); undefined for inputs without
 * them (direct calls in unit tests, state from before 0.2) or while unknown.
 */
export function urnOf(inputs: Record<string, unknown> | object, type: string): ResourceUrn | undefined {
  const { __urn: short, __stack: stack } = inputs as { __urn?: unknown; __stack?: unknown };
  if (typeof short !== "string" || typeof stack !== "string" || short === "" || isUnknown(short) || isUnknown(stack)) return undefined;
  return fullUrn(short, stack, typeToken(type));
}

export interface OwnerName {
  /** `<project>/<stack>` */
  readonly stack: string;
  /** The resource's logical name. */
  readonly resource: string;
  /** The resource's type, for example `codefresh:ManagedCluster`. */
  readonly type: string;
}

/** Splits `urn:pulumi:<stack>::<project>::<type chain>::<name>`. */
export function parseUrn(urn: ResourceUrn): OwnerName {
  const parts = urn.replace(/^urn:pulumi:/, "").split("::");
  const [stack = "", project = "", typeChain = "", ...name] = parts;
  const type = typeChain.split("$").pop() ?? typeChain;
  return { stack: `${project}/${stack}`, resource: name.join("::"), type: type.startsWith(dynamicTypePrefix) ? type.slice(dynamicTypePrefix.length) : type };
}

/** `resource "prod" (codefresh:ManagedCluster) of stack acme/dev` */
export function describeOwner(owner: OwnerName, here?: OwnerName): string {
  const where = here && here.stack === owner.stack ? "this stack" : `stack ${owner.stack}`;
  return `${owner.type ? `${owner.type} ` : ""}"${owner.resource}" of ${where}`;
}

/** What identifies one Codefresh object, and what to tell a user who declared it twice. */
export interface ObjectIdentity {
  /** Unique across kinds, for example `cluster https://10.0.0.1:6443 in runtime codefresh-hosted`. */
  readonly key: string;
  /** How the object is named in messages. */
  readonly object: string;
  /** The input that makes the identity (the failure's property). */
  readonly property: string;
  /** The way out, for example "give each its own `name`". */
  readonly fix: string;
}

interface Claim {
  readonly urn: ResourceUrn;
  readonly identity: ObjectIdentity;
}

const claims = new Map<string, Claim>();

/** The message both checks and creates give for two resources on one object. */
export function duplicateMessage(identity: ObjectIdentity, first: ResourceUrn, second: ResourceUrn): string {
  const a = parseUrn(first);
  const b = parseUrn(second);
  return `${identity.object} would be managed by two resources, ${describeOwner(a)} and ${describeOwner(b, a)}; nothing was written. ${identity.fix}`;
}

/**
 * Claims `identity` for the resource `urn` in this provider process. Returns the failure message when
 * another resource claimed it first; a resource claiming again (preview, then update) is no conflict.
 * Unknown URNs (direct calls in unit tests, state from before URNs were recorded) claim nothing.
 */
export function claim(urn: unknown, identity: ObjectIdentity): string | undefined {
  if (typeof urn !== "string" || urn === "" || isUnknown(urn)) return undefined;
  const held = claims.get(identity.key);
  if (held && held.urn !== urn) return duplicateMessage(identity, held.urn, urn);
  claims.set(identity.key, { urn, identity });
  return undefined;
}

/** Like {@link claim}, for create: the same message, as an error, before anything is written. */
export function claimOrThrow(operation: string, urn: unknown, identity: ObjectIdentity): void {
  const failure = claim(urn, identity);
  if (failure) throw new ConflictError(operation, failure);
}

/** Whether the resource `urn` claimed anything in this process: it is declared in the program being run. */
export function isDeclared(urn: ResourceUrn): boolean {
  for (const held of claims.values()) if (held.urn === urn) return true;
  return false;
}

/** Forgets every claim (unit tests run many programs in one process). */
export function resetClaims(): void {
  claims.clear();
}

// ---- the identities -------------------------------------------------------------------------------

export const identities = {
  /** Codefresh (as Argo CD) keeps one cluster per API server URL in a runtime. */
  cluster(runtime: string, server: string): ObjectIdentity {
    return {
      key: `cluster ${runtime} ${server}`,
      object: `the cluster ${server} in runtime "${runtime}"`,
      property: "kubeconfig",
      fix: "Codefresh keeps one cluster per API server URL in a runtime: declare one ManagedCluster for it (connect it to another runtime with another ManagedCluster and its own serviceAccountName)",
    };
  },
  /** The ServiceAccount a ManagedCluster creates in the target; its RBAC and token are named after it. */
  serviceAccount(server: string, namespace: string, name: string): ObjectIdentity {
    return {
      key: `serviceaccount ${server} ${namespace}/${name}`,
      object: `the ServiceAccount ${namespace}/${name} on ${server}`,
      property: "serviceAccountName",
      fix: "give each ManagedCluster on this API server its own serviceAccountName",
    };
  },
  /** A git source is named uniquely in its runtime. */
  gitSource(runtime: string, name: string): ObjectIdentity {
    return {
      key: `gitsource ${runtime} ${name}`,
      object: `the git source "${name}" in runtime "${runtime}"`,
      property: "name",
      fix: "Codefresh names git sources uniquely in a runtime: give each GitSource its own `name`",
    };
  },
  /** One Shared Configuration Repository per account. */
  sharedConfigRepo(): ObjectIdentity {
    return {
      key: "sharedconfigrepo account",
      object: "the account's Shared Configuration Repository",
      property: "repoUrl",
      fix: "Codefresh keeps one per account: declare one SharedConfigRepo and pass its outputs (or dependsOn) to the rest",
    };
  },
  /** One hosted runtime per account. */
  hostedRuntime(): ObjectIdentity {
    return {
      key: "hostedruntime account",
      object: "the account's hosted runtime",
      property: "name",
      fix: "Codefresh allows one hosted runtime per account: declare one HostedRuntime and pass its name to the rest",
    };
  },
} as const;
