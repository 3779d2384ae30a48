// A small HTTP server on 127.0.0.1 that records every request and answers from a handler: the way
// tests check request shapes (method, URL, headers, body) and replay recorded or documented answers,
// without patching any global (no nock, no fetch mocks).
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string | number>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

export interface Recorder {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecorder(handler: (request: RecordedRequest) => Reply | Promise<Reply>): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on(
      "end",
      () =>
        void (async () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(req.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          const recorded = { method: req.method ?? "", url: req.url ?? "", headers, body: Buffer.concat(chunks).toString("utf8") };
          requests.push(recorded);
          let reply: Reply;
          try {
            reply = await handler(recorded);
          } catch (error) {
            reply = { status: 599, body: `recorder handler failed: ${(error as Error).message}` };
          }
          const body = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(reply.headers ?? {})) {
            // Lengths and connection handling belong to this server, not to the recording.
            if (!["content-length", "connection", "transfer-encoding", "content-encoding"].includes(name.toLowerCase())) out[name] = String(value);
          }
          if (typeof reply.body !== "string" && reply.body !== undefined && !Object.keys(out).some((n) => n.toLowerCase() === "content-type")) {
            out["content-type"] = "application/json; charset=utf-8";
          }
          res.writeHead(reply.status, out);
          res.end(req.method === "HEAD" ? undefined : body);
        })(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
