// Registering a resource makes Pulumi create four promises per property, each capturing a stack trace
// for its leak report; our constructors turn that capture off (sdk/src/resources/spec.ts,
// specResource) because mapping those traces through source maps dominated a large preview's CPU.
// Mocked engine (a fast unit test; the bench and the end-to-end tests run the real one), in a child Node
// process: Pulumi's closure serializer needs Node's own module system, not jest's.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

const repoRoot = resolve(__dirname, "..", "..");

interface Observed {
  limitBefore: number;
  types: { type: string; limitAfter: number; debugStack: string | undefined }[];
  limitAfterThrow: number;
  threw: boolean;
  ordinaryStackLines: number;
}

function observe(): Observed {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, "project", "stack", false);
    const cf = require("pulumi-codefresh");
    const limitBefore = Error.stackTraceLimit;
    const make = {
      HostedRuntime: () => new cf.HostedRuntime("hosted", {}),
      SharedConfigRepo: () => new cf.SharedConfigRepo("isc", { runtime: "rt", gitProvider: "GITHUB", repoUrl: "https://github.com/acme/isc.git", gitToken: pulumi.secret("t") }),
      GitSource: () => new cf.GitSource("apps", { runtime: "rt", repoUrl: "https://github.com/acme/apps.git" }),
      ManagedCluster: () => new cf.ManagedCluster("prod", { runtime: "rt", kubeconfigPath: "/nonexistent/kubeconfig" }),
    };
    const { leakedPromises } = require("@pulumi/pulumi/runtime/debuggable");
    const types = Object.entries(make).map(([type, construct]) => {
      construct();
      // The promises Pulumi just made for the resource's properties are still pending: its leak candidates.
      const pending = [...leakedPromises()[0]].filter((p) => String(p._debugCtx).startsWith("transferProperty(") && String(p._debugCtx).includes(type));
      const stacks = [...new Set(pending.map((p) => p._debugStackTrace))];
      return { type, limitAfter: Error.stackTraceLimit, debugStack: pending.length > 0 && stacks.length === 1 ? stacks[0] : JSON.stringify({ count: pending.length, stacks }) };
    });
    let threw = false;
    try { new cf.GitSource("bad", null); } catch { threw = true; }
    const limitAfterThrow = Error.stackTraceLimit;
    process.stdout.write(JSON.stringify({ limitBefore, types, limitAfterThrow, threw, ordinaryStackLines: new Error().stack.split("\\n").length }));
    setTimeout(() => process.exit(0), 100);`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8" })) as Observed;
}

test("each resource registers without capturing stacks for its property promises, and restores the limit after", () => {
  const observed = observe();
  expect(observed.types.map((t) => t.type)).toEqual(["HostedRuntime", "SharedConfigRepo", "GitSource", "ManagedCluster"]);
  for (const { limitAfter, debugStack } of observed.types) {
    expect(debugStack).toBe("Error"); // the message line only: no frame captured, nothing source-mapped
    expect(limitAfter).toBe(observed.limitBefore);
  }
  // The limit is restored even when registration throws, and ordinary errors keep their frames.
  expect(observed.threw).toBe(true);
  expect(observed.limitAfterThrow).toBe(observed.limitBefore);
  expect(observed.ordinaryStackLines).toBeGreaterThan(1);
});
