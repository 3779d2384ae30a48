// Counts the reliability suite adds up, one JSON line per record, in the file named by
// PULUMI_CODEFRESH_RELIABILITY_REPORT (set by scripts/run-reliability.mjs; absent under plain npm test).
import { appendFileSync } from "node:fs";

export interface Counts {
  faultsInjected?: number;
  faultsSurvived?: number;
  crashesTried?: number;
  crashesConverged?: number;
  badInputsTried?: number;
  badInputsRejected?: number;
  secretLeaks?: number;
  /** Crashes during the hosted install, recovered with the documented `adopt: true`. */
  runtimeAdoptions?: number;
  /** Two stacks of one account racing: the hosted runtime, or git sources in one Shared Configuration Repo. */
  racingRuns?: number;
  /** Races that ended with exactly one runtime (the loser told to adopt it) or with no git source lost or doubled. */
  racingClean?: number;
  /** Faults injected per `step resource-type kind` (summed over Codefresh, the git server and the cluster); 0 for a type that sent requests but got none. */
  faultCells?: Record<string, number>;
  /** Where a crash landed (`pulumi killed in update`, `emulator killed during a push`, …), one per crash. */
  crashPoint?: string;
  /** Scenarios that ended with the secrets sweep (secrets-sweep.ts). */
  secretSweeps?: number;
  /** Hostile HTTP requests sent to the emulator (test/harness/hostile-requests.ts). */
  hostileRequests?: number;
  /** Of them, those answered their 4xx with the emulator still serving afterwards. */
  hostileRejected?: number;
}

export function record(counts: Counts): void {
  const file = process.env.PULUMI_CODEFRESH_RELIABILITY_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(counts)}\n`);
}
