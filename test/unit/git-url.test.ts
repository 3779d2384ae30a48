// Repository URLs in Codefresh's format, provider names and default API URLs: no server.
import { GitError, git } from "pulumi-codefresh";

function failure(fn: () => unknown): GitError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GitError);
    return error as GitError;
  }
  throw new Error("expected a GitError");
}

describe("parseRepoUrl: valid forms", () => {
  test.each([
    [
      "https://github.com/acme/isc.git",
      {
        repoUrl: "https://github.com/acme/isc.git",
        cloneUrl: "https://github.com/acme/isc.git",
        host: "github.com",
        owner: "acme",
        name: "isc",
        path: "",
        ref: undefined,
      },
    ],
    [
      "https://github.com/acme/isc.git/runtimes/prod",
      {
        repoUrl: "https://github.com/acme/isc.git/runtimes/prod",
        cloneUrl: "https://github.com/acme/isc.git",
        owner: "acme",
        name: "isc",
        path: "runtimes/prod",
        ref: undefined,
      },
    ],
    ["https://github.com/acme/isc.git?ref=main", { repoUrl: "https://github.com/acme/isc.git?ref=main", path: "", ref: "main" }],
    [
      "https://github.com/acme/isc.git/apps/?ref=release/1.2",
      { repoUrl: "https://github.com/acme/isc.git/apps?ref=release/1.2", path: "apps", ref: "release/1.2" },
    ],
    ["https://github.com/acme/isc.git/", { repoUrl: "https://github.com/acme/isc.git", path: "" }],
    ["https://GitHub.com:443/acme/isc.git", { host: "github.com", cloneUrl: "https://github.com/acme/isc.git" }],
    ["https://ghe.example.com:8443/team/repo.git", { host: "ghe.example.com:8443", owner: "team", name: "repo" }],
    ["https://bitbucket.org/workspace/repo-slug.git", { owner: "workspace", name: "repo-slug" }],
    ["https://android.googlesource.com/platform/build/soong.git", { owner: "platform/build", name: "soong" }],
    ["https://gerrit.googlesource.com/gerrit.git", { owner: "", name: "gerrit" }],
    ["http://127.0.0.1:3000/org/repo.git", { repoUrl: "http://127.0.0.1:3000/org/repo.git", host: "127.0.0.1:3000" }],
    ["http://localhost/org/repo.git?ref=dev", { ref: "dev" }],
  ])("%s", (url, expected) => {
    expect(git.parseRepoUrl(url)).toMatchObject(expected);
  });

  test("a normalised URL parses to itself", () => {
    const first = git.parseRepoUrl("https://GITHUB.com/acme/isc.git//apps//x/?ref=main");
    expect(first.repoUrl).toBe("https://github.com/acme/isc.git/apps/x?ref=main");
    expect(git.parseRepoUrl(first.repoUrl)).toEqual(first);
  });

  test("Gerrit on an unknown host may be top-level when the provider is given", () => {
    expect(git.parseRepoUrl("https://review.example.com/tools.git", "repoUrl", "GERRIT")).toMatchObject({ owner: "", name: "tools" });
    expect(git.parseRepoUrl("https://review.example.com/a/b/c.git", "repoUrl", "GERRIT")).toMatchObject({ owner: "a/b", name: "c" });
  });
});

describe("parseRepoUrl: rejected forms name the field and the expected format", () => {
  test.each([
    ["", /is empty/],
    ["https://github.com/acme/isc", /must end with \.git/],
    ["http://github.com/acme/isc.git", /plain http:\/\/ would send the token unencrypted.*127\.0\.0\.1 and localhost/],
    ["https://user:hunter2-secret@github.com/acme/isc.git", /contains credentials/],
    ["https://ghp_abcdefabcdef@github.com/acme/isc.git", /contains credentials/],
    ["https://github.com/acme/../isc.git", /path traversal/],
    ["https://github.com/acme/isc.git/apps/../../x", /path traversal/],
    ["https://github.com/acme/%2e%2e/isc.git", /path traversal/],
    ["https://github.com/acme/isc.git?ref=main&token=x", /query parameter "token" is not allowed/],
    ["https://github.com/acme/isc.git?ref=", /\?ref= is empty/],
    ["https://github.com/acme/isc.git?ref=a..b", /not a valid branch name/],
    ["https://github.com//isc.git", /owner or repository name is empty/],
    ["https://github.com/acme/.git", /repository name is empty/],
    ["https://github.com/isc.git", /exactly one segment before the name/],
    ["https://github.com/a/b/c.git", /exactly one segment before the name/],
    ["https://example.com/isc.git", /owner is empty/],
    ["https://github.com/acme/isc.git#frag", /#fragment/],
    [" https://github.com/acme/isc.git", /whitespace or control characters/],
    ["https://github.com/acme/is c.git", /whitespace or control characters/],
    ["https://github.com/acme/isc.git\n", /whitespace or control characters/],
    ["git@github.com:acme/isc.git", /SSH addresses are not supported/],
    ["ssh://git@github.com/acme/isc.git", /contains credentials|ssh:\/\/ is not supported/],
    ["git://github.com/acme/isc.git", /git:\/\/ is not supported/],
    ["github.com/acme/isc.git", /must start with https:\/\//],
    ["https://github.com\\acme\\isc.git", /backslash/],
    ["https://gіthub.com/acme/isc.git", /non-ASCII/], // Cyrillic і: a look-alike host
  ])("%j", (url, reason) => {
    const error = failure(() => git.parseRepoUrl(url, "sharedConfigRepo"));
    expect(error.problem).toBe("invalid-url");
    expect(error.message).toMatch(/^sharedConfigRepo: /);
    expect(error.message).toContain("https://<host>/<owner>/<repo>.git[/<path>][?ref=<branch>]");
    expect(error.message).toMatch(reason);
  });

  test("never repeats credentials from the URL", () => {
    const error = failure(() => git.parseRepoUrl("https://bob:s3cr3t-token-value@github.com/acme/isc.git"));
    expect(error.message).not.toContain("s3cr3t-token-value");
    expect(error.message).not.toContain("bob");
    expect(error.message).toContain("https://***@github.com/acme/isc.git");
  });

  test("unicode and odd input never crash, they parse or fail with a GitError", () => {
    for (const url of [
      "https://xn--gthub-n4a.com/acme/isc.git",
      "https://github.com/acmé/isc.git",
      "https://[::1]/a/b.git",
      "https://github.com/a/b.git?ref=%ZZ",
      "https://%zz/a/b.git",
      "https://github.com/a/%zz.git",
    ]) {
      try {
        expect(git.parseRepoUrl(url).cloneUrl).toMatch(/^https:\/\//);
      } catch (error) {
        expect(error).toBeInstanceOf(GitError);
      }
    }
    expect(failure(() => git.parseRepoUrl(undefined as unknown as string)).problem).toBe("invalid-url");
  });
});

describe("inferProvider", () => {
  test.each([
    ["github.com", "GITHUB"],
    ["GitHub.com:443", "GITHUB"],
    ["octo.ghe.com", "GITHUB"],
    ["bitbucket.org", "BITBUCKET"],
    ["gerrit-review.googlesource.com", "GERRIT"],
    ["android.googlesource.com", "GERRIT"],
    ["git.example.com", undefined],
    ["127.0.0.1:3000", undefined],
  ])("%s → %s", (host, provider) => {
    expect(git.inferProvider(host)).toBe(provider);
  });

  test.each([
    ["gitlab.com", /gitlab\.com is GitLab/],
    ["dev.azure.com", /dev\.azure\.com is Azure DevOps/],
    ["acme.visualstudio.com", /Azure DevOps/],
  ])("%s is refused as not a hosted-runtime option", (host, what) => {
    const error = failure(() => git.inferProvider(host));
    expect(error.problem).toBe("unsupported-provider");
    expect(error.message).toMatch(what);
    expect(error.message).toContain("GitLab, Bitbucket Server and Azure DevOps are not supported by Codefresh hosted runtimes");
    expect(error.message).toContain("GitHub (GITHUB), Bitbucket Cloud (BITBUCKET) and Gerrit (GERRIT)");
  });
});

describe("assertHostedProvider", () => {
  test.each(["GITHUB", "BITBUCKET", "GERRIT"])("accepts %s", (name) => {
    expect(git.assertHostedProvider(name)).toBe(name);
  });

  test.each(["GITLAB", "BITBUCKET_SERVER", "AZURE", "AZURE_DEVOPS", "gitlab"])("refuses %s as not a hosted-runtime option", (name) => {
    const error = failure(() => git.assertHostedProvider(name, "gitProvider"));
    expect(error.problem).toBe("unsupported-provider");
    expect(error.message).toMatch(/^gitProvider: /);
    expect(error.message).toContain("is not a hosted-runtime option");
    expect(error.message).toContain("GitHub (GITHUB), Bitbucket Cloud (BITBUCKET) and Gerrit (GERRIT)");
  });

  test.each([
    ["github", "GITHUB"],
    ["GitHub", "GITHUB"],
    ["bitbucket", "BITBUCKET"],
    ["Bitbucket Cloud", "BITBUCKET"],
    ["gerrit", "GERRIT"],
  ])("suggests the right spelling for %j", (name, suggestion) => {
    const error = failure(() => git.assertHostedProvider(name));
    expect(error.message).toContain(`use "${suggestion}"`);
    expect(error.message).toMatch(/^gitProvider: /);
  });

  test("an unknown name lists the supported ones", () => {
    expect(failure(() => git.assertHostedProvider("SVN")).message).toMatch(/"SVN" is not a git provider; .*GITHUB.*BITBUCKET.*GERRIT/);
  });

  test("hostedGitProviders lists exactly the three, and cannot be changed", () => {
    expect(git.hostedGitProviders).toEqual(["GITHUB", "BITBUCKET", "GERRIT"]);
    expect(Object.isFrozen(git.hostedGitProviders)).toBe(true);
  });
});

describe("defaultApiUrl", () => {
  test.each([
    ["GITHUB", "github.com", "https://api.github.com"],
    ["GITHUB", "ghe.example.com", "https://ghe.example.com/api/v3"],
    ["GITHUB", "ghe.example.com:8443", "https://ghe.example.com:8443/api/v3"],
    ["GITHUB", "octo.ghe.com", "https://api.octo.ghe.com"],
    ["BITBUCKET", "bitbucket.org", "https://api.bitbucket.org/2.0"],
    ["GERRIT", "gerrit-review.googlesource.com", "https://gerrit-review.googlesource.com/a"],
    ["GERRIT", "review.example.com", "https://review.example.com/a"],
  ] as const)("%s on %s → %s", (provider, host, url) => {
    expect(git.defaultApiUrl(provider, host)).toBe(url);
  });

  test("BITBUCKET on another host is Bitbucket Server, which hosted runtimes do not support", () => {
    const error = failure(() => git.defaultApiUrl("BITBUCKET", "bitbucket.example.com"));
    expect(error.problem).toBe("unsupported-provider");
    expect(error.message).toMatch(/Bitbucket Cloud \(bitbucket\.org\).*bitbucket\.example\.com.*Bitbucket Server/);
  });

  test("a parsed URL gives its provider and API URL", () => {
    const ref = git.parseRepoUrl("https://github.com/acme/isc.git/apps?ref=main");
    const provider = git.inferProvider(ref.host);
    expect(provider).toBe("GITHUB");
    expect(git.defaultApiUrl(provider!, ref.host)).toBe("https://api.github.com");
  });
});

describe("createGitClient settings", () => {
  test("refuses an http API URL to a remote host, credentials in it, and an empty token", () => {
    expect(() => git.createGitClient({ provider: "GITHUB", token: "t0k3n-abcdef", apiUrl: "http://api.github.com" })).toThrow(/apiUrl: .*https:\/\//);
    expect(() => git.createGitClient({ provider: "GITHUB", token: "t0k3n-abcdef", apiUrl: "https://u:p@api.github.com" })).toThrow(/credentials/);
    expect(() => git.createGitClient({ provider: "GITHUB", token: "" })).toThrow(/token is empty/);
    expect(() => git.createGitClient({ provider: "GITLAB" as git.GitProviderName, token: "t0k3n-abcdef" })).toThrow(/not a hosted-runtime option/);
  });

  test("uses Codefresh's default API URLs", () => {
    expect(git.createGitClient({ provider: "GITHUB", token: "t0k3n-abcdef" }).apiUrl).toBe("https://api.github.com");
    expect(git.createGitClient({ provider: "BITBUCKET", token: "t0k3n-abcdef" }).apiUrl).toBe("https://api.bitbucket.org/2.0");
    expect(git.createGitClient({ provider: "GERRIT", token: "t0k3n-abcdef", username: "u" }).apiUrl).toBe("https://gerrit-review.googlesource.com/a");
    expect(git.createGitClient({ provider: "GITHUB", token: "t0k3n-abcdef", apiUrl: "https://ghe.example.com/api/v3/" }).apiUrl).toBe(
      "https://ghe.example.com/api/v3",
    );
  });

  test("Gerrit needs a username for its HTTP password", () => {
    expect(() => git.createGitClient({ provider: "GERRIT", token: "t0k3n-abcdef" })).toThrow(/GERRIT needs username/);
  });
});
