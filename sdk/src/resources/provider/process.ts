// The provider process's one context. The shim's `configure` (called by the engine with the stack's
// config, secrets decrypted) replaces it; every method asks for it when it runs.
import type { ConfigSource } from "../../config";
import { createContext, ProviderContext } from "./context";

let current: ProviderContext | undefined;

/** Called by the shim's `configure` with the stack's whole config. */
export function configure(request: { config: ConfigSource }): void {
  current = createContext({ config: { get: (key) => request.config.get(key) } });
}

/** The context of this process (one without stack config until `configure` runs). */
export function processContext(): ProviderContext {
  current ??= createContext();
  return current;
}
