// Starts a Codefresh emulator for one test file: in-process (fast) or as the real CLI in its own
// process group (for kill -9 and restart tests). Data lives in a temporary directory.
import { ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmulatorOptions, RunningEmulator, startEmulator } from "pulumi-codefresh-emulator";
import { CodefreshClient, resolveConfig } from "pulumi-codefresh";
import { repoRoot } from "./pulumi";
import { sharedGitServer } from "./shared";

export interface TestAccount {
  name: string;
  apiKey: string;
}

export const accountA: TestAccount = { name: "acme", apiKey: "cf-test-key-acme-0123456789abcdef" };
export const accountB: TestAccount = { name: "globex", apiKey: "cf-test-key-globex-fedcba9876543210" };

/** The package's Codefresh client for `apiKey` at `url` (2 s per attempt, back-off capped at 2 s), config as a user sets it. */
export function apiClientFor(
  url: string,
  apiKey: string,
  overrides: Record<string, string> = {},
  onRetry?: (info: { operation: string; delayMs: number }) => void,
) {
  const values: Record<string, string> = { "codefresh:apiUrl": url, "codefresh:apiKey": apiKey, "codefresh:requestTimeoutMs": "2000", ...overrides };
  return new CodefreshClient({ config: resolveConfig({ get: (k) => values[k] }, {}), onRetry, maxDelayMs: 2_000 });
}

export interface TestEmulator extends RunningEmulator {
  dataDir: string;
  /** Calls an admin endpoint. */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Posts a GraphQL document to the platform API with `apiKey`; returns status and parsed body. */
  graphql(apiKey: string | undefined, query: string, variables?: Record<string, unknown>, url?: string): Promise<{ status: number; body: GraphqlBody }>;
  dispose(): Promise<void>;
}

export interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  error?: string;
}

/** The tests' key for secrets at rest: one for every emulator, so a restart on the same data reads them back. */
export const testSecretKey = "pulumi-codefresh tests: emulator secret key";

export async function testEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "cf-emulator-")));
  const emulator = await startEmulator({
    accounts: [accountA, accountB],
    secretKey: testSecretKey,
    installDelayMs: 0,
    deleteDelayMs: 0,
    gitSourceDelayMs: 0,
    ...options,
    dataDir,
  });
  return {
    ...emulator,
    dataDir,
    admin: (method, path, body) => adminCall(emulator.url, method, path, body),
    graphql: (apiKey, query, variables, url) => graphqlCall(url ?? `${emulator.url}/2.0/api/graphql`, apiKey, query, variables),
    async dispose() {
      await emulator.stop();
      // An operation a late fault held may still be writing its clone: rm retries a directory that filled meanwhile.
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}

export async function adminCall<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}/_emulator/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function graphqlCall(url: string, apiKey: string | undefined, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(apiKey === undefined ? {} : { authorization: apiKey }) },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  return { status: response.status, body: (await response.json()) as GraphqlBody };
}

/**
 * What a user does by hand in the Codefresh UI's "Connect Git provider" step, against the shared Gitea:
 * the account's Shared Configuration Repository and Git Source repo are created in `org`.
 */
export async function connectGitInUi(emulator: TestEmulator, org: string, account: TestAccount = accountA): Promise<void> {
  const gitea = sharedGitServer();
  await emulator.admin("POST", "ui/connect-git", {
    account: account.name,
    provider: "GITHUB",
    apiUrl: gitea.apiUrl,
    token: gitea.adminToken,
    suggestedIscRepo: `${gitea.url}/${org}/codefresh-isc.git`,
    suggestedGsRepo: `${gitea.url}/${org}/codefresh-apps.git`,
  });
}

/**
 * A hybrid runtime as a user gets it: the account's GitOps settings made in the Codefresh UI before the first
 * install (against the shared Gitea, Shared Configuration Repository `<org>/codefresh-isc.git`), then the runtime
 * registered as the gitops-runtime Helm chart's app-proxy registers it (`createRuntime`, installationType HELM,
 * tunnel access). Its git integration and the user's token are left to the program, as after a Helm install.
 */
export async function installHybridRuntime(emulator: TestEmulator, name: string, org: string, account: TestAccount = accountA): Promise<void> {
  const gitea = sharedGitServer();
  const settings = await emulator.graphql(
    account.apiKey,
    "mutation Settings($repo: String!, $api: String!) { updateCsdpSettings(gitProvider: GITHUB, gitApiUrl: $api, sharedConfigRepo: $repo) }",
    { repo: `${gitea.url}/${org}/codefresh-isc.git`, api: gitea.apiUrl },
  );
  const created = await emulator.graphql(
    account.apiKey,
    "mutation CreateRuntime($args: RuntimeInstallationArgs!) { createRuntime(installationArgs: $args) { name newAccessToken } }",
    {
      args: {
        runtimeName: name,
        cluster: "https://kubernetes.default.svc",
        runtimeVersion: "0.1.72",
        componentNames: ["app-proxy", "argocd", "events-reporter"],
        installationType: "HELM",
        managed: false,
      },
    },
  );
  const errors = [...(settings.body.errors ?? []), ...(created.body.errors ?? [])];
  if (errors.length > 0) throw new Error(`installHybridRuntime ${name}: ${errors.map((e) => e.message).join("; ")}`);
}

export interface EmulatorProcess {
  url: string;
  child: ChildProcess;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Emulators started by this test file and still running; {@link stopSpawnedEmulators} ends them. */
const spawned = new Set<ChildProcess>();

/** Ends every emulator this file started and did not stop (a failed test must not leave one running). */
export function stopSpawnedEmulators(): void {
  for (const child of spawned) signalGroup(child, "SIGKILL");
  spawned.clear();
}

/** Signals a detached child's process group while the child runs. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    // gone meanwhile
  }
}

export async function spawnEmulatorCli(args: string[]): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [join(repoRoot, "emulator", "dist", "cli.js"), ...args], {
    env: { ...process.env, CODEFRESH_EMULATOR_SECRET_KEY: testSecretKey },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  spawned.add(child);
  child.once("exit", () => spawned.delete(child));
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${output}`)), 15_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*\nready/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code}): ${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    child,
    async kill(signal) {
      signalGroup(child, signal);
      await exited;
    },
  };
}
