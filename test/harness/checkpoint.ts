// A stack checkpoint as a template: every run-specific value (server URLs and ports, git org, kubeconfig,
// tokens) replaced by `${NAME}`, so a checkpoint written by one release can be rendered into any later
// run's servers and imported there (test/fixtures/checkpoint-*, test/integration/checkpoint-upgrade).
//
// Secrets are kept in the form `pulumi stack export --show-secrets` writes them and `pulumi stack import`
// accepts (and encrypts with the importing stack's secrets provider):
//   { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": "<JSON of the value>" }
// Placeholders inside a secret are replaced in its decoded value, so JSON escaping never hides one.

export const secretSig = "4dabf18193072939515e22adb298388d";
export const secretMarker = "1b47061264138c4ac30d75fd1eb44270";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isSecret(value: Json): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && value[secretSig] === secretMarker;
}

/** `value` with `edit` applied to every string in it, inside secrets' plaintext too (keys are left as they are). */
export function mapStrings(value: Json, edit: (text: string) => string): Json {
  if (typeof value === "string") return edit(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, edit));
  if (typeof value !== "object" || value === null) return value;
  if (isSecret(value)) {
    if (typeof value.plaintext !== "string") {
      throw new Error("a secret without plaintext (export the stack with --show-secrets)");
    }
    return { [secretSig]: secretMarker, plaintext: JSON.stringify(mapStrings(JSON.parse(value.plaintext) as Json, edit)) };
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item as Json, edit)]));
}

/** Replaces every occurrence of each value with its `${NAME}` (longest values first, so a URL goes before its prefix). */
export function toTemplate(deployment: Json, values: Record<string, string>): Json {
  const pairs = Object.entries(values)
    .filter(([, value]) => value.length > 0)
    .sort(([, a], [, b]) => b.length - a.length);
  return mapStrings(deployment, (text) => pairs.reduce((out, [name, value]) => out.split(value).join(`\${${name}}`), text));
}

/** Fills every `${NAME}` in `template`; a placeholder without a value is an error, not left in. */
export function render(template: Json, values: Record<string, string>): Json {
  return mapStrings(template, (text) =>
    text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      if (!(name in values)) throw new Error(`no value for \${${name}} in the checkpoint template`);
      return values[name];
    }),
  );
}

/** The placeholders a template uses. */
export function placeholders(template: Json): string[] {
  const found = new Set<string>();
  mapStrings(template, (text) => {
    for (const match of text.matchAll(/\$\{([A-Z0-9_]+)\}/g)) found.add(match[1]);
    return text;
  });
  return [...found].sort();
}
