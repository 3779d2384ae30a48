// `pulumi-codefresh import` against an account prepared as a user has it (a hosted runtime installed and
// git connected in the UI, git sources made with Codefresh's public operations): the program it writes
// type-checks, its first `pulumi up` adopts everything with zero writes to Codefresh, and the next
// preview shows no changes. And the messages for a bad key and an empty account.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import type { api } from "pulumi-codefresh";
import { accountA, accountB, apiClientFor, connectGitInUi, testEmulator, TestEmulator } from "../harness/emulator";
import { openStack, repoRoot } from "../harness/pulumi";
import { sharedGitServer } from "../harness/shared";

const execFileAsync = promisify(execFile);

/** Runs the package's `pulumi-codefresh` bin (as `npx pulumi-codefresh` would) with `env`; answers its exit code and output. */
async function runImport(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [join(repoRoot, "sdk", "dist", "cli", "main.js"), "import", ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe("pulumi-codefresh import", () => {
  let emulator: TestEmulator;
  let base: string;
  let stack: Stack;
  const org = `import-${process.pid}`;
  const runtime = "codefresh-hosted";

  beforeAll(async () => {
    const gitea = sharedGitServer();
    await gitea.createOrg(org);
    emulator = await testEmulator({ hostedInstallApi: false, gitCaBundle: gitea.caCert, accounts: [accountA, accountB] });
    base = await mkdtemp(join(tmpdir(), "pulumi-import-"));
    await emulator.admin("POST", "ui/hosted-runtime", { account: accountA.name });
    await connectGitInUi(emulator, org);
    const client = apiClientFor(emulator.url, accountA.apiKey);
    const apps = `${gitea.url}/${org}/codefresh-apps.git`;
    const sources: Omit<api.CreateGitSourceInput, "destServer">[] = [
      { appName: "team-a", appSpecifier: `${apps}/team-a`, include: "*.yaml", labels: { team: "a" } },
      { appName: "team-b", appSpecifier: `${apps}/team-b`, exclude: "test/*", labels: { team: "b", "app.kubernetes.io/part-of": "shop" } },
      { appName: "team-c", appSpecifier: `${apps}/team-c`, include: "{a,b}/*.yml", destNamespace: "team-c" },
    ];
    for (const source of sources) await client.createGitSource(runtime, { destServer: "https://kubernetes.default.svc", ...source });
  });
  afterAll(async () => {
    await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
    await emulator?.dispose();
  });

  const env = () => ({ CODEFRESH_API_URL: emulator.url, CODEFRESH_API_KEY: accountA.apiKey });

  test("a bad API key and an empty account each give a clear message, and write nothing", async () => {
    const bad = await runImport(["--out", join(base, "bad")], { ...env(), CODEFRESH_API_KEY: "not-a-key" });
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/refused the API key .*User Settings > API Keys/);
    const empty = await runImport(["--out", join(base, "empty")], { ...env(), CODEFRESH_API_KEY: accountB.apiKey });
    expect(empty.output).toMatch(/account "globex" has no GitOps runtime, so there is nothing to import/);
    const unknown = await runImport(["--out", join(base, "unknown"), "--runtime", "nope"], env());
    expect(unknown.output).toMatch(/has no runtime "nope"; its runtimes: codefresh-hosted/);
  });

  test("writes a program adopting the runtime, the repo and the git sources, with the secret left to the user", async () => {
    const result = await runImport(["--out", join(base, "program")], env());
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/1 HostedRuntime, 1 SharedConfigRepo, 3 GitSource adopted/);
    expect(result.output).toMatch(/pulumi config set --secret gitToken <token>/);
    const program = await readFile(join(base, "program", "index.ts"), "utf8");
    expect(program).toMatch(
      /new codefresh\.HostedRuntime\(\n {2}"codefresh-hosted",\n {2}\{\n {4}name: "codefresh-hosted",\n {4}adopt: true,\n {2}\},\n {2}\{ protect: true \},/,
    );
    expect(program).toContain('"app.kubernetes.io/part-of": "shop"');
    expect(program).toContain('include: "{a,b}/*.yml"');
    expect(program).toContain('Left out: "default-git-source"');
    expect(program).not.toContain(sharedGitServer().adminToken);
  });

  test("the first up adopts everything with zero writes to Codefresh; the next preview shows no changes", async () => {
    const dir = join(base, "program");
    await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
    ({ stack } = await openStack(dir, join(base, "state"), "imported", env()));
    await stack.setConfig("gitToken", { value: sharedGitServer().adminToken, secret: true });
    emulator.resetCounters();
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 6 });
    expect(emulator.counters().writes).toBe(0);
    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ same: 6 });
  });

  test("an edit of the generated program updates only that object; without protect, destroy behaves as documented", async () => {
    const index = join(base, "program", "index.ts");
    const program = await readFile(index, "utf8");
    await writeFile(index, program.replace('include: "*.yaml"', 'include: "*.yml"'));
    const edit = await stack.up();
    expect(edit.summary.resourceChanges).toEqual({ update: 1, same: 5 });
    const client = apiClientFor(emulator.url, accountA.apiKey);
    expect((await client.getGitSource(runtime, "team-a", { maxAgeMs: 0 }))?.include).toBe("*.yml");
    // Hand-made in the UI, the objects are deleted like any other once the program lets go of them.
    await writeFile(index, (await readFile(index, "utf8")).replace("{ protect: true }", "{ protect: false }"));
    await stack.up();
    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(destroy.stdout).toMatch(/SharedConfigRepo: detached/);
    expect(await client.listRuntimes()).toEqual([]);
  });
});
