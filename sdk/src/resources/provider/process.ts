// The provider process's one context. The shim's `configure` (called by the engine with the stack's
// config, secrets decrypted) sets it; every method asks for it when it runs.
import type { ConfigSource } from "../../config";
import { createContext, ProviderContext } from "./context";

/** A config source that remembers what was read from it, to tell whether another source says the same. */
interface RecordedSource extends ConfigSource {
  /** True when `other` gives every value read so far. */
  agreesWith(other: ConfigSource): boolean;
  /** Reads from `other` from now on (it agrees with what was read). */
  readFrom(other: ConfigSource): void;
}

function recorded(initial: ConfigSource): RecordedSource {
  let source = initial;
  const read = new Map<string, string | undefined>();
  return {
    get(key) {
      const value = source.get(key);
      read.set(key, value);
      return value;
    },
    agreesWith: (other) => [...read].every(([key, value]) => other.get(key) === value),
    readFrom(other) {
      source = other;
    },
  };
}

let current: { context: ProviderContext; source: RecordedSource } | undefined;

function contextReading(config: ConfigSource): { context: ProviderContext; source: RecordedSource } {
  const source = recorded(config);
  return { context: createContext({ config: source }), source };
}

/**
 * Called by the shim's `configure` with the stack's whole config. Pulumi configures each resource type's
 * provider on its first use (four times per process, each time with the same stack config): a config that
 * agrees with the current one keeps the context, so every type shares one client, its list answers and its
 * connections, and one secret set.
 */
export function configure(request: { config: ConfigSource }): void {
  if (current?.source.agreesWith(request.config)) {
    current.source.readFrom(request.config);
    return;
  }
  current = contextReading(request.config);
}

/** The context of this process (one without stack config until `configure` runs). */
export function processContext(): ProviderContext {
  current ??= contextReading({ get: () => undefined });
  return current.context;
}
