// The README's "Use it in your own project", executed: every fenced block marked `walkthrough` runs, in order, in
// one shell, in an empty directory outside the repository, as a new user would type it (`sh walkthrough` blocks are
// run; `<lang> walkthrough FILE` blocks are written to FILE at that point). A block that fails fails the test, so
// the README cannot drift from what works.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../harness/pulumi";

interface Block {
  /** Its line in the README, for the failure message. */
  line: number;
  lang: string;
  /** Where a file block is written; undefined for a block that is run. */
  file: string | undefined;
  body: string;
}

/** The README's walkthrough blocks of the section `heading`, in order. */
function walkthroughBlocks(readme: string, heading: string): Block[] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const firstLine = readme.slice(0, start).split("\n").length + 1;
  return [...section.matchAll(/^```(\w+) walkthrough(?: (\S+))?\n([\s\S]*?)^```$/gm)].map((match) => ({
    line: firstLine + section.slice(0, match.index).split("\n").length - 1,
    lang: match[1] ?? "",
    file: match[2],
    body: match[3] ?? "",
  }));
}

/** One bash script of the blocks: each announced by a marker line, so the output tells which block failed. */
function scriptOf(blocks: Block[]): string {
  const parts = blocks.map((block, i) => {
    const marker = `echo "::walkthrough block ${i + 1} (README line ${block.line})"`;
    if (block.file === undefined) return `${marker}\n${block.body}`;
    return `${marker}\ncat > ${JSON.stringify(block.file)} <<'WALKTHROUGH_END_OF_FILE'\n${block.body}WALKTHROUGH_END_OF_FILE`;
  });
  return ["set -euo pipefail", ...parts, 'echo "::walkthrough done"', ""].join("\n");
}

/** The environment of a new user's shell: the tools on PATH, none of the test harness's Codefresh or Pulumi settings. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_CODEFRESH: repoRoot };
  for (const name of Object.keys(env)) {
    if (/^(CODEFRESH_|CF_|PULUMI_BACKEND_URL$|PULUMI_CONFIG_PASSPHRASE|PULUMI_STACK$|KUBECONFIG$|npm_)/.test(name)) delete env[name];
  }
  return env;
}

describe("README: Use it in your own project", () => {
  const dir = mkdtempSync(join(tmpdir(), "pulumi-codefresh-walkthrough-"));
  const blocks = walkthroughBlocks(readFileSync(join(repoRoot, "README.md"), "utf8"), "Use it in your own project");

  afterAll(() => {
    // A failed run may leave the local stack running: stop it the way the README does.
    if (existsSync(join(dir, ".codefresh-local", "stack.json"))) {
      spawnSync(process.execPath, [join(repoRoot, "emulator", "dist", "local-stack-cli.js"), "--dir", join(dir, ".codefresh-local"), "--stop"], {
        stdio: "ignore",
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("marks the steps from install to destroy as executable", () => {
    const run = blocks.filter((b) => b.file === undefined).map((b) => b.body);
    expect(blocks.filter((b) => b.file !== undefined).map((b) => b.file)).toEqual(["Pulumi.yaml", "index.ts"]);
    for (const step of ["run pack", "npm install", "--detach", "pulumi up", "--expect-no-changes", "--policy-pack", "pulumi destroy", "--stop"]) {
      expect(run.some((body) => body.includes(step))).toBe(true);
    }
  });

  test("every marked block runs, in order, from an empty directory outside the repository", async () => {
    const script = scriptOf(blocks);
    const child = spawn("bash", ["-c", script], { cwd: dir, env: userEnvironment(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const reached = [...output.matchAll(/^::walkthrough (block \d+ \(README line \d+\)|done)$/gm)].map((m) => m[1]);
    if (code !== 0) throw new Error(`the walkthrough stopped in ${reached.at(-1) ?? "its first block"} (exit ${code}):\n${output.slice(-6000)}`);
    expect(reached).toHaveLength(blocks.length + 1);
    // What the README says each step shows.
    expect(output).toMatch(/CODEFRESH_API_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/CODEFRESH_API_KEY=<secret, in env\.sh>/);
    expect(output).toMatch(/\[advisory\]\s+public-cluster-endpoint/); // the pack ran: the local cluster is on loopback
    expect(output).toMatch(/codefresh-local-stack: stopped/);
    // The local stack's key never reaches the output; the stack is gone.
    expect(output).not.toMatch(/cf-local-[0-9a-f]{32}/);
    expect(existsSync(join(dir, ".codefresh-local", "stack.json"))).toBe(false);
  });
});
