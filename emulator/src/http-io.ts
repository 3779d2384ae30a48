// Reading and answering HTTP requests, the same way for the Codefresh API and the admin API: a request
// body with a size bound, JSON bodies checked before use, JSON answers (refusals too, even those node's
// HTTP parser makes), and Codefresh's own answer to a missing key.
import type http from "node:http";
import type { Duplex } from "node:stream";
import { RequestError } from "./errors";

/** The default bound on a request body: Codefresh's documents and registrations are a few KiB. */
export const defaultMaxBodyBytes = 1024 * 1024;

export function bodyTooLarge(maxBytes: number): RequestError {
  return new RequestError(413, `request body over ${maxBytes} bytes (the emulator's maxBodyBytes, --max-body-bytes)`);
}

/**
 * The body as text, refused with 413 once it is over `maxBytes`: at once when Content-Length says so
 * (nothing is read), else when the bytes received pass the bound (the rest is discarded, not kept).
 */
export function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  if (Number(req.headers["content-length"]) > maxBytes) return Promise.reject(bodyTooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.off("data", onData);
        req.resume(); // drain without keeping, so the client reads the 413 instead of a reset
        reject(bodyTooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    // The client went away, or node's request timeout ended the request; nobody reads an answer.
    const cutOff = () => reject(new RequestError(400, "the request ended before its body was complete"));
    req.once("error", cutOff);
    req.once("close", () => {
      if (!req.complete) cutOff();
    });
  });
}

/** What a JSON value is, for messages: "an array", "null", "a string". */
export function describeJsonValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** `text` as a JSON object; anything else is a 400 that says what was sent. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RequestError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RequestError(400, `request body must be a JSON object, got ${describeJsonValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Refuses (415) a body that does not say it is JSON: clients of a JSON API send `application/json`. */
export function requireJsonContentType(req: http.IncomingMessage): void {
  const type = req.headers["content-type"];
  const mediaType = type?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new RequestError(415, `content-type must be application/json, got ${type === undefined ? "none" : JSON.stringify(type)}`);
  }
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Answers a {@link RequestError} as `{ error, status }`. node discards what is left of an unread body (on a
 * kept-alive connection: bounded by the request timeout) rather than resetting a client still sending it.
 */
export function sendRequestError(res: http.ServerResponse, error: RequestError): void {
  if (res.headersSent || res.destroyed) return;
  sendJson(res, error.status, { error: error.message, status: error.status }, error.headers);
}

/** Codefresh's answer to a missing or wrong key, as its docs quote it. */
export function unauthorized(res: http.ServerResponse): void {
  sendJson(res, 401, { error: "Unauthorized: Invalid token.", status: 401 });
}

/**
 * node's answer to a request its parser refused or that took too long (`clientError`), as a JSON body
 * like every other refusal instead of node's empty one, then the connection is closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable || (socket as Duplex & { bytesWritten?: number }).bytesWritten) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "Request Timeout", "the request was not received in time (the emulator's requestTimeoutMs, --request-timeout-ms)"]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Request Header Fields Too Large", "request headers over node's limit (16 KiB)"]
        : [400, "Bad Request", `malformed HTTP request: ${error.message}`];
  const body = JSON.stringify({ error: message, status });
  const head = `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  socket.end(head + body, () => socket.destroy());
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
