// The one set of secret values a provider process has seen (the API key, git tokens, kubeconfigs,
// cluster tokens): every text that leaves the package is scrubbed of them.
import { redact } from "./redact";

export class SecretSet {
  readonly #values = new Set<string>();

  /** Adds a value; empty and undefined values are ignored. Returns the value, for use inline. */
  add<T extends string | undefined>(value: T): T {
    if (value) this.#values.add(value);
    return value;
  }

  has(value: string): boolean {
    return this.#values.has(value);
  }

  /** `text` with every secret, plain or base64-encoded, replaced by `[redacted]`. */
  scrub(text: string): string {
    return redact(text, this.#values);
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.#values.values();
  }
}
