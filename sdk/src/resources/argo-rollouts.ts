// ArgoRollouts: Argo Rollouts installed through Codefresh on a cluster of a runtime (`createArgoRollouts` on its
// app-proxy), the optional step of Codefresh's managed-cluster set-up. Codefresh's public clients can install it
// but neither read nor uninstall it: it is read back from the Shared Configuration Repository, where Codefresh
// commits Argo Rollouts and its rollout reporter.
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { argoRolloutsManifestPaths, type RuntimeInfo } from "../api";
import { ConflictError } from "../errors";
import { accountGit } from "./account-git";
import { validate } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import { readResult } from "./provider/guard";
import { processContext } from "./provider/process";
import { describeRuntime, inClusterServer, requireRuntime } from "./runtime-kind";
import { derived, InputsOf, output, OutputsOf, resourceSpec, specProvider, specResource } from "./spec";
import argoRolloutsShim = require("./shims/argo-rollouts");

export interface ArgoRolloutsArgs {
  /** The runtime, hosted or hybrid (pass `runtime.name`). Changing it installs anew. */
  runtime: pulumi.Input<string>;
  /**
   * The cluster's API server URL as Codefresh registered it: a `ManagedCluster`'s `server` output (which also
   * orders this after the cluster), or `https://kubernetes.default.svc` for a hybrid runtime's own cluster.
   * (Typed to take `cluster.server` as is; `check` requires a value.)
   */
  server: pulumi.Input<string | undefined>;
  /** The namespace Argo Rollouts runs in. @default "argo-rollouts" */
  namespace?: pulumi.Input<string> | undefined;
  /**
   * A git token that can read the account's Shared Configuration Repository, where the install is read back
   * from (the `SharedConfigRepo`'s `gitToken`). Secret.
   */
  gitToken: pulumi.Input<string>;
  /** Bitbucket app passwords and Gerrit HTTP passwords need the user name. */
  gitUsername?: pulumi.Input<string> | undefined;
}

/** The fields of an ArgoRollouts: what a change means, their checks and defaults (see ./spec.ts). */
const spec = resourceSpec<ArgoRolloutsArgs>()({
  type: "ArgoRollouts",
  fields: {
    runtime: { role: "arg", onChange: "replace", required: true, validate: validate.dnsLabel("the runtime's name (runtime.name)") },
    server: { role: "arg", onChange: "replace", required: true, validate: validate.httpsUrl("cluster.server") },
    namespace: { role: "arg", onChange: "replace", required: true, default: "argo-rollouts", validate: validate.dnsLabel("a namespace name") },
    gitToken: {
      role: "arg",
      onChange: "none",
      required: true,
      secret: true,
      validate: validate.requiredText("a git token that can read the Shared Configuration Repository (isc.gitToken)"),
    },
    gitUsername: { role: "arg", onChange: "none", validate: validate.text },
    /** True while the rollout reporter in the Shared Configuration Repository is the one Codefresh committed; refresh sets it false on drift. */
    __reporterCurrent: derived<boolean>("update", true),
    /** The cluster's name in Codefresh (`in-cluster` for the runtime's own). */
    clusterName: output<string>(),
    /** Where the Shared Configuration Repository holds Argo Rollouts' Application, and the rollout reporter's. */
    rolloutsPath: output<string>(),
    reporterPath: output<string>(),
    /** sha256 of the rollout reporter's manifest as Codefresh committed it ("" where it was not found: drift is then not detected). */
    reporterHash: output<string>(),
    /** Whether the Shared Configuration Repository holds both (false after a refresh found them gone). */
    installed: output<boolean>(),
  },
});

/** The declaration, for `pulumi-codefresh/provider`'s `declarations`. */
export { spec as argoRolloutsSpec };

type Inputs = InputsOf<ArgoRolloutsArgs, typeof spec.fields>;
type Outputs = OutputsOf<ArgoRolloutsArgs, typeof spec.fields>;

/**
 * Argo Rollouts on a cluster of a runtime, installed through Codefresh. Refresh reads the install back from the
 * Shared Configuration Repository: its rollout reporter gone or changed there is drift, which `pulumi up`
 * repairs by installing again. Destroy detaches: Codefresh's public API has no uninstall for it, and says so.
 *
 * @example
 * new codefresh.ArgoRollouts("prod-rollouts", { runtime: runtime.name, server: prod.server, gitToken: config.requireSecret("gitToken") });
 */
export const ArgoRollouts = specResource(spec, argoRolloutsShim);
export type ArgoRollouts = InstanceType<typeof ArgoRollouts>;

const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

/** The cluster's name in Codefresh; refusals that depend on the runtime's kind name the runtime and what to do. */
async function clusterNameOf(context: ProviderContext, runtime: RuntimeInfo, server: string): Promise<string> {
  if (server === inClusterServer) {
    if (runtime.managed) {
      throw new ConflictError(
        "createArgoRollouts",
        `${describeRuntime(runtime)}'s own cluster is Codefresh's: install Argo Rollouts on one of its managed clusters (server: cluster.server of a ManagedCluster)`,
      );
    }
    return "in-cluster";
  }
  const cluster = await context.client.getCluster(runtime.name, server);
  if (!cluster) {
    throw new ConflictError(
      "createArgoRollouts",
      `cluster ${server} is not connected to ${describeRuntime(runtime)}: connect it with a ManagedCluster and pass its \`server\` output (for the runtime's own cluster, a hybrid runtime's, pass ${inClusterServer})`,
    );
  }
  return cluster.name;
}

/** What the Shared Configuration Repository holds of the install. */
async function readInstall(context: ProviderContext, inputs: Inputs, clusterName: string) {
  const paths = argoRolloutsManifestPaths(inputs.runtime, clusterName);
  const { client, sharedConfigRepo } = await accountGit(context, inputs.gitToken, inputs.gitUsername, "ArgoRollouts");
  const [rollouts, reporter] = await Promise.all([client.readFile(sharedConfigRepo, paths.rollouts), client.readFile(sharedConfigRepo, paths.reporter)]);
  return { paths, rollouts, reporter };
}

async function install(context: ProviderContext, inputs: Inputs): Promise<Outputs> {
  const runtime = await requireRuntime(context.client, inputs.runtime, "ArgoRollouts");
  const server = inputs.server.replace(/\/+$/, "");
  const clusterName = await clusterNameOf(context, runtime, server);
  context.log(`installing Argo Rollouts on ${clusterName} (${server}) in namespace ${inputs.namespace}, through ${describeRuntime(runtime)}`);
  await context.client.createArgoRollouts(runtime.name, server, inputs.namespace);
  const found = await readInstall(context, inputs, clusterName);
  const committed = found.reporter !== undefined && found.rollouts !== undefined;
  if (!committed) {
    // Where Codefresh commits the install is our emulator's convention (api/unconfirmed.ts): a Codefresh that
    // commits elsewhere installed it all the same, but refresh cannot see drift.
    context.log(
      `Argo Rollouts on ${clusterName}: Codefresh accepted the install, but ${found.paths.reporter} is not in the Shared Configuration Repository; refresh cannot detect drift of this install`,
    );
  }
  return {
    ...inputs,
    server,
    __reporterCurrent: true,
    clusterName,
    rolloutsPath: found.paths.rollouts,
    reporterPath: found.paths.reporter,
    reporterHash: found.reporter === undefined ? "" : hashOf(found.reporter),
    installed: true,
  };
}

export const argoRolloutsProvider = specProvider<ArgoRolloutsArgs, typeof spec.fields, Inputs, Outputs>(
  spec,
  {
    async create(context, inputs) {
      const outs = await install(context, inputs);
      return { id: `${inputs.runtime}/${outs.clusterName}/${inputs.namespace}`, outs };
    },

    async read(context, id, props) {
      if (!props) return { id: "" };
      if (!(await context.client.getRuntime(props.runtime))) return { id: "" }; // the runtime and its installs are gone
      const found = await readInstall(context, props, props.clusterName);
      // An install whose files were never found (reporterHash "") cannot drift as far as we can see.
      const current =
        props.reporterHash === "" || (found.reporter !== undefined && found.rollouts !== undefined && hashOf(found.reporter) === props.reporterHash);
      const { clusterName: _c, rolloutsPath: _r, reporterPath: _p, reporterHash: _h, installed: _i, ...prior } = props;
      const inputs: Inputs = { ...prior, __reporterCurrent: current };
      return readResult(id, { ...props, __reporterCurrent: current, installed: current }, inputs);
    },

    async update(context, _id, _olds, news) {
      // Only drift reaches here (every other change replaces): install again, as Codefresh's install is repeatable.
      return { outs: await install(context, news) };
    },

    async delete(context, _id, props) {
      context.log(
        `ArgoRollouts: detached. Argo Rollouts stays on ${props.clusterName} (namespace ${props.namespace}): Codefresh's public clients can install it but have no uninstall (go-sdk and cli-v2 only call createArgoRollouts). To remove it, delete ${props.rolloutsPath} and ${props.reporterPath} from the Shared Configuration Repository`,
      );
    },
  },
  processContext,
);
