// ManagedCluster: a Kubernetes cluster connected to the runtime. Creates the argocd-manager credentials
// in the target (ServiceAccount, cluster-admin RBAC, token Secret) and registers them with Codefresh.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterInfo } from "../api";
import * as cluster from "../cluster";
import { ConflictError } from "../errors";
import { fullUrn, ownUrn, withoutStackCapture, providerVersion, stackMarker, Timeouts, timeoutsOf, typeToken, withSecretOutputs } from "./common";
import { changedKeys, Check, client, factFromState, guarded, isNumber, isText, isUnknown, parseDuration, partialCreate, progress, ProviderImpl, readResult, rememberSecret, unknown, waitFor } from "./provider-base";
import { claim, claimOrThrow, describeOwner, identities, isDeclared, parseUrn, urnOf } from "./ownership";
import managedClusterShim = require("./shims/managed-cluster");

export interface ManagedClusterArgs {
  /** The runtime (pass `runtime.name`). Changing it replaces the connection. */
  runtime: pulumi.Input<string>;
  /** The cluster's name in Codefresh: `^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`. Changing it replaces the connection. @default the resource name */
  name?: pulumi.Input<string>;
  /** Admin kubeconfig of the target cluster (content). Secret. One of kubeconfig and kubeconfigPath. */
  kubeconfig?: pulumi.Input<string>;
  /** Path of the admin kubeconfig on the machine that runs Pulumi. */
  kubeconfigPath?: pulumi.Input<string>;
  /** Kubeconfig context. @default the current context */
  context?: pulumi.Input<string>;
  /**
   * ServiceAccount Codefresh's Argo CD uses. Codefresh keeps one cluster per API server URL in a runtime; a
   * cluster connected to several runtimes needs one ServiceAccount per runtime. @default "argocd-manager"
   */
  serviceAccountName?: pulumi.Input<string>;
  /** Namespace of the ServiceAccount and its token. @default "kube-system" */
  namespace?: pulumi.Input<string>;
  /** Labels on the cluster in Codefresh (Argo CD cluster Secret). Updated in place. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations on the cluster in Codefresh. Updated in place. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Skip TLS verification of the API server. Discouraged (the policy pack flags it). @default false */
  insecureSkipTlsVerify?: pulumi.Input<boolean>;
  /** Take over a registration of the same server that no stack manages (made in the UI or with `cf cluster add`). @default false */
  adopt?: pulumi.Input<boolean>;
}

interface Inputs {
  runtime: string;
  name: string;
  kubeconfig?: string;
  kubeconfigPath?: string;
  context?: string;
  serviceAccountName: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  insecureSkipTlsVerify: boolean;
  adopt: boolean;
  /** The API server URL, derived from the kubeconfig in check (a change replaces). */
  server?: string;
  /** Read from the cluster in check (read-only, time-bounded), so policies know it at preview. */
  kubernetesVersion?: string;
  /** CustomResourceDefinitions in the cluster, read with the version. */
  crdCount?: number;
  /** True while the credentials in the cluster are the ones registered; refresh sets it false on drift. */
  __credentialsCurrent: boolean;
  __stack: string;
  /** The resource's URN, short (see ownUrn): who manages the object. */
  __urn?: string;
  /**
   * Who owns what this resource made (its claim, its ServiceAccount): its URN when it was created, kept
   * through renames with `aliases`, so the objects stay its own.
   */
  __owner?: string;
  __timeouts?: Timeouts;
  providerVersion?: string;
}

interface Outputs extends Inputs {
  server: string;
  /** sha256 of the registered token (the token itself is never stored). */
  tokenHash: string;
  connectionStatus: string;
  connectionMessage: string;
  serverVersion: string;
}

const connectTimeoutMs = 3 * 60_000;

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
export class ManagedCluster extends pulumi.dynamic.Resource {
  static readonly __pulumiType = typeToken("ManagedCluster");

  declare readonly runtime: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly kubeconfig: pulumi.Output<string | undefined>;
  declare readonly kubeconfigPath: pulumi.Output<string | undefined>;
  declare readonly context: pulumi.Output<string | undefined>;
  declare readonly serviceAccountName: pulumi.Output<string>;
  declare readonly namespace: pulumi.Output<string>;
  declare readonly labels: pulumi.Output<Record<string, string> | undefined>;
  declare readonly annotations: pulumi.Output<Record<string, string> | undefined>;
  declare readonly insecureSkipTlsVerify: pulumi.Output<boolean>;
  declare readonly adopt: pulumi.Output<boolean>;
  /** The cluster's API server URL, as registered. */
  declare readonly server: pulumi.Output<string>;
  /** sha256 of the ServiceAccount token registered with Codefresh. */
  declare readonly tokenHash: pulumi.Output<string>;
  /** Codefresh's connection status: `Successful`, `Failed` or `Unknown`. */
  declare readonly connectionStatus: pulumi.Output<string>;
  declare readonly connectionMessage: pulumi.Output<string>;
  /** The Kubernetes version Codefresh reads from the cluster. */
  declare readonly serverVersion: pulumi.Output<string>;
  /** The Kubernetes version, read from the cluster at preview (so policies can check it before any write). */
  declare readonly kubernetesVersion: pulumi.Output<string | undefined>;
  /** How many CRDs the cluster has (the runtime adds 300-400). */
  declare readonly crdCount: pulumi.Output<number | undefined>;
  declare readonly providerVersion: pulumi.Output<string>;

  constructor(name: string, args: ManagedClusterArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStackCapture = withoutStackCapture();
    try {
      super(
        managedClusterShim,
        name,
        {
          tokenHash: undefined,
          connectionStatus: undefined,
          connectionMessage: undefined,
          serverVersion: undefined,
          server: undefined,
          kubernetesVersion: undefined,
          crdCount: undefined,
          kubeconfigPath: undefined,
          context: undefined,
          labels: undefined,
          annotations: undefined,
          ...args,
          kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
          name: args.name ?? name,
          serviceAccountName: args.serviceAccountName ?? "argocd-manager",
          namespace: args.namespace ?? "kube-system",
          insecureSkipTlsVerify: args.insecureSkipTlsVerify ?? false,
          adopt: args.adopt ?? false,
          __credentialsCurrent: true,
          __stack: stackMarker(),
          __urn: ownUrn(name, "ManagedCluster", opts),
          __timeouts: timeoutsOf(opts),
          providerVersion,
        },
        withSecretOutputs(opts, ["kubeconfig"]),
        "codefresh",
        "ManagedCluster",
      );
    } finally {
      restoreStackCapture();
    }
  }
}

function resolve(inputs: Inputs): cluster.ResolvedKubeconfig {
  rememberSecret(inputs.kubeconfig);
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

function accountOptions(inputs: Inputs): cluster.ManagerAccountOptions {
  return { serviceAccountName: inputs.serviceAccountName, namespace: inputs.namespace, onProgress: progress, owner: ownerOf(inputs), formerOwners: [inputs.__stack] };
}

/** The two objects a ManagedCluster manages alone: its registration, and its ServiceAccount in the target. */
function identitiesOf(inputs: Pick<Inputs, "runtime" | "namespace" | "serviceAccountName">, server: string) {
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
  return new ConflictError("addCluster", `${object} is managed by ${describeOwner(owner, here)} (its claim is Lease kube-system/${claimName} on the cluster); nothing was written. ${way}`);
}

/**
 * The cluster's version and CRD count: read-only calls, one attempt of at most 5 s each, so check and
 * preview stay fast and never write. An unreachable cluster gives no values here; create reports why.
 */
async function lookUp(resolved: cluster.ResolvedKubeconfig): Promise<{ kubernetesVersion?: string; crdCount?: number }> {
  const [version, crds] = await Promise.allSettled([
    cluster.readServerVersion(resolved, { attempts: 1, attemptTimeoutMs: 5_000 }),
    cluster.countCustomResourceDefinitions(resolved, { attempts: 1, attemptTimeoutMs: 5_000 }),
  ]);
  return {
    kubernetesVersion: version.status === "fulfilled" ? version.value.gitVersion : undefined,
    crdCount: crds.status === "fulfilled" ? crds.value : undefined,
  };
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

/** Creates or repairs the credentials in the target, (re-)registers them, and waits for a connection. */
async function connect(inputs: Inputs, resolved: cluster.ResolvedKubeconfig, timeoutMs: number): Promise<Outputs> {
  const version = await cluster.readServerVersion(resolved);
  cluster.assertSupportedVersion(version, resolved.server);
  const credentials = await cluster.ensureManagerAccount(resolved, accountOptions(inputs));
  rememberSecret(credentials.token);
  const api = client();
  await api.addCluster(inputs.runtime, {
    name: inputs.name,
    server: credentials.server,
    caData: credentials.caData,
    insecureSkipTlsVerify: inputs.insecureSkipTlsVerify,
    token: credentials.token,
    labels: inputs.labels,
    annotations: inputs.annotations,
  });
  const info = await waitFor(`cluster ${inputs.name} (${credentials.server})`, timeoutMs, async () => {
    const current = await api.getCluster(inputs.runtime, credentials.server);
    if (current?.connectionStatus === "Successful") return { done: true, value: current };
    if (current?.connectionStatus === "Failed") {
      throw new Error(
        `Codefresh cannot connect to cluster ${inputs.name} at ${credentials.server}: ${current.connectionMessage ?? "connection failed"}. Hosted runtimes reach clusters from the public internet: allow-list Codefresh's IPs (HostedRuntime.ipAllowList) on the API server`,
      );
    }
    return { done: false, status: current ? "connection Unknown" : "not listed yet" };
  });
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

function unregistered(id: string, prior: Outputs, server: string): pulumi.dynamic.ReadResult {
  const inputs: Inputs = { ...prior, __credentialsCurrent: false };
  for (const key of ["tokenHash", "connectionStatus", "connectionMessage", "serverVersion"] as const) delete (inputs as Partial<Outputs>)[key];
  const info: ClusterInfo = {
    name: prior.name,
    runtime: prior.runtime,
    server,
    connectionStatus: "Unknown",
    connectionMessage: "not registered with Codefresh (removed outside Pulumi); `pulumi up` registers it again",
    serverVersion: undefined,
    resourcesCount: undefined,
    apisCount: undefined,
  };
  return readResult(id, outputs(inputs, server, "", info), inputs);
}

/**
 * Removes what this resource made in the target: its ServiceAccount, RBAC and token Secret, and its claim
 * on the registration. Reported, not thrown: the Codefresh side is already settled.
 */
async function removeCredentials(inputs: Inputs, resolved: cluster.ResolvedKubeconfig): Promise<void> {
  try {
    await cluster.removeManagerAccount(resolved, accountOptions(inputs));
    await cluster.releaseRegistrationClaim(resolved, inputs.runtime, ownerOf(inputs));
  } catch (error) {
    const names = cluster.managerAccountNames(accountOptions(inputs));
    progress(
      `cluster ${inputs.name}: its credentials could not be removed from ${resolved.server} (${(error as Error).message}); remove ServiceAccount ${names.namespace}/${names.serviceAccount}, Secret ${names.namespace}/${names.tokenSecret}, ClusterRole ${names.clusterRole}, ClusterRoleBinding ${names.clusterRoleBinding} and Lease ${cluster.claimNamespace}/${cluster.claimName(inputs.runtime, resolved.server)} by hand`,
    );
  }
}

export const managedClusterProvider: ProviderImpl = guarded({
  async check(olds, news) {
    const check = new Check();
    check.dnsLabel("runtime", news.runtime, "the runtime's name (runtime.name)");
    check.dnsLabel("name", news.name, "the cluster's name in Codefresh");
    check.dnsLabel("serviceAccountName", news.serviceAccountName, "a ServiceAccount name");
    check.dnsLabel("namespace", news.namespace, "a namespace name");
    check.stringMap("labels", news.labels, "label");
    check.stringMap("annotations", news.annotations, "annotation");
    check.optionalBoolean("insecureSkipTlsVerify", news.insecureSkipTlsVerify);
    check.optionalBoolean("adopt", news.adopt);
    check.optionalString("context", news.context);
    const inputs: Record<string, unknown> = { ...news, __owner: isText(olds.__owner) ? olds.__owner : news.__urn };
    const hasContent = news.kubeconfig !== undefined && news.kubeconfig !== null;
    const hasPath = news.kubeconfigPath !== undefined && news.kubeconfigPath !== null;
    if (hasContent === hasPath) {
      check.fail(hasContent ? "kubeconfigPath" : "kubeconfig", "give exactly one of kubeconfig (content, as a secret) and kubeconfigPath (a file)");
    } else if ([news.kubeconfig, news.kubeconfigPath, news.context, news.insecureSkipTlsVerify].some(isUnknown)) {
      // Reported as unknown by the policy pack at preview, never passed silently.
      Object.assign(inputs, { kubernetesVersion: unknown, crdCount: unknown });
    } else {
      try {
        const resolved = cluster.resolveKubeconfig({
          kubeconfig: hasContent ? String(news.kubeconfig) : undefined,
          kubeconfigPath: hasPath ? String(news.kubeconfigPath) : undefined,
          context: typeof news.context === "string" ? news.context : undefined,
          insecureSkipTlsVerify: news.insecureSkipTlsVerify === true,
        }, hasContent ? "kubeconfig" : "kubeconfigPath");
        inputs.server = resolved.server;
        if ([news.runtime, news.namespace, news.serviceAccountName].every((v) => typeof v === "string" && !isUnknown(v))) {
          for (const identity of identitiesOf(news as unknown as Inputs, resolved.server)) {
            const failure = claim(urnOf(news, "ManagedCluster"), identity);
            if (failure) check.fail(identity.property === "kubeconfig" ? (hasContent ? "kubeconfig" : "kubeconfigPath") : identity.property, failure);
          }
        }
        const sameServer = olds.server === resolved.server;
        const kubernetesVersion = factFromState(olds, "kubernetesVersion", sameServer, isText);
        const crdCount = factFromState(olds, "crdCount", sameServer, isNumber);
        Object.assign(inputs, kubernetesVersion !== undefined && crdCount !== undefined ? { kubernetesVersion, crdCount } : await lookUp(resolved));
      } catch (error) {
        const message = (error as Error).message;
        const field = /: context "[^"]*" is not in it/.test(message) ? "context" : message.startsWith("kubeconfigPath") || !hasContent ? "kubeconfigPath" : "kubeconfig";
        check.fail(field, message.replace(/^(kubeconfig|kubeconfigPath): /, ""));
      }
    }
    return { inputs, failures: check.failures };
  },

  async diff(_id, olds, news) {
    const immutable = ["runtime", "name", "server", "serviceAccountName", "namespace"];
    const replaces = changedKeys(olds, news, immutable);
    const inPlace = ["labels", "annotations", "insecureSkipTlsVerify", "kubeconfig", "kubeconfigPath", "context", "__credentialsCurrent"];
    const changes = replaces.length > 0 || changedKeys(olds, news, inPlace).length > 0;
    // Codefresh keeps one cluster per server in a runtime: a replacement on the same server must remove the
    // old registration first, or deleting it afterwards would disconnect the new one.
    const sameObject = !replaces.includes("runtime") && !replaces.includes("server");
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && sameObject };
  },

  async create(raw) {
    const inputs = raw as unknown as Inputs;
    const server = inputs.server as string;
    for (const identity of identitiesOf(inputs, server)) claimOrThrow("addCluster", urnOf(inputs, "ManagedCluster"), identity);
    const resolved = resolve(inputs);
    const owner = ownerOf(inputs);
    const [existing, claimed] = await Promise.all([client().getCluster(inputs.runtime, server), cluster.readRegistrationClaim(resolved, inputs.runtime)]);
    if (claimed.holder !== undefined && claimed.holder !== owner) throw heldElsewhere(inputs, server, claimed.holder, claimed.name);
    if (existing && claimed.holder === undefined && !inputs.adopt) {
      // No claim: made in the UI or with `cf cluster add`, or by this stack before 0.2 (then its ServiceAccount carries the stack).
      const state = await cluster.readManagerAccount(resolved, accountOptions(inputs));
      if (state.owner !== inputs.__stack && state.owner !== owner) {
        throw new ConflictError(
          "addCluster",
          `${server} is already connected to runtime "${inputs.runtime}" as "${existing.name}", and no stack manages that connection (it was made in the Codefresh UI or with \`cf cluster add\`); set \`adopt: true\` to manage it here, or leave it out of this program`,
        );
      }
    }
    // Atomic: of two creates racing for this registration, one holds the claim and the other is refused here.
    const taken = await cluster.takeRegistrationClaim(resolved, inputs.runtime, owner);
    if (taken.holder !== owner) throw heldElsewhere(inputs, server, taken.holder ?? "", taken.name);
    const timeout = parseDuration(inputs.__timeouts?.create) ?? connectTimeoutMs;
    const id = `${inputs.runtime}/${server}`;
    try {
      return { id, outs: await connect(inputs, resolved, timeout) };
    } catch (error) {
      const registered = await client()
        .getCluster(inputs.runtime, server)
        .then((info) => info !== undefined)
        .catch(() => undefined);
      if (registered !== false) {
        // Registered but not yet healthy (or not known): keep it in state; the next `pulumi up` repairs or keeps waiting, destroy removes it all.
        throw partialCreate(id, { ...inputs, server, __credentialsCurrent: false }, error);
      }
      // Not registered: nothing is left in state to delete later, so nothing may stay in the cluster.
      await removeCredentials(inputs, resolved);
      throw error;
    }
  },

  async read(id, props) {
    const prior = (props ?? {}) as unknown as Outputs;
    const runtime = id.slice(0, id.indexOf("/"));
    const server = id.slice(id.indexOf("/") + 1);
    const info = await client().getCluster(runtime, server);
    if (!info) return (await stillClaimed(prior, runtime)) ? unregistered(id, prior, server) : { id: "" };
    let tokenHash = "";
    try {
      const state = await cluster.readManagerAccount(resolve(prior), accountOptions(prior));
      tokenHash = state.serviceAccountExists && state.clusterRoleBindingExists ? state.tokenHash ?? "" : "";
    } catch (error) {
      progress(`cluster ${prior.name}: cannot read its credentials (${(error as Error).message}); reporting them as changed`);
    }
    const current = tokenHash !== "" && tokenHash === prior.tokenHash;
    const facts = await lookUp(resolve(prior)).catch(() => ({}));
    const inputs: Inputs = { ...prior, ...facts, name: info.name, __credentialsCurrent: current };
    delete (inputs as Partial<Outputs>).tokenHash;
    delete (inputs as Partial<Outputs>).connectionStatus;
    delete (inputs as Partial<Outputs>).connectionMessage;
    delete (inputs as Partial<Outputs>).serverVersion;
    return readResult(id, outputs(inputs, server, tokenHash, info), inputs);
  },

  async update(_id, _olds, news) {
    const inputs = news as unknown as Inputs;
    // A connection made before claims existed (pulumi-codefresh < 0.2) takes its claim on its next update.
    const resolved = resolve(inputs);
    const owner = ownerOf(inputs);
    const taken = await cluster.takeRegistrationClaim(resolved, inputs.runtime, owner);
    if (taken.holder !== owner) throw heldElsewhere(inputs, inputs.server as string, taken.holder ?? "", taken.name);
    return { outs: await connect(inputs, resolved, parseDuration(inputs.__timeouts?.update) ?? connectTimeoutMs) };
  },

  async delete(id, props) {
    const inputs = props as unknown as Inputs;
    const runtime = id.slice(0, id.indexOf("/"));
    const server = id.slice(id.indexOf("/") + 1);
    await client().removeCluster(runtime, server);
    await removeCredentials(inputs, resolve(inputs));
  },
});
