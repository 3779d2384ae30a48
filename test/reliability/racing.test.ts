// Racing stacks: two stacks of one account running `up` at the same moment. Both declaring the account's
// one hosted runtime: exactly one runtime exists afterwards, the losing stack fails with the message that
// says to adopt it, and with `adopt: true` it converges. Both creating git sources in the one Shared
// Configuration Repository: every git source exists once in Codefresh and once, as its Application, in git.
// Under `npm test` each race runs once and small; `npm run test:reliability` runs more and counts them.
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { git } from "pulumi-codefresh";
import { accountA, connectGitInUi, testEmulator, TestEmulator } from "../harness/emulator";
import { codefreshStackConfig } from "../harness/codefresh-stack";
import { testProgram, TestProgram } from "../harness/pulumi";
import { sharedGitServer } from "../harness/shared";
import { record } from "./report";
import { expectNoSecretLeaks } from "./secrets-sweep";

type State = { accounts: { name: string; runtimes: { name: string }[]; gitSources: { name: string }[] }[] };

const volume = Boolean(process.env.PULUMI_CODEFRESH_RELIABILITY_REPORT);
const runtimeRaces = volume ? 2 : 1;
const gitSourceRaces = volume ? 2 : 1;
const sourcesPerStack = volume ? 20 : 5;
const runtime = "codefresh-hosted";
let orgCounter = 0;

async function newOrg(): Promise<string> {
  const org = `race-${process.pid}-${++orgCounter}`;
  await sharedGitServer().createOrg(org);
  return org;
}

const accountOf = async (emulator: TestEmulator) => {
  const state = await emulator.admin<State>("GET", "state");
  const account = state.accounts.find((a) => a.name === accountA.name);
  if (!account) throw new Error(`the emulator has no account ${accountA.name}`);
  return account;
};

/** Starts both `up`s in the same tick and waits for both to settle. */
function upTogether(stacks: Stack[]): Promise<PromiseSettledResult<UpResult>[]> {
  return Promise.allSettled(stacks.map((stack) => stack.up()));
}

/** Removes the stacks' programs and their file backends (the stacks with them). */
async function disposeAll(programs: TestProgram[]): Promise<void> {
  await Promise.all(programs.map((program) => program.dispose()));
}

/**
 * Two stacks declaring the hosted runtime (`adoptRuntime` as given), their `up`s started together; `body`
 * gets what each `up` gave and the account's runtimes right after. Stops what it started.
 */
async function raceForTheRuntime(
  adopt: boolean,
  body: (race: { emulator: TestEmulator; programs: TestProgram[]; results: PromiseSettledResult<UpResult>[]; runtimes: string[] }) => Promise<void>,
): Promise<void> {
  const org = await newOrg();
  const emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA], installDelayMs: 500 });
  const programs: TestProgram[] = [];
  try {
    for (const name of ["racer-a", "racer-b"]) {
      const config = codefreshStackConfig({ apiUrl: emulator.url, org, gitSources: [], extra: { adoptRuntime: String(adopt) } });
      programs.push(await testProgram("codefresh-stack", config, { stackName: name }));
    }
    // A backed-up server starts each install late, so both stacks have looked for a hosted runtime, and
    // found none, before either install is applied: the race is run every time, not only when lucky.
    await emulator.admin("PUT", "faults", { rules: [{ kind: "late", delayMs: 4_000, operations: ["installHostedRuntime"] }] });
    const results = await upTogether(programs.map((p) => p.stack));
    await emulator.admin("DELETE", "faults");
    const runtimes = (await accountOf(emulator)).runtimes.map((r) => r.name);
    await body({ emulator, programs, results, runtimes });
    await expectNoSecretLeaks([accountA.apiKey, sharedGitServer().adminToken], {
      dirs: [...programs.map((p) => p.stateDir), emulator.dataDir],
      gitOrgs: [org],
    });
  } finally {
    await disposeAll(programs);
    await emulator.dispose();
  }
}

describe("two stacks declaring the account's hosted runtime, up at once", () => {
  test.each(Array.from({ length: runtimeRaces }, (_, i) => [i + 1]))("race %d: one runtime; the loser is told to adopt it, and then converges", async () => {
    await raceForTheRuntime(false, async ({ emulator, programs, results, runtimes }) => {
      const winners = results.filter((r) => r.status === "fulfilled");
      const losers = results.flatMap((r, i) => (r.status === "rejected" ? [{ program: programs[i], error: String(r.reason) }] : []));
      const told = losers.length === 1 && /the account already has a hosted runtime \("codefresh-hosted"\).*set `adopt: true`/s.test(losers[0]?.error ?? "");
      let converged = false;
      if (told && losers[0]) {
        await losers[0].program.stack.setConfig("adoptRuntime", { value: "true" });
        const adopted = await losers[0].program.stack.up();
        converged = adopted.summary.result === "succeeded" && adopted.outputs.runtimeStatus?.value === "COMPLETED";
      }
      const after = (await accountOf(emulator)).runtimes.map((r) => r.name);
      const clean = runtimes.length === 1 && winners.length === 1 && told && converged && after.length === 1;
      record({ racingRuns: 1, racingClean: clean ? 1 : 0 });

      expect(runtimes).toEqual([runtime]);
      expect(winners).toHaveLength(1);
      expect(losers.map((l) => l.error)).toEqual([
        expect.stringMatching(
          /the account already has a hosted runtime \("codefresh-hosted"\) that this stack does not manage.*set `adopt: true` on this HostedRuntime/s,
        ),
      ]);
      expect(converged).toBe(true);
      expect(after).toEqual([runtime]);
      // The adopted runtime is the loser's now: nothing left to do.
      expect((await losers[0]?.program.stack.preview())?.changeSummary).toEqual({ same: 3 });
    });
  });

  test("both with `adopt: true`: the one that installs second adopts what the first installed, and both converge", async () => {
    await raceForTheRuntime(true, async ({ emulator, results, runtimes }) => {
      const outcomes = results.map((r) =>
        r.status === "fulfilled" ? `${r.value.summary.result} ${String(r.value.outputs.runtimeStatus?.value)}` : String(r.reason),
      );
      const clean = runtimes.length === 1 && outcomes.every((o) => o === "succeeded COMPLETED");
      record({ racingRuns: 1, racingClean: clean ? 1 : 0 });

      expect(runtimes).toEqual([runtime]);
      expect(outcomes).toEqual(["succeeded COMPLETED", "succeeded COMPLETED"]);
      // Both installs were sent (the race was run), one was refused.
      const installs = emulator.requests().filter((r) => r.operation === "installHostedRuntime");
      expect(installs).toHaveLength(2);
    });
  });
});

interface ManifestEntry {
  name: string;
  type: string;
}

describe("two stacks creating git sources in one Shared Configuration Repository, up at once", () => {
  test.each(Array.from({ length: gitSourceRaces }, (_, i) => [i + 1]))(
    `race %d: ${sourcesPerStack}+${sourcesPerStack} git sources, each once in Codefresh and once in git`,
    async () => {
      const org = await newOrg();
      const emulator = await testEmulator({ gitCaBundle: sharedGitServer().caCert, accounts: [accountA] });
      const programs: TestProgram[] = [];
      try {
        // The account as the UI leaves it: the hosted runtime installed, git connected. Both stacks read the
        // runtime by name and declare the connected repo, which their create only checks (no write).
        await emulator.admin("POST", "ui/hosted-runtime", { account: accountA.name });
        await connectGitInUi(emulator, org);
        const names = { a: [] as string[], b: [] as string[] };
        for (const stack of ["a", "b"] as const) {
          const sources = Array.from({ length: sourcesPerStack }, (_, i) => ({ name: `${stack}-${i}`, path: `${stack}/${i}` }));
          names[stack] = sources.map((s) => s.name);
          const config = codefreshStackConfig({ apiUrl: emulator.url, org, gitSources: sources, runtimeName: runtime });
          programs.push(await testProgram("codefresh-stack", config, { stackName: `sources-${stack}` }));
        }
        const expected = [...names.a, ...names.b].sort();
        const dir = `resources/${runtime}`;
        const listDir = async () => {
          const reply = await sharedGitServer().api("GET", `/repos/${org}/codefresh-isc/contents/${dir}`);
          if (reply.status === 404) return []; // no git source yet
          expect(reply.status).toBe(200);
          return (reply.body as ManifestEntry[]).filter((e) => e.type === "file").map((e) => e.name);
        };
        const before = await listDir();
        const sourcesBefore = (await accountOf(emulator)).gitSources.map((s) => s.name);

        const results = await upTogether(programs.map((p) => p.stack));

        const inCodefresh = (await accountOf(emulator)).gitSources.map((s) => s.name).filter((n) => !sourcesBefore.includes(n));
        const inGit = (await listDir()).filter((file) => !before.includes(file));
        const gitea = sharedGitServer();
        const client = git.createGitClient({ provider: "GITHUB", apiUrl: gitea.apiUrl, token: gitea.adminToken, caBundle: gitea.caCert });
        const isc = git.parseRepoUrl(`${gitea.url}/${org}/codefresh-isc.git`);
        const manifests = await Promise.all(expected.map((name) => client.readFile(isc, `${dir}/${name}.yaml`)));
        const clean =
          results.every((r) => r.status === "fulfilled") &&
          JSON.stringify([...inCodefresh].sort()) === JSON.stringify(expected) &&
          JSON.stringify([...inGit].sort()) === JSON.stringify(expected.map((n) => `${n}.yaml`).sort());
        record({ racingRuns: 1, racingClean: clean ? 1 : 0 });

        expect(results.map((r) => (r.status === "fulfilled" ? r.value.summary.result : String(r.reason)))).toEqual(["succeeded", "succeeded"]);
        expect([...inCodefresh].sort()).toEqual(expected);
        expect([...inGit].sort()).toEqual(expected.map((n) => `${n}.yaml`).sort());
        // Each file is that git source's Application, pointing at its own path.
        manifests.forEach((manifest, i) => {
          const name = expected[i] ?? "";
          expect(manifest).toMatch(new RegExp(`kind: Application\\n[^]*name: ${name}\\n[^]*path: ${name.replace("-", "/")}\\n`));
        });
        const previews = await Promise.all(programs.map((program) => program.stack.preview()));
        expect(previews.map((p) => p.changeSummary)).toEqual(programs.map(() => ({ same: 3 + sourcesPerStack })));
        await expectNoSecretLeaks([accountA.apiKey, sharedGitServer().adminToken], {
          dirs: [...programs.map((p) => p.stateDir), emulator.dataDir],
          gitOrgs: [org],
        });
      } finally {
        await disposeAll(programs);
        await emulator.dispose();
      }
    },
  );
});
