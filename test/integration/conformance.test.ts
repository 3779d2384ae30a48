// Codefresh's own Go SDK (go-sdk v1.4.15) against the emulator: test/conformance, compiled by scripts/tools
// (PULUMI_CODEFRESH_CONFORMANCE_BIN), is run once against an emulator, the shared Gitea and the shared
// kube-apiserver; each of its Go tests is one test here, so `npm test`'s summary line counts them.
import { spawn, spawnSync } from "node:child_process";
import { accountA, connectGitInUi, testEmulator, TestEmulator } from "../harness/emulator";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const binary = process.env.PULUMI_CODEFRESH_CONFORMANCE_BIN;
if (!binary) throw new Error("PULUMI_CODEFRESH_CONFORMANCE_BIN is not set: run the tests through npm (scripts/tools builds the suite)");

/** The suite's top-level tests, listed without servers (`-test.list`). */
const goTests = spawnSync(binary, ["-test.list", ".*"], { encoding: "utf8" })
  .stdout.split("\n")
  .filter((line) => /^Test\w+$/.test(line));

interface GoEvent {
  Action: string;
  Test?: string;
  Output?: string;
}

/** Runs the whole binary once through test2json; each top-level test's outcome and output. */
function runSuite(env: NodeJS.ProcessEnv): Promise<Map<string, { passed: boolean; output: string }>> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", ["tool", "test2json", "-t", binary as string, "-test.v=test2json", "-test.timeout=5m"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", () => {
      const results = new Map<string, { passed: boolean; output: string }>();
      const outputs = new Map<string, string>();
      let suiteOutput = "";
      for (const line of stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const event = JSON.parse(line) as GoEvent;
        const top = event.Test?.split("/")[0];
        if (top === undefined) {
          suiteOutput += event.Output ?? "";
          continue;
        }
        if (event.Output) outputs.set(top, (outputs.get(top) ?? "") + event.Output);
        if (event.Test === top && (event.Action === "pass" || event.Action === "fail" || event.Action === "skip")) {
          results.set(top, { passed: event.Action === "pass", output: outputs.get(top) ?? "" });
        }
      }
      // A test with no outcome (the set-up failed, or the binary crashed) fails with what the suite printed.
      for (const name of goTests) if (!results.has(name)) results.set(name, { passed: false, output: `${suiteOutput}${stderr}` });
      resolve(results);
    });
  });
}

describe("go-sdk v1.4.15 against the emulator", () => {
  let emulator: TestEmulator;
  let results: Map<string, { passed: boolean; output: string }>;
  const org = `conformance-${process.pid}`;

  beforeAll(async () => {
    const gitea = sharedGitServer();
    const cluster = sharedCluster();
    await gitea.createOrg(org);
    emulator = await testEmulator({ gitCaBundle: gitea.caCert });
    // The hosted runtime, installed and its git connected as a user does in Codefresh's UI.
    const hostedRuntime = "codefresh-hosted";
    await emulator.admin("POST", "ui/hosted-runtime", { account: accountA.name, runtimeName: hostedRuntime });
    await connectGitInUi(emulator, org);
    results = await runSuite({
      ...process.env,
      CODEFRESH_API_URL: emulator.url,
      CODEFRESH_API_KEY: accountA.apiKey,
      CONFORMANCE_GIT_URL: gitea.url,
      CONFORMANCE_GIT_API_URL: gitea.apiUrl,
      CONFORMANCE_GIT_ORG: org,
      CONFORMANCE_GIT_TOKEN: gitea.adminToken,
      CONFORMANCE_GIT_CA_FILE: gitea.caCertPath,
      CONFORMANCE_KUBE_SERVER: cluster.server,
      CONFORMANCE_KUBE_TOKEN: cluster.adminToken,
      CONFORMANCE_KUBE_CA_FILE: cluster.tls.caCertPath,
      CONFORMANCE_HOSTED_RUNTIME: hostedRuntime,
    });
  }, 360_000);
  afterAll(async () => {
    await emulator?.dispose();
  });

  test("the suite lists its tests", () => {
    expect(goTests.length).toBeGreaterThanOrEqual(25);
  });

  test.each(goTests)("%s", (name) => {
    const result = results.get(name);
    if (!result?.passed) throw new Error(`${name} failed:\n${result?.output ?? "no outcome"}`);
  });
});
