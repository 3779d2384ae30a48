// Secrets at rest: every secret the emulator keeps (git tokens, cluster tokens, registered git tokens) is
// sealed with AES-256-GCM before the state reaches the disk, with a key given outside the data directory,
// so a copy of the data directory leaks nothing. Memory holds them in the clear; queries never return them.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const prefix = "sealed:v1:";

/** Property names whose string values are secrets, wherever they appear in the state. */
export const secretProperties: ReadonlySet<string> = new Set(["gitToken", "token", "refreshToken"]);

export class SecretBox {
  private readonly key: Buffer;

  /** `key`: 32 bytes as hex or base64, or any other text (hashed into a key). */
  constructor(key: string | Buffer) {
    this.key = Buffer.isBuffer(key) ? createHash("sha256").update(key).digest() : keyFromText(key.trim());
  }

  /** A new random key, as the text the constructor takes (what the local stack writes to its key file). */
  static generateKey(): string {
    return randomBytes(32).toString("hex");
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${prefix}${iv.toString("base64")}:${cipher.getAuthTag().toString("base64")}:${sealed.toString("base64")}`;
  }

  open(value: string): string {
    const [iv, tag, sealed] = value.slice(prefix.length).split(":");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv ?? "", "base64"));
      decipher.setAuthTag(Buffer.from(tag ?? "", "base64"));
      return Buffer.concat([decipher.update(Buffer.from(sealed ?? "", "base64")), decipher.final()]).toString("utf8");
    } catch {
      throw new Error(
        "the state holds secrets sealed with another key: start the emulator with the key it was started with before (--secret-key-file or CODEFRESH_EMULATOR_SECRET_KEY)",
      );
    }
  }

  /** JSON of `state` with every secret property sealed. */
  stringify(state: unknown): string {
    return JSON.stringify(state, (name, value: unknown) => (secretProperties.has(name) && typeof value === "string" ? this.seal(value) : value), 1);
  }

  /** The state of `text`, secrets opened (a secret stored in the clear by an older emulator is taken as is). */
  parse<T>(text: string): T {
    return JSON.parse(text, (name, value: unknown) =>
      secretProperties.has(name) && typeof value === "string" && value.startsWith(prefix) ? this.open(value) : value,
    ) as T;
  }
}

function keyFromText(text: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, "hex");
  const base64 = Buffer.from(text, "base64");
  if (base64.length === 32 && /^[A-Za-z0-9+/]+=*$/.test(text)) return base64;
  return createHash("sha256").update(text).digest();
}
