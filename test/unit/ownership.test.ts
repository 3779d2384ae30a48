// Two resources of one program that would manage one Codefresh object: the second `check` fails,
// naming both resources and the object; the same resource checked again (preview, then update) does not.
import { get } from "pulumi-codefresh/provider";
import { fullUrn, parseUrn, resetClaims, shortUrn } from "pulumi-codefresh/testing";
import { valid } from "../harness/bad-inputs";

async function check(key: keyof typeof valid, name: string, change: Record<string, unknown> = {}) {
  // As the program passes them: the URN in short form (a resource without a parent: its name), and the stack.
  const result = await get(key).check({}, { ...valid[key], ...change, __urn: name, __stack: "infra/dev" });
  return (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
}

beforeEach(() => resetClaims());

describe("one Codefresh object, one resource", () => {
  test("two git sources of one name in one runtime", async () => {
    expect(await check("GitSource", "team-a")).toEqual([]);
    expect(await check("GitSource", "team-a-copy", { path: "other" })).toEqual([
      'name: the git source "team-a" in runtime "codefresh-hosted" would be managed by two resources, codefresh:GitSource "team-a" of stack infra/dev and codefresh:GitSource "team-a-copy" of this stack; nothing was written. Codefresh names git sources uniquely in a runtime: give each GitSource its own `name`',
    ]);
  });

  test("one name in two runtimes, or two names in one, are two objects", async () => {
    expect(await check("GitSource", "a")).toEqual([]);
    expect(await check("GitSource", "b", { runtime: "hybrid-eu" })).toEqual([]);
    expect(await check("GitSource", "c", { name: "team-b" })).toEqual([]);
  });

  test("a resource checked twice (preview, then update) is no duplicate", async () => {
    expect(await check("GitSource", "team-a")).toEqual([]);
    expect(await check("GitSource", "team-a")).toEqual([]);
  });

  test("two clusters on one API server, even with distinct ServiceAccounts", async () => {
    expect(await check("ManagedCluster", "east", { serviceAccountName: "sa-east" })).toEqual([]);
    const failures = await check("ManagedCluster", "west", { name: "west", serviceAccountName: "sa-west" });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^kubeconfig: the cluster https:\/\/127\.0\.0\.1:1 in runtime "codefresh-hosted" would be managed by two resources, codefresh:ManagedCluster "east" of stack infra\/dev and codefresh:ManagedCluster "west" of this stack/,
    );
  });

  test("one API server in two runtimes needs two ServiceAccounts", async () => {
    expect(await check("ManagedCluster", "east")).toEqual([]);
    const failures = await check("ManagedCluster", "east-hybrid", { runtime: "hybrid-eu" });
    expect(failures).toEqual([
      expect.stringMatching(
        /^serviceAccountName: the ServiceAccount kube-system\/argocd-manager on https:\/\/127\.0\.0\.1:1 would be managed by two resources.*its own serviceAccountName$/,
      ),
    ]);
    expect(await check("ManagedCluster", "east-hybrid", { runtime: "hybrid-eu", serviceAccountName: "argocd-manager-hybrid" })).toEqual([]);
  });

  test("a second SharedConfigRepo or HostedRuntime for the account", async () => {
    expect(await check("SharedConfigRepo", "isc")).toEqual([]);
    expect(await check("SharedConfigRepo", "isc-2")).toEqual([
      expect.stringMatching(/^repoUrl: the account's Shared Configuration Repository would be managed by two resources.*"isc".*"isc-2"/),
    ]);
    expect(await check("HostedRuntime", "hosted")).toEqual([]);
    expect(await check("HostedRuntime", "hosted-2", { name: "other" })).toEqual([
      expect.stringMatching(/^name: the account's hosted runtime would be managed by two resources/),
    ]);
  });

  test("two creates for one object in one process: the second is refused before any call", async () => {
    const inputs = (name: string) => ({ ...valid.GitSource, __urn: name, __stack: "infra/dev" });
    // The first one gets as far as the API (none is configured here); the second never does.
    await expect(get("GitSource").create(inputs("team-a"))).rejects.not.toThrow(/two resources/);
    await expect(get("GitSource").create(inputs("team-a-copy"))).rejects.toThrow(
      /the git source "team-a" in runtime "codefresh-hosted" would be managed by two resources, codefresh:GitSource "team-a" of stack infra\/dev and codefresh:GitSource "team-a-copy" of this stack; nothing was written/,
    );
  });

  test("a URN is stored short and expanded whole, a parent's type included", () => {
    const gitSource = "pulumi-nodejs:dynamic/codefresh:GitSource";
    const plain = `urn:pulumi:dev::infra::${gitSource}::team-a`;
    const child = `urn:pulumi:dev::infra::my:Component$${gitSource}::team-a`;
    expect(shortUrn(plain, gitSource)).toBe("team-a");
    expect(shortUrn(child, gitSource)).toBe(`my:Component$${gitSource}::team-a`);
    for (const urn of [plain, child]) expect(fullUrn(shortUrn(urn, gitSource), "infra/dev", gitSource)).toBe(urn);
  });

  test("URNs name the stack, the type and the resource, a parent's type included", () => {
    expect(parseUrn("urn:pulumi:dev::infra::my:Component$pulumi-nodejs:dynamic/codefresh:GitSource::a::b")).toEqual({
      stack: "infra/dev",
      resource: "a::b",
      type: "codefresh:GitSource",
    });
  });
});

describe("a replacement that keeps the object deletes the old one first", () => {
  const base = { ...valid.GitSource, labels: { team: "a" } };
  test.each([
    ["GitSource labels", "GitSource", base, { ...base, labels: { team: "b" } }, true],
    ["GitSource name", "GitSource", base, { ...base, name: "team-b" }, false],
    [
      "ManagedCluster name",
      "ManagedCluster",
      { ...valid.ManagedCluster, server: "https://a" },
      { ...valid.ManagedCluster, server: "https://a", name: "prod-2" },
      true,
    ],
    ["ManagedCluster server", "ManagedCluster", { ...valid.ManagedCluster, server: "https://a" }, { ...valid.ManagedCluster, server: "https://b" }, false],
  ] as const)("%s", async (_, key, olds, news, deleteFirst) => {
    const diff = await get(key).diff("id", { ...olds }, { ...news });
    expect(diff.replaces?.length).toBeGreaterThan(0);
    expect(diff.deleteBeforeReplace).toBe(deleteFirst);
  });
});
