// A TLS proxy in front of the local API server, on its own loopback port. It gives each simulated
// cluster its own server URL (several "clusters" share one real API server), and can report another
// Kubernetes version on /version, so the version check is tested against a real server honestly.
import { readFile } from "node:fs/promises";
import https from "node:https";
import type { LocalKubernetes } from "./kubernetes";
import { recordRequest, RequestLog, serveOnLoopback } from "./request-log-proxy";

export interface ClusterProxyOptions {
  /** Report this version on `/version` (for example `v1.17.0`) instead of the real one. */
  reportVersion?: string;
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
  stop(): Promise<void>;
}

/** What a proxy needs of the API server behind it. */
export type ProxiedCluster = Pick<LocalKubernetes, "server" | "caCert" | "tls">;

export async function startClusterProxy(kube: ProxiedCluster, options: ClusterProxyOptions = {}): Promise<ClusterProxy> {
  const [cert, key] = await Promise.all([readFile(kube.tls.certPath), readFile(kube.tls.keyPath)]);
  const upstream = new URL(kube.server);
  let reportVersion = options.reportVersion;
  let requests = 0;
  const log = new RequestLog();
  const server = https.createServer({ cert, key }, (req, res) => {
    requests++;
    const upstreamEnded = recordRequest(log, req, res);
    const forwardedAtMs = Date.now();
    const rewriteVersion = reportVersion !== undefined && req.method === "GET" && req.url?.split("?")[0] === "/version";
    const forward = https.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        ca: kube.caCert,
      },
      (answer) => {
        answer.once("end", () => upstreamEnded(forwardedAtMs));
        if (!rewriteVersion || answer.statusCode !== 200) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          const info = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, string>;
          const version = reportVersion as string;
          const [major, minor] = version.replace(/^v/, "").split(".");
          const body = JSON.stringify({ ...info, gitVersion: version, major, minor }, null, 2);
          const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(body)) };
          res.writeHead(200, headers);
          res.end(body);
        });
      },
    );
    forward.on("error", (err) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(forward);
  });
  const { port, stop } = await serveOnLoopback(server);
  return {
    server: `https://127.0.0.1:${port}`,
    port,
    requestCount: () => requests,
    log,
    setReportVersion: (version) => {
      reportVersion = version;
    },
    stop,
  };
}
