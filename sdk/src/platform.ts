// What Codefresh documents about its platform that several layers need, written once.

/** The git providers a Codefresh hosted runtime supports (docs: hosted-runtime.md). */
export const hostedGitProviders = Object.freeze(["GITHUB", "BITBUCKET", "GERRIT"] as const);

/** One of {@link hostedGitProviders}. */
export type GitProviderName = (typeof hostedGitProviders)[number];
