// Reading and answering HTTP requests, the same way for the Codefresh API and the admin API: a request
// body with a size bound, JSON answers, and Codefresh's own answer to a missing key.
import type http from "node:http";

const maxBodyBytes = 5 * 1024 * 1024;

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error("request body over 5 MB"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Codefresh's answer to a missing or wrong key, as its docs quote it. */
export function unauthorized(res: http.ServerResponse): void {
  sendJson(res, 401, { error: "Unauthorized: Invalid token.", status: 401 });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
