#!/usr/bin/env node
// `npm run pack -- [DIR]`: builds the packages and writes the tarballs a user installs without the registry
// (`npm install DIR/pulumi-codefresh-<version>.tgz`) into DIR (default: ./packages), printing their paths.
// pulumi-codefresh is the package a program needs; pulumi-codefresh-emulator is for tests that start the
// emulator from code. The policy pack is a folder to copy, not a package (README, "Use it in your own project").
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const require = createRequire(import.meta.url);
const root = new URL("..", import.meta.url).pathname;
const out = resolve(process.argv[2] ?? join(root, "packages"));
mkdirSync(out, { recursive: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b"], { cwd: root, stdio: "inherit" });
const packed = JSON.parse(
  execFileSync("npm", ["pack", "--json", "--workspace", "sdk", "--workspace", "emulator", "--pack-destination", out], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }),
);
for (const p of packed) console.log(`${join(out, p.filename)}  (${p.name} ${p.version}, ${p.entryCount} files, ${Math.round(p.size / 1024)} kB)`);
