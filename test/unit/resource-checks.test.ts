// Every resource's `check` on bad input: each invalid field is named, with the fix, before anything
// remote happens (check makes no call here: no API key, no server is configured).
import { get } from "pulumi-codefresh/provider";
import { truncate } from "pulumi-codefresh/testing";
import { unknownValue as unknown } from "pulumi-codefresh";
import { badInputs, Key, kubeconfig, valid } from "../harness/bad-inputs";

async function failures(key: Key, change: Record<string, unknown>) {
  const result = await get(key).check({}, { ...valid[key], ...change });
  return result.failures ?? [];
}

describe("valid inputs pass and are normalised", () => {
  test.each(Object.keys(valid) as Key[])("%s", async (key) => {
    const result = await get(key).check({}, { ...valid[key] });
    expect(result.failures).toEqual([]);
  });

  test("ManagedCluster learns the server from the kubeconfig, offline", async () => {
    const result = await get("ManagedCluster").check({}, { ...valid.ManagedCluster });
    const inputs = result.inputs as Record<string, unknown> | undefined;
    expect(inputs?.server).toBe("https://127.0.0.1:1");
    expect(inputs?.kubernetesVersion).toBeUndefined(); // nothing listens there: no value, no failure
  });

  test("SharedConfigRepo derives the API URL and the git source repo", async () => {
    const result = await get("SharedConfigRepo").check({}, { ...valid.SharedConfigRepo });
    expect(result.inputs).toMatchObject({
      gitApiUrl: "https://api.github.com",
      gitSourceRepoUrl: "https://github.com/acme/codefresh-runtime-applications.git",
    });
  });

  test("values unknown during preview are not failures", async () => {
    expect(await failures("GitSource", { runtime: unknown, repoUrl: unknown })).toEqual([]);
    expect(await failures("ManagedCluster", { kubeconfig: unknown })).toEqual([]);
  });
});

describe("invalid inputs fail in check, naming the field and the fix", () => {
  test.each(badInputs)("%s: %s", async (key, _, change, reason) => {
    const found = await failures(key, change);
    expect(found.length).toBeGreaterThan(0);
    const field = Object.keys(change)[0];
    const matching = found.filter(
      (f) =>
        f.property === field ||
        f.property.startsWith(`${field}.`) ||
        (field === "kubeconfigPath" && f.property.startsWith("kubeconfig")) ||
        (key === "SharedConfigRepo" && f.property === "gitUsername"),
    );
    expect(matching.map((f) => f.reason).join("\n")).toMatch(reason);
  });

  test("no failure message repeats a secret", async () => {
    const found = await failures("ManagedCluster", { kubeconfig: kubeconfig.replace("server: https://127.0.0.1:1", "server: ftp://x") });
    expect(JSON.stringify(found)).not.toContain("s3cret-token-value");
  });
});

describe("gitApiUrl belongs with repoUrl", () => {
  test.each([
    ["api.github.com for github.com", { gitApiUrl: "https://api.github.com" }],
    ["GitHub Enterprise on the repo's host", { repoUrl: "https://ghe.corp.example.com/acme/isc.git", gitApiUrl: "https://ghe.corp.example.com/api/v3" }],
    ["an unrelated host the user states is theirs", { gitApiUrl: "https://gateway.corp.example.net/github", gitApiOnPremises: true }],
    [
      "Gerrit, whose API is anywhere",
      { gitProvider: "GERRIT", gitUsername: "ci", repoUrl: "https://gerrit.example.com/a/isc.git", gitApiUrl: "https://review.example.org" },
    ],
  ])("%s passes", async (_, change) => {
    expect(await failures("SharedConfigRepo", change)).toEqual([]);
  });
});

describe("a value cut in a message says so", () => {
  test("a long label value ends with an ellipsis", async () => {
    const found = await failures("GitSource", { labels: { team: `${"x".repeat(60)}!` } });
    expect(found[0].reason).toContain(`"${"x".repeat(39)}…" is not valid`);
  });

  test("truncate keeps short text and marks what it cuts", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("0123456789abc", 10)).toBe("012345678…");
    expect(truncate("0123456789abc", 10)).toHaveLength(10);
  });
});
