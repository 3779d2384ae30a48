// What every provider method receives: the stack's settings, one Codefresh client, the one secret set,
// and the engine log. Built by `configure()` once per provider process (see ../providers.ts), so no
// method reaches for module state and a test passes its own.
import { CodefreshClient } from "../../api";
import { CodefreshConfig, ConfigSource, resolveConfig } from "../../config";
import { SecretSet } from "../../secrets";
import { engineLog } from "./engine-log";

/** Stack config keys whose values are secrets: they join the secret set when read. */
const secretConfigKeys = new Set(["codefresh:apiKey", "codefresh:gitToken"]);

export interface ProviderContext {
  /** Settings from stack config (`codefresh:*`) or the environment, resolved on first use. */
  readonly config: CodefreshConfig;
  /** One Codefresh client per process, made on first use (check never needs one). */
  readonly client: CodefreshClient;
  /** Every secret seen: inputs marked secret, secret config, tokens made along the way. */
  readonly secrets: SecretSet;
  /** A stack config value by full key (`codefresh:accountPlan`); secret ones join the secret set. */
  value(key: string): string | undefined;
  /** A progress message in `pulumi up`'s output, scrubbed of secrets. */
  log(message: string): void;
  /**
   * A read-only lookup's answer, shared by the callers that ask for `key` within {@link sharedAnswerMs}: a
   * refresh looks up one repo's size for each of its git sources, and they run at once. Failures are not kept.
   */
  shared<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/** How long {@link ProviderContext.shared} keeps an answer: one burst of concurrent reads, not a cache. */
export const sharedAnswerMs = 1_000;

export interface ContextOptions {
  config?: ConfigSource | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Where messages go (the engine by default). */
  log?: ((text: string) => void) | undefined;
}

export function createContext(options: ContextOptions = {}): ProviderContext {
  const source = options.config ?? { get: () => undefined };
  const env = options.env ?? process.env;
  const write = options.log ?? engineLog;
  const secrets = new SecretSet();
  let config: CodefreshConfig | undefined;
  let client: CodefreshClient | undefined;
  const answers = new Map<string, { expires: number; value: Promise<unknown> }>();
  const context: ProviderContext = {
    get config() {
      if (!config) {
        config = resolveConfig(source, env);
        secrets.add(config.apiKey);
      }
      return config;
    },
    get client() {
      client ??= new CodefreshClient({
        config: context.config,
        secrets,
        onRetry: ({ operation, attempt, delayMs, reason }) =>
          context.log(`Codefresh ${operation}: attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s`),
      });
      return client;
    },
    secrets,
    value(key) {
      const value = source.get(key);
      return secretConfigKeys.has(key) ? secrets.add(value) : value;
    },
    log(message) {
      write(secrets.scrub(message));
    },
    shared<T>(key: string, load: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const hit = answers.get(key);
      if (hit && hit.expires > now) return hit.value as Promise<T>;
      for (const [old, answer] of answers) if (answer.expires <= now) answers.delete(old);
      const value = load();
      answers.set(key, { expires: now + sharedAnswerMs, value });
      value.catch(() => answers.delete(key));
      return value;
    },
  };
  return context;
}
