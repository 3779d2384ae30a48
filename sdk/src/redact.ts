// Secrets never appear in messages, logs or state: every text that leaves the package passes here.

const placeholder = "[redacted]";

/** Replaces every occurrence of each secret, plain and base64-encoded, with `[redacted]`. */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    // Short values would redact ordinary words; real keys and tokens are long.
    if (secret === undefined || secret.length < 6) continue;
    for (const form of [secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")]) {
      out = out.split(form).join(placeholder);
    }
  }
  return out;
}
