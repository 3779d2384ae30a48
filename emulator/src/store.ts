// Emulator state on disk: one JSON document, replaced atomically (write a temporary file, fsync it,
// rename it over the old one, fsync the directory) before a write is acknowledged, so a kill -9 never
// loses an acknowledged write or leaves a torn file. Writes are serialised; reads see memory.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { emptyState, EmulatorState } from "./model";

export class StateStore {
  private state: EmulatorState;
  private readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataDir: string) {
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
    const parsed = JSON.parse(text) as EmulatorState;
    if (parsed.version !== 1) throw new Error(`${this.file}: unsupported state version ${String(parsed.version)}`);
    return parsed;
  }

  /** The current state, read-only by convention: change it only inside {@link update}. */
  get current(): EmulatorState {
    return this.state;
  }

  /**
   * Applies `change` to a copy of the state and persists it; resolves with `change`'s result once the
   * new state is durable. A change that throws leaves the state as it was.
   */
  update<T>(change: (state: EmulatorState) => T): Promise<T> {
    const run = async () => {
      const draft = structuredClone(this.state);
      const result = change(draft);
      this.persist(draft);
      this.state = draft;
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private persist(state: EmulatorState): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temporary, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(state, null, 1));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    const dir = openSync(this.dataDir, "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}
