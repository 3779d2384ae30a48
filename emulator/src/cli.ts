#!/usr/bin/env node
// codefresh-emulator: a local Codefresh GitOps API on 127.0.0.1.
//
//   codefresh-emulator --port 8080 --data ./cf-data --account acme:KEY [--account other:KEY2:ENTERPRISE]
//                      [--accounts-file accounts.json] [--fault 429:rate=0.2] [--latency-ms 20]
//                      [--install-delay-ms 2000] [--delete-delay-ms 1000] [--git-ca-file ca.pem]
//                      [--no-hosted-install-api] [--max-body-bytes 1048576] [--request-timeout-ms 10000]
//                      [--max-query-depth 15] [--max-query-selections 1000] [--max-query-tokens 3000]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { faultKindRegistry, parseFaultSpec } from "./faults";
import type { AccountPlan } from "./model";
import { defaultMaxBodyBytes, defaultQueryLimits, defaultRequestTimeoutMs, SeedAccount, startEmulator } from "./server";

/** The registered fault kinds, one a line, as the usage shows them. */
function faultKindsUsage(): string {
  const width = Math.max(...faultKindRegistry.map((definition) => definition.kind.length));
  return faultKindRegistry.map((definition) => `                              ${definition.kind.padEnd(width)}  ${definition.summary}`).join("\n");
}

const usage = `usage: codefresh-emulator --data DIR [--port N] --account NAME:API_KEY[:PLAN] ...
  --port N                  port on 127.0.0.1 (default: a free one)
  --data DIR                state directory (kept across restarts)
  --account NAME:KEY[:PLAN] seed an account (repeatable); PLAN is FREE, PRO (default) or ENTERPRISE
  --accounts-file FILE      JSON array of {"name","apiKey","plan"}
  --fault SPEC              e.g. "429:rate=0.2,retryAfter=1;drop:count=1,operations=createGitSource"
                            (also CODEFRESH_EMULATOR_FAULTS); options rate, count, operations, retryAfter, delayMs, message; kinds:
${faultKindsUsage()}
  --fault-seed N            seed of the fault dice (default 1)
  --latency-ms N            delay added to every request
  --install-delay-ms N      hosted runtime IN_PROGRESS time (default 2000; Codefresh: up to 10 minutes)
  --delete-delay-ms N       deleted runtime visible time (default 1000; Codefresh: up to 5 minutes)
  --git-source-delay-ms N   time before a new git source is reported (default 300)
  --cluster-recheck-ms N    how often cluster connections are re-checked, in the background (default 10000, as Argo CD)
  --git-ca-file FILE        extra CA bundle for the git server
  --secret-key-file FILE    key sealing the secrets kept on disk (also CODEFRESH_EMULATOR_SECRET_KEY); keep it
                            outside --data; without one, secrets kept do not survive a restart
  --no-hosted-install-api   serve only Codefresh's public schema (no invented hosted-install operations)
  --max-body-bytes N        larger request bodies are answered 413 (default ${defaultMaxBodyBytes})
  --request-timeout-ms N    a request not received whole (headers and body) in this time is answered 408 (default ${defaultRequestTimeoutMs})
  --max-query-depth N       GraphQL documents nested deeper are answered 400 (default ${defaultQueryLimits.maxDepth})
  --max-query-selections N  GraphQL documents with more selections (fields, aliases, fragments as spread) are answered 400 (default ${defaultQueryLimits.maxSelections})
  --max-query-tokens N      GraphQL documents of more tokens are answered 400 (default ${defaultQueryLimits.maxTokens})`;

function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      data: { type: "string" },
      account: { type: "string", multiple: true, default: [] },
      "accounts-file": { type: "string" },
      fault: { type: "string" },
      "fault-seed": { type: "string" },
      "latency-ms": { type: "string" },
      "install-delay-ms": { type: "string" },
      "delete-delay-ms": { type: "string" },
      "git-source-delay-ms": { type: "string" },
      "cluster-recheck-ms": { type: "string" },
      "git-ca-file": { type: "string" },
      "secret-key-file": { type: "string" },
      "no-hosted-install-api": { type: "boolean", default: false },
      "max-body-bytes": { type: "string" },
      "request-timeout-ms": { type: "string" },
      "max-query-depth": { type: "string" },
      "max-query-selections": { type: "string" },
      "max-query-tokens": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return Promise.resolve();
  }
  if (!values.data) throw new Error(`--data is required\n${usage}`);
  const number = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${value}"`);
    return n;
  };
  const accounts: SeedAccount[] = values.account.map((spec) => {
    const [name, apiKey, plan] = spec.split(":");
    if (!name || !apiKey) throw new Error(`--account must be NAME:API_KEY[:PLAN], got "${spec.split(":")[0]}:…"`);
    return { name, apiKey, plan: plan as AccountPlan | undefined };
  });
  if (values["accounts-file"]) accounts.push(...(JSON.parse(readFileSync(values["accounts-file"], "utf8")) as SeedAccount[]));
  const faultSpec = values.fault ?? process.env.CODEFRESH_EMULATOR_FAULTS;
  const secretKey = values["secret-key-file"] ? readFileSync(values["secret-key-file"], "utf8") : process.env.CODEFRESH_EMULATOR_SECRET_KEY;
  if (secretKey === undefined) {
    console.error("codefresh-emulator: no --secret-key-file or CODEFRESH_EMULATOR_SECRET_KEY: secrets kept now will not be readable after a restart");
  }

  return startEmulator({
    port: number("port", values.port),
    dataDir: values.data,
    accounts,
    faults: faultSpec ? parseFaultSpec(faultSpec) : [],
    faultSeed: number("fault-seed", values["fault-seed"]),
    latencyMs: number("latency-ms", values["latency-ms"]),
    installDelayMs: number("install-delay-ms", values["install-delay-ms"]),
    deleteDelayMs: number("delete-delay-ms", values["delete-delay-ms"]),
    gitSourceDelayMs: number("git-source-delay-ms", values["git-source-delay-ms"]),
    clusterRecheckMs: number("cluster-recheck-ms", values["cluster-recheck-ms"]),
    gitCaBundle: values["git-ca-file"] ? readFileSync(values["git-ca-file"], "utf8") : undefined,
    hostedInstallApi: !values["no-hosted-install-api"],
    secretKey,
    maxBodyBytes: number("max-body-bytes", values["max-body-bytes"]),
    requestTimeoutMs: number("request-timeout-ms", values["request-timeout-ms"]),
    queryLimits: {
      maxDepth: number("max-query-depth", values["max-query-depth"]),
      maxSelections: number("max-query-selections", values["max-query-selections"]),
      maxTokens: number("max-query-tokens", values["max-query-tokens"]),
    },
  }).then((emulator) => {
    console.log(`codefresh-emulator listening on ${emulator.url}`);
    console.log(`  platform GraphQL: ${emulator.url}/2.0/api/graphql   admin: ${emulator.url}/_emulator/counters`);
    console.log("ready");
    const stop = () => {
      void emulator.stop().then(() => process.exit(0));
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

main().catch((error: unknown) => {
  console.error(`codefresh-emulator: ${(error as Error).message}`);
  process.exit(2);
});
