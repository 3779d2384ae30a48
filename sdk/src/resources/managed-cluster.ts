// ManagedCluster: a Kubernetes cluster connected to the runtime. Creates the argocd-manager credentials
// in the target (ServiceAccount, cluster-admin RBAC, token Secret) and registers them with Codefresh.
import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { listAge, type ClusterInfo } from "../api";
import * as cluster from "../cluster";
import { ConflictError } from "../errors";
import { fullUrn, typeToken } from "./common";
import { claim, claimOrThrow, describeOwner, identities, isDeclared, parseUrn, urnOf } from "./ownership";
import { validate, validator } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import { factFromState, isNumber, isText, lookUpCluster } from "./provider/facts";
import { partialCreate, readResult } from "./provider/guard";
import { processContext } from "./provider/process";
import { isUnknown, unknownValue } from "./provider/unknown";
import { parseDuration, waitFor } from "./provider/wait";
import { connectionAdvice, explainMissingRuntime } from "./runtime-kind";
import { derived, InputsOf, output, OutputsOf, resourceSpec, specProvider, specResource } from "./spec";
import managedClusterShim = require("./shims/managed-cluster");

export interface ManagedClusterArgs {
  /** The runtime, hosted or hybrid (pass `runtime.name` of a `HostedRuntime` or a `Runtime`). Changing it replaces the connection. */
  runtime: pulumi.Input<string>;
  /** The cluster's name in Codefresh: `^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`. Changing it replaces the connection. @default the resource name */
  name?: pulumi.Input<string> | undefined;
  /** Admin kubeconfig of the target cluster (content). Secret. One of kubeconfig and kubeconfigPath. */
  kubeconfig?: pulumi.Input<string> | undefined;
  /** Path of the admin kubeconfig on the machine that runs Pulumi. */
  kubeconfigPath?: pulumi.Input<string> | undefined;
  /** Kubeconfig context. @default the current context */
  context?: pulumi.Input<string> | undefined;
  /**
   * ServiceAccount Codefresh's Argo CD uses. Codefresh keeps one cluster per API server URL in a runtime; a
   * cluster connected to several runtimes needs one ServiceAccount per runtime. @default "argocd-manager"
   */
  serviceAccountName?: pulumi.Input<string> | undefined;
  /** Namespace of the ServiceAccount and its token. @default "kube-system" */
  namespace?: pulumi.Input<string> | undefined;
  /** Labels on the cluster in Codefresh (Argo CD cluster Secret). Updated in place. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /** Annotations on the cluster in Codefresh. Updated in place. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /** Skip TLS verification of the API server. Discouraged (the policy pack flags it). @default false */
  insecureSkipTlsVerify?: pulumi.Input<boolean> | undefined;
  /** Take over a registration of the same server that no stack manages (made in the UI or with `cf cluster add`). @default false */
  adopt?: pulumi.Input<boolean> | undefined;
}

/** Kubeconfig content: YAML text (its parse, contexts and server are checked with the other kubeconfig fields). */
const kubeconfigContent = validator("kubeconfig", (check, property, value) => {
  if (typeof value !== "string" || value.trim() === "") {
    check.fail(property, 'must be the kubeconfig\'s content as text (for example config.requireSecret("kubeconfig")); for a file, set kubeconfigPath instead');
  }
  return value;
});

const kubeconfigFile = validator("kubeconfig-path", (check, property, value) => {
  check.requireString(property, value, "the kubeconfig file's path, for example ~/.kube/config");
  return value;
});

/** A context's name; whether the kubeconfig has it is checked with the kubeconfig. */
const kubeconfigContext = validator("kubeconfig-context", (check, property, value) => {
  check.requireString(property, value, "a context of the kubeconfig (kubectl config get-contexts), or omit it for the current context");
  return value;
});

/** The fields of a ManagedCluster: what a change means, their checks and defaults (see ./spec.ts). */
const spec = resourceSpec<ManagedClusterArgs>()({
  type: "ManagedCluster",
  // Codefresh keeps one cluster per server in a runtime: a replacement on the same server must remove the
  // old registration first, or deleting it afterwards would disconnect the new one.
  deleteBeforeReplace: ["runtime", "server"],
  fields: {
    runtime: { role: "arg", onChange: "replace", required: true, validate: validate.dnsLabel("the runtime's name (runtime.name)") },
    name: {
      role: "arg",
      onChange: "replace",
      required: true,
      default: (resourceName) => resourceName,
      validate: validate.dnsLabel("the cluster's name in Codefresh"),
    },
    kubeconfig: { role: "arg", onChange: "update", secret: true, validate: kubeconfigContent },
    kubeconfigPath: { role: "arg", onChange: "update", validate: kubeconfigFile },
    context: { role: "arg", onChange: "update", validate: kubeconfigContext },
    serviceAccountName: { role: "arg", onChange: "replace", required: true, default: "argocd-manager", validate: validate.dnsLabel("a ServiceAccount name") },
    namespace: { role: "arg", onChange: "replace", required: true, default: "kube-system", validate: validate.dnsLabel("a namespace name") },
    labels: { role: "arg", onChange: "update", validate: validate.labels },
    annotations: { role: "arg", onChange: "update", validate: validate.annotations },
    insecureSkipTlsVerify: { role: "arg", onChange: "update", default: false, validate: validate.boolean },
    adopt: { role: "arg", onChange: "none", default: false, validate: validate.boolean },
    /** The cluster's API server URL, as registered (derived from the kubeconfig in check). */
    server: derived<string>("replace"),
    /** The Kubernetes version, read from the cluster at preview (so policies can check it before any write). */
    kubernetesVersion: derived<string>("none"),
    /** How many CRDs the cluster has (the runtime adds 300-400). */
    crdCount: derived<number>("none"),
    /** True while the credentials in the cluster are the ones registered; refresh sets it false on drift. */
    __credentialsCurrent: derived<boolean>("update", true),
    /**
     * Who owns what this resource made (its claim, its ServiceAccount): its URN when it was created, kept
     * through renames with `aliases`, so the objects stay its own.
     */
    __owner: derived<string>("none"),
    /** sha256 of the ServiceAccount token registered with Codefresh (the token itself is never stored). */
    tokenHash: output<string>(),
    /** Codefresh's connection status: `Successful`, `Failed` or `Unknown`. */
    connectionStatus: output<string>(),
    connectionMessage: output<string>(),
    /** The Kubernetes version Codefresh reads from the cluster. */
    serverVersion: output<string>(),
  },
});

/** The declaration, for `pulumi-codefresh/provider`'s `declarations`. */
export { spec as managedClusterSpec };

type Inputs = InputsOf<ManagedClusterArgs, typeof spec.fields>;
type Outputs = OutputsOf<ManagedClusterArgs, typeof spec.fields>;

const connectTimeoutMs = 3 * 60_000;
/** The inputs a kubeconfig is read from. */
const kubeconfigFields = ["kubeconfig", "kubeconfigPath", "context"];

/**
 * A Kubernetes cluster managed by the runtime. Creates the `argocd-manager` ServiceAccount with
 * cluster-admin and a long-lived token in the target, registers it with Codefresh, and waits until
 * Codefresh reports a successful connection. Deleting it removes the management link and the
 * credentials this resource created; the applications already running in the cluster keep running.
 *
 * @example
 * new codefresh.ManagedCluster("prod", {
 *   runtime: runtime.name,
 *   kubeconfig: config.requireSecret("prodKubeconfig"),
 *   labels: { env: "prod" },
 * }, { dependsOn: [sharedConfigRepo] });
 */
export const ManagedCluster = specResource(spec, managedClusterShim);
export type ManagedCluster = InstanceType<typeof ManagedCluster>;

function resolve(inputs: Pick<Inputs, "kubeconfig" | "kubeconfigPath" | "context" | "insecureSkipTlsVerify">): cluster.ResolvedKubeconfig {
  return cluster.resolveKubeconfig({
    kubeconfig: inputs.kubeconfig,
    kubeconfigPath: inputs.kubeconfigPath,
    context: inputs.context,
    insecureSkipTlsVerify: inputs.insecureSkipTlsVerify,
  });
}

/** Who the cluster's objects and claim belong to: the resource's URN (the stack, for state from before 0.2). */
function ownerOf(inputs: Pick<Inputs, "__owner" | "__urn" | "__stack">): string {
  const short = inputs.__owner ?? inputs.__urn;
  return short ? fullUrn(short, inputs.__stack, typeToken("ManagedCluster")) : inputs.__stack;
}

function accountOptions(context: ProviderContext, inputs: Inputs): cluster.ManagerAccountOptions {
  return {
    serviceAccountName: inputs.serviceAccountName,
    namespace: inputs.namespace,
    onProgress: (message) => context.log(message),
    secrets: context.secrets,
    owner: ownerOf(inputs),
    formerOwners: [inputs.__stack],
  };
}

/** The two objects a ManagedCluster manages alone: its registration, and its ServiceAccount in the target. */
function identitiesOf(inputs: { runtime: string; namespace: string; serviceAccountName: string }, server: string) {
  return [identities.cluster(inputs.runtime, server), identities.serviceAccount(server, inputs.namespace, inputs.serviceAccountName)];
}

/** Why create refuses a registration another resource holds, and the way out. */
function heldElsewhere(inputs: Inputs, server: string, holder: string, claimName: string): ConflictError {
  const owner = parseUrn(holder);
  const urn = urnOf(inputs, "ManagedCluster");
  const here = urn ? parseUrn(urn) : undefined;
  const object = identities.cluster(inputs.runtime, server).object;
  const way =
    here && owner.stack === here.stack
      ? !isDeclared(holder)
        ? `If you renamed or moved that resource, give this one \`aliases: [{ name: "${owner.resource}" }]\` so that one resource keeps the connection; otherwise remove one of the two`
        : "Remove one of the two"
      : `Two stacks must not manage one connection: keep it in stack ${owner.stack}, or remove it there first (\`pulumi destroy --target\` in that stack, or \`pulumi state delete\` there and delete Lease kube-system/${claimName} on the cluster), then run \`pulumi up\` here`;
  return new ConflictError(
    "addCluster",
    `${object} is managed by ${describeOwner(owner, here)} (its claim is Lease kube-system/${claimName} on the cluster); nothing was written. ${way}`,
  );
}

function outputs(inputs: Inputs, server: string, tokenHash: string, info: ClusterInfo | undefined): Outputs {
  return {
    ...inputs,
    server,
    tokenHash,
    connectionStatus: info?.connectionStatus ?? "Unknown",
    connectionMessage: info?.connectionMessage ?? "",
    serverVersion: info?.serverVersion ?? "",
  };
}

/**
 * A registration's labels without Argo CD's own keys (`argocd.argoproj.io/secret-type` on the cluster Secret):
 * those are not the user's, so neither adopting nor the import compares or declares them.
 */
export function userClusterLabelsOf(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith("argocd.argoproj.io/")));
}

/** Whether Codefresh's registration has the labels and annotations the inputs ask for. */
function sameMetadata(info: ClusterInfo, inputs: Inputs): boolean {
  return isDeepStrictEqual(userClusterLabelsOf(info.labels), inputs.labels ?? {}) && isDeepStrictEqual(info.annotations, inputs.annotations ?? {});
}

/** The inputs part of what state holds (read gives both). */
function inputsOf(prior: Outputs): Inputs {
  const { tokenHash: _hash, connectionStatus: _status, connectionMessage: _message, serverVersion: _version, ...inputs } = prior;
  return inputs;
}

/** Creates or repairs the credentials in the target, (re-)registers them, and waits for a connection. */
async function connect(
  context: ProviderContext,
  inputs: Inputs,
  resolved: cluster.ResolvedKubeconfig,
  timeoutMs: number,
  expectExisting: boolean,
  /** A registration adopted as it is (connected, with these labels and annotations): it is not written again. */
  adopted?: ClusterInfo,
): Promise<Outputs> {
  // check read the version of this server in this run, or kept it from state while the server is unchanged.
  const checked = typeof inputs.kubernetesVersion === "string" ? cluster.parseKubernetesVersion(inputs.kubernetesVersion) : undefined;
  const version = checked && inputs.kubernetesVersion ? { gitVersion: inputs.kubernetesVersion, ...checked } : await cluster.readServerVersion(resolved);
  cluster.assertSupportedVersion(version, resolved.server);
  const credentials = await cluster.ensureManagerAccount(resolved, { ...accountOptions(context, inputs), expectExisting });
  const api = context.client;
  if (adopted) {
    context.log(`cluster ${inputs.name}: adopted Codefresh's registration of ${credentials.server} as it is`);
    return outputs({ ...inputs, server: credentials.server, __credentialsCurrent: true }, credentials.server, credentials.tokenHash, adopted);
  }
  await api
    .addCluster(inputs.runtime, {
      name: inputs.name,
      server: credentials.server,
      caData: credentials.caData,
      insecureSkipTlsVerify: inputs.insecureSkipTlsVerify,
      token: credentials.token,
      labels: inputs.labels,
      annotations: inputs.annotations,
    })
    .catch(async (error: unknown) => {
      throw await explainMissingRuntime(api, error, inputs.runtime, `ManagedCluster ${inputs.name}`);
    });
  const probe = async () => {
    const current = await api.getCluster(inputs.runtime, credentials.server, { maxAgeMs: listAge.poll });
    if (current?.connectionStatus === "Successful") return { done: true as const, value: current };
    if (current?.connectionStatus === "Failed") {
      const runtime = await api.getRuntime(inputs.runtime).catch(() => undefined);
      throw new Error(
        `Codefresh cannot connect to cluster ${inputs.name} at ${credentials.server}: ${current.connectionMessage ?? "connection failed"}. ${connectionAdvice(runtime)}`,
      );
    }
    return { done: false as const, status: current ? "connection Unknown" : "not listed yet" };
  };
  const info = await waitFor(`cluster ${inputs.name} (${credentials.server})`, timeoutMs, probe, (message) => context.log(message));
  return outputs({ ...inputs, server: credentials.server, __credentialsCurrent: true }, credentials.server, credentials.tokenHash, info);
}

/**
 * Whether this resource still holds its claim in the target although Codefresh no longer has the
 * registration (removed in the UI): then it stays in state, so that `pulumi up` registers it again or,
 * once it is out of the program, deletes the credentials it made. Unreachable: no.
 */
async function stillClaimed(prior: Outputs, runtime: string): Promise<boolean> {
  try {
    return (await cluster.readRegistrationClaim(resolve(prior), runtime)).holder === ownerOf(prior);
  } catch {
    return false;
  }
}

function unregistered(id: string, prior: Outputs, server: string): pulumi.dynamic.ReadResult<Outputs> {
  const inputs: Inputs = { ...inputsOf(prior), __credentialsCurrent: false };
  const info: ClusterInfo = {
    name: prior.name,
    runtime: prior.runtime,
    server,
    connectionStatus: "Unknown",
    connectionMessage: "not registered with Codefresh (removed outside Pulumi); `pulumi up` registers it again",
    serverVersion: undefined,
    labels: {},
    annotations: {},
    resourcesCount: undefined,
    apisCount: undefined,
  };
  return readResult(id, outputs(inputs, server, "", info), inputs);
}

/**
 * Removes what this resource made in the target: its ServiceAccount, RBAC and token Secret, and its claim
 * on the registration. Reported, not thrown: the Codefresh side is already settled.
 */
async function removeCredentials(context: ProviderContext, inputs: Inputs, resolved: cluster.ResolvedKubeconfig): Promise<void> {
  try {
    await cluster.removeManagerAccount(resolved, accountOptions(context, inputs));
    await cluster.releaseRegistrationClaim(resolved, inputs.runtime, ownerOf(inputs));
  } catch (error) {
    const names = cluster.managerAccountNames(accountOptions(context, inputs));
    context.log(
      `cluster ${inputs.name}: its credentials could not be removed from ${resolved.server} (${(error as Error).message}); remove ServiceAccount ${names.namespace}/${names.serviceAccount}, Secret ${names.namespace}/${names.tokenSecret}, ClusterRole ${names.clusterRole}, ClusterRoleBinding ${names.clusterRoleBinding} and Lease ${cluster.claimNamespace}/${cluster.claimName(inputs.runtime, resolved.server)} by hand`,
    );
  }
}

/** The runtime and the server an id names (`<runtime>/<server URL>`). */
function parseId(id: string): { runtime: string; server: string } {
  const slash = id.indexOf("/");
  return { runtime: id.slice(0, slash), server: id.slice(slash + 1) };
}

const isName = (value: unknown): value is string => typeof value === "string" && !isUnknown(value);

export const managedClusterProvider = specProvider<ManagedClusterArgs, typeof spec.fields, Inputs, Outputs>(
  spec,
  {
    async check(_context, { olds, news, inputs, check }) {
      inputs.__owner = isText(olds.__owner) ? olds.__owner : news.__urn;
      const hasContent = news.kubeconfig !== undefined && news.kubeconfig !== null;
      const hasPath = news.kubeconfigPath !== undefined && news.kubeconfigPath !== null;
      if (hasContent === hasPath) {
        check.fail(hasContent ? "kubeconfigPath" : "kubeconfig", "give exactly one of kubeconfig (content, as a secret) and kubeconfigPath (a file)");
        return;
      }
      // A kubeconfig field already refused: reading it would only repeat that.
      if (check.failures.some((f) => kubeconfigFields.includes(f.property))) return;
      if ([news.kubeconfig, news.kubeconfigPath, news.context, news.insecureSkipTlsVerify].some(isUnknown)) {
        // Reported as unknown by the policy pack at preview, never passed silently.
        Object.assign(inputs, { kubernetesVersion: unknownValue, crdCount: unknownValue });
        return;
      }
      try {
        const resolved = cluster.resolveKubeconfig(
          {
            kubeconfig: hasContent ? String(news.kubeconfig) : undefined,
            kubeconfigPath: hasPath ? String(news.kubeconfigPath) : undefined,
            context: typeof news.context === "string" ? news.context : undefined,
            insecureSkipTlsVerify: news.insecureSkipTlsVerify === true,
          },
          hasContent ? "kubeconfig" : "kubeconfigPath",
        );
        inputs.server = resolved.server;
        const { runtime, namespace, serviceAccountName } = news;
        if (isName(runtime) && isName(namespace) && isName(serviceAccountName)) {
          for (const identity of identitiesOf({ runtime, namespace, serviceAccountName }, resolved.server)) {
            const failure = claim(urnOf(news, "ManagedCluster"), identity);
            if (failure) check.fail(identity.property === "kubeconfig" ? (hasContent ? "kubeconfig" : "kubeconfigPath") : identity.property, failure);
          }
        }
        const sameServer = olds.server === resolved.server;
        const kubernetesVersion = factFromState(olds, "kubernetesVersion", sameServer, isText);
        const crdCount = factFromState(olds, "crdCount", sameServer, isNumber);
        // Invalid inputs stop here: check refuses them before any remote call.
        if (check.failures.length > 0) return;
        Object.assign(inputs, kubernetesVersion !== undefined && crdCount !== undefined ? { kubernetesVersion, crdCount } : await lookUpCluster(resolved));
      } catch (error) {
        const message = (error as Error).message;
        const field = /: context "[^"]*" is not in it/.test(message)
          ? "context"
          : message.startsWith("kubeconfigPath") || !hasContent
            ? "kubeconfigPath"
            : "kubeconfig";
        check.fail(field, message.replace(/^(kubeconfig|kubeconfigPath): /, ""));
      }
    },

    async create(context, inputs) {
      const server = inputs.server ?? "";
      for (const identity of identitiesOf(inputs, server)) claimOrThrow("addCluster", urnOf(inputs, "ManagedCluster"), identity);
      const resolved = resolve(inputs);
      const owner = ownerOf(inputs);
      const api = context.client;
      // Codefresh's list says whether a registration exists: refused unless claimed or adopted, kept as it is when adopted.
      const [existing, claimed] = await Promise.all([api.getCluster(inputs.runtime, server), cluster.readRegistrationClaim(resolved, inputs.runtime)]);
      if (claimed.holder !== undefined && claimed.holder !== owner) throw heldElsewhere(inputs, server, claimed.holder, claimed.name);
      if (existing && claimed.holder === undefined && !inputs.adopt) {
        // No claim: made in the UI or with `cf cluster add`, or by this stack before 0.2 (then its ServiceAccount carries the stack).
        const state = await cluster.readManagerAccount(resolved, accountOptions(context, inputs));
        if (state.owner !== inputs.__stack && state.owner !== owner) {
          throw new ConflictError(
            "addCluster",
            `${server} is already connected to runtime "${inputs.runtime}" as "${existing.name}", and no stack manages that connection (it was made in the Codefresh UI or with \`cf cluster add\`); set \`adopt: true\` to manage it here, or leave it out of this program`,
          );
        }
      }
      // Atomic: of two creates racing for this registration, one holds the claim and the other is refused here.
      const taken = await cluster.takeRegistrationClaim(resolved, inputs.runtime, owner, claimed);
      if (taken.holder !== owner) throw heldElsewhere(inputs, server, taken.holder ?? "", taken.name);
      const timeout = parseDuration(inputs.__timeouts?.create) ?? connectTimeoutMs;
      const id = `${inputs.runtime}/${server}`;
      try {
        // A claim already ours means an interrupted create: its objects probably exist.
        const adopted = inputs.adopt && existing?.connectionStatus === "Successful" && sameMetadata(existing, inputs) ? existing : undefined;
        return { id, outs: await connect(context, inputs, resolved, timeout, claimed.holder === owner || inputs.adopt, adopted) };
      } catch (error) {
        const registered = await api
          .getCluster(inputs.runtime, server)
          .then((info) => info !== undefined)
          .catch(() => undefined);
        if (registered !== false) {
          // Registered but not yet healthy (or not known): keep it in state; the next `pulumi up` repairs or keeps waiting, destroy removes it all.
          throw partialCreate(id, { ...inputs, server, __credentialsCurrent: false }, error);
        }
        // Not registered: nothing is left in state to delete later, so nothing may stay in the cluster.
        await removeCredentials(context, inputs, resolved);
        throw error;
      }
    },

    async read(context, id, props) {
      const { runtime, server } = parseId(id);
      if (!props) return { id: "" };
      const prior = inputsOf(props);
      let resolved: cluster.ResolvedKubeconfig | Error;
      try {
        resolved = resolve(prior);
      } catch (error) {
        resolved = error as Error;
      }
      // Codefresh's registration, the credentials in the cluster and the cluster's facts, all in one round.
      const [info, credentials, facts] = await Promise.all([
        context.client.getCluster(runtime, server, { maxAgeMs: listAge.refresh }),
        resolved instanceof Error ? resolved : cluster.readManagerAccount(resolved, accountOptions(context, prior)).catch((error: unknown) => error as Error),
        resolved instanceof Error ? {} : lookUpCluster(resolved).catch(() => ({})),
      ]);
      if (!info) return (await stillClaimed(props, runtime)) ? unregistered(id, props, server) : { id: "" };
      // A kubeconfig that cannot be read or parsed fails the read of a registered cluster, as it always has.
      if (resolved instanceof Error) throw resolved;
      let tokenHash = "";
      if (credentials instanceof Error) {
        context.log(`cluster ${prior.name}: cannot read its credentials (${credentials.message}); reporting them as changed`);
      } else {
        tokenHash = credentials.serviceAccountExists && credentials.clusterRoleBindingExists ? (credentials.tokenHash ?? "") : "";
      }
      const current = tokenHash !== "" && tokenHash === props.tokenHash;
      const inputs: Inputs = { ...prior, ...facts, name: info.name, __credentialsCurrent: current };
      return readResult(id, outputs(inputs, server, tokenHash, info), inputs);
    },

    async update(context, _id, _olds, news) {
      // A connection made before claims existed (pulumi-codefresh < 0.2) takes its claim on its next update.
      const resolved = resolve(news);
      const owner = ownerOf(news);
      const taken = await cluster.takeRegistrationClaim(resolved, news.runtime, owner);
      if (taken.holder !== owner) throw heldElsewhere(news, news.server ?? "", taken.holder ?? "", taken.name);
      return { outs: await connect(context, news, resolved, parseDuration(news.__timeouts?.update) ?? connectTimeoutMs, true) };
    },

    async delete(context, id, props) {
      const { runtime, server } = parseId(id);
      await context.client.removeCluster(runtime, server);
      const inputs = inputsOf(props);
      await removeCredentials(context, inputs, resolve(inputs));
    },
  },
  processContext,
);
