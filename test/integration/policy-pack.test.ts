// Policy packs run through our language host's RunPlugin: a mandatory violation stops the preview,
// an advisory one is printed and does not.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyFixture, testProgram, TestProgram } from "../harness/pulumi";

describe("policy packs through the language host", () => {
  let program: TestProgram;
  let packBase: string;
  let packDir: string;

  beforeAll(async () => {
    program = await testProgram("toolchain");
    await program.stack.setConfig("path", { value: join(program.workDir, "managed.txt") });
    packBase = await mkdtemp(join(tmpdir(), "policy-pack-"));
    packDir = await copyFixture("policy-probe", packBase);
  });

  afterAll(async () => {
    await program?.dispose();
    await rm(packBase, { recursive: true, force: true });
  });

  test("a mandatory violation fails the preview and names the policy", async () => {
    await program.stack.setConfig("content", { value: "forbidden words" });
    let output = "";
    await expect(program.stack.preview({ policyPacks: [packDir], onOutput: (text) => (output += text) })).rejects.toThrow();
    expect(output).toContain("no-forbidden-content");
    expect(output).toContain("ScratchFile 'greeting' contains 'forbidden'");
    expect(output).toMatch(/mandatory/);
  });

  test("an advisory violation is reported and the preview passes", async () => {
    await program.stack.setConfig("content", { value: "perfectly fine words" });
    let output = "";
    const preview = await program.stack.preview({ policyPacks: [packDir], onOutput: (text) => (output += text) });
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(output).toContain("prefer-short-content");
    expect(output).toContain("has 20 characters");
    expect(output).not.toContain("no-forbidden-content");
  });

  test("a clean program passes with no violation reported", async () => {
    await program.stack.setConfig("content", { value: "short" });
    let output = "";
    await program.stack.preview({ policyPacks: [packDir], onOutput: (text) => (output += text) });
    expect(output).not.toContain("prefer-short-content");
    expect(output).not.toContain("no-forbidden-content");
  });
});
