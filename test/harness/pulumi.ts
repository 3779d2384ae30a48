// Runs a Pulumi program from test/fixtures through the Automation API with the real CLI, the
// language host built by scripts/tools, and a file backend in a fresh temporary directory.
import { readdirSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ChildProcess, spawn } from "node:child_process";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

export const repoRoot = resolve(__dirname, "..", "..");

/** The directory holding `pulumi`, as found or built by scripts/tools. */
export function pulumiBinDir(): string {
  const dir = process.env.PULUMI_CODEFRESH_PULUMI_BIN_DIR;
  if (!dir) {
    throw new Error("PULUMI_CODEFRESH_PULUMI_BIN_DIR is not set: run the tests with `npm test`, which calls scripts/tools");
  }
  return dir;
}

/** The secrets passphrase of throw-away test stacks; never used for a user's stack. */
const testPassphrase = "pulumi-codefresh-test-only";

export interface TestProgram {
  stack: Stack;
  /** Copy of the fixture the engine runs. */
  workDir: string;
  /** The file backend's root (PULUMI_BACKEND_URL). */
  stateDir: string;
  /** The stack's name (the fixture's project holds it). */
  stackName: string;
  /** The stack's checkpoint, as the file backend stores it. */
  readState(): Promise<StackState>;
  /** The environment to run the `pulumi` CLI on this stack directly (crash tests). */
  cliEnv: NodeJS.ProcessEnv;
  /** Destroys nothing; removes the temporary directories. */
  dispose(): Promise<void>;
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  /** The parent's URN (a component's children). */
  parent?: string;
}

export interface StackState {
  raw: string;
  resources: StateResource[];
}

/**
 * Selects (creating it if new) stack `stackName` of the program in `workDir`, with the real CLI and a file
 * backend in `stateDir`; `env` is added to the engine's environment.
 */
export async function openStack(workDir: string, stateDir: string, stackName: string, env: Record<string, string> = {}) {
  const pulumiCommand = await PulumiCommand.get({ root: dirname(pulumiBinDir()) });
  const envVars = {
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: testPassphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...env,
  };
  await mkdir(stateDir, { recursive: true });
  const stack = await LocalWorkspace.createOrSelectStack({ workDir, stackName }, { envVars, pulumiCommand, pulumiHome: process.env.PULUMI_HOME });
  return { stack, envVars };
}

/**
 * Copies `test/fixtures/<fixture>` to a temporary directory (with node_modules linked to the repo's),
 * and selects a new stack there with `config` set.
 */
export async function testProgram(
  fixture: string,
  config: Record<string, string | { value: string; secret: boolean }> = {},
  options: { stackName?: string } = {},
): Promise<TestProgram> {
  const base = await mkdtemp(join(tmpdir(), `pulumi-${fixture.replace(/\//g, "-")}-`));
  const workDir = await copyFixture(fixture, base);
  const stateDir = join(base, "state");

  const stackName = options.stackName ?? "test";
  const { stack, envVars } = await openStack(workDir, stateDir, stackName);
  for (const [key, value] of Object.entries(config)) {
    const v = typeof value === "string" ? { value, secret: false } : value;
    await stack.setConfig(key, v);
  }

  const projectName = await readProjectName(workDir);
  const statePath = join(stateDir, ".pulumi", "stacks", projectName, `${stackName}.json`);
  return {
    stack,
    stackName,
    workDir,
    stateDir,
    cliEnv: { ...process.env, ...envVars, PATH: `${pulumiBinDir()}:${process.env.PATH}`, PULUMI_HOME: process.env.PULUMI_HOME },
    async readState() {
      const raw = await readFile(statePath, "utf8");
      const parsed = JSON.parse(raw) as { checkpoint?: { latest?: { resources?: StateResource[] } } };
      return { raw, resources: parsed.checkpoint?.latest?.resources ?? [] };
    },
    async dispose() {
      await rm(base, { recursive: true, force: true });
    },
  };
}

/**
 * Copies `test/fixtures/<fixture>` into `base/<fixture>`, links the repo's node_modules beside it and
 * points its tsconfig at a copy of the repo's base config, so it runs outside the repo as a user's would.
 */
export async function copyFixture(fixture: string, base: string): Promise<string> {
  // `examples/<name>` runs a user-facing example; a bare name is a test fixture.
  const source = fixture.includes("/") ? join(repoRoot, fixture) : join(repoRoot, "test", "fixtures", fixture);
  const dir = join(base, fixture.replace(/\//g, "-"));
  await cp(source, dir, { recursive: true });
  await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  await cp(join(repoRoot, "tsconfig.base.json"), join(base, "tsconfig.base.json"));
  await rewriteExtends(join(dir, "tsconfig.json"), "../tsconfig.base.json");
  return dir;
}

async function readProjectName(workDir: string): Promise<string> {
  const yaml = await readFile(join(workDir, "Pulumi.yaml"), "utf8");
  const match = /^name:\s*(\S+)/m.exec(yaml);
  if (!match) throw new Error(`no project name in ${workDir}/Pulumi.yaml`);
  return match[1];
}

async function rewriteExtends(tsconfigPath: string, target: string): Promise<void> {
  const text = await readFile(tsconfigPath, "utf8").catch(() => undefined);
  if (text === undefined) return; // not a TypeScript program (a Pulumi YAML one)
  await writeFile(tsconfigPath, text.replace(/"extends":\s*"[^"]*"/, `"extends": "${target}"`));
}

/**
 * Runs the `pulumi` CLI on a test program's stack, non-interactively. `detached` puts it in its own
 * process group, so a crash test can SIGKILL it whole.
 */
export function runPulumi(
  program: TestProgram,
  args: string[],
  options: { detached?: boolean } = {},
): { child: ChildProcess; exit: Promise<number>; kill(): void } {
  const child = spawn("pulumi", [...args, "--non-interactive", "--stack", program.stackName], {
    cwd: program.workDir,
    env: program.cliEnv,
    detached: options.detached ?? false,
    stdio: "ignore",
  });
  const exit = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  return { child, exit, kill: () => killProcessTree(child.pid) };
}

/**
 * SIGKILLs a process and everything it started, as a machine that dies would. The CLI starts its
 * plugins (language host, dynamic provider) in process groups of their own, and they outlive a kill of
 * the CLI's group alone: their pids are gathered from /proc before anything is killed.
 */
export function killProcessTree(pid: number | undefined): void {
  if (pid === undefined) return;
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (2nd field) may hold spaces; the parent pid follows its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const tree: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  for (const member of tree) {
    for (const target of [-member, member]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // not a group leader, or already gone
      }
    }
  }
}
