// Internals this repository's own tests exercise directly (`pulumi-codefresh/testing`). Not part of the
// public API: names here may change in any release.
export { truncate } from "./text";
export { fullUrn, shortUrn } from "./resources/common";
export { parseUrn, resetClaims } from "./resources/ownership";
export { createContext } from "./resources/provider/context";
