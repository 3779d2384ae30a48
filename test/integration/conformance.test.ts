// The Go conformance suite (test/conformance: Codefresh's own go-sdk against the emulator), one jest test
// per Go top-level test. The binary is built by scripts/tools (PULUMI_CODEFRESH_CONFORMANCE_BIN); its tests
// are listed when this file is collected, run once in beforeAll through `go tool test2json`, and each jest
// test reports its Go test's result, with that test's output when it failed.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { accountA, accountB, connectGitInUi, testEmulator, TestEmulator, TestAccount } from "../harness/emulator";
import { sharedCluster, sharedGitServer } from "../harness/shared";

const binVariable = "PULUMI_CODEFRESH_CONFORMANCE_BIN";
const conformanceBin = process.env[binVariable];
if (!conformanceBin) {
  throw new Error(`${binVariable} is not set: run this file with \`npm run test:conformance\` (scripts/tools builds the Go suite and sets it)`);
}

/** The binary's top-level tests, in the order it runs them. */
function listGoTests(bin: string): string[] {
  const listed = spawnSync(bin, ["-test.list", ".*"], { encoding: "utf8", timeout: 30_000 });
  if (listed.status !== 0) throw new Error(`${bin} -test.list failed (${listed.status ?? listed.signal}): ${listed.stderr}${listed.stdout}`);
  const names = listed.stdout.split("\n").filter((line) => /^Test\w+$/.test(line));
  if (names.length === 0) throw new Error(`${bin} lists no tests: ${listed.stdout}`);
  return names;
}

/** One line of `go tool test2json`. */
interface TestEvent {
  Action: "start" | "run" | "pause" | "cont" | "pass" | "bench" | "fail" | "output" | "skip";
  Test?: string;
  Output?: string;
  Elapsed?: number;
}

interface GoTestResult {
  action?: "pass" | "fail" | "skip";
  elapsedSeconds?: number;
  /** The test's output and its subtests'. */
  output: string[];
  /** It or its subtests that skipped (each says why in the output). */
  skipped: string[];
}

/** Each top-level test's result and output, from test2json's events (subtests fold into their test). */
function resultsOf(lines: string[]): Map<string, GoTestResult> {
  const results = new Map<string, GoTestResult>();
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line) as TestEvent;
    if (!event.Test) continue;
    const topLevel = event.Test.split("/")[0] ?? event.Test;
    const result = results.get(topLevel) ?? { output: [], skipped: [] };
    results.set(topLevel, result);
    if (event.Action === "output" && event.Output !== undefined) result.output.push(event.Output);
    if (event.Action === "skip") result.skipped.push(event.Test);
    if (event.Test === topLevel && (event.Action === "pass" || event.Action === "fail" || event.Action === "skip")) {
      result.action = event.Action;
      result.elapsedSeconds = event.Elapsed;
    }
  }
  return results;
}

const goTests = listGoTests(conformanceBin);
/** The second account the suite reads: its plan's answers differ (no limits, no plan enforcement). */
const enterpriseAccount: TestAccount & { plan: "ENTERPRISE" } = { name: "initech", apiKey: "cf-test-key-initech-5a5a5a5a5a5a5a5a", plan: "ENTERPRISE" };
const hostedRuntime = "codefresh-hosted";

describe("go-sdk conformance (test/conformance)", () => {
  let emulator: TestEmulator | undefined;
  let goRun: ChildProcess | undefined;
  let results = new Map<string, GoTestResult>();
  /** How the run ended and its last lines, for a test without a result. */
  let runSummary = "";

  beforeAll(async () => {
    const gitea = sharedGitServer();
    const cluster = sharedCluster();
    const org = `conformance-${process.pid}`;
    await gitea.createOrg(org);
    const apps = await gitea.api("POST", `/orgs/${org}/repos`, { name: "apps", auto_init: true });
    if (apps.status !== 201) throw new Error(`creating ${org}/apps: ${apps.status} ${JSON.stringify(apps.body)}`);

    emulator = await testEmulator({ gitCaBundle: gitea.caCert, accounts: [accountA, accountB, enterpriseAccount] });
    // The hosted runtime as a user gets it: installed by Codefresh, git connected in the UI.
    await emulator.admin("POST", "ui/hosted-runtime", { account: accountA.name, runtimeName: hostedRuntime });
    await connectGitInUi(emulator, org);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CODEFRESH_API_URL: emulator.url,
      CODEFRESH_API_KEY: accountA.apiKey,
      CONFORMANCE_ENTERPRISE_API_KEY: enterpriseAccount.apiKey,
      CONFORMANCE_GIT_URL: gitea.url,
      CONFORMANCE_GIT_API_URL: gitea.apiUrl,
      CONFORMANCE_GIT_TOKEN: gitea.adminToken,
      CONFORMANCE_GIT_CA_FILE: gitea.caCertPath,
      CONFORMANCE_GIT_ORG: org,
      CONFORMANCE_KUBE_SERVER: cluster.server,
      CONFORMANCE_KUBE_TOKEN: cluster.adminToken,
      CONFORMANCE_KUBE_CA_FILE: cluster.tls.caCertPath,
      CONFORMANCE_HOSTED_RUNTIME: hostedRuntime,
    };
    const lines: string[] = [];
    const stderr: string[] = [];
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn("go", ["tool", "test2json", "-t", conformanceBin, "-test.v=test2json", "-test.timeout=5m"], {
        cwd: tmpdir(),
        env,
        stdio: ["ignore", "pipe", "pipe"],
        // Its own process group: afterAll ends test2json and the test binary it runs together.
        detached: true,
      });
      goRun = child;
      let pending = "";
      child.stdout.on("data", (chunk: Buffer) => {
        pending += chunk.toString();
        const complete = pending.split("\n");
        pending = complete.pop() ?? "";
        lines.push(...complete);
      });
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
      child.once("error", reject);
      child.once("close", (code, signal) => {
        if (pending) lines.push(pending);
        resolve({ code, signal });
      });
    });
    goRun = undefined;
    results = resultsOf(lines);
    const tail = lines.slice(-20).join("\n");
    // One line for the log: what the run took and what it could not check.
    const timed = [...results].map(([name, r]) => ({ name, seconds: r.elapsedSeconds ?? 0 })).sort((a, b) => b.seconds - a.seconds);
    const skipped = [...results.values()].flatMap((r) => r.skipped);
    console.log(
      `go-sdk conformance: ${results.size} Go tests in ${timed.reduce((sum, t) => sum + t.seconds, 0).toFixed(1)} s; slowest ` +
        `${timed
          .slice(0, 3)
          .map((t) => `${t.name} ${t.seconds.toFixed(1)} s`)
          .join(", ")}; skipped: ${skipped.join(", ") || "none"}`,
    );
    runSummary = `the Go suite exited with ${exit.code ?? exit.signal}${stderr.length ? `; stderr: ${stderr.join("")}` : ""}\nlast events:\n${tail}`;
  });

  afterAll(async () => {
    // Still running only if beforeAll was cut short (its timeout).
    if (goRun?.pid !== undefined && goRun.exitCode === null && goRun.signalCode === null) {
      try {
        process.kill(-goRun.pid, "SIGKILL");
      } catch {
        // ended meanwhile
      }
    }
    await emulator?.dispose();
  });

  test.each(goTests)("%s", (name) => {
    const result = results.get(name);
    if (result?.action === undefined) throw new Error(`${name} has no result: ${runSummary}\n${result?.output.join("") ?? ""}`);
    if (result.action === "fail") throw new Error(`${name} failed in ${result.elapsedSeconds ?? "?"} s:\n${result.output.join("")}`);
    // pass, or skip (it says why in its output)
    expect(result.action).not.toBe("fail");
  });
});
