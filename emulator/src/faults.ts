// Fault injection: rules chosen at start (flags or CODEFRESH_EMULATOR_FAULTS) or at run time (admin
// endpoint), each firing at a rate or for the next N matching requests, optionally only for some
// operations. Deterministic when seeded, so a failing test can be replayed.

export const faultKinds = ["429", "500", "502", "503", "504", "slow", "late", "drop", "reset", "graphql-error", "install-failure"] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FaultRule {
  kind: FaultKind;
  /** Probability per matching request, 0..1 (default 1). */
  rate?: number;
  /** Fire for this many matching requests, then retire (default: no limit). */
  count?: number;
  /** Only these operations (GraphQL root field names, or `addCluster` for the REST registration). */
  operations?: string[];
  /** 429/503: the `Retry-After` header, in seconds (default 1 for 429). */
  retryAfterSeconds?: number;
  /** slow, late: added delay in ms (default 5000). */
  delayMs?: number;
  /** graphql-error: the message (default "Internal server error (injected)"). */
  message?: string;
}

/**
 * - `429`/`5xx`: answered before the operation runs (nothing applied).
 * - `slow`: the answer is delayed by `delayMs` after the operation ran.
 * - `late`: the operation itself starts only after `delayMs` (a backed-up server), so a client that gave
 *   up may read before it is applied.
 * - `drop`: the operation runs and is applied, then the connection is closed with no answer.
 * - `reset`: the connection is closed before the operation runs (nothing applied).
 * - `graphql-error`: HTTP 200 with `errors[]`, nothing applied.
 * - `install-failure`: the next hosted runtime install ends FAILED.
 */
export class Faults {
  private rules: FaultRule[] = [];
  private random: () => number;
  readonly injected: Record<string, number> = {};

  constructor(rules: FaultRule[] = [], seed = 1) {
    this.random = mulberry32(seed);
    this.set(rules);
  }

  set(rules: FaultRule[], seed?: number): void {
    for (const rule of rules) validateRule(rule);
    this.rules = rules.map((r) => ({ ...r }));
    if (seed !== undefined) this.random = mulberry32(seed);
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The fault for one request, if any fires; counts it. */
  pick(operation: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.kind === "install-failure") continue;
      if (rule.operations && !rule.operations.includes(operation)) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      if (rule.count !== undefined) rule.count--;
      this.injected[rule.kind] = (this.injected[rule.kind] ?? 0) + 1;
      return rule;
    }
    return undefined;
  }

  takeInstallFailure(): boolean {
    const rule = this.rules.find((r) => r.kind === "install-failure" && (r.count === undefined || r.count > 0));
    if (!rule) return false;
    if (rule.count !== undefined) rule.count--;
    this.injected["install-failure"] = (this.injected["install-failure"] ?? 0) + 1;
    return true;
  }

  resetCounts(): void {
    for (const key of Object.keys(this.injected)) delete this.injected[key];
  }
}

function validateRule(rule: FaultRule): void {
  if (!faultKinds.includes(rule.kind)) throw new Error(`unknown fault kind "${String(rule.kind)}"; one of ${faultKinds.join(", ")}`);
  if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) throw new Error(`fault rate must be between 0 and 1, got ${rule.rate}`);
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count >= 0)) throw new Error(`fault count must be a whole number, got ${rule.count}`);
}

/**
 * Parses `KIND[:key=value,...]`, several separated by `;`, e.g.
 * `429:rate=0.2,retryAfter=1;drop:count=1,operations=createGitSource`.
 */
export function parseFaultSpec(spec: string): FaultRule[] {
  return spec
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const [kind, options = ""] = part.split(/:(.*)/s);
      const rule: FaultRule = { kind: kind as FaultKind };
      for (const pair of options.split(",").filter((p) => p !== "")) {
        const [key, value] = pair.split("=");
        switch (key) {
          case "rate": rule.rate = Number(value); break;
          case "count": rule.count = Number(value); break;
          case "retryAfter": rule.retryAfterSeconds = Number(value); break;
          case "delayMs": rule.delayMs = Number(value); break;
          case "message": rule.message = value; break;
          case "operations": rule.operations = value.split("|"); break;
          default: throw new Error(`unknown fault option "${key}" in "${part}"`);
        }
      }
      validateRule(rule);
      return rule;
    });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
