/** Shortens `text` to at most `max` characters for a message, ending with "…" when it was cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}
