/** The component that composes the resources: the whole set-up in one declaration. */
export { CodefreshGitOps } from "./codefresh-gitops";
export type { CodefreshClusterArgs, CodefreshClusterStatus, CodefreshGitOpsArgs, CodefreshGitSourceArgs, CodefreshGitSourceStatus } from "./codefresh-gitops";
