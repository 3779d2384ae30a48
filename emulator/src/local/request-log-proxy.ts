// A logging HTTPS reverse proxy, and the request log it (and the cluster proxies) keep: when each request
// arrived and when its answer was sent, measured where requests arrive. The benchmark puts one in front of
// Gitea (serving Gitea's own certificate, so clients trust it as they trust Gitea) to see how long the
// stack waits on git, and how much of that the proxy itself adds. Given fault rules, it injects the
// emulator's own fault kinds into the answers of the server behind it (a git server, a kube-apiserver).
import type http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { callerOf, Faults, type FaultOutcome, type FiredFault } from "../faults";
import { sendJson } from "../http-io";

export interface LoggedProxyRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  /** When the request arrived at the proxy and when its answer was fully sent (ms since the epoch). */
  startMs: number;
  endMs: number;
  /** 0 when the upstream could not be reached or the client went away first. */
  status: number;
  userAgent?: string | undefined;
  /**
   * The part of the request's time spent upstream: from forwarding the request to the end of the upstream's
   * answer; undefined when no answer came. `endMs - startMs - upstreamMs` is what the proxy added.
   */
  upstreamMs?: number | undefined;
}

/** The last `capacity` requests (default 200,000: enough for one benchmark step of N=500 M=100 many times over). */
export class RequestLog {
  private entries: LoggedProxyRequest[] = [];

  constructor(private readonly capacity = 200_000) {}

  add(entry: LoggedProxyRequest): void {
    this.entries.push(entry);
    // Dropped in blocks, so a full log does not copy itself on every request.
    if (this.entries.length > this.capacity * 1.1) this.entries = this.entries.slice(-this.capacity);
  }

  /** The requests that ended at or after `sinceMs` (all of them without it). */
  requests(sinceMs = 0): LoggedProxyRequest[] {
    return this.entries.filter((entry) => entry.endMs >= sinceMs);
  }

  clear(): void {
    this.entries = [];
  }
}

/**
 * Records one request on `log` when its answer has been sent (or the connection closed). Returns a
 * function to call when the upstream's answer has ended, with its status and when it was forwarded.
 */
export function recordRequest(log: RequestLog, req: http.IncomingMessage, res: http.ServerResponse): (forwardedAtMs: number) => void {
  const startMs = Date.now();
  let upstreamMs: number | undefined;
  res.once("close", () => {
    const userAgent = req.headers["user-agent"];
    log.add({
      method: req.method ?? "",
      path: req.url ?? "",
      startMs,
      endMs: Date.now(),
      status: res.writableFinished ? res.statusCode : 0,
      userAgent: typeof userAgent === "string" ? userAgent : undefined,
      upstreamMs,
    });
  });
  return (forwardedAtMs) => {
    upstreamMs = Date.now() - forwardedAtMs;
  };
}

export interface RequestLogProxyOptions {
  /** `https://host:port` of the server behind the proxy. */
  upstream: string;
  /** PEM the upstream's certificate chains to. */
  upstreamCa: string;
  /** The certificate and key the proxy serves (the upstream's own, so its clients' trust carries over). */
  cert: string | Buffer;
  key: string | Buffer;
  log?: RequestLog | undefined;
  /**
   * Claims the upstream's answer to rewrite it (the cluster proxy's reported version): returns how to rewrite
   * its body, which is then buffered whole; otherwise the answer is passed through as it comes (watches stream).
   * A fault that acts after the upstream answered sees the rewritten answer, as the client would.
   */
  rewrite?: ((req: http.IncomingMessage, upstream: http.IncomingMessage) => ((body: Buffer) => Buffer) | undefined) | undefined;
  /**
   * Faults to inject, as the emulator does (emulator/src/faults.ts): a status or `reset` before the request
   * is forwarded (nothing reaches the upstream), `late` before forwarding, `slow` and `drop` once the
   * upstream has answered (so it applied the request). A rule's `operations` name `METHOD /path` (no
   * query) and its `callers` the resource type in a pulumi-codefresh User-Agent. `graphql-error` never fires here.
   */
  faults?: Faults | undefined;
}

export interface RequestLogProxy {
  /** `https://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly log: RequestLog;
  /** The fault rules it applies (a new, empty set unless given one). */
  readonly faults: Faults;
  /** Requests received so far, answered or not. */
  requestCount(): number;
  stop(): Promise<void>;
}

export async function startRequestLogProxy(options: RequestLogProxyOptions): Promise<RequestLogProxy> {
  const upstream = new URL(options.upstream);
  const log = options.log ?? new RequestLog();
  // Kept-alive connections upstream: a TLS handshake per request would be the proxy's cost, not the upstream's.
  const agent = new https.Agent({ keepAlive: true, ca: options.upstreamCa });
  let requests = 0;
  const faults = options.faults ?? new Faults();
  /** Carries out a fault's decision; true when it ended the request. */
  const applied = (outcome: FaultOutcome, res: http.ServerResponse): boolean => {
    if (outcome?.action === "close") {
      res.destroy();
      return true;
    }
    if (outcome?.action === "answer") {
      sendJson(res, outcome.status, outcome.body, outcome.headers);
      return true;
    }
    return false;
  };
  const server = https.createServer({ cert: options.cert, key: options.key }, (req, res) => {
    requests++;
    const upstreamEnded = recordRequest(log, req, res);
    const operation = `${req.method ?? ""} ${(req.url ?? "").split("?")[0]}`;
    const fault = faults.pick(operation, callerOf(req.headers["user-agent"]));
    void (async () => {
      if (fault?.definition.before && applied(await fault.definition.before(fault.rule, { surface: "rest" }), res)) {
        req.resume(); // the body nobody reads
        return;
      }
      forwardRequest(req, res, fault, upstreamEnded);
    })();
  });
  const forwardRequest = (req: http.IncomingMessage, res: http.ServerResponse, fault: FiredFault | undefined, upstreamEnded: (at: number) => void) => {
    const forwardedAtMs = Date.now();
    const forward = https.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        answer.once("end", () => upstreamEnded(forwardedAtMs));
        const rewrite = options.rewrite?.(req, answer);
        const afterFault = fault?.definition.after ? fault : undefined;
        if (!rewrite && !afterFault) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        // The whole answer first: to rewrite it, and for a fault, because the upstream has applied the request before the fault acts.
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          const status = answer.statusCode ?? 502;
          const body = Buffer.concat(chunks);
          const payload = rewrite ? rewrite(body) : body;
          const send = () => {
            // A rewritten body has its own length; otherwise the upstream's headers hold (a HEAD's length included).
            const { "transfer-encoding": _chunked, ...unchunked } = answer.headers;
            res.writeHead(status, rewrite ? { ...unchunked, "content-length": String(payload.length) } : answer.headers);
            res.end(payload);
          };
          if (!afterFault) return send();
          void Promise.resolve(afterFault.definition.after?.(afterFault.rule, { status, headers: {}, payload: payload.toString("utf8") })).then((outcome) => {
            if (!applied(outcome, res)) send();
          });
        });
      },
    );
    forward.on("error", (err) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(forward);
  };
  const { port, stop } = await serveOnLoopback(server);
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    log,
    faults,
    requestCount: () => requests,
    stop: async () => {
      await stop();
      agent.destroy();
    },
  };
}

/** Listens on a free loopback port; `stop` closes every connection, then the server. */
async function serveOnLoopback(server: https.Server): Promise<{ port: number; stop: () => Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
