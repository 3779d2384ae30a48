#!/usr/bin/env node
// `node scripts/install-like-a-user.mjs DIR`: gives DIR a node_modules as a user's `npm install
// pulumi-codefresh` leaves it: the package copied in (not the workspace's symlink to sdk/), so Pulumi
// serializes its providers as `require(...)` references; every other dependency linked to the workspace's
// copy. Used by the benchmark and by the test of what an installed package stores in state.
import { cp, mkdir, readdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function installLikeAUser(dir) {
  const modules = join(dir, "node_modules");
  await mkdir(join(modules, "pulumi-codefresh"), { recursive: true });
  await cp(join(root, "sdk", "package.json"), join(modules, "pulumi-codefresh", "package.json"));
  await cp(join(root, "sdk", "dist"), join(modules, "pulumi-codefresh", "dist"), { recursive: true });
  for (const entry of await readdir(join(root, "node_modules"))) {
    if (entry !== "pulumi-codefresh") await symlink(join(root, "node_modules", entry), join(modules, entry));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) {
    console.error("usage: node scripts/install-like-a-user.mjs DIR");
    process.exit(2);
  }
  await installLikeAUser(process.argv[2]);
}
