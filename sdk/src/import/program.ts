// The Pulumi TypeScript program `pulumi-codefresh import` writes for an account snapshot: every object
// adopted (`adopt: true`) with the inputs Codefresh holds, secrets as config the user fills in, and a
// comment wherever Codefresh does not return what an input needs.
import type { ClusterInfo, GitSourceInfo, RuntimeInfo } from "../api";
import * as git from "../git";
import { pluginLabel, userLabelsOf } from "../resources/git-source";
import { userClusterLabelsOf } from "../resources/managed-cluster";
import { relatedHosts } from "../resources/shared-config-repo";
import type { AccountSnapshot } from "./read-account";

export interface ImportOptions {
  /** Also declare Codefresh's own `default-git-source`. */
  readonly includeDefaults?: boolean | undefined;
  /** The Pulumi project's name. @default `codefresh-<account>` */
  readonly projectName?: string | undefined;
  /** The version range of pulumi-codefresh the program depends on. */
  readonly packageVersion?: string | undefined;
}

/** A secret or a value the user must give before `pulumi up`. */
export interface NeededConfig {
  readonly key: string;
  readonly secret: boolean;
  /** The `pulumi config set` line, with a placeholder for the value. */
  readonly command: string;
  readonly why: string;
}

export interface GeneratedProgram {
  /** File name → content: index.ts, Pulumi.yaml, package.json, tsconfig.json. */
  readonly files: Readonly<Record<string, string>>;
  readonly config: readonly NeededConfig[];
  /** What needs the user besides config (fields Codefresh does not return), one line each. */
  readonly notes: readonly string[];
  /** Counts of the declared resources, by type. */
  readonly declared: Readonly<Record<string, number>>;
}

/** Codefresh's own objects, left out unless `includeDefaults`. */
export const defaultGitSourceName = "default-git-source";
const defaultDestServer = "https://kubernetes.default.svc";

/** A TypeScript value, written as prettier writes it: objects one property per line. */
type Value = string | boolean | Record<string, string> | { readonly code: string };

const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name: string) => (identifierPattern.test(name) ? name : JSON.stringify(name));

function render(value: Value, indent: string): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if ("code" in value && typeof value.code === "string") return value.code;
  const entries = Object.entries(value as Record<string, string>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${indent}  ${key(k)}: ${JSON.stringify(v)},\n`).join("")}${indent}}`;
}

interface Declaration {
  readonly comments: readonly string[];
  readonly variable: string;
  readonly type: string;
  readonly name: string;
  readonly args: readonly (readonly [string, Value | undefined, (string | undefined)?])[];
  readonly options?: string | undefined;
}

function declare(d: Declaration): string {
  const lines = d.comments.map((c) => `// ${c}\n`).join("");
  // As prettier prints a call: the object argument hugged when it is the last one, else one argument per line.
  const indent = d.options ? "    " : "  ";
  const args = d.args
    .filter(([, value]) => value !== undefined)
    .map(([name, value, comment]) => `${comment ? `${indent}// ${comment}\n` : ""}${indent}${key(name)}: ${render(value as Value, indent)},\n`)
    .join("");
  if (!d.options) return `${lines}const ${d.variable} = new codefresh.${d.type}(${JSON.stringify(d.name)}, {\n${args}});\n`;
  return `${lines}const ${d.variable} = new codefresh.${d.type}(\n  ${JSON.stringify(d.name)},\n  {\n${args}  },\n  ${d.options},\n);\n`;
}

/** camelCase, unique among `taken`. */
function variableFor(name: string, taken: Set<string>): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let base = words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join("") || "resource";
  if (/^[0-9]/.test(base)) base = `_${base}`;
  let candidate = base;
  for (let i = 2; taken.has(candidate); i++) candidate = `${base}${i}`;
  taken.add(candidate);
  return candidate;
}

const describeKind = (runtime: RuntimeInfo) =>
  runtime.managed ? "hosted (Codefresh runs it)" : `hybrid (${runtime.installationType ?? "HELM"}, in your cluster)`;

/** Writes the program for `snapshot`. */
export function generateProgram(snapshot: AccountSnapshot, options: ImportOptions = {}): GeneratedProgram {
  const { account } = snapshot;
  const taken = new Set(["pulumi", "codefresh", "config"]);
  const config: NeededConfig[] = [];
  const notes: string[] = [];
  const declared: Record<string, number> = {};
  const blocks: string[] = [];
  const several = snapshot.runtimes.length > 1;
  const resourceName = (runtime: RuntimeInfo, name: string) => (several ? `${runtime.name}-${name}` : name);
  const count = (type: string) => (declared[type] = (declared[type] ?? 0) + 1);
  const need = (entry: NeededConfig) => {
    if (!config.some((c) => c.key === entry.key)) config.push(entry);
  };

  // The Shared Configuration Repository is the account's: declared once, with the first runtime whose git is connected.
  let iscVariable: string | undefined;
  for (const item of snapshot.runtimes) {
    const runtime = item.runtime;
    const runtimeVariable = variableFor(runtime.name, taken);
    const runtimeDeclaration: Declaration = runtime.managed
      ? {
          comments: [
            `Runtime "${runtime.name}": ${describeKind(runtime)}. Protected: deleting it removes every git source and`,
            'cluster connection it has. Remove `protect` first to destroy it (see the README\'s "Adopting an existing account").',
          ],
          variable: runtimeVariable,
          type: "HostedRuntime",
          name: runtime.name,
          args: [
            ["name", runtime.name],
            ["adopt", true],
          ],
          options: "{ protect: true }",
        }
      : {
          comments: [`Runtime "${runtime.name}": ${describeKind(runtime)}. Read only: Pulumi never changes or deletes it (destroy forgets it).`],
          variable: runtimeVariable,
          type: "Runtime",
          name: runtime.name,
          args: [["name", runtime.name]],
          options: "{ protect: true }",
        };
    blocks.push(declare(runtimeDeclaration));
    count(runtimeDeclaration.type);
    const runtimeName = { code: `${runtimeVariable}.name` };

    const connected = account.sharedConfigRepo !== undefined && (runtime.managed ? runtime.iscInitialized === true : true);
    if (!connected) {
      const why = `runtime "${runtime.name}" has no git provider connected (Codefresh reports no Shared Configuration Repository for it)`;
      blocks.push(
        `// No SharedConfigRepo, git sources or clusters for it: ${why}.\n// Connect git in the Codefresh UI, then run \`pulumi-codefresh import\` again.\n`,
      );
      notes.push(`${why}: connect git in the Codefresh UI, then import again`);
    } else if (iscVariable === undefined) {
      iscVariable = variableFor("isc", taken);
      const provider = account.gitProvider as git.GitProviderName | undefined;
      const repo = git.parseRepoUrl(account.sharedConfigRepo ?? "", "sharedConfigRepo");
      const defaultApi = provider ? git.defaultApiUrl(provider, repo.host) : undefined;
      const apiUrl = account.gitApiUrl?.replace(/\/+$/, "");
      const defaultSource = item.gitSources.find((s) => s.name === defaultGitSourceName);
      const needsUser = provider === "BITBUCKET" || provider === "GERRIT";
      need({
        key: "gitToken",
        secret: true,
        command: "pulumi config set --secret gitToken <token>",
        why: `a ${provider ?? "git"} token that can push to ${repo.repoUrl} (Codefresh never returns one)`,
      });
      if (needsUser)
        need({ key: "gitUsername", secret: false, command: "pulumi config set gitUsername <user>", why: "the git user name of that app or HTTP password" });
      const apiHost = apiUrl ? new URL(apiUrl).hostname : undefined;
      const onPremises = apiHost !== undefined && provider !== "GERRIT" && !relatedHosts(apiHost, repo.host);
      blocks.push(
        declare({
          comments: [
            `The account's Shared Configuration Repository and ${runtime.name}'s git connection, as Codefresh holds them.`,
            "Destroy detaches it: Codefresh keeps account GitOps settings.",
          ],
          variable: iscVariable,
          type: "SharedConfigRepo",
          name: "isc",
          args: [
            ["runtime", runtimeName],
            ["gitProvider", provider ?? "GITHUB", provider ? undefined : "Codefresh reports no git provider: check this one"],
            ["repoUrl", account.sharedConfigRepo ?? ""],
            ["gitSourceRepoUrl", runtime.managed && defaultSource?.repoURL ? git.parseRepoUrl(defaultSource.repoURL, "repoURL").cloneUrl : undefined],
            ["gitApiUrl", apiUrl && apiUrl !== defaultApi ? apiUrl : undefined],
            ["gitApiOnPremises", onPremises ? true : undefined],
            ["gitToken", { code: 'config.requireSecret("gitToken")' }],
            ["gitUsername", needsUser ? { code: 'config.require("gitUsername")' } : undefined],
            ["adopt", true],
          ],
        }),
      );
      count("SharedConfigRepo");
    }
    if (!connected || iscVariable === undefined) continue;
    const dependsOn = `{ dependsOn: [${iscVariable}] }`;

    const sources = item.gitSources.filter((s) => options.includeDefaults || s.name !== defaultGitSourceName);
    if (!options.includeDefaults && item.gitSources.some((s) => s.name === defaultGitSourceName)) {
      blocks.push(
        `// Left out: "${defaultGitSourceName}", the git source Codefresh made with the runtime (it holds the runtime's own\n// applications). Run the import with --include-defaults to manage it here too.\n`,
      );
    }
    for (const source of sources) {
      blocks.push(
        gitSourceDeclaration(source, resourceName(runtime, source.name), runtimeName, variableFor(resourceName(runtime, source.name), taken), dependsOn),
      );
      count("GitSource");
    }
    blocks.push(
      `// Not declared: "in-cluster", the runtime's own cluster${runtime.managed ? " (Codefresh's, for a hosted runtime)" : ""}; Codefresh connects it with the runtime, so it is no ManagedCluster.\n`,
    );
    for (const cluster of item.clusters) {
      const name = resourceName(runtime, cluster.name);
      const configKey = `kubeconfig-${name}`;
      need({
        key: configKey,
        secret: true,
        command: `pulumi config set --secret ${configKey} -- "$(cat <kubeconfig of ${cluster.server}>)"`,
        why: `an admin kubeconfig of cluster "${cluster.name}" whose current context points at ${cluster.server} (Codefresh never returns credentials)`,
      });
      blocks.push(clusterDeclaration(cluster, name, configKey, runtimeName, variableFor(name, taken), dependsOn));
      count("ManagedCluster");
    }
  }
  if (declared.ManagedCluster) {
    notes.push(
      "Codefresh does not return a cluster's ServiceAccount: each ManagedCluster assumes `argocd-manager` in kube-system (what `cf cluster add` makes); set serviceAccountName/namespace where yours differ",
    );
  }

  const header = [
    `// Generated by \`pulumi-codefresh import\` from Codefresh account "${account.name}". Every object is adopted`,
    "// (`adopt: true`): after the config below is set, the first `pulumi up` takes them over and changes nothing in Codefresh.",
    "//",
    "// Set first:",
    ...config.map((c) => `//   ${c.command}`),
    "",
    'import * as pulumi from "@pulumi/pulumi";',
    'import * as codefresh from "pulumi-codefresh";',
    "",
    "const config = new pulumi.Config();",
    "",
  ].join("\n");
  const projectName = options.projectName ?? `codefresh-${account.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;
  return {
    files: {
      "index.ts": `${header}\n${blocks.join("\n")}`,
      "Pulumi.yaml": `name: ${projectName}\ndescription: Codefresh GitOps of account ${account.name}, imported by pulumi-codefresh\nruntime: nodejs\n`,
      "package.json": `${JSON.stringify(
        {
          name: projectName,
          private: true,
          main: "index.ts",
          dependencies: { "@pulumi/pulumi": "^3.216.0", "pulumi-codefresh": options.packageVersion ?? "*" },
          devDependencies: { "@types/node": "^24.0.0", typescript: "^5.9.0" },
        },
        null,
        2,
      )}\n`,
      "tsconfig.json": `${JSON.stringify(
        {
          compilerOptions: { strict: true, target: "es2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true },
          files: ["index.ts"],
        },
        null,
        2,
      )}\n`,
    },
    config,
    notes,
    declared,
  };
}

function gitSourceDeclaration(source: GitSourceInfo, name: string, runtime: Value, variable: string, dependsOn: string): string {
  const labels = userLabelsOf(source.labels);
  const plugin = source.labels[pluginLabel];
  const branch = source.revision && source.revision !== "HEAD" ? source.revision : undefined;
  return declare({
    comments: [`Git source "${source.name}" (${source.repoURL ?? "repository not reported"}).`],
    variable,
    type: "GitSource",
    name,
    args: [
      ["runtime", runtime],
      ["name", source.name],
      ["repoUrl", source.repoURL ? git.parseRepoUrl(source.repoURL, "repoURL").cloneUrl : ""],
      ["path", source.path && source.path !== "" ? source.path : "."],
      ["branch", branch],
      ["include", source.include || undefined],
      ["exclude", source.exclude || undefined],
      ["destServer", source.destServer && source.destServer !== defaultDestServer ? source.destServer : undefined],
      ["destNamespace", source.destNamespace || undefined],
      ["labels", Object.keys(labels).length > 0 ? labels : undefined],
      ["configManagementPlugin", plugin],
      ["adopt", true],
    ],
    options: dependsOn || undefined,
  });
}

function clusterDeclaration(cluster: ClusterInfo, name: string, configKey: string, runtime: Value, variable: string, dependsOn: string): string {
  const labels = userClusterLabelsOf(cluster.labels);
  return declare({
    comments: [`Cluster "${cluster.name}" at ${cluster.server}. Its kubeconfig is config "${configKey}" (secret).`],
    variable,
    type: "ManagedCluster",
    name,
    args: [
      ["runtime", runtime],
      ["name", cluster.name],
      ["kubeconfig", { code: `config.requireSecret(${JSON.stringify(configKey)})` }],
      ["serviceAccountName", "argocd-manager", "Codefresh does not return it: the default, what `cf cluster add` makes; set yours if it differs"],
      ["labels", Object.keys(labels).length > 0 ? labels : undefined],
      ["annotations", Object.keys(cluster.annotations).length > 0 ? { ...cluster.annotations } : undefined],
      ["adopt", true],
    ],
    options: dependsOn || undefined,
  });
}

/** The summary the command prints. */
export function summary(program: GeneratedProgram, outDir: string): string {
  const counts = Object.entries(program.declared)
    .map(([type, n]) => `${n} ${type}`)
    .join(", ");
  return [
    `wrote ${outDir}/index.ts: ${counts || "nothing"} adopted`,
    "",
    `next: cd ${outDir} && npm install && pulumi stack init <stack>, then set (the import never writes a secret):`,
    '  (while pulumi-codefresh is not on the npm registry, install the tarball first: README, "Use it in your own project")',
    ...program.config.map((c) => `  ${c.command}    # ${c.why}`),
    ...(program.notes.length > 0 ? ["", "needs you:", ...program.notes.map((n) => `  - ${n}`)] : []),
    "",
    "then `pulumi up`: the first up adopts everything and changes nothing in Codefresh; the next preview shows no changes",
  ].join("\n");
}
