// A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager (which
// fills ServiceAccount token Secrets, finalises Namespaces and keeps ResourceQuotas' usage), built from Go modules
// by scripts/tools.
// There is no kubelet or scheduler, so Pods never run; everything the package does with a cluster
// (ServiceAccounts, RBAC, Secrets, discovery, access reviews) works.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ManagedProcess, startProcess, waitUntilReady } from "./process";

export interface LocalKubernetesOptions {
  /** Directory with kube-apiserver and kube-controller-manager (default: $PULUMI_CODEFRESH_KUBERNETES_BIN_DIR). */
  kubernetesBinDir?: string;
  /** Directory with etcd (default: $PULUMI_CODEFRESH_ETCD_BIN_DIR). */
  etcdBinDir?: string;
  /** Where certificates, data and logs go (default: a new temporary directory, removed on stop). */
  workDir?: string;
  /** Readiness deadline per component, in ms. */
  readyTimeoutMs?: number;
}

export interface LocalKubernetes {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** PEM of the CA that signed the API server's certificate. */
  readonly caCert: string;
  /** Bearer token of a `system:masters` user; secret. */
  readonly adminToken: string;
  /** A kubeconfig for the admin user (context `local`), and the file holding it. */
  readonly kubeconfig: string;
  readonly kubeconfigPath: string;
  readonly workDir: string;
  /** The CA and serving key pair, so proxies in front of the API server can present the same identity. */
  readonly tls: { caCertPath: string; certPath: string; keyPath: string };
  /** Kills and restarts kube-apiserver on the same port and data (reliability tests). */
  restartApiServer(): Promise<void>;
  /** Stops everything in reverse order and removes a temporary work directory. */
  stop(): Promise<void>;
}

function binDir(explicit: string | undefined, variable: string): string {
  const dir = explicit ?? process.env[variable];
  if (!dir) throw new Error(`${variable} is not set: run through scripts/tools (npm test, npm run demo), which builds the binaries`);
  return dir;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA, a serving certificate for 127.0.0.1/localhost, and the ServiceAccount signing key pair. */
function makeCredentials(dir: string): void {
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "3650",
    "-subj",
    "/CN=pulumi-codefresh-local-ca",
  );
  openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "apiserver.key", "-out", "apiserver.csr", "-subj", "/CN=kube-apiserver");
  execFileSync(
    "sh",
    [
      "-c",
      "printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\\nextendedKeyUsage=serverAuth\\n' > srv.ext",
    ],
    { cwd: dir },
  );
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "apiserver.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "3650",
    "-extfile",
    "srv.ext",
    "-out",
    "apiserver.crt",
  );
  openssl(dir, "genrsa", "-out", "sa.key", "2048");
  openssl(dir, "rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
}

export function kubeconfigFor(server: string, caCert: string, token: string, user = "admin", context = "local"): string {
  const ca = Buffer.from(caCert).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    `current-context: ${context}`,
    "clusters:",
    `- name: ${context}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    "contexts:",
    `- name: ${context}`,
    "  context:",
    `    cluster: ${context}`,
    `    user: ${user}`,
    "users:",
    `- name: ${user}`,
    "  user:",
    `    token: ${token}`,
    "",
  ].join("\n");
}

/** GET `path` on the API server with the admin token; resolves with the status code. */
function probe(server: string, ca: string, token: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${server}${path}`, { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

function httpOk(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok);
}

export async function startKubernetes(options: LocalKubernetesOptions = {}): Promise<LocalKubernetes> {
  const kubeBin = binDir(options.kubernetesBinDir, "PULUMI_CODEFRESH_KUBERNETES_BIN_DIR");
  const etcdBin = binDir(options.etcdBinDir, "PULUMI_CODEFRESH_ETCD_BIN_DIR");
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), "local-kube-")));
  await mkdir(workDir, { recursive: true });
  const timeout = options.readyTimeoutMs ?? 60_000;
  makeCredentials(workDir);
  const caCert = await readFile(join(workDir, "ca.crt"), "utf8");
  const adminToken = randomBytes(24).toString("hex");
  await writeFile(join(workDir, "tokens.csv"), `${adminToken},admin,admin-uid,system:masters\n`, { mode: 0o600 });

  const [etcdPort, peerPort, apiPort, kcmPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = kubeconfigFor(server, caCert, adminToken);
  const kubeconfigPath = join(workDir, "admin.kubeconfig");
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

  const started: ManagedProcess[] = [];
  const stopAll = async () => {
    for (const proc of [...started].reverse()) await proc.stop();
  };
  try {
    const etcd = startProcess({
      name: "etcd",
      command: join(etcdBin, "etcd"),
      logFile: join(workDir, "etcd.log"),
      args: [
        "--name=default",
        `--data-dir=${join(workDir, "etcd")}`,
        "--unsafe-no-fsync",
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      ],
    });
    started.push(etcd);
    await waitUntilReady(etcd, () => httpOk(`http://127.0.0.1:${etcdPort}/health`), timeout);

    const apiServerArgs = [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${join(workDir, "apiserver.crt")}`,
      `--tls-private-key-file=${join(workDir, "apiserver.key")}`,
      `--client-ca-file=${join(workDir, "ca.crt")}`,
      `--token-auth-file=${join(workDir, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      `--service-account-issuer=${server}`,
      `--api-audiences=${server}`,
      `--service-account-signing-key-file=${join(workDir, "sa.key")}`,
      `--service-account-key-file=${join(workDir, "sa.pub")}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      "--allow-privileged=true",
      `--cert-dir=${join(workDir, "apiserver-certs")}`,
    ];
    const startApiServer = async () => {
      const apiServer = startProcess({
        name: "kube-apiserver",
        command: join(kubeBin, "kube-apiserver"),
        logFile: join(workDir, "kube-apiserver.log"),
        args: apiServerArgs,
      });
      started.splice(1, 0, apiServer);
      await waitUntilReady(apiServer, async () => (await probe(server, caCert, adminToken, "/readyz")) === 200, timeout);
      return apiServer;
    };
    let apiServer = await startApiServer();

    const kcm = startProcess({
      name: "kube-controller-manager",
      command: join(kubeBin, "kube-controller-manager"),
      logFile: join(workDir, "kube-controller-manager.log"),
      args: [
        `--kubeconfig=${kubeconfigPath}`,
        `--authentication-kubeconfig=${kubeconfigPath}`,
        `--authorization-kubeconfig=${kubeconfigPath}`,
        "--controllers=serviceaccount-token-controller,serviceaccount-controller,namespace-controller,garbage-collector-controller,clusterrole-aggregation-controller,root-ca-certificate-publisher-controller,resourcequota-controller",
        `--service-account-private-key-file=${join(workDir, "sa.key")}`,
        `--root-ca-file=${join(workDir, "ca.crt")}`,
        "--use-service-account-credentials=false",
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${kcmPort}`,
      ],
    });
    started.push(kcm);
    await waitUntilReady(
      kcm,
      () =>
        new Promise<boolean>((resolve) => {
          https
            .get(`https://127.0.0.1:${kcmPort}/healthz`, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
              res.resume();
              resolve(res.statusCode === 200);
            })
            .on("error", () => resolve(false));
        }),
      timeout,
    );

    return {
      server,
      caCert,
      adminToken,
      kubeconfig,
      kubeconfigPath,
      workDir,
      tls: {
        caCertPath: join(workDir, "ca.crt"),
        certPath: join(workDir, "apiserver.crt"),
        keyPath: join(workDir, "apiserver.key"),
      },
      async restartApiServer() {
        await apiServer.kill();
        started.splice(started.indexOf(apiServer), 1);
        apiServer = await startApiServer();
      },
      async stop() {
        await stopAll();
        if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
