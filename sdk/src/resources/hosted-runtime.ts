// HostedRuntime: the account's one Codefresh Hosted GitOps Runtime (Codefresh runs Argo CD for you).
import * as pulumi from "@pulumi/pulumi";
import { ConflictError } from "../errors";
import type { RuntimeInfo } from "../api";
import { ownUrn, stackMarker, withoutStackCapture, providerVersion, Timeouts, timeoutsOf, typeToken } from "./common";
import { platformIpAllowList } from "./ip-allow-list";
import { Check, client, configValue, guarded, isUnknown, parseDuration, partialCreate, progress, ProviderImpl, readResult, waitFor } from "./provider-base";
import { claim, claimOrThrow, identities, urnOf } from "./ownership";
import hostedRuntimeShim = require("./shims/hosted-runtime");

export interface HostedRuntimeArgs {
  /**
   * The runtime's name. Codefresh names the hosted runtime itself; `codefresh-hosted` is what it uses.
   * Changing it replaces the runtime.
   * @default "codefresh-hosted"
   */
  name?: pulumi.Input<string>;
  /**
   * Take over the account's existing hosted runtime instead of failing because one exists (for example
   * one installed in the Codefresh UI). `pulumi import` cannot import dynamic resources; this can.
   * @default false
   */
  adopt?: pulumi.Input<boolean>;
}

interface Inputs {
  name: string;
  adopt: boolean;
  /** The resource's URN, short (see ownUrn), and its stack: who manages the object. */
  __urn?: string;
  __stack?: string;
  __timeouts?: Timeouts;
  providerVersion?: string;
}

interface Outputs extends Inputs {
  status: string;
  version: string;
  ingressHost: string;
  healthStatus: string;
  healthMessage: string;
  syncStatus: string;
  gitProvider: string;
  iscInitialized: boolean;
  managedClustersNum: number;
  ipAllowList: string[];
  accountPlan: string;
}

const defaultName = "codefresh-hosted";
const installTimeoutMs = 15 * 60_000; // Codefresh: "may take up to ten minutes"
const deleteTimeoutMs = 10 * 60_000; // Codefresh: "up to 5 minutes"

/**
 * The account's Codefresh Hosted GitOps Runtime. Codefresh allows one per account; create installs it
 * and waits until it is `COMPLETED`, delete removes it and waits until it is gone.
 *
 * Protect it (`protect: true`): deleting it removes every git source and cluster connection it has.
 *
 * @example
 * const runtime = new codefresh.HostedRuntime("hosted", {}, { protect: true });
 */
export class HostedRuntime extends pulumi.dynamic.Resource {
  /** The type token policies match: `pulumi-nodejs:dynamic/codefresh:HostedRuntime`. */
  static readonly __pulumiType = typeToken("HostedRuntime");

  /** The runtime's name. */
  declare readonly name: pulumi.Output<string>;
  declare readonly adopt: pulumi.Output<boolean>;
  /** `installationStatus`: `IN_PROGRESS`, `COMPLETED` or `FAILED`. */
  declare readonly status: pulumi.Output<string>;
  /** The runtime version Codefresh runs (Codefresh upgrades hosted runtimes itself). */
  declare readonly version: pulumi.Output<string>;
  /** Base URL of the runtime's app-proxy. */
  declare readonly ingressHost: pulumi.Output<string>;
  /** Argo CD health of the runtime: `HEALTHY`, `PROGRESSING`, `DEGRADED`, … */
  declare readonly healthStatus: pulumi.Output<string>;
  declare readonly healthMessage: pulumi.Output<string>;
  declare readonly syncStatus: pulumi.Output<string>;
  /** The git provider connected to the runtime (`GITHUB`, `BITBUCKET`, `GERRIT`), once SharedConfigRepo ran. */
  declare readonly gitProvider: pulumi.Output<string>;
  /** Whether the shared configuration repository was initialised through this runtime. */
  declare readonly iscInitialized: pulumi.Output<boolean>;
  declare readonly managedClustersNum: pulumi.Output<number>;
  /** Codefresh's platform IP addresses, to allow-list on managed clusters' API servers (see ip-allow-list.ts). */
  declare readonly ipAllowList: pulumi.Output<string[]>;
  /**
   * The account's plan (`FREE`, `PRO`, `ENTERPRISE`), for the policy pack. Codefresh's public API does not
   * expose it: it is `codefresh:accountPlan` from the stack config, "" when unset.
   */
  declare readonly accountPlan: pulumi.Output<string>;
  /** The version of pulumi-codefresh that last wrote this resource. */
  declare readonly providerVersion: pulumi.Output<string>;

  constructor(name: string, args: HostedRuntimeArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const restoreStackCapture = withoutStackCapture();
    try {
      super(
        hostedRuntimeShim,
        name,
        {
          status: undefined,
          version: undefined,
          ingressHost: undefined,
          healthStatus: undefined,
          healthMessage: undefined,
          syncStatus: undefined,
          gitProvider: undefined,
          iscInitialized: undefined,
          managedClustersNum: undefined,
          ipAllowList: undefined,
          accountPlan: undefined,
          name: args.name ?? defaultName,
          adopt: args.adopt ?? false,
          __urn: ownUrn(name, "HostedRuntime", opts),
          __stack: stackMarker(),
          __timeouts: timeoutsOf(opts),
          providerVersion,
        },
        // A singleton: its replacement must not be created before it is gone.
        { deleteBeforeReplace: true, ...opts },
        "codefresh",
        "HostedRuntime",
      );
    } finally {
      restoreStackCapture();
    }
  }
}

function outputs(inputs: Inputs, runtime: RuntimeInfo): Outputs {
  return {
    ...inputs,
    status: runtime.installationStatus,
    version: runtime.runtimeVersion ?? "",
    ingressHost: runtime.ingressHost ?? "",
    healthStatus: runtime.healthStatus ?? "",
    healthMessage: runtime.healthMessage ?? "",
    syncStatus: runtime.syncStatus ?? "",
    gitProvider: runtime.gitProvider ?? "",
    iscInitialized: runtime.iscInitialized ?? false,
    managedClustersNum: runtime.managedClustersNum,
    ipAllowList: [...platformIpAllowList.addresses],
    accountPlan: configValue("codefresh:accountPlan") ?? "",
  };
}

async function waitUntilInstalled(inputs: Inputs): Promise<RuntimeInfo> {
  const timeout = parseDuration(inputs.__timeouts?.create) ?? installTimeoutMs;
  return waitFor(`hosted runtime ${inputs.name}`, timeout, async () => {
    const runtime = await client().getRuntime(inputs.name);
    if (!runtime) return { done: false, status: "not visible yet" };
    if (runtime.installationStatus === "FAILED") {
      throw new Error(
        `hosted runtime ${inputs.name} failed to install${runtime.healthMessage ? `: ${runtime.healthMessage}` : ""}. Codefresh's documented recovery: uninstall it (\`cf runtime uninstall ${inputs.name} --force\` or the UI), then run \`pulumi up\` again`,
      );
    }
    if (runtime.installationStatus === "COMPLETED") return { done: true, value: runtime };
    return { done: false, status: `installing (${runtime.installationStatus})` };
  });
}

export const hostedRuntimeProvider: ProviderImpl = guarded({
  async check(_olds, news) {
    const check = new Check();
    check.dnsLabel("name", news.name, "the runtime's name, for example codefresh-hosted");
    check.optionalBoolean("adopt", news.adopt);
    const duplicate = claim(urnOf(news, "HostedRuntime"), identities.hostedRuntime());
    if (duplicate) check.fail("name", duplicate);
    const plan = configValue("codefresh:accountPlan");
    if (plan !== undefined && !["FREE", "PRO", "ENTERPRISE"].includes(plan)) {
      check.fail("name", `stack config codefresh:accountPlan is "${plan}": use FREE, PRO or ENTERPRISE`);
    }
    // Known at preview, so the policy pack can check Enterprise-only features before anything is written.
    return { inputs: { ...news, accountPlan: plan ?? "" }, failures: check.failures };
  },

  async diff(_id, olds, news) {
    if (isUnknown(news.name) || olds.name !== news.name) {
      return { changes: true, replaces: ["name"], deleteBeforeReplace: true };
    }
    // `adopt`, timeouts and providerVersion change nothing in Codefresh.
    return { changes: false };
  },

  async create(raw) {
    const inputs = raw as unknown as Inputs;
    claimOrThrow("installHostedRuntime", urnOf(inputs, "HostedRuntime"), identities.hostedRuntime());
    const api = client();
    const existing = await api.findHostedRuntime();
    if (existing && !inputs.adopt) {
      throw new ConflictError(
        "installHostedRuntime",
        `the account already has a hosted runtime ("${existing.name}") that this stack does not manage; Codefresh allows one per account. To use it here, set \`adopt: true\` on this HostedRuntime${existing.name !== inputs.name ? ` and \`name: "${existing.name}"\`` : ""}, with \`retainOnDelete: true\` if another stack manages it (a destroy of this stack then leaves it). If an interrupted \`pulumi up\` of this stack installed it (a hosted runtime can carry no marker of its stack), adopting it is the way to take it back`,
      );
    }
    if (existing && existing.name !== inputs.name) {
      throw new ConflictError("installHostedRuntime", `adopt: the account's hosted runtime is named "${existing.name}", not "${inputs.name}"; set \`name: "${existing.name}"\``);
    }
    if (!existing) {
      // Against a Codefresh without this API, this fails with UnsupportedOperationError saying what
      // to click in the UI and to set `adopt: true`.
      progress(`installing hosted runtime ${inputs.name} (Codefresh takes up to ten minutes)`);
      await api.installHostedRuntime(inputs.name);
    } else {
      progress(`adopting the account's existing hosted runtime ${existing.name}`);
    }
    try {
      const runtime = await waitUntilInstalled(inputs);
      return { id: inputs.name, outs: outputs(inputs, runtime) };
    } catch (error) {
      // Installed but not ready in time: keep it in state so the next `pulumi up` resumes waiting.
      throw partialCreate(inputs.name, { ...inputs, status: "IN_PROGRESS" }, error);
    }
  },

  async read(id, props) {
    const runtime = await client().getRuntime(id);
    if (!runtime) return { id: "" };
    const inputs: Inputs = {
      name: runtime.name,
      adopt: (props?.adopt as boolean | undefined) ?? false,
      __timeouts: props?.__timeouts as Timeouts | undefined,
      providerVersion: props?.providerVersion as string | undefined,
    };
    return readResult(id, outputs(inputs, runtime), inputs);
  },

  async update(_id, _olds, news) {
    // Nothing to change in Codefresh; a previous create that timed out resumes waiting here.
    const inputs = news as unknown as Inputs;
    const runtime = await waitUntilInstalled(inputs);
    return { outs: outputs(inputs, runtime) };
  },

  async delete(id, props) {
    const api = client();
    const timeout = parseDuration((props.__timeouts as Timeouts | undefined)?.delete) ?? deleteTimeoutMs;
    if (!(await api.deleteRuntime(id))) return;
    progress(`deleting hosted runtime ${id} (Codefresh takes up to five minutes)`);
    await waitFor(`deleting hosted runtime ${id}`, timeout, async () => {
      const runtime = await api.getRuntime(id);
      return runtime ? { done: false, status: "still present" } : { done: true, value: undefined };
    });
  },
});
