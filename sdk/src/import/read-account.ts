// What `pulumi-codefresh import` reads of an account: only public operations (runtimes, the account's
// GitOps settings, each runtime's git sources and clusters), and only the fields of go-sdk's models.
import type { AccountInfo, ClusterInfo, CodefreshClient, GitSourceInfo, RuntimeInfo } from "../api";
import { CodefreshError } from "../errors";

export interface RuntimeSnapshot {
  readonly runtime: RuntimeInfo;
  readonly gitSources: readonly GitSourceInfo[];
  readonly clusters: readonly ClusterInfo[];
}

export interface AccountSnapshot {
  readonly account: AccountInfo;
  readonly runtimes: readonly RuntimeSnapshot[];
}

/** Nothing to import, or not the runtime asked for: the message says what to do. */
export class ImportError extends CodefreshError {}

/** Reads the account (one runtime with `runtime`); fails when it has no runtime to import. */
export async function readAccount(client: CodefreshClient, options: { runtime?: string | undefined } = {}): Promise<AccountSnapshot> {
  const [account, all] = await Promise.all([client.getAccount(), client.listRuntimes()]);
  if (all.length === 0) {
    throw new ImportError(
      `account "${account.name}" has no GitOps runtime, so there is nothing to import; install one first (a hybrid runtime with the gitops-runtime Helm chart), or start from the README's first example`,
    );
  }
  const runtimes = options.runtime === undefined ? all : all.filter((r) => r.name === options.runtime);
  if (runtimes.length === 0) {
    throw new ImportError(`account "${account.name}" has no runtime "${options.runtime}"; its runtimes: ${all.map((r) => r.name).join(", ")}`);
  }
  return {
    account,
    runtimes: await Promise.all(
      runtimes.map(async (runtime) => {
        const [gitSources, clusters] = await Promise.all([client.listGitSources(runtime.name), client.listClusters(runtime.name)]);
        return { runtime, gitSources, clusters };
      }),
    ),
  };
}
