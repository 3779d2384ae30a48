// One request to the Codefresh API, start to end: route it to its surface (platform GraphQL, a runtime's
// app-proxy GraphQL, the REST cluster registration), authenticate the key, count and log it, run the
// hooks of the fault that fired (faults.ts decides what each kind does), and dispatch it. A request whose
// form is wrong (method, content type, size, JSON) is refused before the key is even looked at, as a
// body parser ahead of the authentication does.
import type http from "node:http";
import { Kind, OperationDefinitionNode, OperationTypeNode } from "graphql";
import { RequestError, RestError } from "./errors";
import { callerOf, type FaultedAnswer, type FaultOutcome, type Faults, type FiredFault } from "./faults";
import { appProxyGraphqlPath, GraphqlServers, platformGraphqlPath } from "./graphql-servers";
import { delay, describeJsonValue, parseJsonObject, readBody, requireJsonContentType, sendJson, sendRequestError, unauthorized } from "./http-io";
import type { LoggedRequest, RequestMetrics } from "./metrics";
import type { AccountRecord } from "./model";
import { parseWithinLimits, QueryLimits } from "./query-limits";
import type { CodefreshService } from "./service";

export interface ApiDependencies {
  service: CodefreshService;
  faults: Faults;
  metrics: RequestMetrics;
  graphql: GraphqlServers;
  baseUrl: () => string;
  /** Added to every request (benchmarks). */
  latencyMs?: number | undefined;
  maxBodyBytes: number;
  queryLimits: QueryLimits;
}

/** Where a request goes: the platform API, or a runtime's app-proxy (GraphQL or REST) under its ingress. */
type ApiRoute = { surface: "platform" } | { surface: "app-proxy" | "rest"; accountId: string; runtime: string } | { surface: "user" } | undefined;

const ingressPattern = /^\/ingress\/([0-9a-f]{24})\/([^/]+)\/app-proxy\/api\/(graphql|clusters)$/;

function routeOf(method: string | undefined, pathname: string): ApiRoute {
  if (pathname === platformGraphqlPath) return { surface: "platform" };
  const ingress = ingressPattern.exec(pathname);
  if (ingress) return { surface: ingress[3] === "graphql" ? "app-proxy" : "rest", accountId: ingress[1] ?? "", runtime: decodedSegment(ingress[2] ?? "") }; // both groups always match
  if (pathname === "/api/user" && method === "GET") return { surface: "user" };
  return undefined;
}

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RequestError(400, `the path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

/** What the pipeline needs of a request's body: the text for yoga, and what counters and fault rules name. */
interface ApiRequest {
  body: string;
  operation: string;
  kind: "query" | "mutation" | "rest";
}

/** The body of a POST to a GraphQL or REST surface, refused unless it is a JSON object (with a `query` for GraphQL). */
async function readApiRequest(
  req: http.IncomingMessage,
  surface: "platform" | "app-proxy" | "rest",
  maxBodyBytes: number,
  limits: QueryLimits,
): Promise<ApiRequest> {
  if (req.method !== "POST") {
    const what = surface === "rest" ? "the cluster registration" : "GraphQL";
    throw new RequestError(405, `${req.method ?? "?"} is not served here: ${what} takes POST with a JSON body`, { allow: "POST" });
  }
  requireJsonContentType(req);
  const body = await readBody(req, maxBodyBytes);
  if (surface === "rest") {
    if (body !== "") parseJsonObject(body);
    return { body, operation: "addCluster", kind: "rest" };
  }
  const { query } = parseJsonObject(body);
  if (typeof query !== "string")
    throw new RequestError(400, `request body must have a "query" string, got ${query === undefined ? "none" : describeJsonValue(query)}`);
  return { body, ...describeOperation(query, limits) };
}

export function createApiHandler({ service, faults, metrics, graphql, baseUrl, latencyMs, maxBodyBytes, queryLimits }: ApiDependencies) {
  /** The REST cluster registration's answer; its refusals are answered with their own status. */
  async function restAnswer(accountId: string, runtime: string, body: string): Promise<FaultedAnswer> {
    let status: number;
    let payload: string;
    try {
      const parsed = body === "" ? {} : parseJsonObject(body);
      const cluster = await service.addCluster(accountId, runtime, parsed);
      status = 201;
      payload = JSON.stringify({ name: cluster.name, server: cluster.server, connectionState: cluster.connection });
    } catch (error) {
      status = error instanceof RestError || error instanceof RequestError ? error.status : 500;
      payload = JSON.stringify({ error: (error as Error).message, status });
    }
    return { status, headers: { "content-type": "application/json" }, payload };
  }

  async function graphqlAnswer(account: AccountRecord, runtime: string | undefined, body: string): Promise<FaultedAnswer> {
    // Accepting graphql-response+json makes yoga answer a document that does not parse or validate with 400,
    // as Codefresh (Apollo Server) does; with application/json it would be 200. The body is JSON either way.
    const init = { method: "POST", headers: { "content-type": "application/json", accept: "application/graphql-response+json" }, body };
    const answer =
      runtime === undefined
        ? await graphql.platform.fetch(new URL(platformGraphqlPath, baseUrl()), init, { service, faults, account })
        : await graphql.appProxy.fetch(new URL(appProxyGraphqlPath, baseUrl()), init, { service, faults, account, runtime });
    return { status: answer.status, headers: { "content-type": "application/json; charset=utf-8" }, payload: await answer.text() };
  }

  return async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL, started: number): Promise<void> {
    const apiKey = req.headers.authorization;
    const account = service.accountForKey(typeof apiKey === "string" ? apiKey : undefined);

    const route = routeOf(req.method, url.pathname);
    if (route === undefined) return sendJson(res, 404, { error: `no such endpoint: ${req.method} ${url.pathname}` });
    if (route.surface === "user") {
      if (!account) return unauthorized(res);
      return sendJson(res, 200, {
        _id: account.userId,
        userName: "admin",
        email: account.userEmail,
        activeAccountName: account.name,
        account: [{ _id: account.id, name: account.name }],
      });
    }
    if (route.surface !== "platform" && account && account.id !== route.accountId) {
      return sendJson(res, 403, { error: "Forbidden: this runtime belongs to another account", status: 403 });
    }
    const surface: LoggedRequest["surface"] = route.surface;
    const runtime = route.surface === "platform" ? undefined : route.runtime;

    let request: ApiRequest;
    try {
      request = await readApiRequest(req, route.surface, maxBodyBytes, queryLimits);
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      metrics.count("invalid", "query");
      metrics.record({ at: new Date(started).toISOString(), surface, operation: "invalid", kind: "query", status: error.status, ms: Date.now() - started });
      return sendRequestError(res, error);
    }
    const { body, operation, kind } = request;
    const caller = callerOf(req.headers["user-agent"]);
    const record = (status: number, fault?: string) =>
      metrics.record({ at: new Date(started).toISOString(), surface, operation, kind, status, fault, ms: Date.now() - started, caller });
    metrics.count(operation, kind);
    if (latencyMs) await delay(latencyMs);

    if (!account) {
      record(401);
      return unauthorized(res);
    }

    /** Carries out a hook's decision; true when it ended the request. */
    const applied = (fault: FiredFault, outcome: FaultOutcome): boolean => {
      if (outcome?.action === "close") {
        record(0, fault.rule.kind);
        req.socket.destroy();
        return true;
      }
      if (outcome?.action === "answer") {
        record(outcome.status, fault.rule.kind);
        sendJson(res, outcome.status, outcome.body, outcome.headers);
        return true;
      }
      return false;
    };

    const fault = faults.pick(operation, caller);
    if (fault?.definition.before && applied(fault, await fault.definition.before(fault.rule, { surface }))) return;

    let answer: FaultedAnswer;
    if (surface === "rest") {
      answer = await restAnswer(account.id, runtime as string, body);
    } else {
      // Read the account again: the record read on arrival is a snapshot, and the request may have waited since.
      const currentAccount = service.mustAccount(account.id);
      if (runtime !== undefined && !service.runtime(currentAccount, runtime)) {
        record(404);
        return sendJson(res, 404, { error: `no runtime "${runtime}" in this account`, status: 404 });
      }
      answer = await graphqlAnswer(currentAccount, runtime, body);
    }

    if (fault?.definition.after && applied(fault, await fault.definition.after(fault.rule, answer))) return;
    record(answer.status, fault?.rule.kind);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.payload);
  };
}

/** The operation's root field (what counters and fault rules name), and whether it is a read or a write. */
function describeOperation(query: string, limits: QueryLimits): { operation: string; kind: "query" | "mutation" } {
  try {
    const document = parseWithinLimits(query, limits);
    const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const field = op?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
    const name = field && field.kind === Kind.FIELD ? field.name.value : (op?.name?.value ?? "unknown");
    return { operation: name, kind: op?.operation === OperationTypeNode.MUTATION ? "mutation" : "query" };
  } catch {
    return { operation: "invalid", kind: "query" };
  }
}
