import { ConfigError, defaultApiUrl, defaultRequestTimeoutMs, requireApiKey, resolveConfig } from "pulumi-codefresh";
// As the provider process loads it (the package's `./provider` entry).
import { configure, processContext } from "pulumi-codefresh/provider";

const source = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe("resolveConfig", () => {
  test("defaults to Codefresh's public host with no key", () => {
    const config = resolveConfig(source({}), {});
    expect(config).toEqual({
      apiUrl: defaultApiUrl,
      apiKey: undefined,
      caBundle: undefined,
      requestTimeoutMs: defaultRequestTimeoutMs,
    });
  });

  test("stack config wins over the environment, and CODEFRESH_* over the CF_* aliases", () => {
    const env = { CODEFRESH_API_KEY: "env-key", CF_API_KEY: "alias-key", CF_URL: "https://alias.example.com" };
    expect(resolveConfig(source({ "codefresh:apiKey": "config-key" }), env).apiKey).toBe("config-key");
    expect(resolveConfig(source({}), env).apiKey).toBe("env-key");
    expect(resolveConfig(source({}), { CF_API_KEY: "alias-key" }).apiKey).toBe("alias-key");
    expect(resolveConfig(source({}), env).apiUrl).toBe("https://alias.example.com");
    expect(resolveConfig(source({}), { ...env, CODEFRESH_API_URL: "https://main.example.com/" }).apiUrl).toBe("https://main.example.com");
  });

  test("an empty value counts as unset", () => {
    expect(resolveConfig(source({ "codefresh:apiKey": " " }), { CF_API_KEY: "alias" }).apiKey).toBe("alias");
  });

  test("keeps a path prefix for on-premises installations and trims trailing slashes", () => {
    expect(resolveConfig(source({ "codefresh:apiUrl": "https://cf.corp.example/codefresh//" }), {}).apiUrl).toBe("https://cf.corp.example/codefresh");
  });

  test.each([
    ["not a url", "is not a URL"],
    ["ftp://g.codefresh.io", "must use https"],
    ["http://g.codefresh.io", "plain http only to localhost"],
    ["https://user:pw@g.codefresh.io", "must not carry credentials"],
    ["https://g.codefresh.io/?x=1", "must not have a query"],
    ["https://g.codefresh.io/2.0/api/graphql", "not the GraphQL endpoint"],
  ])("rejects apiUrl %j naming the key and the fix", (apiUrl, fix) => {
    const attempt = () => resolveConfig(source({ "codefresh:apiUrl": apiUrl }), {});
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^codefresh:apiUrl: /);
    expect(attempt).toThrow(fix);
  });

  test("allows plain http to a loopback emulator", () => {
    expect(resolveConfig(source({ "codefresh:apiUrl": "http://127.0.0.1:8080" }), {}).apiUrl).toBe("http://127.0.0.1:8080");
    expect(resolveConfig(source({ "codefresh:apiUrl": "http://localhost:8080" }), {}).apiUrl).toBe("http://localhost:8080");
  });

  test.each(["0", "abc", "1.5", "9999999"])("rejects requestTimeoutMs %j", (value) => {
    expect(() => resolveConfig(source({ "codefresh:requestTimeoutMs": value }), {})).toThrow(/^codefresh:requestTimeoutMs: .*between 100 and 600000/);
  });

  test("rejects an API key with whitespace without echoing it", () => {
    const secret = "abc def.ghi";
    try {
      resolveConfig(source({ "codefresh:apiKey": secret }), {});
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain("codefresh:apiKey");
      expect((err as Error).message).not.toContain(secret);
    }
  });
});

describe("requireApiKey", () => {
  test("names every way to set the key when it is missing", () => {
    const config = resolveConfig(source({}), {});
    expect(() => requireApiKey(config)).toThrow(/codefresh:apiKey.*CODEFRESH_API_KEY.*CF_API_KEY/);
  });

  test("returns the key when set", () => {
    expect(requireApiKey(resolveConfig(source({}), { CF_API_KEY: "k" }))).toBe("k");
  });
});

describe("the provider process's context", () => {
  const stack = { "codefresh:apiUrl": "https://codefresh.example.com", "codefresh:apiKey": "key-0123456789" };

  test("Pulumi's configure of each resource type with the stack's config keeps one context: one client, its shared lists and connections", () => {
    configure({ config: source(stack) });
    const first = processContext();
    expect(first.client.options.config.apiUrl).toBe("https://codefresh.example.com");
    for (let type = 1; type < 4; type++) configure({ config: source({ ...stack }) });
    expect(processContext()).toBe(first);
    expect(processContext().client).toBe(first.client);
  });

  test("a config that differs in a value already read gets a new context", () => {
    configure({ config: source(stack) });
    const first = processContext();
    void first.config;
    configure({ config: source({ ...stack, "codefresh:apiUrl": "https://other.example.com" }) });
    expect(processContext()).not.toBe(first);
    expect(processContext().config.apiUrl).toBe("https://other.example.com");
  });
});
