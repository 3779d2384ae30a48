// What the emulator counts and remembers of the requests it served (calls per operation, reads and
// writes, faults injected, and the last requests), for benchmarks and tests through the admin API.
import type { Faults } from "./faults";

export interface CounterEntry {
  count: number;
  kind: "query" | "mutation" | "rest";
}

export interface Counters {
  total: number;
  reads: number;
  writes: number;
  byOperation: Record<string, CounterEntry>;
  faultsInjected: Record<string, number>;
}

export interface LoggedRequest {
  at: string;
  surface: "platform" | "app-proxy" | "rest";
  operation: string;
  kind: "query" | "mutation" | "rest";
  status: number;
  fault?: string | undefined;
  ms: number;
  /** Who sent it, from its User-Agent: a pulumi-codefresh resource type, or `other` (faults.ts, `callerOf`). */
  caller?: string | undefined;
}

// Enough for a whole benchmark step at N=500 M=100 (a few thousand requests) many times over, at ~200
// bytes a request.
const requestLogSize = 50_000;

export class RequestMetrics {
  /** Live: `faultsInjected` is the fault rules' own tally, so it is never out of date. */
  readonly counters: Counters;
  private readonly log: LoggedRequest[] = [];

  constructor(private readonly faults: Faults) {
    this.counters = { total: 0, reads: 0, writes: 0, byOperation: {}, faultsInjected: faults.injected };
  }

  count(operation: string, kind: CounterEntry["kind"]): void {
    this.counters.total++;
    if (kind === "query") this.counters.reads++;
    else this.counters.writes++;
    const entry = (this.counters.byOperation[operation] ??= { count: 0, kind });
    entry.count++;
  }

  /** Logs one request; the last 50,000 (and up to 10% more) are kept. */
  record(request: LoggedRequest): void {
    this.log.push(request);
    // Trimmed in blocks, so a full log does not move itself on every request.
    if (this.log.length > requestLogSize * 1.1) this.log.splice(0, this.log.length - requestLogSize);
  }

  requests(): LoggedRequest[] {
    return [...this.log];
  }

  reset(): void {
    this.counters.total = 0;
    this.counters.reads = 0;
    this.counters.writes = 0;
    this.counters.byOperation = {};
    this.faults.resetCounts();
  }
}
