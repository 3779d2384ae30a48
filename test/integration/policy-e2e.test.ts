// The policy pack with the real CLI: `pulumi preview --policy-pack policies` names every violation of
// a broken program before anything is written, and passes the clean one (advisories print only).
import { join } from "node:path";
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, testEmulator, TestEmulator } from "../harness/emulator";
import { repoRoot, testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster } from "../harness/shared";

const packDir = join(repoRoot, "policies");

describe("policy pack end to end", () => {
  let emulator: TestEmulator;
  let oldCluster: ClusterProxy;
  let program: TestProgram;

  beforeAll(async () => {
    emulator = await testEmulator({ accounts: [accountA] });
    oldCluster = await startClusterProxy(sharedCluster(), { reportVersion: "v1.17.4" });
    program = await testProgram("policy-stack", {
      "codefresh:apiUrl": emulator.url,
      "codefresh:apiKey": { value: accountA.apiKey, secret: true },
    });
  });

  afterAll(async () => {
    await program?.dispose();
    await oldCluster?.stop();
    await emulator?.dispose();
  });

  test("two hosted runtimes: the second fails its check in preview, naming both, before any write", async () => {
    const admin = sharedCluster();
    await program.stack.setConfig("runtimeCount", { value: "2" });
    await program.stack.setConfig("kubeconfig", { value: kubeconfigFor(admin.server, admin.caCert, admin.adminToken), secret: true });
    emulator.resetCounters();
    let output = "";
    const failure = await program.stack.preview({ policyPacks: [packDir], onOutput: (t) => (output += t) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(output).toMatch(
      /the account's hosted runtime would be managed by two resources, codefresh:HostedRuntime "hosted-[01]" of stack policy-stack\/test and codefresh:HostedRuntime "hosted-[01]" of this stack/,
    );
    expect(emulator.counters().writes).toBe(0);
  });

  test("a 1.17 cluster: the mandatory version rule is named, nothing written", async () => {
    const admin = sharedCluster();
    await program.stack.setConfig("runtimeCount", { value: "1" });
    await program.stack.setConfig("kubeconfig", { value: kubeconfigFor(oldCluster.server, admin.caCert, admin.adminToken), secret: true });
    emulator.resetCounters();
    let output = "";
    const failure = await program.stack.preview({ policyPacks: [packDir], onOutput: (t) => (output += t) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(output).toMatch(/\[mandatory\]\s+kubernetes-minimum-version/);
    expect(output).toMatch(/cluster "target" runs Kubernetes v1\.17\.4; Codefresh managed clusters need 1\.18 or newer/);
    expect(emulator.counters().writes).toBe(0);
  });

  test("the clean program passes; advisory rules print and do not block", async () => {
    const admin = sharedCluster();
    await program.stack.setConfig("runtimeCount", { value: "1" });
    await program.stack.setConfig("kubeconfig", { value: kubeconfigFor(admin.server, admin.caCert, admin.adminToken), secret: true });
    let output = "";
    const preview = await program.stack.preview({ policyPacks: [packDir], onOutput: (t) => (output += t) });
    expect(preview.changeSummary).toEqual({ create: 3 });
    expect(output).not.toMatch(/\[mandatory\]/);
    expect(output).toMatch(/\[advisory\]\s+public-cluster-endpoint/);
    expect(output).toMatch(/127\.0\.0\.1:\d+ is a loopback address/);
  });

  test("the pack's config changes levels and settings", async () => {
    const { writeFile, mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const configFile = join(await mkdtemp(join(tmpdir(), "policy-config-")), "config.json");
    await writeFile(configFile, JSON.stringify({ "public-cluster-endpoint": { enforcementLevel: "mandatory", allowedHosts: ["127.0.0.1"] } }));
    let output = "";
    const preview = await program.stack.preview({ policyPacks: [packDir], policyPackConfigs: [configFile], onOutput: (t) => (output += t) });
    expect(preview.changeSummary).toEqual({ create: 3 });
    expect(output).not.toMatch(/public-cluster-endpoint/);
  });
});
