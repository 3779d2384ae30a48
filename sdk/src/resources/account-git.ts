// The account's git provider as a resource reads and writes it with the user's own token: the provider and
// API URL of the account's GitOps settings (what every runtime of the account commits through).
import type { AccountInfo } from "../api";
import * as git from "../git";
import type { ProviderContext } from "./provider/context";

export interface AccountGit {
  account: AccountInfo;
  client: git.GitProviderClient;
  /** The account's Shared Configuration Repository. */
  sharedConfigRepo: git.RepoRef;
}

/** A git client on the account's provider; an error saying what to set when the account has no git settings yet. */
export async function accountGit(context: ProviderContext, token: string, username: string | undefined, what: string): Promise<AccountGit> {
  const account = await context.client.getAccount();
  if (!account.sharedConfigRepo || !account.gitProvider) {
    throw new Error(`${what}: the account has no Shared Configuration Repository yet; declare a SharedConfigRepo and add it to dependsOn`);
  }
  const client = git.createGitClient({
    provider: git.assertHostedProvider(account.gitProvider, "the account's gitProvider"),
    apiUrl: account.gitApiUrl,
    token,
    username,
    caBundle: context.value("codefresh:gitCaBundle"),
  });
  return { account, client, sharedConfigRepo: git.parseRepoUrl(account.sharedConfigRepo, "sharedConfigRepo") };
}
