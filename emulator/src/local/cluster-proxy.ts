// A TLS proxy in front of the local API server, on its own loopback port. It gives each simulated
// cluster its own server URL (several "clusters" share one real API server), and can report another
// Kubernetes version on /version, so the version check is tested against a real server honestly, and
// can inject faults into the API server's answers.
import { readFile } from "node:fs/promises";
import type http from "node:http";
import type { Faults } from "../faults";
import type { LocalKubernetes } from "./kubernetes";
import { RequestLog, startRequestLogProxy } from "./request-log-proxy";

export interface ClusterProxyOptions {
  /** Report this version on `/version` (for example `v1.17.0`) instead of the real one. */
  reportVersion?: string;
  /** Faults to inject into the API server's answers (as the request-log proxy's `faults`; operations are `METHOD /path`). */
  faults?: Faults | undefined;
}

export interface ClusterProxy {
  /** `https://127.0.0.1:<port>`; same CA as the API server behind it. */
  readonly server: string;
  readonly port: number;
  /** Requests forwarded so far (tests count the calls an operation makes to a cluster). */
  requestCount(): number;
  /** When each request arrived and was answered (the benchmark's time spent at the cluster). */
  readonly log: RequestLog;
  /** From now on report this version on `/version` (undefined: the real one). */
  setReportVersion(version: string | undefined): void;
  /** The fault rules it applies: `faults.set([...])` to inject, `faults.injectedBy` to count. */
  readonly faults: Faults;
  stop(): Promise<void>;
}

/** What a proxy needs of the API server behind it. */
export type ProxiedCluster = Pick<LocalKubernetes, "server" | "caCert" | "tls">;

export async function startClusterProxy(kube: ProxiedCluster, options: ClusterProxyOptions = {}): Promise<ClusterProxy> {
  const [cert, key] = await Promise.all([readFile(kube.tls.certPath), readFile(kube.tls.keyPath)]);
  let reportVersion = options.reportVersion;
  /** Rewrites `/version`'s answer to report the version set, in the real answer's shape. */
  const reportedVersion = (req: http.IncomingMessage, answer: http.IncomingMessage): ((body: Buffer) => Buffer) | undefined => {
    const version = reportVersion;
    if (version === undefined || req.method !== "GET" || req.url?.split("?")[0] !== "/version" || answer.statusCode !== 200) return undefined;
    return (body) => {
      const info = JSON.parse(body.toString("utf8")) as Record<string, string>;
      const [major, minor] = version.replace(/^v/, "").split(".");
      return Buffer.from(JSON.stringify({ ...info, gitVersion: version, major, minor }, null, 2));
    };
  };
  const proxy = await startRequestLogProxy({ upstream: kube.server, upstreamCa: kube.caCert, cert, key, rewrite: reportedVersion, faults: options.faults });
  return {
    server: proxy.url,
    port: proxy.port,
    requestCount: () => proxy.requestCount(),
    log: proxy.log,
    faults: proxy.faults,
    setReportVersion: (version) => {
      reportVersion = version;
    },
    stop: () => proxy.stop(),
  };
}
