// scripts/tools must use a Pulumi the user already has instead of building one.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../harness/pulumi";

const run = promisify(execFile);

describe("scripts/tools", () => {
  let base: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "tools-test-"));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  test("uses a pulumi v3+ found on PATH and builds nothing", async () => {
    const userBin = join(base, "user-bin");
    const cache = join(base, "cache");
    await mkdir(userBin, { recursive: true });
    const fakePulumi = join(userBin, "pulumi");
    await writeFile(fakePulumi, "#!/bin/sh\necho v3.999.0\n");
    await chmod(fakePulumi, 0o755);

    // Node >= 22 first on PATH (the one running this test), so the bootstrap fetches no Node either.
    const path = [userBin, dirname(process.execPath), process.env.PATH].join(":");
    const { stdout } = await run("bash", [join(repoRoot, "scripts", "tools")], {
      env: { ...process.env, PATH: path, PULUMI_CODEFRESH_CACHE: cache },
    });

    expect(stdout).toMatch(new RegExp(`^pulumi\\s+${fakePulumi} \\(v3\\.999\\.0\\)$`, "m"));
    const cached = await readdir(cache);
    expect(cached.filter((entry) => entry.startsWith("pulumi-v"))).toEqual([]);
  });

  test("prints the pinned CLI version and the language host it built", async () => {
    const { stdout } = await run("bash", [join(repoRoot, "scripts", "tools")], { env: process.env });
    expect(stdout).toMatch(/^pulumi\s+\S+\/pulumi \(v3\.\d+\.\d+\)$/m);
    expect(stdout).toMatch(/^pulumi-language-nodejs\s+\S+\/pulumi-language-nodejs \(v3\.\d+\.\d+\)$/m);
  });
});
