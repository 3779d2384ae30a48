// Faults on every step: `up`, an update of every updatable resource, `refresh` and `destroy`, each run
// with faults injected where our resources' requests arrive — the Codefresh emulator, a proxy in front of
// the git server (the program's git calls and Codefresh's own pushes to the Shared Configuration Repo),
// and a proxy in front of the cluster's API server — and each ending in its clean state: Pulumi state,
// Codefresh and the Shared Configuration Repo agree, nothing duplicated, nothing left by destroy. Every
// scenario ends with the secrets sweep. Under `npm run test:reliability` every fault kind runs at every
// place it applies, each step repeated until every step × resource type × kind got at least 5 faults
// (the report prints that breakdown); under plain `npm test` one stack takes one kind at each place.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { callerOf, ClusterProxy, FaultRule, kubeconfigFor, RequestLogProxy, startClusterProxy } from "pulumi-codefresh-emulator";
import { cluster } from "pulumi-codefresh";
import { accountA, testEmulator, TestEmulator } from "../harness/emulator";
import { sharedCluster, sharedGitServer, startGitFaultProxy } from "../harness/shared";
import { record } from "./report";
import {
  counting,
  faultKindsUnderTest as kinds,
  expectConverged,
  expectDestroyed,
  expectUpdated,
  setUpdate,
  State,
  stackFor,
  stateMatchesCodefresh,
  volume,
} from "./scenario";
import { expectNoSecretLeaks } from "./secrets-sweep";

type Surface = "codefresh" | "git" | "cluster";
type Step = "up" | "update" | "refresh" | "destroy";

/**
 * Who sends requests to each place, as the fault rules and the breakdown name them: the resource types (from
 * the User-Agent our requests carry) and, at the git server, Codefresh itself pushing to the Shared Configuration
 * Repo. The emulator's own cluster checks stand for Argo CD's and are left alone: their failures are real drift.
 */
const callers: Record<Surface, string[]> = {
  codefresh: ["HostedRuntime", "SharedConfigRepo", "GitSource", "ManagedCluster"],
  git: ["SharedConfigRepo", "GitSource", "other"],
  cluster: ["ManagedCluster"],
};
const label = (caller: string) => (caller === "other" ? "Codefresh's git pushes" : caller);

interface Scenario {
  name: string;
  /** The kind injected at each place, by name (a name from `kinds`). */
  at: Partial<Record<Surface, string>>;
}
const scenarios: Scenario[] = volume
  ? kinds.map(([name]) => ({ name, at: { codefresh: name, ...(name === "graphql-error" ? {} : { git: name, cluster: name }) } }))
  : [{ name: "drop at Codefresh, 503 at git, reset at the cluster", at: { codefresh: "drop", git: "503", cluster: "reset" } }];

/** At most this many scenarios at once: each is a stack, an emulator and two proxies on a 2-core machine. */
const concurrent = 3;
let running = 0;
const waiting: (() => void)[] = [];
async function slot(): Promise<() => void> {
  while (running >= concurrent) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/** How many faults each step × resource type × kind must get in volume mode before the step is not repeated. */
const perCell = 5;

/** The faults of one scenario, at the three places, with their counts and the callers seen there. */
class FaultPlaces {
  constructor(
    private readonly emulator: TestEmulator,
    private readonly git: RequestLogProxy,
    private readonly kube: ClusterProxy,
    private readonly scenario: Scenario,
  ) {}

  /**
   * One rule per caller, each firing for the first requests that caller sends in the step (rate 1, a count):
   * every resource type gets its faults however few requests it sends, and no single request meets more
   * failures than its attempts allow (5 for Codefresh and git, 4 for a cluster's API server; Codefresh's own git
   * pushes fail the operation that asked for them, which our client then retries, hence the smaller count).
   */
  private rules(surface: Surface): FaultRule[] {
    const name = this.scenario.at[surface];
    const kind = kinds.find(([n]) => n === name)?.[1];
    if (!kind) return [];
    const count = (caller: string) => (!volume ? 2 : surface === "cluster" || caller === "other" ? 3 : 4);
    return callers[surface].map((caller) => ({ ...kind, callers: [caller], rate: 1, count: count(caller) }));
  }

  async set(seed: number): Promise<void> {
    await this.emulator.admin("PUT", "faults", { seed, rules: this.rules("codefresh") });
    this.git.faults.set(this.rules("git"), seed);
    this.kube.faults.set(this.rules("cluster"), seed);
  }

  /** What was injected since `set`, per step × resource type × kind (0 for a type that sent requests but got none); then clears. */
  async takeCells(step: Step, sinceMs: number): Promise<{ cells: Record<string, number>; bySurface: Record<Surface, number> }> {
    const { injectedBy } = await this.emulator.admin<{ injectedBy: Record<string, Record<string, number>> }>("GET", "faults");
    await this.emulator.admin("DELETE", "faults");
    const sentBy: Record<Surface, Set<string>> = {
      codefresh: new Set(
        this.emulator
          .requests()
          .filter((r) => Date.parse(r.at) >= sinceMs)
          .map((r) => r.caller ?? "other"),
      ),
      git: new Set(this.git.log.requests(sinceMs).map((r) => callerOf(r.userAgent))),
      cluster: new Set(this.kube.log.requests(sinceMs).map((r) => callerOf(r.userAgent))),
    };
    const injected: Record<Surface, Record<string, Record<string, number>>> = {
      codefresh: injectedBy,
      git: structuredClone(this.git.faults.injectedBy),
      cluster: structuredClone(this.kube.faults.injectedBy),
    };
    this.git.faults.set([]);
    this.kube.faults.set([]);
    const cells: Record<string, number> = {};
    const bySurface: Record<Surface, number> = { codefresh: 0, git: 0, cluster: 0 };
    for (const surface of ["codefresh", "git", "cluster"] as const) {
      const rule = this.rules(surface)[0];
      if (!rule) continue;
      for (const caller of callers[surface]) {
        const count = injected[surface][caller]?.[rule.kind] ?? 0;
        bySurface[surface] += count;
        // A type that sent nothing here in this step has no cell (HostedRuntime in an update, say).
        if (!sentBy[surface].has(caller) && count === 0) continue;
        const key = `${step} ${label(caller)} ${this.kindName(surface)}`;
        cells[key] = (cells[key] ?? 0) + count;
      }
    }
    return { cells, bySurface };
  }

  private kindName(surface: Surface): string {
    return this.scenario.at[surface] ?? "";
  }
}

const run = promisify(execFile);

/** `pulumi-codefresh import` of the account into a new directory (swept for secrets afterwards). */
async function importAccount(emulatorUrl: string): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), "rel-import-"));
  const cli = join(dirname(require.resolve("pulumi-codefresh/package.json")), "dist", "cli", "main.js");
  await run(process.execPath, [cli, "import", "--out", out, "--force"], {
    env: { ...process.env, CODEFRESH_API_URL: emulatorUrl, CODEFRESH_API_KEY: accountA.apiKey },
  });
  return out;
}

describe("faults on every step, at Codefresh, the git server and the cluster: each step ends clean", () => {
  test.concurrent.each(scenarios.map((s, index) => [s.name, s, index] as const))(
    "%s",
    async (name, scenario, index) => {
      const release = await slot();
      try {
        await runScenario(name, scenario, index);
      } finally {
        release();
      }
      // In volume a scenario waits for its slot, then runs every step twice, slow and late ones 6 s per fault.
    },
    volume ? 30 * 60_000 : undefined,
  );
});

/** One scenario: its stack through every step under its faults, the checks after each, then the sweep. */
async function runScenario(name: string, scenario: Scenario, index: number): Promise<void> {
  const gitea = sharedGitServer();
  const admin = sharedCluster();
  const [emulator, gitProxy, kubeProxy] = await Promise.all([
    testEmulator({ gitCaBundle: gitea.caCert, accounts: [accountA], installDelayMs: 500 }),
    startGitFaultProxy(),
    startClusterProxy(admin),
  ]);
  const serviceAccount = `argocd-rel-faults-${index}-${process.pid}`;
  const program = await stackFor(emulator.url, kubeProxy.server, admin.caCert, admin.adminToken, serviceAccount, { gitUrl: gitProxy.url });
  const org = (await program.stack.getConfig("gitOrg")).value;
  const places = new FaultPlaces(emulator, gitProxy, kubeProxy, scenario);
  const account = async () => (await emulator.admin<State>("GET", "state")).accounts[0];
  const cells: Record<string, number> = {};
  const secrets = [accountA.apiKey, gitea.adminToken, admin.adminToken];
  let output = "";
  const onOutput = (text: string) => (output += text);
  let seed = 23;
  let importDir: string | undefined;

  /** Runs one step with the faults in force; records what was injected, survived if the step succeeded. */
  const faulted = async <T>(step: Step, go: () => Promise<T>): Promise<T> => {
    await places.set(seed++);
    const since = Date.now();
    return counting(go, async (survived) => {
      const taken = await places.takeCells(step, since);
      for (const [key, count] of Object.entries(taken.cells)) cells[key] = (cells[key] ?? 0) + count;
      const count = taken.bySurface.codefresh + taken.bySurface.git + taken.bySurface.cluster;
      console.log(`faults ${name}: ${count} injected during ${step} (${JSON.stringify(taken.bySurface)})${survived ? "" : ", which failed"}`);
      record({ faultsInjected: count, faultsSurvived: survived ? count : 0, faultCells: taken.cells });
    });
  };
  /** Whether a step still has a cell under `perCell` (volume mode repeats it then). */
  const short = (step: Step) => volume && Object.entries(cells).some(([key, count]) => key.startsWith(`${step} `) && count < perCell);

  let updates = 0;
  const update = async () => {
    const glob = updates % 2 === 0 ? "*.yaml" : "**/*.json";
    const labelValue = `updated-${updates++}`;
    await setUpdate(program, glob, labelValue);
    const rotated = await gitea.createToken(gitea.adminUser, ["all"]);
    secrets.push(rotated);
    await program.stack.setConfig("gitToken", { value: rotated, secret: true });
    const result = await faulted("update", () => program.stack.up({ onOutput }));
    expect(result.summary.resourceChanges).toMatchObject({ update: 5, same: 2 });
    expectConverged(await account());
    await expectUpdated(program, await account(), glob, labelValue);
    await stateMatchesCodefresh(program, await account());
    expect((await program.stack.preview()).changeSummary).toEqual({ same: 7 });
  };

  try {
    for (let round = 0; round < (volume ? 2 : 1); round++) {
      expect((await faulted("up", () => program.stack.up({ onOutput }))).summary.result).toBe("succeeded");
      expectConverged(await account());
      await stateMatchesCodefresh(program, await account());
      // Each resource type's requests name it in their User-Agent, so each has its cells (and its faults).
      const upRows = new Set(Object.keys(cells).map((key) => key.split(" ").slice(1, -1).join(" ")));
      const pushes = scenario.at.git ? ["Codefresh's git pushes"] : [];
      expect([...upRows].sort()).toEqual([...pushes, "GitSource", "HostedRuntime", "ManagedCluster", "SharedConfigRepo"]);

      // Every resource with something Codefresh changes in place: git sources, the cluster, and the
      // Shared Configuration Repo's token (rotated). The hosted runtime has nothing to change in place.
      // A second round is for up and destroy: it repeats an update or refresh only if one still falls short.
      for (let i = 0; i < 2 && ((round === 0 && i === 0) || short("update")); i++) await update();
      importDir ??= await importAccount(emulator.url);

      for (let i = 0; i < 2 && ((round === 0 && i === 0) || short("refresh")); i++) {
        await faulted("refresh", () => program.stack.refresh({ onOutput }));
        expect((await program.stack.preview()).changeSummary).toEqual({ same: 7 });
        await stateMatchesCodefresh(program, await account());
      }

      // The cluster token the stack made, to look for it everywhere (ensure returns the existing one).
      const target = cluster.resolveKubeconfig({ kubeconfig: admin.kubeconfig });
      secrets.push((await cluster.ensureManagerAccount(target, { serviceAccountName: serviceAccount })).token);

      await faulted("destroy", () => program.stack.destroy({ onOutput }));
      await expectDestroyed(program, await account(), kubeconfigFor(kubeProxy.server, admin.caCert, admin.adminToken), serviceAccount);
      if (!short("up") && !short("destroy")) break;
    }

    console.log(`faults ${name}, per step × resource type × kind: ${JSON.stringify(cells)}`);
    await expectNoSecretLeaks(secrets, {
      texts: {
        "CLI output": output,
        "emulator request log": JSON.stringify(emulator.requests()),
        "git proxy log": JSON.stringify(gitProxy.log.requests()),
        "cluster proxy log": JSON.stringify(kubeProxy.log.requests()),
      },
      dirs: [program.stateDir, emulator.dataDir, ...(importDir ? [importDir] : [])],
      gitOrgs: [org],
    });
  } finally {
    await program.dispose();
    await Promise.all([emulator.dispose(), gitProxy.stop(), kubeProxy.stop()]);
    if (importDir) await rm(importDir, { recursive: true, force: true });
  }
}
