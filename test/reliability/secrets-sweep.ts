// The secrets check every reliability scenario ends with: each secret it used (the API key, git tokens,
// cluster tokens and the kubeconfig's credentials), in plain text and in base64, must be absent from
// everything the run left: CLI output, the stack's state files (checkpoints, history, backups), Pulumi's
// logs, the emulator's data dir and request log, a program `import` wrote, and every commit of every repo
// in the stack's git org.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { accountA } from "../harness/emulator";
import type { TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";
import { record } from "./report";

const run = promisify(execFile);

export interface SweptPlaces {
  /** CLI output and error messages. */
  texts?: Record<string, string>;
  /** Directories whose every file is read (state dir, emulator data dir, an imported program). */
  dirs?: string[];
  /** Git orgs on the shared Gitea whose every repo's full history (all refs, every diff and message) is read. */
  gitOrgs?: string[];
}

/** Every file under `dir` (none when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
  return nested.flat();
}

/** Each repo of `org`: its whole history as text (`git log -p --all`, messages, authors, diffs). */
async function historiesOf(org: string): Promise<[string, string][]> {
  const gitea = sharedGitServer();
  const listed = await gitea.api("GET", `/orgs/${org}/repos?limit=50`);
  const repos = listed.status === 200 ? (listed.body as { name: string }[]).map((r) => r.name) : [];
  const work = await mkdtemp(join(tmpdir(), "secret-sweep-"));
  const env = { ...process.env, GIT_SSL_CAINFO: gitea.caCertPath, GIT_TERMINAL_PROMPT: "0" };
  // The token goes in a header for this command only: never in a URL, a remote or the clone's config.
  const auth = ["-c", `http.extraHeader=Authorization: token ${gitea.adminToken}`];
  try {
    return await Promise.all(
      repos.map(async (name): Promise<[string, string]> => {
        const into = join(work, name);
        await run("git", [...auth, "clone", "--quiet", "--mirror", `${gitea.url}/${org}/${name}.git`, into], { env });
        const { stdout } = await run("git", ["-C", into, "log", "-p", "--all", "--format=%H %an <%ae> %cn <%ce>%n%B"], { env, maxBuffer: 256 << 20 });
        return [`${org}/${name} (every commit)`, stdout];
      }),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Where any of `secrets` appears, in plain text or base64: one line per finding, none when clean. */
export async function secretLeaks(secrets: string[], places: SweptPlaces): Promise<string[]> {
  const texts: [string, string][] = Object.entries(places.texts ?? {});
  for (const dir of places.dirs ?? []) {
    for (const file of await filesUnder(dir)) texts.push([file, await readFile(file, "latin1").catch(() => "")]);
  }
  // Provider and engine logs Pulumi keeps under PULUMI_HOME.
  const home = process.env.PULUMI_HOME;
  if (home) for (const file of await filesUnder(join(home, "logs"))) texts.push([file, await readFile(file, "utf8").catch(() => "")]);
  for (const org of places.gitOrgs ?? []) texts.push(...(await historiesOf(org)));
  const findings: string[] = [];
  for (const [index, secret] of secrets.entries()) {
    if (secret.length < 8) throw new Error(`secret #${index} is too short to search for`);
    for (const [form, encoded] of [
      ["plain", secret],
      ["base64", Buffer.from(secret).toString("base64")],
    ] as const) {
      for (const [where, text] of texts) if (text.includes(encoded)) findings.push(`secret #${index} (${form}) in ${where}`);
    }
  }
  return findings;
}

/** The sweep a scenario ends with: records it (and any leak) for the report, and fails on a leak. */
export async function expectNoSecretLeaks(secrets: string[], places: SweptPlaces): Promise<void> {
  const leaks = await secretLeaks(secrets, places);
  for (const leak of leaks) console.error(leak);
  record({ secretLeaks: leaks.length, secretSweeps: 1 });
  expect(leaks).toEqual([]);
}

/**
 * The sweep of a reliability stack (scenario.ts): the account's API key, the git token, the cluster's admin
 * token and any `more`, in its state files, the emulator's data dir and every commit of its git org.
 */
export async function expectStackClean(program: TestProgram, emulatorDataDir: string, more: string[] = []): Promise<void> {
  const secrets = [accountA.apiKey, sharedGitServer().adminToken, sharedCluster().adminToken, ...more];
  await expectNoSecretLeaks(secrets, { dirs: [program.stateDir, emulatorDataDir], gitOrgs: [(await program.stack.getConfig("gitOrg")).value] });
}
