// The emulator's fault registry (emulator/src/faults.ts) is the one list of fault kinds: every registered
// kind parses from the CLI's spec syntax, fires its hook with the effect it promises, and appears in the
// CLI's usage and in the README's table. A kind added to the registry without an expectation here fails.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { callerOf, FaultKind, faultKindRegistry, faultKinds, parseFaultSpec } from "pulumi-codefresh-emulator";
import { accountA, testEmulator, TestEmulator } from "../harness/emulator";
import { repoRoot } from "../harness/pulumi";

/** What one `query { me { id } }` meets when a rule of the kind fires (`status` 0: the connection closed). */
type Expected = { status: number; retryAfter?: string | null; graphqlError?: boolean };

const requestFaults: Partial<Record<FaultKind, Expected>> = {
  "429": { status: 429, retryAfter: "1" },
  "500": { status: 500, retryAfter: null },
  "502": { status: 502, retryAfter: null },
  "503": { status: 503, retryAfter: null },
  "504": { status: 504, retryAfter: null },
  slow: { status: 200 },
  late: { status: 200 },
  drop: { status: 0 },
  reset: { status: 0 },
  "graphql-error": { status: 200, graphqlError: true },
};
const businessFaults: FaultKind[] = ["install-failure"];

async function callMe(url: string, userAgent?: string): Promise<{ status: number; retryAfter: string | null; body?: { errors?: unknown[] } }> {
  try {
    const response = await fetch(`${url}/2.0/api/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: accountA.apiKey, ...(userAgent ? { "user-agent": userAgent } : {}) },
      body: JSON.stringify({ query: "query { me { id } }" }),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as { errors?: unknown[] } };
  } catch {
    return { status: 0, retryAfter: null }; // closed with no answer
  }
}

describe("emulator: the fault registry", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await testEmulator();
  });
  afterAll(async () => {
    await emulator?.dispose();
  });
  afterEach(async () => {
    await emulator.admin("DELETE", "faults");
  });

  test("every registered kind has an expectation in this file, and kinds are unique", () => {
    expect(new Set(faultKinds).size).toBe(faultKinds.length);
    expect([...faultKinds].sort()).toEqual([...Object.keys(requestFaults), ...businessFaults].sort());
  });

  test.each(faultKinds.map((kind) => [kind]))("%s parses from the spec syntax, with options", (kind) => {
    expect(parseFaultSpec(`${kind}:count=2,rate=0.5,operations=me|runtimes`)).toEqual([{ kind, count: 2, rate: 0.5, operations: ["me", "runtimes"] }]);
  });

  test("an unregistered kind is refused with the registered ones listed", () => {
    expect(() => parseFaultSpec("418")).toThrow(`unknown fault kind "418"; one of ${faultKinds.join(", ")}`);
  });

  test.each(Object.entries(requestFaults))("%s fires its hook once, then retires", async (kind, expected) => {
    await emulator.admin("PUT", "faults", { rules: [{ kind, count: 1, delayMs: 50 }] });
    emulator.resetCounters();
    const faulted = await callMe(emulator.url);
    expect(faulted.status).toBe(expected.status);
    if (expected.retryAfter !== undefined) expect(faulted.retryAfter).toBe(expected.retryAfter);
    if (expected.status === 200) expect(Array.isArray(faulted.body?.errors)).toBe(expected.graphqlError === true);
    expect(emulator.counters().faultsInjected).toEqual({ [kind]: 1 });
    expect(emulator.requests().at(-1)).toMatchObject({ operation: "me", status: expected.status, fault: kind });

    const after = await callMe(emulator.url);
    expect(after.status).toBe(200);
    expect(after.body?.errors).toBeUndefined();
  });

  test("429 leaves Retry-After out with retryAfterSeconds null (spec: retryAfter=none)", async () => {
    expect(parseFaultSpec("429:retryAfter=none")).toEqual([{ kind: "429", retryAfterSeconds: null }]);
    await emulator.admin("PUT", "faults", { rules: [{ kind: "429", count: 1, retryAfterSeconds: null }] });
    expect(await callMe(emulator.url)).toMatchObject({ status: 429, retryAfter: null });
  });

  test("a rule with callers fires only for requests whose User-Agent names one of those resource types; counted per caller, afresh on each PUT", async () => {
    expect(parseFaultSpec("503:callers=GitSource|other")).toEqual([{ kind: "503", callers: ["GitSource", "other"] }]);
    expect(callerOf("pulumi-codefresh/0.1.0 (ManagedCluster.delete)")).toBe("ManagedCluster");
    expect(callerOf("pulumi-codefresh/0.1.0")).toBe("other");
    expect(callerOf(undefined)).toBe("other");
    await emulator.admin("PUT", "faults", { rules: [{ kind: "503", callers: ["GitSource"] }] });
    expect((await callMe(emulator.url, "pulumi-codefresh/0.1.0 (GitSource.create)")).status).toBe(503);
    expect((await callMe(emulator.url, "pulumi-codefresh/0.1.0 (HostedRuntime.read)")).status).toBe(200);
    expect((await callMe(emulator.url)).status).toBe(200);
    expect(await emulator.admin("GET", "faults")).toMatchObject({ injected: { "503": 1 }, injectedBy: { GitSource: { "503": 1 } } });
    expect(emulator.requests().at(-3)).toMatchObject({ caller: "GitSource", status: 503 });
    await emulator.admin("PUT", "faults", { rules: [] });
    expect(await emulator.admin("GET", "faults")).toMatchObject({ injected: {}, injectedBy: {} });
    expect(() => parseFaultSpec("503:callers")).toThrow('fault option "callers" in "503:callers" needs a value');
  });

  test("a business fault never fires on a request; the rule it breaks takes it", async () => {
    await emulator.admin("PUT", "faults", { rules: [{ kind: "install-failure", count: 1 }] });
    emulator.resetCounters();
    expect((await callMe(emulator.url)).status).toBe(200);
    expect(emulator.counters().faultsInjected).toEqual({});
    expect(emulator.faults.takeBusiness("install-failure")).toBe(true);
    expect(emulator.faults.takeBusiness("install-failure")).toBe(false);
    expect(emulator.counters().faultsInjected).toEqual({ "install-failure": 1 });
  });

  test("the CLI's usage lists every registered kind with its summary", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, "emulator", "dist", "cli.js"), "--help"]);
    for (const { kind, summary } of faultKindRegistry) expect(stdout).toMatch(new RegExp(`^\\s+${kind}\\s+${escape(summary)}$`, "m"));
  });

  test("the README's fault table is the registry, in its order", async () => {
    const readme = await readFile(join(repoRoot, "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| `([^`]+)` \| (.*) \|$/gm)].filter(([, kind]) => (faultKinds as readonly string[]).includes(kind));
    expect(rows.map(([, kind, summary]) => ({ kind, summary }))).toEqual(faultKindRegistry.map(({ kind, summary }) => ({ kind, summary })));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
