#!/usr/bin/env node
// codefresh-local-stack: starts a Kubernetes control plane, Gitea and the Codefresh emulator on
// 127.0.0.1, writes how to reach them to DIR/stack.json (mode 0600: it holds the API key and git
// token), prints "ready", and runs until SIGTERM or SIGINT, then stops them all.
//
//   codefresh-local-stack --dir DIR
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startLocalStack } from "./local/stack";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: "string" }, help: { type: "boolean", short: "h", default: false } } });
  if (values.help || !values.dir) {
    console.log("usage: codefresh-local-stack --dir DIR");
    process.exit(values.help ? 0 : 2);
  }
  const dir = values.dir;
  const stack = await startLocalStack({ dir });
  const infoFile = join(dir, "stack.json");
  writeFileSync(infoFile, JSON.stringify({ pid: process.pid, ...stack.info }, null, 2), { mode: 0o600 });
  console.log(`codefresh-local-stack: Codefresh ${stack.info.codefresh.apiUrl}, git ${stack.info.git.url}, Kubernetes ${stack.info.kubernetes.server}`);
  console.log("ready");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    rmSync(infoFile, { force: true });
    void stack.stop().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(`codefresh-local-stack: ${(error as Error).message}`);
  process.exit(1);
});
