// A real git server on loopback: Gitea (v1.26.0, built from Go modules by scripts/tools) over HTTPS
// with a self-signed certificate, SQLite, no SSH and no registration. Its `/api/v1` answers the
// GitHub-shaped calls the package makes (repos, contents), and its smart HTTP serves real clones and
// pushes, so the git provider code runs against a real forge rather than a mock.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, logTail, ManagedProcess, startProcess, waitUntilReady } from "./process";

const run = promisify(execFile);

export interface LocalGiteaOptions {
  /** Directory with the `gitea` binary (default: $PULUMI_CODEFRESH_GITEA_BIN_DIR). */
  binDir?: string;
  /** The hook client built from scripts/go/gitea-hook (default: $PULUMI_CODEFRESH_GITEA_HOOK). */
  hookBin?: string;
  /** Gitea's module directory (templates, options), used as STATIC_ROOT_PATH (default: $PULUMI_CODEFRESH_GITEA_STATIC_DIR). */
  staticDir?: string;
  /** Where the certificate, app.ini, database, repositories and log go (default: a new temporary directory, removed on stop). */
  workDir?: string;
  /** Readiness deadline in ms (default 60 s). */
  readyTimeoutMs?: number;
}

/** What test code needs to administer a running Gitea; enough to rebuild {@link GiteaAdmin} in another process. */
export interface GiteaConnection {
  /** `https://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** PEM of the self-signed serving certificate; trust it as a CA (GIT_SSL_CAINFO for git, `caBundle` for the SDK). */
  readonly caCert: string;
  readonly adminUser: string;
  /** Secret. */
  readonly adminPassword: string;
  /** An access token of the admin with scopes `all`; secret. */
  readonly adminToken: string;
}

export interface GiteaUser {
  username: string;
  password: string;
  /** A token with scopes `all`. */
  token: string;
}

/** Administrative helpers over Gitea's API, usable from any process that knows the {@link GiteaConnection}. */
export interface GiteaAdmin {
  /** `${url}/api/v1` */
  readonly apiUrl: string;
  /**
   * A new access token for `user` with the given scopes (`all`, `read:repository`, `write:repository`,
   * `write:organization`, …). Works for the admin and for users made by {@link createUser}.
   */
  createToken(user: string, scopes: string[]): Promise<string>;
  /** A new non-admin user with a random password and an `all`-scoped token (it sees only what it is given). */
  createUser(name: string): Promise<GiteaUser>;
  /** A new organisation owned by the admin. */
  createOrg(name: string): Promise<void>;
  /** One API call as the admin (or with `token`); resolves with the status and the parsed JSON body. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }>;
}

export interface LocalGitea extends GiteaConnection, GiteaAdmin {
  readonly caCertPath: string;
  readonly workDir: string;
  /** The configuration file, for `gitea -c <appIni> admin …`. */
  readonly appIni: string;
  readonly logFile: string;
  /** Stops the server and removes a temporary work directory. */
  stop(): Promise<void>;
}

function dirFrom(explicit: string | undefined, variable: string): string {
  const dir = explicit ?? process.env[variable];
  if (!dir) throw new Error(`${variable} is not set: run through scripts/tools (npm test, npm run demo), which builds Gitea`);
  return dir;
}

/** The file that holds the token of Gitea's internal API (INTERNAL_TOKEN_URI). */
function internalTokenFile(workDir: string): string {
  return join(workDir, "internal-token");
}

/** Where Gitea's git looks for the server hooks of every repository (`core.hooksPath`). */
function hooksDir(workDir: string): string {
  return join(workDir, "hooks");
}

const shellQuote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

/** What the server hooks need to reach Gitea's internal hook API. */
interface HookSettings {
  /** The hook client (scripts/go/gitea-hook, built by scripts/tools). */
  hookBin: string;
  /** Gitea's own binary, for the hooks the client does not cover. */
  giteaBin: string;
  appIni: string;
  /** LOCAL_ROOT_URL: where Gitea's hooks send their requests. */
  localUrl: string;
  /** The file behind INTERNAL_TOKEN_URI. */
  tokenFile: string;
}

/**
 * The server hooks of every repository, by name. Gitea's own (modules/gitrepo/hooks.go) are a shell loop per
 * hook that starts `gitea hook pre-receive`, `update` and `post-receive`: three starts of a 100 MB Go binary
 * per push, each ~100 ms of CPU here, only to pass the pushed refs to Gitea's internal hook API. The pre- and
 * post-receive hooks here run a small client that sends the same requests (scripts/go/gitea-hook), so Gitea
 * still checks each push (branch protection) and keeps its own data (sizes, commit counts, branches) current.
 * Gitea's update hook does nothing but refuse pushes to `refs/pull/<n>/…` other than its own (cmd/hook.go,
 * runHookUpdate); this one does the same in sh. proc-receive (AGit pushes to refs/for/…, unused here) stays
 * Gitea's own.
 */
function giteaHooks(settings: HookSettings): Record<string, string> {
  const client = (name: string) =>
    `#!/bin/sh\nexec ${shellQuote(settings.hookBin)} --url ${shellQuote(settings.localUrl)} --token-file ${shellQuote(settings.tokenFile)} ${name}\n`;
  return {
    "pre-receive": client("pre-receive"),
    "post-receive": client("post-receive"),
    "proc-receive": `#!/bin/sh\nGOGC=off exec ${shellQuote(settings.giteaBin)} hook --config=${shellQuote(settings.appIni)} proc-receive\n`,
    update: [
      "#!/bin/sh",
      "# Gitea's own pushes (GITEA_INTERNAL_PUSH) may write refs/pull; nobody else may.",
      'case "$GITEA_INTERNAL_PUSH" in 1 | t | T | true | TRUE | True) exit 0 ;; esac',
      'case "$1" in refs/pull/*/*) exit 1 ;; esac',
      "exit 0",
      "",
    ].join("\n"),
  };
}

async function writeHooks(workDir: string, settings: HookSettings): Promise<void> {
  await mkdir(hooksDir(workDir), { recursive: true });
  for (const [name, script] of Object.entries(giteaHooks(settings))) {
    await writeFile(join(hooksDir(workDir), name), script);
    await chmod(join(hooksDir(workDir), name), 0o755);
  }
}

/** The internal token Gitea and its hooks share (INTERNAL_TOKEN_URI): kept across restarts of the same work directory. */
async function internalToken(tokenFile: string): Promise<void> {
  const existing = await readFile(tokenFile, "utf8").catch(() => "");
  if (existing.trim() === "") await writeFile(tokenFile, randomBytes(32).toString("hex"), { mode: 0o600 });
}

/** app.ini for a loopback-only, offline, HTTPS Gitea with a SQLite database under `workDir`. */
export function giteaAppIni(options: { workDir: string; port: number; staticDir: string; runningAsRoot: boolean }): string {
  const { workDir, port, staticDir } = options;
  return [
    "RUN_MODE = prod",
    `WORK_PATH = ${workDir}`,
    ...(options.runningAsRoot ? ["I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true"] : []),
    "",
    "[server]",
    "PROTOCOL = https",
    "HTTP_ADDR = 127.0.0.1",
    `HTTP_PORT = ${port}`,
    `ROOT_URL = https://127.0.0.1:${port}/`,
    `CERT_FILE = ${join(workDir, "cert.pem")}`,
    `KEY_FILE = ${join(workDir, "key.pem")}`,
    `STATIC_ROOT_PATH = ${staticDir}`,
    "DISABLE_SSH = true",
    "OFFLINE_MODE = true",
    "LFS_START_SERVER = false",
    "",
    "[database]",
    "DB_TYPE = sqlite3",
    `PATH = ${join(workDir, "data", "gitea.db")}`,
    "",
    "[repository]",
    `ROOT = ${join(workDir, "repos")}`,
    "DEFAULT_BRANCH = main",
    "",
    "[security]",
    "INSTALL_LOCK = true",
    // Read by Gitea and by the hook client (scripts/go/gitea-hook).
    `INTERNAL_TOKEN_URI = file:${internalTokenFile(workDir)}`,
    "",
    "[service]",
    "DISABLE_REGISTRATION = true",
    "",
    "[log]",
    "LEVEL = Warn",
    "",
    "[git.config]",
    // Gitea writes these into its own git configuration: every repository runs the hooks of giteaHooks.
    `core.hooksPath = ${hooksDir(workDir)}`,
    "",
  ].join("\n");
}

interface Reply {
  status: number;
  body: unknown;
}

function request(url: string, ca: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(
      url,
      {
        method,
        ca,
        timeout: 15_000,
        headers: {
          accept: "application/json",
          ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: timeout`)));
    req.on("error", reject);
    req.end(payload);
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** The admin helpers for a running Gitea (in the process that started it or in a test worker). */
export function giteaAdmin(connection: GiteaConnection): GiteaAdmin {
  const apiUrl = `${connection.url}/api/v1`;
  // Passwords of the users this process made, so their tokens can be minted through the API.
  const passwords = new Map<string, string>([[connection.adminUser, connection.adminPassword]]);
  let tokenCounter = 0;

  const api = (method: string, path: string, body?: unknown, token = connection.adminToken) =>
    request(`${apiUrl}${path}`, connection.caCert, method, { authorization: `token ${token}` }, body);

  const expect = (reply: Reply, ok: number[], what: string): void => {
    if (!ok.includes(reply.status)) throw new Error(`gitea: ${what} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  };

  async function createToken(user: string, scopes: string[]): Promise<string> {
    const name = `t-${process.pid}-${Date.now()}-${++tokenCounter}`;
    const password = passwords.get(user);
    // Token creation needs basic auth; the admin's basic auth may mint tokens for any user.
    const auth = password === undefined ? basic(connection.adminUser, connection.adminPassword) : basic(user, password);
    const reply = await request(`${apiUrl}/users/${encodeURIComponent(user)}/tokens`, connection.caCert, "POST", { authorization: auth }, { name, scopes });
    expect(reply, [201], `creating a token for ${user}`);
    const sha1 = (reply.body as { sha1?: string }).sha1;
    if (!sha1) throw new Error(`gitea: no token in the answer for ${user}`);
    return sha1;
  }

  return {
    apiUrl,
    api,
    createToken,
    async createUser(name) {
      const password = `P-${randomBytes(12).toString("hex")}`;
      const reply = await api("POST", "/admin/users", {
        username: name,
        email: `${name}@example.invalid`,
        password,
        must_change_password: false,
        send_notify: false,
      });
      expect(reply, [201], `creating user ${name}`);
      passwords.set(name, password);
      return { username: name, password, token: await createToken(name, ["all"]) };
    },
    async createOrg(name) {
      expect(await api("POST", "/orgs", { username: name, visibility: "public" }), [201], `creating org ${name}`);
    },
  };
}

async function gitea(bin: string, cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await run(join(bin, "gitea"), args, { cwd, env, maxBuffer: 10 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    // No `cause`: the exec error's command line carries the admin password.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(
      `gitea ${args
        .filter((a) => !a.startsWith("--password"))
        .slice(0, 4)
        .join(" ")} failed: ${e.message}\n${e.stderr ?? ""}${e.stdout ?? ""}`,
    );
  }
}

export async function startGitea(options: LocalGiteaOptions = {}): Promise<LocalGitea> {
  const bin = dirFrom(options.binDir, "PULUMI_CODEFRESH_GITEA_BIN_DIR");
  const staticDir = dirFrom(options.staticDir, "PULUMI_CODEFRESH_GITEA_STATIC_DIR");
  const hookBin = dirFrom(options.hookBin, "PULUMI_CODEFRESH_GITEA_HOOK");
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), "local-gitea-")));
  await mkdir(join(workDir, "data"), { recursive: true });
  const timeout = options.readyTimeoutMs ?? 60_000;
  // Gitea keeps its own git configuration under WORK_PATH; HOME there keeps the user's ~/.gitconfig out.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: workDir, GITEA_WORK_DIR: workDir, USER: process.env.USER ?? "root" };
  const appIni = join(workDir, "app.ini");
  const logFile = join(workDir, "gitea.log");
  const runningAsRoot = process.getuid?.() === 0;

  try {
    await internalToken(internalTokenFile(workDir));
    await gitea(bin, workDir, ["cert", "--host", "127.0.0.1,localhost"], env);
    const caCertPath = join(workDir, "cert.pem");
    const caCert = await readFile(caCertPath, "utf8");

    // The port is free when asked for, but can be taken before Gitea binds it: then start again.
    let proc: ManagedProcess | undefined;
    let port = 0;
    let adminUser = "";
    let adminPassword = "";
    let adminToken = "";
    for (let attempt = 1; proc === undefined; attempt++) {
      port = await freePort();
      await writeFile(appIni, giteaAppIni({ workDir, port, staticDir, runningAsRoot }));
      const localUrl = `https://127.0.0.1:${port}/`;
      await writeHooks(workDir, { hookBin, giteaBin: join(bin, "gitea"), appIni, localUrl, tokenFile: internalTokenFile(workDir) });
      if (attempt === 1) {
        await gitea(bin, workDir, ["-c", appIni, "migrate"], env);
        adminUser = "gitea-admin";
        adminPassword = `A-${randomBytes(12).toString("hex")}`;
        await gitea(
          bin,
          workDir,
          [
            "-c",
            appIni,
            "admin",
            "user",
            "create",
            "--admin",
            "--username",
            adminUser,
            "--password",
            adminPassword,
            "--email",
            "gitea-admin@example.invalid",
            "--must-change-password=false",
          ],
          env,
        );
        const out = await gitea(
          bin,
          workDir,
          ["-c", appIni, "admin", "user", "generate-access-token", "--username", adminUser, "--token-name", "harness-admin", "--scopes", "all", "--raw"],
          env,
        );
        adminToken = out.trim().split("\n").pop()?.trim() ?? "";
        if (!/^[0-9a-f]{40}$/.test(adminToken)) throw new Error("gitea: generate-access-token printed no token");
      }
      const candidate = startProcess({ name: "gitea", command: join(bin, "gitea"), args: ["-c", appIni, "web"], logFile, env, cwd: workDir });
      try {
        await waitUntilReady(candidate, async () => (await request(`https://127.0.0.1:${port}/api/v1/version`, caCert, "GET", {})).status === 200, timeout);
        proc = candidate;
      } catch (error) {
        await candidate.stop(2_000);
        if (attempt < 3 && /address already in use/i.test(logTail(logFile, 50))) continue;
        throw error;
      }
    }

    const url = `https://127.0.0.1:${port}`;
    const admin = giteaAdmin({ url, caCert, adminUser, adminPassword, adminToken });
    const running = proc;
    return {
      ...admin,
      url,
      caCert,
      caCertPath,
      adminUser,
      adminPassword,
      adminToken,
      workDir,
      appIni,
      logFile,
      async stop() {
        await running.stop();
        if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
