// UNCONFIRMED OPERATIONS — not in any public Codefresh client. Codefresh's UI installs the hosted
// runtime and connects its git provider through operations whose names are not public; these are the
// names our emulator defines (emulator/src/schema/unconfirmed.ts). Against the real Codefresh they
// fail with GraphQL's "Cannot query field", which the client turns into an UnsupportedOperationError
// carrying `uiInstructions` below, so the user learns what to click and how to adopt the result.

/** Invented: install the account's hosted runtime. */
export const installHostedRuntime = `mutation InstallHostedRuntime($runtimeName: String) {
  installHostedRuntime(runtimeName: $runtimeName) { name newAccessToken } }`;

/** Guessed name; its input type InitManagedRuntimeArgs is confirmed in go-sdk's app-proxy models. */
export const initManagedRuntime = `mutation InitManagedRuntime($args: InitManagedRuntimeArgs!) { initManagedRuntime(args: $args) }`;

/**
 * Invented: one application of a runtime's git sources as Argo CD reports it. The type `Application` and the
 * fields selected are confirmed in go-sdk's platform models; no public client reads one application.
 */
export const application = `query Application($runtime: String!, $name: String!) { application(runtime: $runtime, name: $name) {
  metadata { name namespace runtime } repoURL path revision destination { server namespace } syncStatus healthStatus healthMessage } }`;

/**
 * Emulator convention (its schema/unconfirmed.ts): where `createArgoRollouts` commits Argo Rollouts' and its
 * rollout reporter's Applications in the Shared Configuration Repository; `in-cluster` names the runtime's own cluster.
 */
export function argoRolloutsManifestPaths(runtime: string, clusterName: string): { rollouts: string; reporter: string } {
  return { rollouts: `resources/${runtime}/argo-rollouts-${clusterName}.yaml`, reporter: `resources/${runtime}/rollout-reporter-${clusterName}.yaml` };
}

export const uiInstructions = {
  installHostedRuntime:
    "this Codefresh does not offer an API to install the hosted runtime. Install it in the Codefresh UI (Settings > GitOps Runtimes > + Add Runtime > Hosted Runtime), then set `adopt: true` on the HostedRuntime resource and run `pulumi up` again",
  initManagedRuntime:
    "this Codefresh does not offer an API to connect the hosted runtime's git provider. Connect it in the Codefresh UI (the hosted runtime's 'Connect Git provider' step), then set `adopt: true` on the SharedConfigRepo resource and run `pulumi up` again",
  application:
    "this Codefresh does not offer a public query for one application's status: the manifests are committed and Argo CD syncs them; see the application in the Codefresh UI (GitOps Apps > Applications)",
} as const;
