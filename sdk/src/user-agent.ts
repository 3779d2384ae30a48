// The User-Agent of every request this package sends, naming the resource operation it serves
// (`pulumi-codefresh/0.1.0 (GitSource.create)`): Codefresh's audit log, a git server's log and a
// cluster's audit log then say which resource of which stack made a call. The provider runs each
// operation inside `withCaller`; requests made outside one (the import command, tests) say only the version.
import { AsyncLocalStorage } from "node:async_hooks";

const caller = new AsyncLocalStorage<string>();
const version = (require("../package.json") as { version: string }).version;

/** Runs `fn` with requests it makes (and their retries) naming `name`, e.g. `GitSource.create`. */
export function withCaller<T>(name: string, fn: () => T): T {
  return caller.run(name, fn);
}

/** The User-Agent for a request made now. */
export function userAgent(): string {
  const name = caller.getStore();
  return name === undefined ? `pulumi-codefresh/${version}` : `pulumi-codefresh/${version} (${name})`;
}
