// What an npm-installed package puts in state per resource: with pulumi-codefresh under node_modules (a
// copy, as `npm install` leaves it, not the workspace's symlink to sdk/), Pulumi's closure serializer
// must store each resource's provider as a require of its shim module — a few hundred bytes that do not
// grow with the package — and that text must load the real implementation when the provider runs it.
// Runs in a child Node process: the serializer looks modules up in Node's require.cache, not jest's.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repoRoot = resolve(__dirname, "..", "..");
const shims = ["hosted-runtime", "shared-config-repo", "git-source", "managed-cluster"];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "installed-sdk-"));
  execFileSync(process.execPath, [join(repoRoot, "scripts", "install-like-a-user.mjs"), dir]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Serializes the provider as dynamic.Resource does, then loads it back as the provider process does. */
function serializeInstalled(shim: string): { text: string; methods: string[]; checkFailures: unknown } {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    const provider = require("pulumi-codefresh/dist/resources/shims/${shim}");
    (async () => {
      const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
      const loaded = new module.constructor(__filename);
      loaded.paths = module.paths;
      loaded._compile(text, __filename);
      const revived = loaded.exports.handler();
      const methods = Object.keys(revived).filter((k) => typeof revived[k] === "function").sort();
      const checked = await revived.check({}, {});
      process.stdout.write(JSON.stringify({ text, methods, checkFailures: checked.failures }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const file = join(dir, `serialize-${shim}.js`);
  writeFileSync(file, script);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8" })) as { text: string; methods: string[]; checkFailures: unknown };
}

test.each(shims)("%s: stored as a require of its shim module, under 400 bytes, and it loads the implementation", (shim) => {
  const { text, methods, checkFailures } = serializeInstalled(shim);
  expect(text).toContain(`require("pulumi-codefresh/dist/resources/shims/${shim}.js")`);
  expect(text.length).toBeLessThan(400);
  expect(text).not.toContain("get(key)"); // none of the shim's body, let alone the implementation
  expect(methods).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
  // The revived provider reached the real check: empty inputs fail on named fields.
  expect(Array.isArray(checkFailures) && checkFailures.length > 0).toBe(true);
  expect(JSON.stringify(checkFailures)).toMatch(/"property":"(runtime|name)"/);
});
