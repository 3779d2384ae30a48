// Checks submitted cluster credentials against the cluster's real API server, as a runtime does when
// Argo CD first connects: read /version, and ask the server whether the token may do everything
// (a SelfSubjectAccessReview for `*` on `*`, which cluster-admin grants).
import https from "node:https";
import type { ClusterConnectionStatus } from "./model";

export interface ClusterCheck {
  status: ClusterConnectionStatus;
  message: string;
  serverVersion?: string | undefined;
  /** API groups the server serves. */
  apisCount?: number | undefined;
  /** CustomResourceDefinitions installed. */
  resourcesCount?: number | undefined;
}

export interface Target {
  server: string;
  caData?: string | undefined;
  insecure: boolean;
  token: string;
}

/** The User-Agent of every call the emulated Argo CD makes to a cluster. */
export const clusterUserAgent = "argocd-application-controller/v2.14 (Codefresh emulator)";

/** One call to the cluster's API server with the registered token (a body is sent as JSON, or as `contentType`). */
export function request(
  target: Target,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${target.server}${path}`,
      {
        method,
        ca: target.caData ? Buffer.from(target.caData, "base64") : undefined,
        rejectUnauthorized: !target.insecure,
        timeout: 5_000,
        headers: {
          // As Argo CD's application controller names itself: a cluster's own logs (and our tests) tell its calls apart.
          "User-Agent": clusterUserAgent,
          Authorization: `Bearer ${target.token}`,
          Accept: "application/json",
          ...(payload ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out after 5 s")));
    req.on("error", reject);
    req.end(payload);
  });
}

export async function checkClusterCredentials(target: Target): Promise<ClusterCheck> {
  try {
    const version = await request(target, "GET", "/version");
    if (version.status === 401) return { status: "Failed", message: "the cluster refused the token (401 Unauthorized)" };
    if (version.status !== 200) return { status: "Failed", message: `the cluster answered ${version.status} on /version` };
    const serverVersion = (version.json as { gitVersion?: string }).gitVersion;
    const review = await request(target, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { verb: "*", group: "*", resource: "*" } },
    });
    const allowed = (review.json as { status?: { allowed?: boolean } }).status?.allowed === true;
    if (review.status !== 201 && review.status !== 200) {
      return { status: "Failed", message: `the cluster answered ${review.status} to an access review`, serverVersion };
    }
    if (!allowed) {
      return { status: "Failed", message: "the token is not allowed to manage all resources (cluster-admin is required)", serverVersion };
    }
    const [apis, crds] = await Promise.all([
      request(target, "GET", "/apis"),
      request(target, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
    ]);
    return {
      status: "Successful",
      message: "",
      serverVersion,
      apisCount: (apis.json as { groups?: unknown[] }).groups?.length,
      resourcesCount: (crds.json as { items?: unknown[] }).items?.length,
    };
  } catch (error) {
    return { status: "Failed", message: `cannot reach the cluster: ${(error as Error).message}` };
  }
}
