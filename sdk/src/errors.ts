/**
 * The one error hierarchy of the package. Every error a user can meet is a `CodefreshError`; the
 * subclasses say what kind of problem it is, and every message says what to do about it.
 */
export class CodefreshError extends Error {
  override readonly name: string = "CodefreshError";
}

/** Invalid or missing configuration (provider config or environment), found before any remote call. */
export class ConfigError extends CodefreshError {
  override readonly name = "ConfigError";
  constructor(
    /** The config key or environment variable at fault, for example `codefresh:apiUrl`. */
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}
