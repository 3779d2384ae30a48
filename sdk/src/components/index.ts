/** The component that composes the resources: the whole set-up in one declaration. */
export { CodefreshGitOps, gitOpsArgFailures, gitOpsArgRoutes } from "./codefresh-gitops";
export type {
  CodefreshClusterArgs,
  CodefreshClusterStatus,
  CodefreshGitOpsArgs,
  CodefreshGitSourceArgs,
  CodefreshGitSourceStatus,
  GitOpsArgFailure,
} from "./codefresh-gitops";
