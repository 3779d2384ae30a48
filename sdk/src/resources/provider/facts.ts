// The facts `check` looks up for the policy pack (a repo's size, a cluster's version and CRD count):
// read-only, one attempt of at most 5 s, never a write; kept from state while what they depend on is
// unchanged, so that a no-change preview makes no remote call.
import { createHash } from "node:crypto";
import * as cluster from "../../cluster";
import * as git from "../../git";
import type { ProviderContext } from "./context";

/**
 * A fact `check` looked up on an earlier run, taken from the old inputs while what it depends on is
 * unchanged: a no-change preview then makes no remote call, and `pulumi refresh` (or `preview
 * --refresh`) renews it through `read`. Undefined when it must be looked up.
 */
export function factFromState<T>(olds: Record<string, unknown>, key: string, unchanged: boolean, valid: (value: unknown) => value is T): T | undefined {
  return recordedFact(olds, key, unchanged, valid)?.value;
}

/**
 * Like {@link factFromState}, where a missing value is a fact too: the size of a repo Codefresh creates
 * during create is not known when check runs, and stays unknown in the inputs until `pulumi refresh`.
 * `{ value }` (perhaps undefined) for a resource that exists while what the fact depends on is unchanged,
 * so a no-change preview neither calls out nor differs from state; undefined when it must be looked up.
 */
export function recordedFact<T>(
  olds: Record<string, unknown>,
  key: string,
  unchanged: boolean,
  valid: (value: unknown) => value is T,
): { value: T | undefined } | undefined {
  if (!unchanged || Object.keys(olds).length === 0) return undefined;
  return { value: valid(olds[key]) ? olds[key] : undefined };
}

export const isNumber = (value: unknown): value is number => typeof value === "number";
export const isText = (value: unknown): value is string => typeof value === "string";

/**
 * How a repo size is looked up: in `check` (and where many resources ask at once), one bounded attempt whose
 * answer is shared; `fresh` — after the write that made the repo, and in a refresh of the one repo — never an
 * answer from before, and a slow answer is tried again.
 */
export type RepoSizeLookup = "check" | "fresh";

/**
 * A repo's size from its provider's API. Undefined where it cannot be known (no token, the repo does not
 * exist yet, Gerrit, or the provider did not answer in time); create reports real access problems.
 */
export async function lookUpRepoSize(
  context: ProviderContext,
  options: { repo: git.RepoRef; provider: git.GitProviderName; apiUrl?: string | undefined; token?: string | undefined; username?: string | undefined },
  lookup: RepoSizeLookup = "check",
): Promise<number | undefined> {
  // The token is in the secret set already: a secret input, or secret stack config read through the context.
  if (!options.token) return undefined;
  const { token } = options;
  const key = [
    "repoSize",
    options.provider,
    options.apiUrl ?? "",
    options.username ?? "",
    options.repo.cloneUrl,
    createHash("sha256").update(token).digest("hex"),
  ].join("\0");
  if (lookup === "fresh") return readRepoSize(context, { ...options, token }, 3);
  return context.shared(key, () => readRepoSize(context, { ...options, token }, 1));
}

async function readRepoSize(
  context: ProviderContext,
  options: { repo: git.RepoRef; provider: git.GitProviderName; apiUrl?: string | undefined; token: string; username?: string | undefined },
  attempts: number,
): Promise<number | undefined> {
  try {
    const gitClient = git.createGitClient({
      provider: options.provider,
      apiUrl: options.apiUrl,
      token: options.token,
      username: options.username,
      caBundle: context.value("codefresh:gitCaBundle"),
      requestTimeoutMs: 5_000,
      attempts,
    });
    return (await gitClient.getRepo(options.repo))?.sizeBytes;
  } catch {
    return undefined;
  }
}

/**
 * A cluster's version and CRD count. An unreachable cluster gives no values here; create reports why.
 */
export async function lookUpCluster(resolved: cluster.ResolvedKubeconfig): Promise<{ kubernetesVersion?: string; crdCount?: number }> {
  const [version, crds] = await Promise.allSettled([
    cluster.readServerVersion(resolved, { attempts: 1, attemptTimeoutMs: 5_000 }),
    cluster.countCustomResourceDefinitions(resolved, { attempts: 1, attemptTimeoutMs: 5_000 }),
  ]);
  return {
    ...(version.status === "fulfilled" ? { kubernetesVersion: version.value.gitVersion } : {}),
    ...(crds.status === "fulfilled" ? { crdCount: crds.value } : {}),
  };
}
