// Bad inputs generated from the resources' declarations: every argument of every resource (its kind of value
// from its spec's validator) crossed with each class of invalid value that applies to that kind, plus keys no
// resource declares. What is written by hand is the map from a kind of value to its invalid samples, not a
// row per field: a field added to a spec gets its rows without touching this file.
import { declarations, type DeclaredArg, type ValueKind } from "pulumi-codefresh/provider";
import { Key, kubeconfig, valid } from "./bad-inputs";

export type InvalidClass =
  | "wrong type"
  | "empty"
  | "missing"
  | "too long"
  | "bad characters"
  | "bad URL scheme"
  | "not a URL"
  | "wrong enum case"
  | "unsupported value"
  | "path traversal"
  | "absolute path"
  | "credentials in URL"
  | "not a repository URL"
  | "unknown kubeconfig context"
  | "invalid kubeconfig"
  | "no such file"
  | "invalid label key"
  | "invalid label value"
  | "invalid annotation key"
  | "invalid annotation value"
  | "invalid manifest"
  | "unknown key";

interface Sample {
  readonly invalid: InvalidClass;
  readonly what: string;
  readonly value: unknown;
}

const sample = (invalid: InvalidClass, what: string, value: unknown): Sample => ({ invalid, what, value });

const urlSamples = (good: string): Sample[] => [
  sample("wrong type", "a number", 443),
  sample("empty", "an empty string", ""),
  sample("bad URL scheme", "plain http", good.replace("https://", "http://")),
  sample("bad URL scheme", "ftp", good.replace("https://", "ftp://")),
  sample("not a URL", "a host without a scheme", good.replace("https://", "")),
  sample("bad characters", "a newline", `${good}\nx`),
];

const repoUrlSamples: Sample[] = [
  sample("wrong type", "a number", 42),
  sample("empty", "an empty string", ""),
  sample("bad URL scheme", "plain http", "http://github.com/acme/repo.git"),
  sample("bad URL scheme", "ssh", "ssh://git@github.com/acme/repo.git"),
  sample("bad URL scheme", "scp-like", "git@github.com:acme/repo.git"),
  sample("not a repository URL", "no .git", "https://github.com/acme/repo"),
  sample("credentials in URL", "user and password", "https://user:pw@github.com/acme/repo.git"),
  sample("path traversal", "../ after the repo", "https://github.com/acme/repo.git/../../etc"),
  sample("bad characters", "a space", "https://github.com/acme/re po.git"),
  sample("bad characters", "a newline", "https://github.com/acme/repo.git\n"),
];

const refSamples: Sample[] = [
  sample("wrong type", "a number", 7),
  sample("empty", "an empty string", ""),
  sample("bad characters", "a space", "my branch"),
  sample("bad characters", "a tilde", "main~1"),
  sample("bad characters", "a colon", "a:b"),
  sample("bad characters", "a newline", "main\nx"),
  sample("path traversal", "../", "../main"),
  sample("bad characters", ".lock at the end", "main.lock"),
];

const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

/** The classes of invalid value that apply to each kind of value, each with a sample. */
export const invalidSamples: Record<ValueKind, readonly Sample[]> = {
  name: [
    sample("wrong type", "a number", 42),
    sample("empty", "an empty string", ""),
    sample("empty", "blanks", "   "),
    sample("too long", "64 characters", "a".repeat(64)),
    sample("bad characters", "an underscore", "team_a"),
    sample("bad characters", "a space", "team a"),
    sample("bad characters", "a Cyrillic look-alike", "tеam"),
    sample("bad characters", "a newline", "team\n"),
    sample("wrong enum case", "upper case", "Team-A"),
    sample("path traversal", "../", "../team-a"),
  ],
  text: [
    sample("wrong type", "a number", 42),
    sample("wrong type", "an object", { a: 1 }),
    sample("empty", "an empty string", ""),
    sample("bad characters", "a newline", "a\nb"),
    sample("bad characters", "a NUL", "a\u0000b"),
  ],
  "required-text": [
    sample("wrong type", "a number", 42),
    sample("empty", "an empty string", ""),
    sample("empty", "blanks", "  "),
    sample("bad characters", "a newline", "tok\nen"),
  ],
  boolean: [
    sample("wrong type", 'the string "true"', "true"),
    sample("wrong type", '"yes"', "yes"),
    sample("wrong type", "a number", 1),
    sample("wrong type", "an object", {}),
  ],
  labels: [
    sample("wrong type", "a list", ["env=prod"]),
    sample("wrong type", "a string", "env=prod"),
    sample("invalid label key", "a space in the key", { "team a": "x" }),
    sample("invalid label key", "two slashes", { "x/y/z": "x" }),
    sample("invalid label key", "a leading dash", { "-env": "x" }),
    sample("invalid label key", "a newline (YAML injection)", { "a: b\nc": "x" }),
    sample("too long", "a 64-character key", { ["k".repeat(64)]: "x" }),
    sample("invalid label value", "a space", { team: "a b" }),
    sample("invalid label value", "a newline (YAML injection)", { team: "a\nkind: Secret" }),
    sample("too long", "a 64-character value", { team: "x".repeat(64) }),
    sample("wrong type", "a number value", { team: 42 }),
  ],
  annotations: [
    sample("wrong type", "a list", ["note"]),
    sample("invalid annotation key", "a space in the key", { "my note": "x" }),
    sample("invalid annotation key", "two slashes", { "x/y/z": "x" }),
    sample("too long", "a 64-character key name", { ["k".repeat(64)]: "x" }),
    sample("invalid annotation value", "a NUL", { note: "a\u0000b" }),
    sample("wrong type", "a number value", { note: 42 }),
  ],
  "https-url": urlSamples("https://prod.k8s.example.com"),
  "api-url": urlSamples("https://api.github.com"),
  "repo-url": repoUrlSamples,
  "repo-only-url": [...repoUrlSamples, sample("not a repository URL", "a path after the repo", "https://github.com/acme/repo.git/team-a")],
  "repo-path": [
    sample("wrong type", "a number", 42),
    sample("absolute path", "a leading /", "/etc/manifests"),
    sample("path traversal", "../", "../secrets"),
    sample("path traversal", "../ inside", "apps/../../etc"),
    sample("bad characters", "a ?", "apps?x"),
    sample("bad characters", "a #", "apps#x"),
    sample("bad characters", "a backslash", "apps\\x"),
    sample("bad characters", "a newline", "apps\nx"),
  ],
  "repo-directory": [
    sample("wrong type", "a number", 42),
    sample("empty", "an empty string", ""),
    sample("empty", "the root", "."),
    sample("absolute path", "a leading /", "/apps/guestbook"),
    sample("path traversal", "../", "../guestbook"),
    sample("path traversal", "../ inside", "apps/../../etc"),
    sample("bad characters", "a *", "apps/*"),
    sample("bad characters", "a newline", "apps\nx"),
  ],
  branch: refSamples,
  revision: refSamples,
  "git-provider": [
    sample("wrong type", "a number", 42),
    sample("empty", "an empty string", ""),
    sample("wrong enum case", "lower case", "github"),
    sample("wrong enum case", "title case", "Bitbucket"),
    sample("unsupported value", "GitLab", "GITLAB"),
  ],
  manifests: [
    sample("wrong type", "a string", yaml),
    sample("wrong type", "a list", [yaml]),
    sample("empty", "no file", {}),
    sample("path traversal", "../ in a file name", { "../x.yaml": yaml }),
    sample("bad characters", "a space in a file name", { "my app.yaml": yaml }),
    sample("invalid manifest", "not YAML", { "a.yaml": "kind: [" }),
    sample("invalid manifest", "not a Kubernetes object", { "a.yaml": "hello: world" }),
    sample("wrong type", "a number as content", { "a.yaml": 42 }),
  ],
  kubeconfig: [
    sample("wrong type", "a number", 42),
    sample("empty", "an empty string", ""),
    sample("invalid kubeconfig", "not YAML", "hello: ["),
    sample("unknown kubeconfig context", "current-context names a missing one", kubeconfig.replace("current-context: prod", "current-context: staging")),
  ],
  "kubeconfig-path": [
    sample("wrong type", "a number", 42),
    sample("empty", "an empty string", ""),
    sample("bad characters", "a newline", "/tmp/kube\nconfig"),
    sample("no such file", "a missing file", "/nonexistent/kubeconfig"),
  ],
  "kubeconfig-context": [
    sample("wrong type", "a number", 42),
    sample("empty", "an empty string", ""),
    sample("unknown kubeconfig context", "not in the kubeconfig", "staging"),
    sample("bad characters", "a newline", "prod\n"),
  ],
};

/** What a field's rows start from besides the valid inputs: exactly one of kubeconfig and kubeconfigPath is given. */
const baseOf: Partial<Record<`${Key}.${string}`, Record<string, unknown>>> = {
  "ManagedCluster.kubeconfigPath": { kubeconfig: undefined },
};

export interface BadInputRow {
  readonly resource: Key;
  /** The field check must name (a failure's property is it, or `<it>.<key>` inside a map). */
  readonly field: string;
  readonly invalid: InvalidClass;
  readonly what: string;
  /** The inputs check gets: a valid set with this change. */
  readonly inputs: Record<string, unknown>;
}

function rowsOfArg(resource: Key, arg: DeclaredArg): BadInputRow[] {
  if (arg.kind === undefined) throw new Error(`${resource}.${arg.name} has no validator: its spec must declare one, or its bad inputs cannot be derived`);
  const base = { ...valid[resource], ...baseOf[`${resource}.${arg.name}`] };
  const samples = [...invalidSamples[arg.kind], ...(arg.required ? [sample("missing", "undefined", undefined)] : [])];
  return samples.map(({ invalid, what, value }) => ({ resource, field: arg.name, invalid, what, inputs: { ...base, [arg.name]: value } }));
}

/** Keys no resource declares: a near miss of an argument's name, a foreign key, and an output given a value. */
function unknownKeyRows(resource: Key, args: readonly DeclaredArg[], outputs: readonly string[]): BadInputRow[] {
  const first = args[0]?.name ?? "name";
  const nearMiss = first.toUpperCase();
  const keys: [string, string][] = [
    [nearMiss, `${first} in the wrong case`],
    ["metadata", "a key of another API"],
    ...(outputs[0] ? ([[outputs[0], "an output"]] as [string, string][]) : []),
  ];
  return keys.map(([key, what]) => ({ resource, field: key, invalid: "unknown key", what, inputs: { ...valid[resource], [key]: "x" } }));
}

/** Every generated row: each argument of each resource by the invalid classes of its kind, and unknown keys. */
export function generatedBadInputs(): BadInputRow[] {
  return Object.entries(declarations()).flatMap(([type, declaration]) => {
    const resource = type as Key;
    return [...declaration.args.flatMap((arg) => rowsOfArg(resource, arg)), ...unknownKeyRows(resource, declaration.args, declaration.outputs)];
  });
}

/** Whether a failure's property names `field`: the field itself, or an entry of it (`labels.team`). */
export function names(property: string, field: string): boolean {
  return property === field || property.startsWith(`${field}.`);
}

/** Valid arguments of the component CodefreshGitOps, one git source and one cluster. */
export const validGitOps = {
  runtimeName: "production",
  gitProvider: "GITHUB",
  sharedConfigRepoUrl: "https://github.com/acme/codefresh-isc.git",
  gitToken: "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
  gitSources: [{ name: "team-a", repoUrl: "https://github.com/acme/apps.git", path: "team-a" }],
  clusters: [{ name: "prod", kubeconfig }],
};

export interface ComponentRow {
  /** The component's argument, as a path: `gitProvider`, `gitSources[].repoUrl`. */
  readonly argument: string;
  readonly invalid: InvalidClass;
  readonly what: string;
  /** A row of the child the argument goes to: its check refuses the value, naming the child's input. */
  readonly child?: BadInputRow | undefined;
  /** Or the component's own arguments, refused by gitOpsArgFailures naming `property`. */
  readonly args?: Record<string, unknown> | undefined;
  readonly property?: string | undefined;
}

/**
 * The component's bad inputs, from its routes (gitOpsArgRoutes): an argument that goes to a child gets that
 * child input's rows; the ones it uses itself get their kind's samples; and keys it does not declare, at the
 * top and in a list entry.
 */
export function generatedComponentBadInputs(
  routes: Readonly<Record<string, { child: string; input: string } | { component: "boolean" } | { child: string; each: Readonly<Record<string, string>> }>>,
  childRows: readonly BadInputRow[] = generatedBadInputs(),
): ComponentRow[] {
  const rowsOf = (child: string, input: string) => childRows.filter((row) => row.resource === child && row.field === input && row.invalid !== "unknown key");
  return Object.entries(routes)
    .flatMap(([argument, route]): ComponentRow[] => {
      if ("component" in route) {
        return invalidSamples[route.component].map(({ invalid, what, value }) => ({
          argument,
          invalid,
          what,
          args: { ...validGitOps, [argument]: value },
          property: argument,
        }));
      }
      if ("input" in route) return rowsOf(route.child, route.input).map((child) => ({ argument, invalid: child.invalid, what: child.what, child }));
      const list = validGitOps[argument as "gitSources" | "clusters"];
      return [
        ...Object.entries(route.each).flatMap(([field, input]) =>
          rowsOf(route.child, input).map((child) => ({ argument: `${argument}[].${field}`, invalid: child.invalid, what: child.what, child })),
        ),
        { argument, invalid: "wrong type", what: "not a list", args: { ...validGitOps, [argument]: list[0] }, property: argument },
        {
          argument: `${argument}[]`,
          invalid: "wrong type",
          what: "an entry not an object",
          args: { ...validGitOps, [argument]: ["team-a"] },
          property: `${argument}[0]`,
        },
        {
          argument: `${argument}[]`,
          invalid: "unknown key",
          what: "a misspelt field of an entry",
          args: { ...validGitOps, [argument]: [{ ...list[0], NAME: "x" }] },
          property: `${argument}[0].NAME`,
        },
      ];
    })
    .concat([
      {
        argument: "gitprovider",
        invalid: "unknown key",
        what: "an argument in the wrong case",
        args: { ...validGitOps, gitprovider: "GITHUB" },
        property: "gitprovider",
      },
      { argument: "metadata", invalid: "unknown key", what: "a key of another API", args: { ...validGitOps, metadata: {} }, property: "metadata" },
    ]);
}
