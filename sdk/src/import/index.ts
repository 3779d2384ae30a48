export { ImportError, readAccount } from "./read-account";
export type { AccountSnapshot, RuntimeSnapshot } from "./read-account";
export { defaultGitSourceName, generateProgram, summary } from "./program";
export type { GeneratedProgram, ImportOptions, NeededConfig } from "./program";
