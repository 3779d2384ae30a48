#!/usr/bin/env node
// `pulumi-codefresh import --out <dir> [--runtime NAME] [--include-defaults] [--api-key-env NAME]`:
// writes a Pulumi program that adopts an existing Codefresh account (see the README's "Adopting an
// existing account"). Reads through the public API only; writes nothing to Codefresh.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CodefreshClient } from "../api";
import { environmentNames, resolveConfig } from "../config";
import { AuthenticationError, CodefreshError } from "../errors";
import { generateProgram, readAccount, summary } from "../import";

const usage = `usage: pulumi-codefresh import --out <dir> [--runtime NAME] [--include-defaults] [--api-key-env NAME] [--api-url URL]

Writes a Pulumi TypeScript program adopting the account's runtimes, Shared Configuration Repository, git
sources and clusters. The API key is read from CODEFRESH_API_KEY (or the variable --api-key-env names);
the API URL from --api-url, CODEFRESH_API_URL or https://g.codefresh.io.`;

async function importCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      runtime: { type: "string" },
      "include-defaults": { type: "boolean", default: false },
      "api-key-env": { type: "string" },
      "api-url": { type: "string" },
      force: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!values.out) throw new UsageError("--out <dir> is required");
  const keyVariable = values["api-key-env"];
  const apiKey = keyVariable ? process.env[keyVariable] : undefined;
  if (keyVariable && !apiKey) throw new UsageError(`--api-key-env ${keyVariable}: that variable is not set`);
  const config = resolveConfig({
    get: (name) => (name === "codefresh:apiKey" ? apiKey : name === "codefresh:apiUrl" ? values["api-url"] : undefined),
  });
  if (!config.apiKey) throw new UsageError(`no API key: set ${environmentNames.apiKey.join(" or ")}, or name the variable with --api-key-env`, false);
  const out = resolve(values.out);
  if (existsSync(join(out, "index.ts")) && !values.force) {
    throw new UsageError(`${out}/index.ts exists; choose another --out, or --force to overwrite it`);
  }
  const client = new CodefreshClient({ config });
  let snapshot;
  try {
    snapshot = await readAccount(client, { runtime: values.runtime });
  } catch (error) {
    if (error instanceof AuthenticationError) {
      throw new UsageError(
        `Codefresh at ${config.apiUrl} refused the API key (${error.message}); create one in User Settings > API Keys and set it in ${keyVariable ?? "CODEFRESH_API_KEY"}`,
        false,
      );
    }
    throw error;
  }
  const program = generateProgram(snapshot, { includeDefaults: values["include-defaults"], packageVersion: ownVersion() });
  await mkdir(out, { recursive: true });
  for (const [name, content] of Object.entries(program.files)) await writeFile(resolve(out, name), content);
  process.stdout.write(`${summary(program, values.out)}\n`);
  return 0;
}

function ownVersion(): string {
  return `^${(require("../../package.json") as { version: string }).version}`;
}

/** What the user must change to run the command (exit 2), printed with the usage where that helps. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly withUsage = true,
  ) {
    super(message);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "import") return await importCommand(rest);
    if (command === undefined || command === "--help" || command === "-h") {
      process.stdout.write(`${usage}\n`);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    const message = error instanceof UsageError || error instanceof CodefreshError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`pulumi-codefresh: ${message}\n${error instanceof UsageError && error.withUsage ? `\n${usage}\n` : ""}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
