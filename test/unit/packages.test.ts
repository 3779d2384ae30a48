// What a user installs: each package's tarball (as `npm pack` builds it, the way `npm run pack` does) holds what
// its manifest points at and nothing of the build or the tests; the policy pack's folder works on its own.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

interface PackedFile {
  path: string;
}
interface Packed {
  name: string;
  files: PackedFile[];
}

/** The files `npm pack` would put in each workspace's tarball (built first by the test runner's `tsc -b`). */
function packed(): Map<string, string[]> {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--workspace", "sdk", "--workspace", "emulator"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Map((JSON.parse(output) as Packed[]).map((p) => [p.name, p.files.map((f) => f.path).sort()]));
}

/** Every file a manifest points at: main, types, bin, and each `exports` target without a wildcard. */
function pointedAt(manifest: Record<string, unknown>): string[] {
  const targets: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk([manifest.main, manifest.types, manifest.bin, manifest.exports]);
  return [...new Set(targets.filter((t) => t !== undefined && !t.includes("*")).map((t) => t.replace(/^\.\//, "")))];
}

describe("the packages a user installs", () => {
  const tarballs = packed();

  test.each(["pulumi-codefresh", "pulumi-codefresh-emulator"])("%s holds no build info, no tests and no lock files", (name) => {
    const files = tarballs.get(name) ?? [];
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => /tsbuildinfo|(^|\/)test\/|\.test\.[jt]s$|package-lock\.json|\.tgz$/.test(f))).toEqual([]);
  });

  test.each([
    ["pulumi-codefresh", "sdk"],
    ["pulumi-codefresh-emulator", "emulator"],
  ])("%s holds every file its manifest points at", (name, dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as Record<string, unknown>;
    const files = new Set(tarballs.get(name));
    expect(pointedAt(manifest).filter((target) => !files.has(target))).toEqual([]);
  });

  test("pulumi-codefresh ships what Pulumi's component host reads: its sources, a self-contained tsconfig, PulumiPlugin.yaml", () => {
    const files = tarballs.get("pulumi-codefresh") ?? [];
    expect(files).toEqual(expect.arrayContaining(["PulumiPlugin.yaml", "tsconfig.json", "src/index.ts", "src/components/codefresh-gitops.ts", "LICENSE"]));
    expect(readFileSync(join(root, "sdk", "tsconfig.json"), "utf8")).not.toMatch(/"extends"/);
  });

  test("the policy pack's folder needs nothing outside it: its tsconfig extends nothing, its imports are its dependencies", () => {
    const dir = join(root, "policies");
    expect(readFileSync(join(dir, "tsconfig.json"), "utf8")).not.toMatch(/"extends"/);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies ?? {})]);
    const sources = execFileSync("git", ["ls-files", "*.ts"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
    const imported = new Set<string>();
    for (const source of sources) {
      for (const [, specifier] of readFileSync(join(dir, source), "utf8").matchAll(/from "([^"]+)"/g)) {
        if (specifier === undefined || specifier.startsWith(".")) continue;
        if (specifier.startsWith("node:")) imported.add("@types/node");
        else imported.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? specifier));
      }
    }
    expect([...imported].filter((name) => !declared.has(name))).toEqual([]);
  });
});
