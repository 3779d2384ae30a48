// Proves the offline toolchain end to end: the real CLI, our language host and the dynamic-provider
// plugin run preview, up, refresh and destroy on a file backend, and the state file shows the result.
import { readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { testProgram, TestProgram } from "../harness/pulumi";

const resourceType = "pulumi-nodejs:dynamic/probe:ScratchFile";

describe("offline Pulumi toolchain", () => {
  let program: TestProgram;
  let target: string;

  beforeAll(async () => {
    program = await testProgram("toolchain", {});
    target = join(program.workDir, "managed.txt");
    await program.stack.setConfig("path", { value: target });
  });

  afterAll(async () => {
    await program?.dispose();
  });

  test("preview plans the stack and the dynamic resource, and writes nothing", async () => {
    const preview = await program.stack.preview();
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(existsSync(target)).toBe(false);
  });

  test("up creates the file and records it in the state file", async () => {
    const up = await program.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.path.value).toBe(target);
    expect(up.outputs.bytes.value).toBe(Buffer.byteLength("hello from pulumi"));
    expect(await readFile(target, "utf8")).toBe("hello from pulumi");

    const state = await program.readState();
    const resource = state.resources.find((r) => r.type === resourceType);
    expect(resource).toBeDefined();
    expect(resource?.id).toBe(target);
    expect(resource?.outputs).toMatchObject({ path: target, content: "hello from pulumi", bytes: 17 });
    // The serialized provider is stored with every resource; this one must stay small.
    const provider = resource?.outputs?.__provider;
    expect(typeof provider).toBe("string");
    expect((provider as string).length).toBeLessThan(4096);
  });

  test("a second preview shows no changes", async () => {
    const preview = await program.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 2 });
  });

  test("refresh detects an out-of-band edit, and up repairs it", async () => {
    await writeFile(target, "edited by hand");
    const refresh = await program.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    const refreshed = (await program.readState()).resources.find((r) => r.type === resourceType);
    expect(refreshed?.outputs).toMatchObject({ content: "edited by hand" });

    const up = await program.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(await readFile(target, "utf8")).toBe("hello from pulumi");
  });

  test("a changed input updates in place", async () => {
    await program.stack.setConfig("content", { value: "second version" });
    const up = await program.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(await readFile(target, "utf8")).toBe("second version");
  });

  test("destroy removes the file and empties the stack", async () => {
    const destroy = await program.stack.destroy();
    expect(destroy.summary.resourceChanges).toMatchObject({ delete: 2 });
    expect(existsSync(target)).toBe(false);
    expect((await program.readState()).resources).toEqual([]);
  });
});
