// sdk/src/cluster against the real kube-apiserver and kube-controller-manager of the shared harness.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterError, cluster } from "pulumi-codefresh";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { sharedCluster } from "../harness/shared";

const admin = () => sharedCluster();

/** A ServiceAccount name unique to one test, so tests share the cluster without colliding. */
let counter = 0;
const uniqueName = () => `argocd-manager-t${process.pid}-${++counter}`;

/** The resolved admin kubeconfig of the shared cluster. */
const resolvedAdmin = () => cluster.resolveKubeconfig({ kubeconfig: admin().kubeconfig });

/** Calls the API server with the given bearer token; resolves with the HTTP status. */
async function statusWithToken(server: string, token: string, path: string): Promise<number> {
  const kc = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(server, admin().caCert, token, "probe") });
  const core = kc.kubeConfig.makeApiClient((await import("@kubernetes/client-node")).CoreV1Api);
  try {
    if (path === "namespaces") await core.listNamespace();
    return 200;
  } catch (error) {
    return (error as { code: number }).code;
  }
}

describe("kubeconfig checks (no remote call)", () => {
  test("rejects content that is not a kubeconfig, without quoting it", () => {
    const secretish = "token: s3cr3t-value-not-yaml: [";
    const attempt = () => cluster.resolveKubeconfig({ kubeconfig: secretish });
    expect(attempt).toThrow(ClusterError);
    expect(attempt).toThrow(/kubeconfig: /);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain("s3cr3t");
    }
  });

  test("names the contexts that exist when the one asked for is missing", () => {
    expect(() => cluster.resolveKubeconfig({ kubeconfig: admin().kubeconfig, context: "prod" })).toThrow(/context "prod" is not in it; contexts: local/);
  });

  test("refuses a kubeconfig that skips TLS verification unless asked explicitly", () => {
    const insecure = admin().kubeconfig.replace(/certificate-authority-data: \S+/, "insecure-skip-tls-verify: true");
    expect(() => cluster.resolveKubeconfig({ kubeconfig: insecure })).toThrow(/insecureSkipTlsVerify: true/);
    expect(cluster.resolveKubeconfig({ kubeconfig: insecure, insecureSkipTlsVerify: true }).insecureSkipTlsVerify).toBe(true);
  });

  test("needs exactly one of kubeconfig and kubeconfigPath", () => {
    expect(() => cluster.resolveKubeconfig({})).toThrow(/exactly one of kubeconfig/);
    expect(() => cluster.resolveKubeconfig({ kubeconfig: admin().kubeconfig, kubeconfigPath: admin().kubeconfigPath })).toThrow(/exactly one of kubeconfig/);
  });

  test("reads a kubeconfig file", () => {
    const resolved = cluster.resolveKubeconfig({ kubeconfigPath: admin().kubeconfigPath });
    expect(resolved.server).toBe(admin().server);
    expect(resolved.contextName).toBe("local");
  });
});

describe("Kubernetes version", () => {
  let oldCluster: ClusterProxy;

  beforeAll(async () => {
    oldCluster = await startClusterProxy(admin(), { reportVersion: "v1.17.4" });
  });
  afterAll(async () => {
    await oldCluster?.stop();
  });

  test("reads the real server's version and accepts it", async () => {
    const version = await cluster.readServerVersion(resolvedAdmin());
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(version.major).toBe(1);
    expect(version.minor).toBeGreaterThanOrEqual(18);
    expect(() => cluster.assertSupportedVersion(version, admin().server)).not.toThrow();
  });

  test("refuses a server that reports 1.17, naming the server and the minimum", async () => {
    const kubeconfig = kubeconfigFor(oldCluster.server, admin().caCert, admin().adminToken);
    const resolved = cluster.resolveKubeconfig({ kubeconfig });
    const version = await cluster.readServerVersion(resolved);
    expect(version).toEqual({ gitVersion: "v1.17.4", major: 1, minor: 17 });
    expect(() => cluster.assertSupportedVersion(version, resolved.server)).toThrow(
      new RegExp(`${oldCluster.server} runs Kubernetes v1.17.4; Codefresh managed clusters need 1.18 or newer`),
    );
  });

  test.each([
    ["1.18", "v1.18.0", true],
    ["1.18", "v1.17.9", false],
    ["1.18", "v2.0.0", true],
    ["1.30", "v1.30.2-eks-1552ad0", true],
  ])("minimum %s, version %s: %s", (minimum, version, ok) => {
    const parsed = cluster.parseKubernetesVersion(version);
    expect(parsed && cluster.meetsMinimum(parsed, minimum)).toBe(ok);
  });
});

describe("CustomResourceDefinitions", () => {
  /** A CRD of a group only this run uses, so the count it adds is known whatever else the cluster holds. */
  const crd = (plural: string, group: string) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural, singular: plural.replace(/s$/, ""), kind: plural[0]?.toUpperCase() + plural.slice(1, -1) },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
  });

  test("the count is one item and the server's count of the rest: three new CRDs add three, whatever their schemas weigh", async () => {
    const group = `t${process.pid}-${Date.now().toString(36)}.example.invalid`;
    const names = ["alphas", "betas", "gammas"];
    // The admin's own client, straight to the API server (not through the proxy).
    const k8s = await import("@kubernetes/client-node");
    const crds = resolvedAdmin().kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
    const proxy = await startClusterProxy(admin());
    try {
      const resolved = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(proxy.server, admin().caCert, admin().adminToken) });
      const before = await cluster.countCustomResourceDefinitions(resolved);
      for (const plural of names) await crds.createCustomResourceDefinition({ body: crd(plural, group) });
      const after = await cluster.countCustomResourceDefinitions(resolved);
      expect(after).toBe(before + names.length);
      // The same as the whole list's length, which it did not ask for: each count was one page of one item.
      expect(after).toBe((await crds.listCustomResourceDefinition()).items.length);
      const lists = proxy.log.requests().filter((request) => request.path.startsWith("/apis/apiextensions.k8s.io/v1/customresourcedefinitions"));
      expect(lists.map((request) => new URL(request.path, "https://x").searchParams.get("limit"))).toEqual(["1", "1"]);
    } finally {
      await proxy.stop();
      for (const plural of names) await crds.deleteCustomResourceDefinition({ name: `${plural}.${group}` }).catch(() => undefined);
    }
  });
});

describe("connections", () => {
  /** A TCP pass-through to the API server that counts the connections opened through it (each one a TLS handshake). */
  async function countingPassThrough(): Promise<{ server: string; connections: () => number; stop: () => Promise<void> }> {
    const upstream = new URL(admin().server);
    let connections = 0;
    const sockets = new Set<net.Socket>();
    const passThrough = net.createServer((client) => {
      connections++;
      const target = net.connect(Number(upstream.port), upstream.hostname);
      for (const socket of [client, target]) {
        sockets.add(socket);
        socket.on("error", () => socket.destroy());
        socket.on("close", () => sockets.delete(socket));
      }
      client.pipe(target).pipe(client);
    });
    await new Promise<void>((resolve) => passThrough.listen(0, "127.0.0.1", resolve));
    const { port } = passThrough.address() as net.AddressInfo;
    return {
      server: `https://127.0.0.1:${port}`,
      connections: () => connections,
      stop: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          passThrough.close(() => resolve());
        }),
    };
  }

  test("calls to one API server with one identity reuse one TLS connection, across kubeconfigs parsed apart", async () => {
    const passThrough = await countingPassThrough();
    try {
      const kubeconfig = kubeconfigFor(passThrough.server, admin().caCert, admin().adminToken);
      for (let i = 0; i < 3; i++) await cluster.readServerVersion(cluster.resolveKubeconfig({ kubeconfig }));
      await cluster.countCustomResourceDefinitions(cluster.resolveKubeconfig({ kubeconfig }));
      expect(passThrough.connections()).toBe(1);
      // Another identity (a different token is not one: authentication is per request; a different CA is) gets its own.
      const otherToken = kubeconfigFor(passThrough.server, admin().caCert, "not-the-admin-token");
      await cluster.readServerVersion(cluster.resolveKubeconfig({ kubeconfig: otherToken }), { attempts: 1 }).catch(() => undefined);
      expect(passThrough.connections()).toBe(1);
    } finally {
      await passThrough.stop();
    }
  });
});

describe("argocd-manager credentials", () => {
  test("creates the ServiceAccount, RBAC and token, and the token really has cluster-admin", async () => {
    const name = uniqueName();
    const resolved = resolvedAdmin();
    const credentials = await cluster.ensureManagerAccount(resolved, { serviceAccountName: name });
    expect(credentials.server).toBe(admin().server);
    expect(credentials.token.length).toBeGreaterThan(100);
    expect(credentials.tokenHash).toBe(cluster.hashToken(credentials.token));
    expect(Buffer.from(credentials.caData ?? "", "base64").toString()).toContain("BEGIN CERTIFICATE");
    expect(credentials.adopted).toEqual([]);
    expect(await statusWithToken(admin().server, credentials.token, "namespaces")).toBe(200);

    await cluster.removeManagerAccount(resolved, { serviceAccountName: name });
  });

  test("a re-run is idempotent: same token, nothing duplicated", async () => {
    const name = uniqueName();
    const resolved = resolvedAdmin();
    const first = await cluster.ensureManagerAccount(resolved, { serviceAccountName: name });
    const second = await cluster.ensureManagerAccount(resolved, { serviceAccountName: name });
    expect(second.tokenHash).toBe(first.tokenHash);
    const state = await cluster.readManagerAccount(resolved, { serviceAccountName: name });
    expect(state).toEqual({ serviceAccountExists: true, clusterRoleBindingExists: true, tokenHash: first.tokenHash });

    await cluster.removeManagerAccount(resolved, { serviceAccountName: name });
  });

  test("a deleted ServiceAccount shows as drift and ensure repairs it with a new token", async () => {
    const name = uniqueName();
    const resolved = resolvedAdmin();
    const first = await cluster.ensureManagerAccount(resolved, { serviceAccountName: name });
    const core = resolved.kubeConfig.makeApiClient((await import("@kubernetes/client-node")).CoreV1Api);
    await core.deleteNamespacedServiceAccount({ name, namespace: "kube-system" });

    const drifted = await cluster.readManagerAccount(resolved, { serviceAccountName: name });
    expect(drifted.serviceAccountExists).toBe(false);

    const repaired = await cluster.ensureManagerAccount(resolved, { serviceAccountName: name });
    expect(repaired.tokenHash).not.toBe(first.tokenHash);
    expect(await statusWithToken(admin().server, repaired.token, "namespaces")).toBe(200);
    // The old token was bound to the deleted ServiceAccount: it no longer works.
    expect(await statusWithToken(admin().server, first.token, "namespaces")).toBe(401);

    await cluster.removeManagerAccount(resolved, { serviceAccountName: name });
  });

  test("a token Secret still holding a deleted ServiceAccount's token is replaced, not handed out", async () => {
    const name = uniqueName();
    const resolved = resolvedAdmin();
    const first = await cluster.ensureManagerAccount(resolved, { serviceAccountName: name });
    const k8s = await import("@kubernetes/client-node");
    const core = resolved.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const secretName = `${name}-token`;
    // Hold the old Secret: the token controller's delete (it follows the ServiceAccount's) then waits for
    // us, as a slow controller would, and the recreated ServiceAccount meets the old token.
    const hold = (finalizers: string[]) =>
      core.patchNamespacedSecret(
        { name: secretName, namespace: "kube-system", body: { metadata: { finalizers } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
    await hold(["pulumi-codefresh.test/hold"]);
    await core.deleteNamespacedServiceAccount({ name, namespace: "kube-system" });
    const release = new Promise((r) => setTimeout(r, 1_500)).then(() => hold([]));

    const repaired = await cluster.ensureManagerAccount(resolved, { serviceAccountName: name });
    await release;
    expect(repaired.tokenHash).not.toBe(first.tokenHash);
    expect(await statusWithToken(admin().server, repaired.token, "namespaces")).toBe(200);

    await cluster.removeManagerAccount(resolved, { serviceAccountName: name });
  });

  test("remove deletes only what we created, and never fails because it is already gone", async () => {
    const name = uniqueName();
    const resolved = resolvedAdmin();
    const core = resolved.kubeConfig.makeApiClient((await import("@kubernetes/client-node")).CoreV1Api);
    // A ServiceAccount made by hand: adopted, never deleted.
    await core.createNamespacedServiceAccount({ namespace: "kube-system", body: { metadata: { name } } });
    const credentials = await cluster.ensureManagerAccount(resolved, { serviceAccountName: name });
    expect(credentials.adopted).toEqual([`ServiceAccount/${name}`]);

    const removed = await cluster.removeManagerAccount(resolved, { serviceAccountName: name });
    expect(removed).toEqual([`ClusterRoleBinding ${name}-role-binding`, `ClusterRole ${name}-role`, `Secret kube-system/${name}-token`]);
    const after = await cluster.readManagerAccount(resolved, { serviceAccountName: name });
    expect(after).toEqual({ serviceAccountExists: true, clusterRoleBindingExists: false, tokenHash: undefined });
    await expect(cluster.removeManagerAccount(resolved, { serviceAccountName: name })).resolves.toEqual([]);

    await core.deleteNamespacedServiceAccount({ name, namespace: "kube-system" });
  });

  test("a wrong token gives an unauthorized error that does not contain the token", async () => {
    const badToken = "not-a-valid-token-0123456789abcdef";
    const resolved = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(admin().server, admin().caCert, badToken) });
    const failure = await cluster.ensureManagerAccount(resolved, { serviceAccountName: uniqueName() }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ClusterError);
    expect((failure as ClusterError).problem).toBe("unauthorized");
    expect((failure as Error).message).toMatch(/credentials were refused \(401\)/);
    expect((failure as Error).message).not.toContain(badToken);
  });

  test("a server that is not listening gives an unreachable error", async () => {
    const resolved = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor("https://127.0.0.1:1", admin().caCert, admin().adminToken) });
    const failure = await cluster.readServerVersion(resolved, { attempts: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ClusterError);
    expect((failure as ClusterError).problem).toBe("unreachable");
    expect((failure as Error).message).toMatch(/cannot connect \(ECONNREFUSED\)/);
  });

  test("a server whose certificate the kubeconfig's CA did not sign fails TLS verification", async () => {
    const dir = mkdtempSync(join(tmpdir(), "other-ca-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "1", "-subj", "/CN=other"], {
      cwd: dir,
      stdio: "ignore",
    });
    const otherCa = readFileSync(join(dir, "c.pem"), "utf8");
    rmSync(dir, { recursive: true });
    const resolved = cluster.resolveKubeconfig({ kubeconfig: kubeconfigFor(admin().server, otherCa, admin().adminToken) });
    const failure = await cluster.readServerVersion(resolved, { attempts: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ClusterError);
    expect((failure as ClusterError).problem).toBe("unreachable");
    expect((failure as Error).message).toMatch(/TLS verification failed .*certificate-authority-data/);
  });
});
