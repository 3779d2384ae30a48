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

export const uiInstructions = {
  installHostedRuntime:
    "this Codefresh does not offer an API to install the hosted runtime. Install it in the Codefresh UI (Settings > GitOps Runtimes > + Add Runtime > Hosted Runtime), then set `adopt: true` on the HostedRuntime resource and run `pulumi up` again",
  initManagedRuntime:
    "this Codefresh does not offer an API to connect the hosted runtime's git provider. Connect it in the Codefresh UI (the hosted runtime's 'Connect Git provider' step), then set `adopt: true` on the SharedConfigRepo resource and run `pulumi up` again",
} as const;
