// The IP allow-list a runtime's outputs give, per runtime kind: Codefresh's current platform list for every
// runtime, the withdrawn hosted-runtime list added for a hosted one, and a stack config value in place of a list.
import { get } from "pulumi-codefresh/provider";
import { hostedRuntimeIpAllowList, ipAllowListConfigKeys, platformIpAllowList, resolveIpAllowList } from "pulumi-codefresh";

const noConfig = () => undefined;

describe("the pinned lists", () => {
  test("the platform list is the page's of September 2024, with the disaster-recovery addresses", () => {
    expect(platformIpAllowList.addresses).toEqual(expect.arrayContaining(["107.22.212.247", "3.74.180.3", "107.21.238.215"]));
    // Codefresh's plain-text list has 107.20.62.112 in place of 107.21.238.215: the page wins.
    expect(platformIpAllowList.addresses).not.toContain("107.20.62.112");
    expect(platformIpAllowList.published).toMatch(/September 2024/);
    expect(platformIpAllowList.withdrawn).toBeUndefined();
  });
  test("the hosted-runtime list is marked withdrawn, with its date", () => {
    expect(hostedRuntimeIpAllowList.withdrawn).toMatch(/withdrawn .* 2025-02-09 \(commit 54d9feb0\)/);
    expect(hostedRuntimeIpAllowList.addresses).toEqual(expect.arrayContaining(["72.44.39.224", "3.123.55.242"]));
  });
});

describe("resolveIpAllowList", () => {
  test("a hybrid runtime's clusters allow the platform list only; a hosted one's both", () => {
    const hybrid = resolveIpAllowList("hybrid", noConfig);
    expect(hybrid.addresses).toEqual([...platformIpAllowList.addresses]);
    expect(hybrid.source).toMatch(/^platform: https:\/\/codefresh\.io\/docs\/docs\/administration\/platform-ip-addresses\/ .*updated September 2024/);
    const hosted = resolveIpAllowList("hosted", noConfig);
    expect(hosted.addresses).toEqual([...platformIpAllowList.addresses, ...hostedRuntimeIpAllowList.addresses]);
    expect(hosted.source).toMatch(/\| hosted runtime: .*withdrawn from the page's visible text on 2025-02-09/);
  });
  test("a stack config value replaces the list it names, and the source says so", () => {
    const config = (key: string) => (key === ipAllowListConfigKeys.platform ? '["203.0.113.7", "198.51.100.0/24"]' : undefined);
    const hosted = resolveIpAllowList("hosted", config);
    expect(hosted.addresses).toEqual(["203.0.113.7", "198.51.100.0/24", ...hostedRuntimeIpAllowList.addresses]);
    expect(hosted.source).toMatch(/^platform: stack config codefresh:platformIpAllowList \| hosted runtime: /);
  });
});

describe("check refuses a malformed override, naming the config key", () => {
  const withConfig = async (type: "Runtime" | "HostedRuntime", value: string) => {
    const provider = get(type);
    provider.configure({ config: { get: (key: string) => (key === ipAllowListConfigKeys.hosted ? value : undefined) } });
    return provider.check({}, { name: type === "Runtime" ? "production" : "codefresh-hosted" });
  };
  afterEach(() => {
    get("Runtime").configure({ config: { get: () => undefined } });
  });
  test.each(["Runtime", "HostedRuntime"] as const)("%s", async (type) => {
    const result = await withConfig(type, "72.44.39.224");
    expect(result.failures).toEqual([
      {
        property: "codefresh:hostedRuntimeIpAllowList",
        reason: expect.stringMatching(/must be a non-empty JSON array of IPv4 addresses|must be a JSON array of IPv4 addresses/),
      },
    ]);
    expect((await withConfig(type, '["1.2.3"]')).failures?.[0]?.reason).toMatch(/non-empty JSON array of IPv4 addresses/);
  });
});
