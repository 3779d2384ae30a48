// HostedRuntime: the account's one Codefresh Hosted GitOps Runtime (Codefresh runs Argo CD for you).
import type * as pulumi from "@pulumi/pulumi";
import type { RuntimeInfo } from "../api";
import { ConflictError } from "../errors";
import { checkIpAllowListConfig } from "./ip-allow-list";
import { claim, claimOrThrow, identities, urnOf } from "./ownership";
import { validate } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import { partialCreate, readResult } from "./provider/guard";
import { processContext } from "./provider/process";
import { parseDuration, waitFor } from "./provider/wait";
import { runtimeReport, runtimeReportFields } from "./runtime-report";
import { derived, commonInputsOf, InputsOf, OutputsOf, resourceSpec, specProvider, specResource } from "./spec";
import hostedRuntimeShim = require("./shims/hosted-runtime");

export interface HostedRuntimeArgs {
  /**
   * The runtime's name. Codefresh names the hosted runtime itself; `codefresh-hosted` is what it uses.
   * Changing it replaces the runtime.
   * @default "codefresh-hosted"
   */
  name?: pulumi.Input<string> | undefined;
  /**
   * Take over the account's existing hosted runtime instead of failing because one exists (for example
   * one installed in the Codefresh UI). `pulumi import` cannot import dynamic resources; this can.
   * @default false
   */
  adopt?: pulumi.Input<boolean> | undefined;
}

const defaultName = "codefresh-hosted";
const installTimeoutMs = 15 * 60_000; // Codefresh: "may take up to ten minutes"
const deleteTimeoutMs = 10 * 60_000; // Codefresh: "up to 5 minutes"
const accountPlans = ["FREE", "PRO", "ENTERPRISE"];

/** The fields of a HostedRuntime: what a change means, their checks and defaults (see ./spec.ts). */
const spec = resourceSpec<HostedRuntimeArgs>()({
  type: "HostedRuntime",
  // A singleton: its replacement must not be created before it is gone.
  deleteBeforeReplace: "always",
  fields: {
    name: {
      role: "arg",
      onChange: "replace",
      required: true,
      default: defaultName,
      validate: validate.dnsLabel("the runtime's name, for example codefresh-hosted"),
    },
    // `adopt` changes nothing in Codefresh.
    adopt: { role: "arg", onChange: "none", default: false, validate: validate.boolean },
    /**
     * The account's plan (`FREE`, `PRO`, `ENTERPRISE`), for the policy pack. Codefresh's public API does not
     * expose it: it is `codefresh:accountPlan` from the stack config, "" when unset.
     */
    accountPlan: derived<string>("none"),
    ...runtimeReportFields,
  },
});

/** The declaration, for `pulumi-codefresh/provider`'s `declarations`. */
export { spec as hostedRuntimeSpec };

type Inputs = InputsOf<HostedRuntimeArgs, typeof spec.fields>;
type Outputs = OutputsOf<HostedRuntimeArgs, typeof spec.fields>;

/**
 * The account's Codefresh Hosted GitOps Runtime. Codefresh allows one per account; create installs it
 * and waits until it is `COMPLETED`, delete removes it and waits until it is gone.
 *
 * Protect it (`protect: true`): deleting it removes every git source and cluster connection it has.
 *
 * @example
 * const runtime = new codefresh.HostedRuntime("hosted", {}, { protect: true });
 */
export const HostedRuntime = specResource(spec, hostedRuntimeShim, { deleteBeforeReplace: true });
export type HostedRuntime = InstanceType<typeof HostedRuntime>;

function outputs(context: ProviderContext, inputs: Inputs, runtime: RuntimeInfo): Outputs {
  return { ...inputs, ...runtimeReport(context, runtime), accountPlan: context.value("codefresh:accountPlan") ?? "" };
}

/** The account's one hosted runtime exists and this stack does not manage it: adopt it, or leave it. */
function alreadyHasHostedRuntime(existing: string, declared: string): ConflictError {
  return new ConflictError(
    "installHostedRuntime",
    `the account already has a hosted runtime ("${existing}") that this stack does not manage; Codefresh allows one per account. To use it here, set \`adopt: true\` on this HostedRuntime${existing !== declared ? ` and \`name: "${existing}"\`` : ""}, with \`retainOnDelete: true\` if another stack manages it (a destroy of this stack then leaves it). If an interrupted \`pulumi up\` of this stack installed it (a hosted runtime can carry no marker of its stack), adopting it is the way to take it back`,
  );
}

function adoptedNameDiffers(existing: string, declared: string): ConflictError {
  return new ConflictError(
    "installHostedRuntime",
    `adopt: the account's hosted runtime is named "${existing}", not "${declared}"; set \`name: "${existing}"\``,
  );
}

async function waitUntilInstalled(context: ProviderContext, inputs: Inputs): Promise<RuntimeInfo> {
  const timeout = parseDuration(inputs.__timeouts?.create) ?? installTimeoutMs;
  const probe = async () => {
    const runtime = await context.client.getRuntime(inputs.name);
    if (!runtime) return { done: false as const, status: "not visible yet" };
    if (runtime.installationStatus === "FAILED") {
      throw new Error(
        `hosted runtime ${inputs.name} failed to install${runtime.healthMessage ? `: ${runtime.healthMessage}` : ""}. Codefresh's documented recovery: uninstall it (\`cf runtime uninstall ${inputs.name} --force\` or the UI), then run \`pulumi up\` again`,
      );
    }
    if (runtime.installationStatus === "COMPLETED") return { done: true as const, value: runtime };
    return { done: false as const, status: `installing (${runtime.installationStatus})` };
  };
  return waitFor(`hosted runtime ${inputs.name}`, timeout, probe, (message) => context.log(message));
}

export const hostedRuntimeProvider = specProvider<HostedRuntimeArgs, typeof spec.fields, Inputs, Outputs>(
  spec,
  {
    async check(context, { news, inputs, check }) {
      checkIpAllowListConfig(context, check);
      const duplicate = claim(urnOf(news, "HostedRuntime"), identities.hostedRuntime());
      if (duplicate) check.fail("name", duplicate);
      const plan = context.value("codefresh:accountPlan");
      if (plan !== undefined && !accountPlans.includes(plan)) {
        // Not a field of the resource: the failure names the stack config key.
        check.fail(
          "codefresh:accountPlan",
          `stack config codefresh:accountPlan is "${plan}": use ${accountPlans.join(", ")} (pulumi config set codefresh:accountPlan ENTERPRISE)`,
        );
      }
      // Known at preview, so the policy pack can check Enterprise-only features before anything is written.
      inputs.accountPlan = plan ?? "";
    },

    async create(context, inputs) {
      claimOrThrow("installHostedRuntime", urnOf(inputs, "HostedRuntime"), identities.hostedRuntime());
      const api = context.client;
      const runtimes = await api.listRuntimes();
      const existing = runtimes.find((r) => r.managed);
      const hybrid = runtimes.find((r) => r.name === inputs.name && !r.managed);
      if (hybrid) {
        throw new ConflictError(
          "installHostedRuntime",
          `runtime "${hybrid.name}" is a hybrid runtime (installed with Codefresh's gitops-runtime Helm chart, installationType ${hybrid.installationType ?? "HELM"}); a HostedRuntime manages only the account's hosted runtime. To use it from this program, declare \`new Runtime("${hybrid.name}", { name: "${hybrid.name}" })\` (it reads the runtime and never changes it) and pass its name`,
        );
      }
      if (existing && !inputs.adopt) throw alreadyHasHostedRuntime(existing.name, inputs.name);
      if (existing && existing.name !== inputs.name) throw adoptedNameDiffers(existing.name, inputs.name);
      if (!existing) {
        // Against a Codefresh without this API, this fails with UnsupportedOperationError saying what
        // to click in the UI and to set `adopt: true`.
        context.log(`installing hosted runtime ${inputs.name} (Codefresh takes up to ten minutes)`);
        try {
          await api.installHostedRuntime(inputs.name);
        } catch (error) {
          // Another stack (or the UI) installed it between the look above and this install: say what the
          // look would have said, with the way out, not Codefresh's bare "only one per account".
          const raced = error instanceof ConflictError ? await api.findHostedRuntime() : undefined;
          if (!raced) throw error;
          if (!inputs.adopt) throw alreadyHasHostedRuntime(raced.name, inputs.name);
          if (raced.name !== inputs.name) throw adoptedNameDiffers(raced.name, inputs.name);
          // `adopt: true` asked for the account's runtime, whoever installed it.
          context.log(`adopting the account's hosted runtime ${raced.name}, installed meanwhile`);
        }
      } else {
        context.log(`adopting the account's existing hosted runtime ${existing.name}`);
      }
      try {
        const runtime = await waitUntilInstalled(context, inputs);
        return { id: inputs.name, outs: outputs(context, inputs, runtime) };
      } catch (error) {
        // Installed but not ready in time: keep it in state so the next `pulumi up` resumes waiting.
        throw partialCreate(inputs.name, { ...inputs, status: "IN_PROGRESS" }, error);
      }
    },

    async read(context, id, props) {
      const runtime = await context.client.getRuntime(id);
      if (!runtime) return { id: "" };
      const inputs: Inputs = { name: runtime.name, adopt: props?.adopt ?? false, ...commonInputsOf(props) };
      return readResult(id, outputs(context, inputs, runtime), inputs);
    },

    async update(context, _id, _olds, news) {
      // Nothing to change in Codefresh; a previous create that timed out resumes waiting here.
      const runtime = await waitUntilInstalled(context, news);
      return { outs: outputs(context, news, runtime) };
    },

    async delete(context, id, props) {
      const api = context.client;
      const timeout = parseDuration(props.__timeouts?.delete) ?? deleteTimeoutMs;
      if (!(await api.deleteRuntime(id))) return;
      context.log(`deleting hosted runtime ${id} (Codefresh takes up to five minutes)`);
      const probe = async () => {
        const runtime = await api.getRuntime(id);
        return runtime ? { done: false as const, status: "still present" } : { done: true as const, value: undefined };
      };
      await waitFor(`deleting hosted runtime ${id}`, timeout, probe, (message) => context.log(message));
    },
  },
  processContext,
);
