// Behaviour against a Codefresh that has no hosted-install API (the real one): one clear message that
// says what to do in the UI, then the adopt path; and an interrupted `pulumi up` (SIGKILL) that the
// next `pulumi up` finishes with no duplicate and no manual step (our objects carry the stack's marker).
import { ClusterProxy, kubeconfigFor, startClusterProxy } from "pulumi-codefresh-emulator";
import { accountA, connectGitInUi, testEmulator, TestEmulator } from "../harness/emulator";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { runPulumi, testProgram, TestProgram } from "../harness/pulumi";
import { sharedCluster, sharedGitServer } from "../harness/shared";

type State = { accounts: { name: string; runtimes: { name: string }[]; gitSources: { name: string }[]; clusters: { name: string; status: string }[] }[] };

function config(emulator: TestEmulator, org: string, extra: Partial<Parameters<typeof codefreshStackConfig>[0]> = {}) {
  return codefreshStackConfig({ apiUrl: emulator.url, org, gitSources: [{ name: "team-a", path: "team-a" }], ...extra });
}

describe("a Codefresh without the hosted-install API", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  const org = `ui-${process.pid}`;

  beforeAll(async () => {
    await sharedGitServer().createOrg(org);
    emulator = await testEmulator({ hostedInstallApi: false, gitCaBundle: sharedGitServer().caCert, accounts: [accountA] });
    program = await testProgram("codefresh-stack", config(emulator, org));
  });
  afterAll(async () => {
    await program?.stack.destroy().catch(() => undefined);
    await program?.dispose();
    await emulator?.dispose();
  });

  test("HostedRuntime fails with what to click in the UI, never a raw GraphQL error", async () => {
    const error = String(await program.stack.up().catch((e: unknown) => e));
    expect(error).toMatch(/Install it in the Codefresh UI \(Settings > GitOps Runtimes > \+ Add Runtime > Hosted Runtime\), then set `adopt: true`/);
    expect(error).not.toMatch(/Cannot query field/);
  });

  test("after installing in the UI, adopt takes it over; connect-git has the same fallback", async () => {
    await emulator.admin("POST", "ui/hosted-runtime", { account: accountA.name });
    // A second one in the UI is refused as Codefresh refuses it: 409, the same message, never a 500.
    const second = await fetch(`${emulator.url}/_emulator/ui/hosted-runtime`, {
      method: "POST",
      body: JSON.stringify({ account: accountA.name, runtimeName: "other" }),
    });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({
      error: 'account already has a hosted runtime ("codefresh-hosted"); only one hosted runtime is allowed per account',
    });
    await program.stack.setConfig("adoptRuntime", { value: "true" });
    const error = String(await program.stack.up().catch((e: unknown) => e));
    expect(error).toMatch(
      /Connect it in the Codefresh UI \(the hosted runtime's 'Connect Git provider' step\), then set `adopt: true` on the SharedConfigRepo/,
    );
  });

  test("after connecting git in the UI, up converges and adopts the settings", async () => {
    await connectGitInUi(emulator, org);
    const up = await program.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.runtimeStatus.value).toBe("COMPLETED");
    const state = await emulator.admin<State>("GET", "state");
    expect(state.accounts[0].gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", "team-a"]);
  });
});

describe("an interrupted pulumi up", () => {
  let emulator: TestEmulator;
  let program: TestProgram;
  let proxy: ClusterProxy;
  const org = `kill-${process.pid}`;
  const serviceAccount = `argocd-manager-kill-${process.pid}`;

  beforeAll(async () => {
    await sharedGitServer().createOrg(org);
    emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA], gitSourceDelayMs: 4_000 });
    proxy = await startClusterProxy(sharedCluster());
    const admin = sharedCluster();
    program = await testProgram(
      "codefresh-stack",
      config(emulator, org, {
        gitSources: [
          { name: "team-a", path: "team-a" },
          { name: "team-b", path: "team-b" },
        ],
        clusters: [{ name: "killed", kubeconfig: kubeconfigFor(proxy.server, admin.caCert, admin.adminToken), serviceAccountName: serviceAccount }],
      }),
    );
  });
  afterAll(async () => {
    await program?.stack.destroy().catch(() => undefined);
    await program?.dispose();
    await proxy?.stop();
    await emulator?.dispose();
  });

  test("SIGKILL after git sources and a cluster were created; the next up adopts them without duplicates", async () => {
    const { kill, exit: exited } = runPulumi(program, ["up", "--yes", "--skip-preview"], { detached: true });
    // Wait until Codefresh has the git sources (not yet reported ready: their delay is 4 s) and the cluster.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const state = await emulator.admin<State>("GET", "state");
      const account = state.accounts[0];
      if (account.gitSources.some((s) => s.name === "team-a") && account.clusters.length > 0) break;
      if (Date.now() > deadline) throw new Error("the first up never created the objects");
      await new Promise((r) => setTimeout(r, 100));
    }
    kill(); // the CLI and its plugins, as a machine that dies
    await exited;

    // Clear what the killed run left behind, the documented way: its lock, then its pending creates.
    const run = (args: string[]) => runPulumi(program, args).exit;
    await run(["cancel", "--yes"]);
    expect(await run(["refresh", "--yes", "--clear-pending-creates"])).toBe(0);

    const up = await program.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const account = (await emulator.admin<State>("GET", "state")).accounts[0];
    expect(account.runtimes).toHaveLength(1);
    expect(account.gitSources.map((s) => s.name).sort()).toEqual(["default-git-source", "team-a", "team-b"]);
    expect(account.clusters.map((c) => [c.name, c.status])).toEqual([["killed", "Successful"]]);
    const preview = await program.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 6 });
  });
});
