// Fault injection: rules chosen at start (flags or CODEFRESH_EMULATOR_FAULTS) or at run time (admin
// endpoint), each firing at a rate or for the next N matching requests, optionally only for some
// operations. Deterministic when seeded, so a failing test can be replayed. Every kind, and what it
// does, is one entry of `faultKindRegistry` below: the server only runs the hooks of the rule that fired.

/** What a fault's `before` hook sees of the request it may stop. */
export interface FaultedRequest {
  surface: "platform" | "app-proxy" | "rest";
}

/** The answer the operation produced, as an `after` hook sees it. */
export interface FaultedAnswer {
  status: number;
  headers: Record<string, string>;
  payload: string;
}

/**
 * What a hook decides: answer in place of the operation (`before` only), close the connection with no
 * answer, or carry on (`undefined`, possibly after a delay the hook awaited).
 */
export type FaultOutcome = { action: "answer"; status: number; headers?: Record<string, string>; body: unknown } | { action: "close" } | undefined;

/**
 * One kind of fault and where it acts. A request fault has `before` (runs before the operation: a refusal
 * there means nothing was applied) and/or `after` (runs once the operation was applied). A business fault
 * has neither: the business rule it breaks asks for it by name with {@link Faults.takeBusiness}.
 */
export interface FaultKindDefinition<Kind extends string = string> {
  readonly kind: Kind;
  /** One line, for the CLI's usage and the README's table. */
  readonly summary: string;
  before?(rule: FaultRule, request: FaultedRequest): FaultOutcome | Promise<FaultOutcome>;
  after?(rule: FaultRule, answer: FaultedAnswer): FaultOutcome | Promise<FaultOutcome>;
  /** A business fault: consumed by the named operation's rule, never by the request pipeline. */
  readonly business?: { readonly consumedBy: string };
}

const defaultDelayMs = 5_000;

/** `429` and the 5xx kinds: the HTTP status is the kind's name; answered before the operation runs. */
function statusFault<Kind extends `${number}`>(kind: Kind, summary: string): FaultKindDefinition<Kind> {
  const status = Number(kind);
  return {
    kind,
    summary,
    before: (rule) => {
      // null leaves the header out, as a server or proxy that rate-limits without saying how long does.
      const retryAfter = rule.retryAfterSeconds === null ? undefined : (rule.retryAfterSeconds ?? (status === 429 ? 1 : undefined));
      const headers: Record<string, string> = retryAfter !== undefined ? { "retry-after": String(retryAfter) } : {};
      return {
        action: "answer",
        status,
        headers,
        body: { error: status === 429 ? "Too Many Requests" : "injected server error", status },
      };
    },
  };
}

/** A hook that only waits `delayMs`, then lets the request carry on. */
function waitDelay(rule: FaultRule): Promise<FaultOutcome> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), rule.delayMs ?? defaultDelayMs));
}

/**
 * Every fault kind, in one place. Adding one is an entry here (plus, for a business fault, the
 * `takeBusiness("<kind>")` call in the rule it breaks) and its test: the server, the CLI's usage, spec
 * parsing and the admin API all take the kinds from here, and a test checks the README's table against it.
 */
export const faultKindRegistry = [
  statusFault("429", "answered 429 with `Retry-After` (`retryAfter`, default 1 s; `none` leaves it out) before the operation runs: nothing applied"),
  statusFault("500", "answered 500 before the operation runs: nothing applied"),
  statusFault("502", "answered 502 before the operation runs: nothing applied"),
  statusFault("503", "answered 503 before the operation runs: nothing applied (`Retry-After` only with `retryAfter`)"),
  statusFault("504", "answered 504 before the operation runs: nothing applied"),
  {
    kind: "slow",
    summary: "the operation runs; its answer is sent `delayMs` (default 5000) later",
    after: waitDelay,
  },
  {
    kind: "late",
    summary: "the operation starts only `delayMs` (default 5000) later, as on a backed-up server: a client that gave up may read before it is applied",
    before: waitDelay,
  },
  {
    kind: "drop",
    summary: "the operation runs and is applied, then the connection closes with no answer",
    after: () => ({ action: "close" }),
  },
  {
    kind: "reset",
    summary: "the connection closes before the operation runs: nothing applied",
    before: () => ({ action: "close" }),
  },
  {
    kind: "graphql-error",
    summary: "HTTP 200 with `errors[]` (`message`), nothing applied; GraphQL only (the REST registration ignores it)",
    before: (rule, request) =>
      request.surface === "rest"
        ? undefined
        : {
            action: "answer",
            status: 200,
            body: { data: null, errors: [{ message: rule.message ?? "Internal server error (injected)", extensions: { code: "INTERNAL_SERVER_ERROR" } }] },
          },
  },
  {
    kind: "install-failure",
    summary: "business fault: the next hosted runtime install (`installHostedRuntime`) ends FAILED; only `count` applies",
    business: { consumedBy: "installHostedRuntime" },
  },
] as const satisfies readonly FaultKindDefinition[];

type RegisteredKind = (typeof faultKindRegistry)[number];
export type FaultKind = RegisteredKind["kind"];
/** The business faults: the names {@link Faults.takeBusiness} accepts. */
export type BusinessFaultKind = Extract<RegisteredKind, { business: object }>["kind"];

/** The registered kinds' names, in the registry's order. */
export const faultKinds: readonly FaultKind[] = faultKindRegistry.map((definition) => definition.kind);

/** The definition (hooks) of a registered kind; undefined for a name that is not one. */
export function faultKindDefinition(kind: string): FaultKindDefinition | undefined {
  return (faultKindRegistry as readonly FaultKindDefinition[]).find((definition) => definition.kind === kind);
}

export interface FaultRule {
  kind: FaultKind;
  /** Probability per matching request, 0..1 (default 1). */
  rate?: number;
  /** Fire for this many matching requests, then retire (default: no limit). */
  count?: number;
  /** Only these operations (GraphQL root field names, or `addCluster` for the REST registration; a proxy's `METHOD /path`). */
  operations?: string[];
  /**
   * Only requests from these callers: the resource type a pulumi-codefresh request names in its
   * User-Agent (`GitSource`, `ManagedCluster`, …; see {@link callerOf}), or `other` for any other client.
   */
  callers?: string[];
  /** 429/503: the `Retry-After` header, in seconds (default 1 for 429); null: no header. */
  retryAfterSeconds?: number | null;
  /** slow, late: added delay in ms (default 5000). */
  delayMs?: number;
  /** graphql-error: the message (default "Internal server error (injected)"). */
  message?: string | undefined;
}

/** A request fault that fired for one request, with the hooks the server runs. */
export interface FiredFault {
  rule: FaultRule;
  definition: FaultKindDefinition;
}

/**
 * Who sent a request, from its User-Agent: the resource type of a pulumi-codefresh request
 * (`pulumi-codefresh/0.1.0 (GitSource.create)` → `GitSource`), else `other` (Argo CD, git, the emulator itself).
 */
export function callerOf(userAgent: string | undefined): string {
  return /^pulumi-codefresh\/\S+ \((\w+)\./.exec(userAgent ?? "")?.[1] ?? "other";
}

/** The rules in force, and how often each kind fired: in all, and by caller. */
export class Faults {
  private rules: FaultRule[] = [];
  private random: () => number;
  readonly injected: Record<string, number> = {};
  /** Per caller ({@link callerOf}), per kind. */
  readonly injectedBy: Record<string, Record<string, number>> = {};

  constructor(rules: FaultRule[] = [], seed = 1) {
    this.random = mulberry32(seed);
    this.set(rules);
  }

  /** Replaces the rules, and starts their counts afresh: the counts then tell what these rules injected. */
  set(rules: FaultRule[], seed?: number): void {
    for (const rule of rules) validateRule(rule);
    this.rules = rules.map((r) => ({ ...r }));
    if (seed !== undefined) this.random = mulberry32(seed);
    this.resetCounts();
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The request fault for one request from `caller` ({@link callerOf}), if one fires; counts it. Business faults never fire here. */
  pick(operation: string, caller = "other"): FiredFault | undefined {
    for (const rule of this.rules) {
      const definition = faultKindDefinition(rule.kind);
      if (!definition || definition.business) continue;
      if (rule.operations && !rule.operations.includes(operation)) continue;
      if (rule.callers && !rule.callers.includes(caller)) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      if (rule.count !== undefined) rule.count--;
      this.injected[rule.kind] = (this.injected[rule.kind] ?? 0) + 1;
      const byKind = (this.injectedBy[caller] ??= {});
      byKind[rule.kind] = (byKind[rule.kind] ?? 0) + 1;
      return { rule, definition };
    }
    return undefined;
  }

  /** Whether a business fault of this kind is due, counting it if so: the business rule it breaks asks. */
  takeBusiness(kind: BusinessFaultKind): boolean {
    const rule = this.rules.find((r) => r.kind === kind && (r.count === undefined || r.count > 0));
    if (!rule) return false;
    if (rule.count !== undefined) rule.count--;
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    return true;
  }

  resetCounts(): void {
    for (const key of Object.keys(this.injected)) delete this.injected[key];
    for (const key of Object.keys(this.injectedBy)) delete this.injectedBy[key];
  }
}

/** Refuses a rule that would fail later, on the requests it fires for (rules also come from the admin API's JSON). */
function validateRule(rule: FaultRule): void {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) throw new Error(`a fault rule must be an object, got ${JSON.stringify(rule)}`);
  if (!faultKindDefinition(rule.kind)) throw new Error(`unknown fault kind "${String(rule.kind)}"; one of ${faultKinds.join(", ")}`);
  if (rule.rate !== undefined && !(typeof rule.rate === "number" && rule.rate >= 0 && rule.rate <= 1))
    throw new Error(`fault rate must be between 0 and 1, got ${JSON.stringify(rule.rate)}`);
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count >= 0))
    throw new Error(`fault count must be a whole number, got ${JSON.stringify(rule.count)}`);
  if (rule.operations !== undefined && !(Array.isArray(rule.operations) && rule.operations.every((operation) => typeof operation === "string"))) {
    throw new Error(`fault operations must be a list of operation names, got ${JSON.stringify(rule.operations)}`);
  }
  if (rule.callers !== undefined && !(Array.isArray(rule.callers) && rule.callers.every((caller) => typeof caller === "string"))) {
    throw new Error(`fault callers must be a list of callers (a resource type, or other), got ${JSON.stringify(rule.callers)}`);
  }
  for (const [name, value] of [
    ["retryAfterSeconds", rule.retryAfterSeconds ?? undefined],
    ["delayMs", rule.delayMs],
  ] as const) {
    // Retry-After goes into a header and delayMs into a timer: both must be plain non-negative numbers.
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0))
      throw new Error(`fault ${name} must be a number of at least 0, got ${JSON.stringify(value)}`);
  }
  if (rule.message !== undefined && typeof rule.message !== "string") throw new Error(`fault message must be a string, got ${JSON.stringify(rule.message)}`);
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
          case "rate":
            rule.rate = Number(value);
            break;
          case "count":
            rule.count = Number(value);
            break;
          case "retryAfter":
            rule.retryAfterSeconds = value === "none" ? null : Number(value);
            break;
          case "delayMs":
            rule.delayMs = Number(value);
            break;
          case "message":
            rule.message = value;
            break;
          case "operations":
            // Without "=" there is no list to split (this read undefined's split before).
            if (value === undefined) throw new Error(`fault option "operations" in "${part}" needs a value`);
            rule.operations = value.split("|");
            break;
          case "callers":
            if (value === undefined) throw new Error(`fault option "callers" in "${part}" needs a value`);
            rule.callers = value.split("|");
            break;
          default:
            throw new Error(`unknown fault option "${key}" in "${part}"`);
        }
      }
      validateRule(rule);
      return rule;
    });
}

/** The deterministic generator fault rules draw from (mulberry32): a seed replays the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
