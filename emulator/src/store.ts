// Emulator state on disk: one JSON document, replaced atomically (write a temporary file, fsync it,
// rename it over the old one, fsync the directory) before a write is acknowledged, so a kill -9 never
// loses an acknowledged write or leaves a torn file. Writes are serialised (and grouped); reads see memory.
// Secrets are sealed on the way to the disk (secret-box.ts).
import { mkdirSync, readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { join } from "node:path";
import { emptyState, EmulatorState } from "./model";
import type { SecretBox } from "./secret-box";

export class StateStore {
  private state: EmulatorState;
  private readonly file: string;
  private readonly pending: Waiter[] = [];
  private flushing = false;

  /** `secrets` seals every secret before it reaches the disk (secret-box.ts). */
  constructor(
    readonly dataDir: string,
    private readonly secrets: SecretBox,
  ) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.file = join(dataDir, "state.json");
    this.state = this.load();
  }

  private load(): EmulatorState {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
      throw error;
    }
    const parsed = this.secrets.parse<EmulatorState>(text);
    if (parsed.version !== 1) throw new Error(`${this.file}: unsupported state version ${String(parsed.version)}`);
    // Integrations written before tokens were kept per user have none registered.
    for (const account of Object.values(parsed.accounts)) for (const integration of Object.values(account.gitIntegrations)) integration.registrations ??= {};
    return parsed;
  }

  /** The current state, read-only by convention: change it only inside {@link update}. */
  get current(): EmulatorState {
    return this.state;
  }

  /**
   * Applies `change` to a copy of the state and persists it; resolves with `change`'s result once the
   * new state is durable. A change that throws leaves the state as it was. Changes that arrive while a
   * write is in flight are applied in order and made durable together (one fsync for the group), and
   * the disk is written asynchronously: the server keeps answering while it syncs.
   */
  update<T>(change: (state: EmulatorState) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ change, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        let draft = this.state;
        const applied: { waiter: Waiter; result: unknown }[] = [];
        for (const waiter of group) {
          const attempt = structuredClone(draft); // a throwing change must not leave half its edits
          try {
            const result = waiter.change(attempt);
            draft = attempt;
            applied.push({ waiter, result });
          } catch (error) {
            waiter.reject(error);
          }
        }
        if (applied.length === 0) continue;
        try {
          await this.persist(draft);
          this.state = draft;
          for (const { waiter, result } of applied) waiter.resolve(result);
        } catch (error) {
          for (const { waiter } of applied) waiter.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async persist(state: EmulatorState): Promise<void> {
    const temporary = `${this.file}.${process.pid}.tmp`;
    const file = await open(temporary, "w", 0o600);
    try {
      await file.writeFile(this.secrets.stringify(state));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.file);
    const dir = await open(this.dataDir, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

interface Waiter {
  change: (state: EmulatorState) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
