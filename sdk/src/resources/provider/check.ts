// Input checks that name the field, what is wrong and the fix: the `Check` collector every resource's
// `check` fills, and the validators its spec names per field (see ../spec.ts).
import type * as pulumi from "@pulumi/pulumi";
import type { SecretSet } from "../../secrets";
import { truncate } from "../../text";
import { isUnknown } from "./unknown";

export type Failures = pulumi.dynamic.CheckFailure[];

/** Collects check failures; each names the field, what is wrong and the fix, with secrets removed. */
export class Check {
  readonly failures: Failures = [];
  constructor(private readonly secrets?: SecretSet) {}

  fail(property: string, reason: string): void {
    this.failures.push({ property, reason: this.secrets ? this.secrets.scrub(reason) : reason });
  }
  /** A required string: present, not blank, no control characters. Unknown values pass (known at apply). */
  requireString(property: string, value: unknown, what = "a non-empty string"): value is string {
    if (isUnknown(value)) return false;
    if (typeof value !== "string" || value.trim() === "") {
      this.fail(property, `is required: give ${what}`);
      return false;
    }
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      this.fail(property, "must not contain control characters or newlines");
      return false;
    }
    return true;
  }
  optionalString(property: string, value: unknown): value is string | undefined {
    if (value === undefined || value === null || isUnknown(value)) return true;
    if (typeof value !== "string") {
      this.fail(property, "must be a string");
      return false;
    }
    return this.requireString(property, value);
  }
  optionalBoolean(property: string, value: unknown): void {
    if (value !== undefined && value !== null && !isUnknown(value) && typeof value !== "boolean") this.fail(property, "must be true or false");
  }
  /** A Kubernetes-style name (lowercase letters, digits and '-', letter first, at most 63). */
  dnsLabel(property: string, value: unknown, what: string): void {
    if (!this.requireString(property, value, what)) return;
    if (value.length > 63) this.fail(property, `"${truncate(value, 20)}" is ${value.length} characters; at most 63`);
    else if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
      const suggestion = value
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/^[^a-z]+/, "")
        .replace(/-+$/, "");
      this.fail(
        property,
        `"${value}" is not valid: use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit${suggestion ? ` (for example "${suggestion}")` : ""}`,
      );
    }
  }
  /** Labels or annotations: a map of strings with Kubernetes-valid keys. */
  stringMap(property: string, value: unknown, kind: "label" | "annotation"): void {
    if (value === undefined || value === null || isUnknown(value)) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      this.fail(property, `must be a map of ${kind} names to string values`);
      return;
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (isUnknown(item)) continue;
      if (!validMetadataKey(key)) {
        this.fail(
          `${property}.${key}`,
          `"${key}" is not a valid Kubernetes ${kind} key: use [prefix/]name, name up to 63 of [A-Za-z0-9._-] starting and ending alphanumeric, prefix a DNS subdomain`,
        );
      }
      if (typeof item !== "string") {
        this.fail(`${property}.${key}`, "must be a string");
      } else if (kind === "label" && item !== "" && !/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(item)) {
        this.fail(`${property}.${key}`, `label value "${truncate(item, 40)}" is not valid: use up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric`);
      } else if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(item)) {
        this.fail(`${property}.${key}`, "must not contain control characters");
      }
    }
  }
}

function validMetadataKey(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1] ?? "";
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)) return false;
  const prefix = parts.length === 2 ? (parts[0] ?? "") : undefined;
  return prefix === undefined || (prefix.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix));
}

/**
 * What kind of value a field holds: which classes of invalid value apply to it (wrong type, empty, too long,
 * bad characters, a URL scheme, an enum's case, path traversal, …). Every validator declares one, so tests
 * can derive the bad inputs of every field from the specs.
 */
export type ValueKind =
  /** A Kubernetes-style name (dnsLabel). */
  | "name"
  /** Optional free text on one line. */
  | "text"
  /** Required free text on one line (a token). */
  | "required-text"
  | "boolean"
  | "labels"
  | "annotations"
  /** An https URL of a cluster. */
  | "https-url"
  /** A git provider's API URL (https; http on loopback). */
  | "api-url"
  /** A repo URL in Codefresh's format (`.git`, optional path and `?ref=`). */
  | "repo-url"
  /** A repository only: no path or branch in it. */
  | "repo-only-url"
  /** A directory in a repository, "." for its root. */
  | "repo-path"
  /** A directory below a repository's root. */
  | "repo-directory"
  /** A git branch name. */
  | "branch"
  /** A git branch, tag or commit. */
  | "revision"
  /** One of the git providers, in upper case. */
  | "git-provider"
  /** File name to Kubernetes YAML. */
  | "manifests"
  /** Kubeconfig content. */
  | "kubeconfig"
  /** A kubeconfig file's path on the machine that runs Pulumi. */
  | "kubeconfig-path"
  /** A context of the kubeconfig. */
  | "kubeconfig-context";

/**
 * A field's validator: records what is wrong with `value` in `check` and returns the value to keep in
 * the inputs (normalised where the field has one spelling, for example a repo URL). It is called for a
 * known value, and for a missing one only when the field is required.
 */
export interface Validate {
  (check: Check, property: string, value: unknown): unknown;
  readonly kind: ValueKind;
}

/** A validator of values of `kind`. */
export function validator(kind: ValueKind, run: (check: Check, property: string, value: unknown) => unknown): Validate {
  return Object.assign(run, { kind });
}

/** A git branch, tag or commit: git's rules for a ref name (no spaces, `..`, `~^:?*[\`, `@{`, no `.lock` end). */
export function isGitRefName(value: string): boolean {
  return /^(?!\/|.*\/\/|.*\.\.|.*@\{)[^\s~^:?*[\\]+(?<![/.])$/.test(value) && !value.endsWith(".lock");
}

/** The validators fields share. */
export const validate = {
  dnsLabel: (what: string): Validate =>
    validator("name", (check, property, value) => {
      check.dnsLabel(property, value, what);
      return value;
    }),
  requiredText: (what: string): Validate =>
    validator("required-text", (check, property, value) => {
      check.requireString(property, value, what);
      return value;
    }),
  text: validator("text", (check, property, value) => {
    check.optionalString(property, value);
    return value;
  }),
  boolean: validator("boolean", (check, property, value) => {
    check.optionalBoolean(property, value);
    return value;
  }),
  labels: validator("labels", (check, property, value) => {
    check.stringMap(property, value, "label");
    return value;
  }),
  annotations: validator("annotations", (check, property, value) => {
    check.stringMap(property, value, "annotation");
    return value;
  }),
  /** An https URL (no loopback exception: it is where Codefresh applies, not where we connect). */
  httpsUrl: (example: string): Validate =>
    validator("https-url", (check, property, value) => {
      if (!check.requireString(property, value, "an https URL of the cluster to apply to")) return value;
      if (!URL.canParse(value) || new URL(value).protocol !== "https:") check.fail(property, `"${value}" must be an https URL, for example ${example}`);
      return value;
    }),
  /** A git branch name (git check-ref-format). */
  branch: validator("branch", (check, property, value) => {
    if (check.requireString(property, value, "a branch name, for example main") && !isGitRefName(value)) {
      check.fail(property, `"${value}" is not a valid git branch name: no spaces, '..', '~', '^', ':', '?', '*', '[', '\\', nor a '/' or '.' at the end`);
    }
    return value;
  }),
  /** A git branch, tag or commit: a ref name (a commit's hash is one too). */
  revision: validator("revision", (check, property, value) => {
    if (check.requireString(property, value, "a branch, tag or commit, for example main") && !isGitRefName(value)) {
      check.fail(
        property,
        `"${value}" is not a valid git branch, tag or commit: no spaces, '..', '~', '^', ':', '?', '*', '[', '\\', nor a '/' or '.' at the end`,
      );
    }
    return value;
  }),
};
