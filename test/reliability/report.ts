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
}

export function record(counts: Counts): void {
  const file = process.env.PULUMI_CODEFRESH_RELIABILITY_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(counts)}\n`);
}
