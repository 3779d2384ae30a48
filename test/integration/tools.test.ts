// scripts/tools must use a Pulumi the user already has instead of building one.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
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
    // Everything but Pulumi comes from the harness's cache, as it would on a machine that built them before: the
    // bootstrap then has nothing to build but what this test is about (linking them again cost minutes per run).
    await mkdir(cache, { recursive: true });
    const built = process.env.PULUMI_CODEFRESH_CACHE;
    if (built) {
      for (const entry of await readdir(built)) {
        if (!entry.startsWith("pulumi-v") && !entry.startsWith(".") && entry !== "pulumi-home") await symlink(join(built, entry), join(cache, entry));
      }
    }

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
