// A whole local Codefresh set-up in one call: a Kubernetes control plane, Gitea with an organisation,
// and the Codefresh emulator trusting Gitea's certificate. Used by `npm run demo` (through
// codefresh-local-stack) and available to users' own CI.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SecretBox } from "../secret-box";
import { startEmulator, RunningEmulator } from "../server";
import { LocalGitea, startGitea } from "./gitea";
import { LocalKubernetes, startKubernetes } from "./kubernetes";

export interface LocalStackOptions {
  /** Directory for every server's data. */
  dir: string;
  /** The Codefresh account to create (default `demo` with a random key). */
  account?: { name: string; apiKey: string };
  /** Gitea organisation for the repos (default `demo`). */
  gitOrg?: string;
  /** Port of the emulator (default: a free one). */
  emulatorPort?: number;
}

/** Everything a program needs to use the local stack; secrets marked. */
export interface LocalStackInfo {
  codefresh: { apiUrl: string; accountName: string; /** secret */ apiKey: string };
  git: { url: string; apiUrl: string; org: string; caCertPath: string; /** secret */ token: string };
  kubernetes: { server: string; kubeconfigPath: string };
}

export interface LocalStack {
  readonly info: LocalStackInfo;
  readonly kube: LocalKubernetes;
  readonly gitea: LocalGitea;
  readonly emulator: RunningEmulator;
  stop(): Promise<void>;
}

/** The emulator's key for secrets at rest, beside (never inside) its data directory: made once, then reused. */
async function localSecretKey(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const key = SecretBox.generateKey();
    await writeFile(file, key, { mode: 0o600, flag: "wx" });
    return key;
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const account = options.account ?? { name: "demo", apiKey: `cf-local-${randomBytes(16).toString("hex")}` };
  const org = options.gitOrg ?? "demo";
  const [kube, gitea] = await Promise.all([startKubernetes({ workDir: join(options.dir, "kubernetes") }), startGitea({ workDir: join(options.dir, "gitea") })]);
  let emulator: RunningEmulator | undefined;
  try {
    await gitea.createOrg(org);
    emulator = await startEmulator({
      dataDir: join(options.dir, "emulator"),
      secretKey: await localSecretKey(join(options.dir, "emulator-secret.key")),
      port: options.emulatorPort,
      accounts: [account],
      gitCaBundle: gitea.caCert,
      installDelayMs: 3_000,
      deleteDelayMs: 2_000,
      gitSourceDelayMs: 500,
    });
  } catch (error) {
    await Promise.allSettled([kube.stop(), gitea.stop()]);
    throw error;
  }
  const running = emulator;
  return {
    kube,
    gitea,
    emulator: running,
    info: {
      codefresh: { apiUrl: running.url, accountName: account.name, apiKey: account.apiKey },
      git: { url: gitea.url, apiUrl: gitea.apiUrl, org, caCertPath: gitea.caCertPath, token: gitea.adminToken },
      kubernetes: { server: kube.server, kubeconfigPath: kube.kubeconfigPath },
    },
    async stop() {
      await running.stop();
      await Promise.allSettled([gitea.stop(), kube.stop()]);
    },
  };
}
