// One diff for every resource, driven by what its spec says a change of each field means.

import { isUnknown } from "./unknown";

/** Keys whose new value is unknown (preview) or differs from the old one (deep, order-insensitive for maps). */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((key) => isUnknown(news[key]) || stable(olds[key]) !== stable(news[key]));
}

/** A canonical text of a value: maps sorted by key; absent, null, "" and {} are all "nothing". */
export function stable(value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
  if (entries.length === 0) return "";
  return `{${entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`)
    .join(",")}}`;
}

export interface DiffRules {
  /** Fields whose change needs a new object. */
  replace: readonly string[];
  /** Fields Codefresh changes in place. */
  update: readonly string[];
  /**
   * When the old object must go before its replacement is made: `"always"` (a singleton), or the fields
   * that identify the object in Codefresh; replaced with those unchanged, the new one is the same
   * object, and deleting the old one afterwards would delete the new one.
   */
  deleteBeforeReplace?: "always" | readonly string[] | undefined;
}

export interface Diff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export function diffFields(rules: DiffRules, olds: Record<string, unknown>, news: Record<string, unknown>): Diff {
  const replaces = changedKeys(olds, news, rules.replace);
  const changes = replaces.length > 0 || changedKeys(olds, news, rules.update).length > 0;
  const order = rules.deleteBeforeReplace;
  const sameObject = order === "always" || (order !== undefined && !order.some((key) => replaces.includes(key)));
  return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && sameObject };
}
