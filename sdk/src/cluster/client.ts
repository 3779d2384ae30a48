// Calls to a target cluster's API server through client-node: a timeout per attempt, retries of the
// failures the shared classifier calls retryable, and the final failure worded as a ClusterError.
import { createHash } from "node:crypto";
import https from "node:https";
import type { ApiConstructor, ApiType, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { ClusterError } from "../errors";
import { causeCode } from "../http";
import { classifyAnswer, classifyError, Failure } from "../net";
import { redact } from "../redact";
import { AttemptTimeoutError, retry } from "../retry";
import { userAgent } from "../user-agent";

export type K8s = typeof import("@kubernetes/client-node");

/** client-node, loaded on first use (it is ESM-only and only cluster work needs it). */
export function k8s(): K8s {
  return require("@kubernetes/client-node") as K8s;
}

/**
 * Keep-alive agents, one per API server and TLS identity, for the life of the process. client-node makes a
 * new agent for every request, so every call paid a TLS handshake (two through a proxy); a cluster's create
 * makes about ten calls and its refresh five. Keyed by a hash, so the map holds no key material of its own.
 */
const agents = new Map<string, https.Agent>();

/** The TLS settings client-node put on its one-request agent, hashed: equal settings share one agent. */
function agentKey(server: string, options: https.AgentOptions): string {
  const hash = createHash("sha256").update(server);
  for (const field of ["ca", "cert", "key", "pfx", "passphrase", "servername", "rejectUnauthorized"] as const) {
    const value: unknown = options[field];
    const parts = Array.isArray(value) ? value : [value];
    hash.update(`\0${field}`);
    for (const part of parts) hash.update(Buffer.isBuffer(part) ? part : `\0${String(part)}`);
  }
  return hash.digest("hex");
}

function sharedAgent(server: string, options: https.AgentOptions): https.Agent {
  const key = agentKey(server, options);
  let agent = agents.get(key);
  if (!agent) {
    const { ca, cert, key: privateKey, pfx, passphrase, servername, rejectUnauthorized } = options;
    agent = new https.Agent({ ca, cert, key: privateKey, pfx, passphrase, servername, rejectUnauthorized, keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * `kubeConfig.makeApiClient(type)`, with one keep-alive agent per API server instead of one per request.
 * Authentication (tokens, exec plugins, client certificates) is still client-node's, applied per request;
 * only the TLS connection is reused. A cluster behind an HTTP or SOCKS proxy keeps client-node's agent.
 */
export function apiClient<T extends ApiType>(resolved: { kubeConfig: KubeConfig }, type: ApiConstructor<T>): T {
  const { kubeConfig } = resolved;
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new ClusterError("invalid-kubeconfig", "the kubeconfig has no current cluster");
  const lib = k8s();
  const authentication = {
    getName: () => "kubeconfig authentication (shared connection)",
    async applySecurityAuthentication(context: RequestContext): Promise<void> {
      await kubeConfig.applySecurityAuthentication(context);
      context.setHeaderParam("User-Agent", userAgent());
      const made = context.getAgent();
      if (made instanceof https.Agent && !cluster.proxyUrl) context.setAgent(sharedAgent(cluster.server, made.options));
    },
  };
  return new type(lib.createConfiguration({ baseServer: new lib.ServerConfiguration(cluster.server, {}), authMethods: { default: authentication } }));
}

export interface CallOptions {
  /** Timeout of one attempt (default 15 s). */
  attemptTimeoutMs?: number | undefined;
  /** Attempts for reads and idempotent writes (default 4). */
  attempts?: number | undefined;
}

/** The HTTP status of a client-node error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/** A client-node failure, classified: its status when the server answered, else its network or TLS code. */
function failureOf(error: unknown): Failure {
  const status = statusOf(error);
  return status !== undefined ? classifyAnswer({ status }) : classifyError(error);
}

/**
 * Calls the API server with a per-attempt timeout, retrying transient failures (network errors, 408,
 * 429, 5xx) for reads and idempotent writes, and turns the final failure into a {@link ClusterError}
 * that names the cluster and the fix.
 */
export async function call<T>(
  resolved: { server: string; kubeConfig: KubeConfig },
  action: string,
  fn: () => Promise<T>,
  options: CallOptions = {},
): Promise<T> {
  try {
    return await retry(() => fn(), {
      attempts: options.attempts ?? 4,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 15_000,
      baseDelayMs: 200,
      maxDelayMs: 5_000,
      retryable: (error) => failureOf(error).retryable,
    });
  } catch (error) {
    throw toClusterError(error, resolved, action);
  }
}

export function toClusterError(error: unknown, resolved: { server: string; kubeConfig: KubeConfig }, action: string): Error {
  if (error instanceof ClusterError) return error;
  // Not found and conflict are answers the caller acts on (adopt, create, skip), not failures.
  const answered = statusOf(error);
  if (answered === 404 || answered === 409) return error as Error;
  const user = resolved.kubeConfig.getCurrentUser();
  const secrets = [user?.token, user?.password, user?.keyData, user?.certData];
  const where = `${action} on ${resolved.server}`;
  const status = statusOf(error);
  const serverMessage = redact(messageOf(error), secrets);
  if (status === 401) {
    return new ClusterError("unauthorized", `${where}: the kubeconfig's credentials were refused (401); refresh its token or client certificate`);
  }
  if (status === 403) {
    return new ClusterError(
      "forbidden",
      `${where}: forbidden (403). Connecting a cluster needs rights to create ServiceAccounts, ClusterRoles and ClusterRoleBindings (cluster-admin). ${serverMessage}`,
    );
  }
  if (status !== undefined) {
    return new ClusterError("unreachable", `${where}: the API server answered ${status}: ${serverMessage}`);
  }
  if (error instanceof AttemptTimeoutError) {
    return new ClusterError("timeout", `${where}: no answer within ${error.timeoutMs} ms; check that the API server is reachable from here`);
  }
  const code = causeCode(error);
  if (failureOf(error).kind === "tls") {
    return new ClusterError("unreachable", `${where}: TLS verification failed (${code}); put the cluster's CA in the kubeconfig (certificate-authority-data)`);
  }
  if (code !== undefined) {
    return new ClusterError("unreachable", `${where}: cannot connect (${code}); check the server URL and that it is reachable from here`);
  }
  return error instanceof Error ? new ClusterError("unreachable", `${where}: ${serverMessage}`) : new ClusterError("unreachable", where);
}

function messageOf(error: unknown): string {
  const body = (error as { body?: unknown })?.body;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      // not JSON
    }
  } else if (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string") {
    return (body as { message: string }).message;
  }
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}
