// Hostile requests to the emulator, each with the 4xx it must get and what its message must say: malformed
// or oversized bodies, wrong content types and methods, GraphQL documents over the depth, width and token
// limits, keys in the wrong place, malformed HTTP, and slow clients. emulator-hostile.test.ts sends them;
// the reliability report counts them (hostileRequestCount).
import http from "node:http";
import net from "node:net";
import { accountA, accountB } from "./emulator";

/** Where a request goes: a surface of the Codefresh API, the admin API, or raw bytes on a socket. */
export type HostileSurface = "platform" | "app-proxy" | "rest" | "admin" | "socket";

export interface HostileRequest {
  name: string;
  surface: HostileSurface;
  /** admin: the path under `/_emulator/`; otherwise the surface's endpoint, unless given (a path from the root). */
  path?: string;
  method?: string;
  /** Merged over the defaults (JSON content type, account A's key on the API); `undefined` removes one. */
  headers?: Record<string, string | undefined>;
  body?: string | Buffer;
  /** Send `body` chunked, and wait for the answer before ending it (the emulator stops reading at its limit). */
  chunked?: boolean;
  /** Send the headers with `Expect: 100-continue`, and the body only if the emulator asks for it. */
  expectContinue?: boolean;
  /** surface "socket": these bytes, as they are, on a fresh connection. */
  raw?: string;
  status: number;
  /** What the answer's `error` (or its GraphQL errors' messages) must say. */
  message: RegExp;
}

/** A client that never completes its request: the emulator must time it out, answering 408. */
export interface SlowClient {
  name: string;
  /** Sent at once. */
  head: string;
  /** Then one character of this every `gapMs`, until the emulator closes the connection. */
  dribble: string;
}

export const maxBodyBytes = 1024 * 1024; // the emulator's default, which the table tests

const json = (value: unknown) => JSON.stringify(value);
const query = (text: string, extra: Record<string, unknown> = {}) => json({ query: text, ...extra });
// The limits are checked before graphql's own rules, so the fields need not exist at every level.
const nested = (levels: number) => "{" + "me {".repeat(levels - 1) + " id " + "}".repeat(levels - 1) + "}";
const fragmentBomb = (doublings: number) => {
  let text = "query { ...F0 }";
  for (let i = 0; i < doublings; i++) text += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`;
  return `${text} fragment F${doublings} on Query { __typename }`;
};
const base64 = (text: string) => Buffer.from(text).toString("base64");
const cluster = (kubeconfigYaml: string, extra: Record<string, unknown> = {}) => json({ name: "prod", kubeConfig: base64(kubeconfigYaml), ...extra });
const kubeconfig = [
  "current-context: c",
  "contexts: [{ name: c, context: { cluster: k, user: u } }]",
  "clusters: [{ name: k, cluster: { server: 'https://127.0.0.1:1' } }]",
  "users: [{ name: u, user: { token: t } }]",
].join("\n");

const invalidJson = /request body is not valid JSON/;
const notAnObject = (what: string) => new RegExp(`request body must be a JSON object, got ${what}`);
const wrongType = (type: string) => new RegExp(`content-type must be application/json, got ${type}`);
const tooLarge = new RegExp(`request body over ${maxBodyBytes} bytes .*--max-body-bytes`);
const unauthorized = /^Unauthorized: Invalid token\.$/;

/** Every request of the table, built from a few kinds over the surfaces they apply to. */
export const hostileRequests: HostileRequest[] = [
  // Bodies that are not JSON, or not a GraphQL request.
  ...(["platform", "app-proxy", "rest"] as const).flatMap((surface): HostileRequest[] => [
    { name: `${surface}: malformed JSON`, surface, body: '{"query": ', status: 400, message: invalidJson },
    { name: `${surface}: JSON null`, surface, body: "null", status: 400, message: notAnObject("null") },
    { name: `${surface}: a JSON array (a batch)`, surface, body: json([{ query: "{ me { id } }" }]), status: 400, message: notAnObject("an array") },
    {
      name: `${surface}: text/plain`,
      surface,
      headers: { "content-type": "text/plain" },
      body: query("{ me { id } }"),
      status: 415,
      message: wrongType('"text/plain"'),
    },
    {
      name: `${surface}: no key`,
      surface,
      headers: { authorization: undefined },
      body: surface === "rest" ? cluster(kubeconfig) : query("{ me { id } }"),
      status: 401,
      message: unauthorized,
    },
    {
      name: `${surface}: a declared body over the limit, not sent`,
      surface,
      headers: { "content-length": String(2 * maxBodyBytes) },
      status: 413,
      message: tooLarge,
    },
  ]),
  ...(["platform", "app-proxy"] as const).flatMap((surface): HostileRequest[] => [
    { name: `${surface}: a JSON string`, surface, body: '"{ me { id } }"', status: 400, message: notAnObject("a string") },
    { name: `${surface}: an empty body`, surface, body: "", status: 400, message: invalidJson },
    { name: `${surface}: bytes that are not UTF-8`, surface, body: Buffer.from([0xff, 0xfe, 0x7b, 0x00]), status: 400, message: invalidJson },
    {
      name: `${surface}: an object without "query"`,
      surface,
      body: json({ operationName: "Me" }),
      status: 400,
      message: /must have a "query" string, got none/,
    },
    { name: `${surface}: "query" a number`, surface, body: json({ query: 42 }), status: 400, message: /must have a "query" string, got a number/ },
    {
      name: `${surface}: "variables" a string`,
      surface,
      body: query("{ __typename }", { variables: "x" }),
      status: 400,
      message: /"variables" param to be empty or an object/,
    },
    {
      name: `${surface}: form-encoded`,
      surface,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "query=%7B%20me%20%7B%20id%20%7D%20%7D",
      status: 415,
      message: wrongType('"application/x-www-form-urlencoded"'),
    },
    {
      name: `${surface}: a GraphQL document as application/graphql`,
      surface,
      headers: { "content-type": "application/graphql" },
      body: "{ __typename }",
      status: 415,
      message: wrongType('"application/graphql"'),
    },
    {
      name: `${surface}: no content type`,
      surface,
      headers: { "content-type": undefined },
      body: query("{ __typename }"),
      status: 415,
      message: wrongType("none"),
    },
    { name: `${surface}: GET`, surface, method: "GET", status: 405, message: /GET is not served here: GraphQL takes POST/ },
    {
      name: `${surface}: the key in X-API-Key`,
      surface,
      headers: { authorization: undefined, "x-api-key": accountA.apiKey },
      body: query("{ __typename }"),
      status: 401,
      message: unauthorized,
    },
    {
      name: `${surface}: the key as a Bearer token`,
      surface,
      headers: { authorization: `Bearer ${accountA.apiKey}` },
      body: query("{ __typename }"),
      status: 401,
      message: unauthorized,
    },
    // GraphQL documents: refused 400 by parsing or validation, before anything runs.
    { name: `${surface}: 16 levels deep`, surface, body: query(nested(16)), status: 400, message: /Query is more than 15 levels deep \(at field "(me|id)"\)/ },
    { name: `${surface}: 200 levels deep`, surface, body: query(nested(200)), status: 400, message: /Query is more than 15 levels deep/ },
    { name: `${surface}: 1001 fields`, surface, body: query(`{${" __typename".repeat(1001)} }`), status: 400, message: /Query has more than 1000 selections/ },
    {
      name: `${surface}: 2^12 aliases from a fragment spread twice at each of 12 levels`,
      surface,
      body: query(fragmentBomb(12)),
      status: 400,
      message: /Query has more than 1000 selections/,
    },
    {
      name: `${surface}: 1200 aliases, over the token limit`,
      surface,
      body: query(`{ ${Array.from({ length: 1200 }, (_, i) => `a${i}: __typename`).join(" ")} }`),
      status: 400,
      message: /Document contains more th.. 3000 tokens/,
    },
    {
      name: `${surface}: an argument nested 2500 lists deep`,
      surface,
      body: query(`{ me(x: ${"[".repeat(2500)}${"]".repeat(2500)}) { id } }`),
      status: 400,
      message: /Syntax Error: Document (contains more th.. 3000 tokens|is nested too deeply)/,
    },
    { name: `${surface}: a syntax error`, surface, body: query("{ me { id }"), status: 400, message: /Syntax Error: Expected Name, found <EOF>/ },
    {
      name: `${surface}: an unknown operation`,
      surface,
      body: query("mutation { launchRockets { id } }"),
      status: 400,
      message: /Cannot query field "launchRockets" on type "Mutation"/,
    },
    { name: `${surface}: a subscription`, surface, body: query("subscription { me { id } }"), status: 400, message: /This API has no subscription operations/ },
    {
      name: `${surface}: a fragment that spreads itself`,
      surface,
      body: query("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
      status: 400,
      message: /Cannot spread fragment "A" within itself via "B"/,
    },
  ]),
  {
    name: "platform: two operations and no operationName",
    surface: "platform",
    body: query("query A { __typename } query B { __typename }"),
    status: 400,
    message: /Could not determine what operation to execute/,
  },
  {
    name: "platform: a required variable not given",
    surface: "platform",
    body: query("query GetRuntime($name: String!) { runtime(name: $name) { metadata { name } } }"),
    status: 400,
    message: /Variable "\$name" of required type "String!" was not provided/,
  },
  {
    name: "platform: a body over the limit, chunked",
    surface: "platform",
    chunked: true,
    body: Buffer.alloc(maxBodyBytes + 1, " "),
    status: 413,
    message: tooLarge,
  },
  {
    name: "app-proxy: a body over the limit, announced with Expect: 100-continue",
    surface: "app-proxy",
    expectContinue: true,
    body: Buffer.alloc(maxBodyBytes + 1, " "),
    status: 413,
    message: tooLarge,
  },
  {
    name: "app-proxy: a wrong key",
    surface: "app-proxy",
    headers: { authorization: "cf-not-a-key" },
    body: query("{ __typename }"),
    status: 401,
    message: unauthorized,
  },
  {
    name: "app-proxy: another account's key",
    surface: "app-proxy",
    headers: { authorization: accountB.apiKey },
    body: query("{ gitIntegrations { name } }"),
    status: 403,
    message: /this runtime belongs to another account/,
  },
  {
    name: "app-proxy: a runtime that does not exist",
    surface: "app-proxy",
    path: "/ingress/{accountId}/no-such-runtime/app-proxy/api/graphql",
    body: query("{ gitIntegrations { name } }"),
    status: 404,
    message: /no runtime "no-such-runtime" in this account/,
  },
  {
    name: "app-proxy: a runtime name that is not valid percent-encoding",
    surface: "app-proxy",
    path: "/ingress/{accountId}/%E0%A4%A/app-proxy/api/graphql",
    body: query("{ __typename }"),
    status: 400,
    message: /"%E0%A4%A" is not valid percent-encoding/,
  },
  // The REST cluster registration.
  { name: "rest: DELETE", surface: "rest", method: "DELETE", status: 405, message: /DELETE is not served here: the cluster registration takes POST/ },
  {
    name: "rest: the key as a Bearer token",
    surface: "rest",
    headers: { authorization: `Bearer ${accountA.apiKey}` },
    body: cluster(kubeconfig),
    status: 401,
    message: unauthorized,
  },
  { name: "rest: a body over the limit, chunked", surface: "rest", chunked: true, body: Buffer.alloc(maxBodyBytes + 1, " "), status: 413, message: tooLarge },
  {
    name: "rest: a cluster name with a slash",
    surface: "rest",
    body: json({ name: "../prod", kubeConfig: base64(kubeconfig) }),
    status: 400,
    message: /invalid cluster name "\.\.\/prod"/,
  },
  { name: "rest: kubeConfig a number", surface: "rest", body: json({ name: "prod", kubeConfig: 5 }), status: 400, message: /kubeConfig is required/ },
  {
    name: "rest: kubeConfig not YAML",
    surface: "rest",
    body: json({ name: "prod", kubeConfig: base64("a: [unclosed") }),
    status: 400,
    message: /kubeConfig is not base64 of a kubeconfig/,
  },
  { name: "rest: kubeconfig contexts a number", surface: "rest", body: cluster("contexts: 5"), status: 400, message: /kubeConfig has no cluster server/ },
  {
    name: "rest: kubeconfig context without its map",
    surface: "rest",
    body: cluster("contexts: [{ name: c }]\nclusters: [{ name: k }]"),
    status: 400,
    message: /kubeConfig has no cluster server/,
  },
  {
    name: "rest: kubeconfig with a numeric server",
    surface: "rest",
    body: cluster(kubeconfig.replace("'https://127.0.0.1:1'", "5")),
    status: 400,
    message: /kubeConfig has no cluster server/,
  },
  {
    name: "rest: kubeconfig with a numeric token",
    surface: "rest",
    body: cluster(kubeconfig.replace("token: t", "token: 5")),
    status: 400,
    message: /kubeConfig has no bearer token/,
  },
  { name: "rest: labels a number", surface: "rest", body: cluster(kubeconfig, { labels: 5 }), status: 400, message: /labels must be base64 of a YAML map/ },
  {
    name: "rest: a YAML alias bomb",
    surface: "rest",
    body: cluster(
      `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from(
        { length: 9 },
        (_, i) =>
          `b${i}: &b${i} [${Array(9)
            .fill(i === 0 ? "*a" : `*b${i - 1}`)
            .join(", ")}]`,
      ).join("\n")}`,
    ),
    status: 400,
    message: /kubeConfig is not base64 of a kubeconfig/,
  },
  // The admin API.
  { name: "admin: faults, malformed JSON", surface: "admin", method: "PUT", path: "faults", body: '{"rules": [', status: 400, message: invalidJson },
  {
    name: "admin: faults, rules not a list",
    surface: "admin",
    method: "PUT",
    path: "faults",
    body: json({ rules: "429" }),
    status: 400,
    message: /"rules" must be an array of fault rules, got a string/,
  },
  {
    name: "admin: faults, a rule that is not an object",
    surface: "admin",
    method: "PUT",
    path: "faults",
    body: json({ rules: [null] }),
    status: 400,
    message: /a fault rule must be an object, got null/,
  },
  {
    name: "admin: faults, an unknown kind",
    surface: "admin",
    method: "PUT",
    path: "faults",
    body: json({ rules: [{ kind: "meteor" }] }),
    status: 400,
    message: /unknown fault kind "meteor"/,
  },
  {
    name: "admin: faults, a Retry-After with a header in it",
    surface: "admin",
    method: "PUT",
    path: "faults",
    body: json({ rules: [{ kind: "429", retryAfterSeconds: "1\r\nx-injected: yes" }] }),
    status: 400,
    message: /fault retryAfterSeconds must be a number of at least 0/,
  },
  {
    name: "admin: faults, operations a string",
    surface: "admin",
    method: "PUT",
    path: "faults",
    body: json({ rules: [{ kind: "500", operations: "me" }] }),
    status: 400,
    message: /fault operations must be a list/,
  },
  {
    name: "admin: faults, a seed that is not a number",
    surface: "admin",
    method: "PUT",
    path: "faults",
    body: json({ rules: [], seed: "1" }),
    status: 400,
    message: /"seed" must be a number, got a string/,
  },
  { name: "admin: clock, malformed JSON", surface: "admin", path: "clock", body: "{advanceMs: 5}", status: 400, message: invalidJson },
  {
    name: "admin: clock, advanceMs a string",
    surface: "admin",
    path: "clock",
    body: json({ advanceMs: "86400000" }),
    status: 400,
    message: /"advanceMs" must be a number, got a string/,
  },
  { name: "admin: clock, an array", surface: "admin", path: "clock", body: "[1]", status: 400, message: notAnObject("an array") },
  {
    name: "admin: accounts, name a number",
    surface: "admin",
    path: "accounts",
    body: json({ name: 5, apiKey: "k" }),
    status: 400,
    message: /"name" must be a string, got a number/,
  },
  { name: "admin: accounts, no apiKey", surface: "admin", path: "accounts", body: json({ name: "initech" }), status: 400, message: /"apiKey" is required/ },
  {
    name: "admin: accounts, an unknown plan",
    surface: "admin",
    path: "accounts",
    body: json({ name: "initech", apiKey: "k", plan: "GOLD" }),
    status: 400,
    message: /"plan" must be one of FREE, PRO, ENTERPRISE/,
  },
  {
    name: "admin: accounts, a declared body over the limit",
    surface: "admin",
    path: "accounts",
    headers: { "content-length": String(maxBodyBytes + 1) },
    status: 413,
    message: tooLarge,
  },
  { name: "admin: hosted runtime, JSON null", surface: "admin", path: "ui/hosted-runtime", body: "null", status: 400, message: notAnObject("null") },
  {
    name: "admin: hosted runtime, runtimeName a list",
    surface: "admin",
    path: "ui/hosted-runtime",
    body: json({ account: accountA.name, runtimeName: ["x"] }),
    status: 400,
    message: /"runtimeName" must be a string, got an array/,
  },
  {
    name: "admin: connect-git without a token",
    surface: "admin",
    path: "ui/connect-git",
    body: json({ account: accountA.name, provider: "GITHUB" }),
    status: 400,
    message: /"token" is required/,
  },
  {
    name: "admin: an unknown endpoint",
    surface: "admin",
    path: "self-destruct",
    status: 404,
    message: /no such admin endpoint: POST \/_emulator\/self-destruct/,
  },
  // HTTP that node's parser refuses, answered with a JSON body too.
  { name: "socket: not HTTP", surface: "socket", raw: "HELLO EMULATOR\r\n\r\n", status: 400, message: /malformed HTTP request/ },
  {
    name: "socket: a request target that is no path",
    surface: "socket",
    raw: "GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    status: 400,
    message: /the request target "\/\/" is not a valid path/,
  },
  {
    name: "socket: 32 KiB of headers",
    surface: "socket",
    raw: `GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(32 * 1024)}\r\n\r\n`,
    status: 431,
    message: /request headers over node's limit/,
  },
  {
    name: "socket: a header with a control character",
    surface: "socket",
    raw: "GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n",
    status: 400,
    message: /malformed HTTP request/,
  },
  {
    name: "socket: Content-Length and Transfer-Encoding together (request smuggling)",
    surface: "socket",
    raw: "POST /2.0/api/graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    status: 400,
    message: /malformed HTTP request/,
  },
  {
    name: "socket: a Content-Length that is no number",
    surface: "socket",
    raw: "POST /2.0/api/graphql HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n",
    status: 400,
    message: /malformed HTTP request/,
  },
  {
    name: "socket: an unknown path",
    surface: "socket",
    raw: "GET /wp-admin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    status: 404,
    message: /no such endpoint: GET \/wp-admin/,
  },
];

/** Clients that stall; each must get 408 once the emulator's request timeout passes. */
export const slowClients: SlowClient[] = [
  { name: "connects and sends nothing", head: "", dribble: "" },
  { name: "dribbles its headers", head: "POST /2.0/api/graphql HTTP/1.1\r\n", dribble: `Host: 127.0.0.1\r\nX-Padding: ${"p".repeat(1000)}` },
  {
    name: "sends its headers, then dribbles its body",
    head: `POST /2.0/api/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: ${accountA.apiKey}\r\nContent-Length: 1000\r\n\r\n`,
    dribble: " ".repeat(1000),
  },
];

/** How many hostile requests the suite sends (for the reliability report). */
export const hostileRequestCount = hostileRequests.length + slowClients.length;

export interface HostileTarget {
  /** The emulator's `http://127.0.0.1:<port>`. */
  url: string;
  /** Account A's id and a ready runtime of it, for the app-proxy and REST paths. */
  accountId: string;
  runtime: string;
}

export interface HostileAnswer {
  status: number;
  contentType: string | undefined;
  text: string;
}

function pathOf(request: HostileRequest, target: HostileTarget): string {
  const ingress = `/ingress/${target.accountId}/${target.runtime}/app-proxy/api`;
  const path =
    request.surface === "admin"
      ? `/_emulator/${request.path ?? ""}`
      : (request.path ?? { platform: "/2.0/api/graphql", "app-proxy": `${ingress}/graphql`, rest: `${ingress}/clusters`, socket: "/" }[request.surface]);
  return path.replace("{accountId}", target.accountId);
}

/** Sends one request of the table with node:http (or node:net for `raw`), and reads the whole answer. */
export function sendHostile(request: HostileRequest, target: HostileTarget): Promise<HostileAnswer> {
  if (request.raw !== undefined) return sendRaw(target.url, request.raw);
  const defaults: Record<string, string> = { "content-type": "application/json" };
  if (request.surface !== "admin") defaults.authorization = accountA.apiKey;
  if (request.expectContinue) defaults.expect = "100-continue";
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...defaults, ...request.headers })) if (value !== undefined) headers[name] = value;
  const body = request.body;
  if (body !== undefined && !request.chunked && headers["content-length"] === undefined) headers["content-length"] = String(Buffer.byteLength(body));
  if (request.chunked) headers["transfer-encoding"] = "chunked";

  return new Promise((resolve, reject) => {
    const req = http.request(`${target.url}${pathOf(request, target)}`, { method: request.method ?? "POST", headers, agent: false });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], text: Buffer.concat(chunks).toString("utf8") });
        req.destroy(); // a refused body is never finished
      });
      res.on("error", reject);
    });
    // Once answered, writing the rest of a refused body may fail: that is not the answer.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (request.expectContinue) {
      req.on("continue", () => req.end(body));
      req.flushHeaders();
    } else if (request.chunked) {
      req.write(body ?? ""); // and wait for the answer: the emulator stops reading at its limit
    } else {
      req.end(body); // none, or one declared and never sent, or the whole of it
    }
  });
}

/** An answer read off a socket: status line, headers, then a body whose length the headers give. */
function parseRawAnswer(bytes: Buffer): HostileAnswer {
  const text = bytes.toString("utf8");
  const end = text.indexOf("\r\n\r\n");
  const head = end === -1 ? text : text.slice(0, end);
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
    contentType: /^content-type: *(.+)$/im.exec(head)?.[1]?.trim(),
    text: end === -1 ? "" : text.slice(end + 4),
  };
}

/** Writes `bytes` on a fresh connection and reads the answer until the emulator closes it. */
function sendRaw(url: string, bytes: string): Promise<HostileAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(parseRawAnswer(Buffer.concat(chunks))));
    socket.write(bytes);
  });
}

/** The client of a {@link SlowClient}: resolves with what the emulator answered once it closed the connection. */
export function runSlowClient(client: SlowClient, url: string, gapMs: number): Promise<HostileAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < client.dribble.length && socket.writable) socket.write(client.dribble[sent++] ?? "");
    }, gapMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      clearInterval(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearInterval(timer);
      resolve(parseRawAnswer(Buffer.concat(chunks)));
    });
    socket.on("connect", () => {
      if (client.head !== "") socket.write(client.head);
    });
  });
}

/** The message of an answer: its `error`, or its GraphQL errors' messages, one a line. */
export function answerMessage(text: string): string {
  const body = JSON.parse(text) as { error?: string; errors?: { message?: string }[] };
  return body.error ?? (body.errors ?? []).map((e) => e.message ?? "").join("\n");
}
