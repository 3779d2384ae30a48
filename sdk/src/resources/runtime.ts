// Runtime: a Codefresh GitOps runtime this program did not create, read by name. The common case is a
// hybrid runtime installed by a Helm release, or an account's hosted runtime installed in the Codefresh UI.
// It never changes or deletes the runtime.
import type * as pulumi from "@pulumi/pulumi";
import { CodefreshClient, type RuntimeInfo } from "../api";
import { checkIpAllowListConfig } from "./ip-allow-list";
import { validate } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import { readResult } from "./provider/guard";
import { processContext } from "./provider/process";
import { isUnknown } from "./provider/unknown";
import { parseDuration, waitFor } from "./provider/wait";
import { kindOf, requireRuntime, type RuntimeKind } from "./runtime-kind";
import { runtimeReport, runtimeReportFields } from "./runtime-report";
import { commonInputsOf, derived, InputsOf, OutputsOf, resourceSpec, specProvider, specResource } from "./spec";
import runtimeShim = require("./shims/runtime");

export interface RuntimeArgs {
  /**
   * The runtime's name in Codefresh (`cf runtime list`; a Helm-installed runtime's `global.runtime.name`).
   * Changing it points the resource at another runtime.
   */
  name: pulumi.Input<string>;
}

/** The fields of a Runtime: what a change means, their checks (see ./spec.ts). */
const spec = resourceSpec<RuntimeArgs>()({
  type: "Runtime",
  fields: {
    name: { role: "arg", onChange: "replace", required: true, validate: validate.dnsLabel("the runtime's name, as `cf runtime list` shows it") },
    /**
     * `hosted` or `hybrid`: looked up at preview (a read of at most 5 s) so that the policy pack knows which
     * rules apply before anything is written; undefined at preview if the runtime does not exist yet.
     */
    kind: derived<RuntimeKind>("none"),
    ...runtimeReportFields,
  },
});

/** The declaration, for `pulumi-codefresh/provider`'s `declarations`. */
export { spec as runtimeSpec };

type Inputs = InputsOf<RuntimeArgs, typeof spec.fields>;
type Outputs = OutputsOf<RuntimeArgs, typeof spec.fields>;

/** How long create waits for a runtime to finish installing (a Helm release beside it may still be starting). */
const readyTimeoutMs = 10 * 60_000;
/** How long create waits for a runtime that is not registered at all before it says which runtimes exist. */
const registrationGraceMs = 2 * 60_000;

/**
 * A Codefresh GitOps runtime that exists already: a hybrid runtime installed with Codefresh's
 * `gitops-runtime` Helm chart, or the account's hosted runtime installed in the Codefresh UI. Create
 * reads it by name (and waits while it is still installing), refresh reads it again; it never changes or
 * deletes the runtime: destroy forgets it, and says so. A no-change preview costs no call (its outputs
 * come from state). Pass its `name` to `SharedConfigRepo`, `GitSource` and `ManagedCluster`.
 *
 * @example
 * const runtime = new codefresh.Runtime("hybrid", { name: "production" });
 * new codefresh.GitSource("team-a", { runtime: runtime.name, repoUrl: "https://github.com/acme/apps.git", path: "team-a" });
 */
export const Runtime = specResource(spec, runtimeShim);
export type Runtime = InstanceType<typeof Runtime>;

function outputs(context: ProviderContext, inputs: Inputs, runtime: RuntimeInfo): Outputs {
  return { ...inputs, kind: kindOf(runtime), ...runtimeReport(context, runtime) };
}

/** The runtime's kind for the policy pack, from one read of at most 5 s; undefined if it cannot be read now. */
async function lookUpKind(context: ProviderContext, name: string): Promise<RuntimeKind | undefined> {
  try {
    const client = new CodefreshClient({ config: { ...context.config, requestTimeoutMs: 5_000 }, attempts: 1, secrets: context.secrets });
    const runtime = await client.getRuntime(name);
    return runtime ? kindOf(runtime) : undefined;
  } catch {
    return undefined;
  }
}

async function waitUntilReady(context: ProviderContext, inputs: Inputs): Promise<RuntimeInfo> {
  const timeout = parseDuration(inputs.__timeouts?.create) ?? readyTimeoutMs;
  const started = Date.now();
  const probe = async () => {
    const runtime = await context.client.getRuntime(inputs.name);
    if (!runtime) {
      // Not registered (yet): a Helm release beside it may still be installing; a wrong name should not wait long.
      if (Date.now() - started >= Math.min(timeout, registrationGraceMs)) await requireRuntime(context.client, inputs.name, "Runtime");
      return { done: false as const, status: "not registered with Codefresh yet" };
    }
    if (runtime.installationStatus === "FAILED") {
      throw new Error(
        `${kindOf(runtime)} runtime ${runtime.name} failed to install${runtime.healthMessage ? `: ${runtime.healthMessage}` : ""}; a Runtime resource only reads it: fix the installation (a hybrid runtime: its Helm release's values and pods; a hosted one: Codefresh support), then run \`pulumi up\` again`,
      );
    }
    if (runtime.installationStatus === "COMPLETED") return { done: true as const, value: runtime };
    return { done: false as const, status: `installing (${runtime.installationStatus})` };
  };
  return waitFor(`runtime ${inputs.name}`, timeout, probe, (message) => context.log(message));
}

export const runtimeProvider = specProvider<RuntimeArgs, typeof spec.fields, Inputs, Outputs>(
  spec,
  {
    async check(context, { olds, inputs, check }) {
      checkIpAllowListConfig(context, check);
      if (check.failures.length > 0 || typeof inputs.name !== "string" || isUnknown(inputs.name)) return;
      // Kept from state while the name is the same: a no-change preview makes no call.
      const recorded = olds.name === inputs.name && (olds.kind === "hosted" || olds.kind === "hybrid") ? olds.kind : undefined;
      inputs.kind = recorded ?? (await lookUpKind(context, inputs.name));
    },

    async create(context, inputs) {
      const runtime = await waitUntilReady(context, inputs);
      context.log(`Runtime: reading ${kindOf(runtime)} runtime ${runtime.name}; Pulumi will never change or delete it`);
      return { id: runtime.name, outs: outputs(context, inputs, runtime) };
    },

    async read(context, id, props) {
      const runtime = await context.client.getRuntime(id);
      if (!runtime) return { id: "" };
      const inputs: Inputs = { name: runtime.name, kind: kindOf(runtime), ...commonInputsOf(props) };
      return readResult(id, outputs(context, inputs, runtime), inputs);
    },

    async update(context, id, _olds, news) {
      const runtime = await requireRuntime(context.client, id, "Runtime");
      return { outs: outputs(context, news, runtime) };
    },

    async delete(context, id, props) {
      context.log(
        `Runtime: forgot ${props.kind ? `${props.kind} runtime` : "runtime"} ${id}; it is untouched in Codefresh (uninstall a hybrid runtime with \`helm uninstall\` of its release, a hosted one in the Codefresh UI)`,
      );
    },
  },
  processContext,
);
