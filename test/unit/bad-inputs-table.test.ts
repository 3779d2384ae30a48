// Bad input at volume: every row generated from the resources' declarations (test/harness/bad-input-table.ts)
// fails in `check`, with a failure that names the field and says what to do, and without a remote call: no
// socket is opened (every client, fetch, undici or client-node, connects through net.Socket).
import { execFileSync } from "node:child_process";
import * as net from "node:net";
import { resolve } from "node:path";
import { gitOpsArgFailures, gitOpsArgRoutes } from "pulumi-codefresh";
import { get } from "pulumi-codefresh/provider";
import { generatedBadInputs, generatedComponentBadInputs, names, validGitOps } from "../harness/bad-input-table";
import { valid } from "../harness/bad-inputs";

const rows = generatedBadInputs();
const componentRows = generatedComponentBadInputs(gitOpsArgRoutes, rows);

/** Words of an instruction: every failure says what to give, use, set or remove. */
const saysWhatToDo = /\b(give|use|must|set|remove|write|put|omit|leave|choose|did you mean|at most|needs?|fix|mark|pass|start|end)\b/i;

let connects = 0;
beforeAll(() => {
  const connect = net.Socket.prototype.connect;
  jest.spyOn(net.Socket.prototype, "connect").mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    connects++;
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  });
});
afterAll(() => jest.restoreAllMocks());

test("the table is large: at least 100 rows, every resource and every kind of invalid value", () => {
  console.log(
    `bad inputs table: ${rows.length} rows over ${new Set(rows.map((r) => r.resource)).size} resources, ${componentRows.length} of CodefreshGitOps's arguments`,
  );
  expect(rows.length).toBeGreaterThanOrEqual(100);
  expect(new Set(rows.map((r) => r.resource))).toEqual(new Set(Object.keys(valid)));
  expect(new Set(rows.map((r) => r.invalid))).toEqual(
    new Set([
      "wrong type",
      "empty",
      "missing",
      "too long",
      "bad characters",
      "bad URL scheme",
      "not a URL",
      "wrong enum case",
      "unsupported value",
      "path traversal",
      "absolute path",
      "credentials in URL",
      "not a repository URL",
      "unknown kubeconfig context",
      "invalid kubeconfig",
      "no such file",
      "invalid label key",
      "invalid label value",
      "invalid annotation key",
      "invalid annotation value",
      "invalid manifest",
      "unknown key",
    ]),
  );
});

test("the socket counter sees a remote call: a valid ManagedCluster's check asks its server for its version", async () => {
  const before = connects;
  await get("ManagedCluster").check({}, { ...valid.ManagedCluster });
  expect(connects).toBeGreaterThan(before);
});

describe("every generated bad input is rejected in check, naming the field and the fix, with no remote call", () => {
  test.each(rows.map((row) => [`${row.resource}.${row.field}: ${row.invalid} (${row.what})`, row] as const))("%s", async (_, row) => {
    const before = connects;
    const failures = (await get(row.resource).check({}, row.inputs)).failures ?? [];
    const named = failures.filter((failure) => names(failure.property, row.field));
    expect(named).not.toEqual([]);
    for (const failure of named) expect(failure.reason).toMatch(saysWhatToDo);
    expect(connects - before).toBe(0);
  });
});

describe("CodefreshGitOps: each argument is refused by the child it goes to, or by the component", () => {
  test("every argument is covered", () => {
    expect(new Set(componentRows.map((row) => row.argument.replace(/\[\].*$/, "")))).toEqual(
      new Set([...Object.keys(gitOpsArgRoutes), "gitprovider", "metadata"]),
    );
  });

  test.each(componentRows.map((row) => [`${row.argument}: ${row.invalid} (${row.what})`, row] as const))("%s", async (_, row) => {
    const before = connects;
    if (row.child) {
      const failures = (await get(row.child.resource).check({}, row.child.inputs)).failures ?? [];
      expect(failures.filter((failure) => names(failure.property, row.child!.field))).not.toEqual([]);
    } else {
      const failures = gitOpsArgFailures(row.args);
      expect(failures.filter((failure) => failure.property === row.property).map((failure) => failure.reason)).toEqual([expect.stringMatching(saysWhatToDo)]);
    }
    expect(connects - before).toBe(0);
  });

  test("valid arguments pass the component's own checks", () => {
    expect(gitOpsArgFailures(validGitOps)).toEqual([]);
  });

  test("the routes are what the component does: each argument's value arrives at the child input they name", () => {
    // A distinct value per argument, through a mocked engine (in a child Node process: Pulumi's closure
    // serializer needs Node's own module system, not jest's); the component's own arguments are left valid.
    const sentinels: Record<string, unknown> = {};
    const expected: [string, string, string, string][] = []; // [argument, child type, child input, value]
    for (const [argument, route] of Object.entries(gitOpsArgRoutes)) {
      if ("input" in route) {
        sentinels[argument] = `<${argument}>`;
        expected.push([argument, route.child, route.input, `<${argument}>`]);
      } else if ("each" in route) {
        sentinels[argument] = [Object.fromEntries(Object.keys(route.each).map((field) => [field, field === "name" ? "entry" : `<${argument}.${field}>`]))];
        for (const [field, input] of Object.entries(route.each))
          expected.push([`${argument}[].${field}`, route.child, input, field === "name" ? "entry" : `<${argument}.${field}>`]);
      }
    }
    const hosted = { ...sentinels, runtimeName: undefined, protectHostedRuntime: false };
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const registered = [];
      pulumi.runtime.setMocks({ newResource: (a) => { registered.push({ type: a.type, inputs: a.inputs }); return { id: a.name, state: a.inputs }; }, call: (a) => a.inputs }, "project", "stack", false);
      const cf = require("pulumi-codefresh");
      for (const args of ${JSON.stringify([sentinels, hosted])}) new cf.CodefreshGitOps("gitops-" + registered.length, args);
      setTimeout(() => { process.stdout.write(JSON.stringify(registered)); process.exit(0); }, 500);`;
    const registered = JSON.parse(
      execFileSync(process.execPath, ["-e", script], { cwd: resolve(__dirname, "..", ".."), encoding: "utf8", timeout: 30_000 }),
    ) as {
      type: string;
      inputs: Record<string, unknown>;
    }[];
    const secretValue = (value: unknown) => (typeof value === "object" && value !== null && "value" in value ? value.value : value);
    const arrived = expected.filter(([, child, input, value]) =>
      registered.some((r) => r.type.endsWith(`:${child}`) && secretValue(r.inputs[input]) === value),
    );
    expect(arrived.map(([argument]) => argument)).toEqual(expected.map(([argument]) => argument));
  });
});
