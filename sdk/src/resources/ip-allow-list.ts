// Codefresh's published IP addresses, for allow-lists on managed clusters' API servers. Pinned, with where
// and when they were read: Codefresh changes them from time to time and asks users to watch its page, so a
// stack config value replaces a list when Codefresh publishes a new one (see resolveIpAllowList).
import type { Check } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import type { RuntimeKind } from "./runtime-kind";

export interface IpAllowList {
  /** What the list is for. */
  readonly purpose: string;
  /** Where the list was read: the page, and the commit of Codefresh's docs repository it was read at. */
  readonly source: string;
  /** The date the page gives for the list. */
  readonly published: string;
  /** The date it was read here. */
  readonly read: string;
  /** Set when Codefresh no longer shows the list: why, and since when. */
  readonly withdrawn?: string | undefined;
  readonly addresses: readonly string[];
}

const page = "https://codefresh.io/docs/docs/administration/platform-ip-addresses/";

/**
 * "Platform IPs" (all runtimes, hosted and hybrid, need them on their clusters' API servers), with the
 * disaster-recovery addresses. Read from the page ("updated September 2024"). Codefresh's plain-text list
 * (`_gitops/administration/cf-gitops-cloud-ip4.txt`) has 107.20.62.112 where the page has
 * 107.21.238.215; the page wins.
 */
export const platformIpAllowList: IpAllowList = {
  purpose: "Codefresh platform NAT gateways: every runtime's managed clusters (hosted and hybrid) allow these on their API servers",
  source: `${page} (codefresh-io/docs.codefresh.io _docs/administration/platform-ip-addresses.md, content of 63f8a075, 2025-04-02)`,
  published: "updated September 2024 (as the page states)",
  read: "2026-12-02",
  addresses: [
    "107.21.238.215",
    "18.209.185.91",
    "23.20.5.235",
    "107.22.212.247",
    "23.21.197.195",
    "34.238.37.0",
    "54.221.236.3",
    "54.235.42.99",
    "54.86.228.102",
    // Disaster recovery (DR), all tiers.
    "3.74.180.3",
    "18.197.46.161",
    "3.68.123.116",
  ],
};

/**
 * "Hosted Runtime IPs" and their DR addresses: what a hosted runtime's managed clusters also allowed.
 * Codefresh moved them into an HTML comment of the page (54d9feb0, 2025-02-09) when hosted runtimes were
 * deprecated: the last list it published, no longer shown.
 */
export const hostedRuntimeIpAllowList: IpAllowList = {
  purpose: "hosted runtimes only: the addresses a hosted runtime reaches its managed clusters from, in addition to the platform IPs",
  source: `${page} (codefresh-io/docs.codefresh.io _docs/administration/platform-ip-addresses.md, inside an HTML comment since 54d9feb0)`,
  published: "undated; last shown before 2025-02-09",
  read: "2026-12-02",
  withdrawn: "withdrawn from the page's visible text on 2025-02-09 (commit 54d9feb0), with the deprecation of hosted runtimes",
  addresses: ["72.44.39.224", "3.85.182.203", "3.211.224.172", "52.5.116.137", "34.200.130.17", "3.212.173.12", "3.75.252.115", "3.65.186.48", "3.123.55.242"],
};

/** The stack config keys that replace a list: a JSON array of addresses. */
export const ipAllowListConfigKeys = { platform: "codefresh:platformIpAllowList", hosted: "codefresh:hostedRuntimeIpAllowList" } as const;

/** What a runtime's outputs say about its allow-list. */
export interface ResolvedIpAllowList {
  /** Every address a runtime of this kind's managed clusters allow: the platform list, and for a hosted runtime its own. */
  addresses: string[];
  /** Where each list came from (a page and its date, or the stack config key that replaced it). */
  source: string;
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/([12]?\d|3[0-2]))?$/;

/** A config value as a list of IPv4 addresses (or CIDRs); a message naming the key when it is not one. */
export function parseIpList(key: string, raw: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error(`stack config ${key} must be a JSON array of IPv4 addresses, for example ["107.21.238.215"] (pulumi config set ${key} '["…"]')`);
  }
  if (!Array.isArray(value) || value.length === 0 || value.some((entry) => typeof entry !== "string" || !ipv4.test(entry))) {
    throw new Error(`stack config ${key} must be a non-empty JSON array of IPv4 addresses (CIDRs allowed), for example ["107.21.238.215"]`);
  }
  return value as string[];
}

function describe(list: IpAllowList): string {
  return `${list.source}; ${list.published}; read ${list.read}${list.withdrawn ? `; ${list.withdrawn}` : ""}`;
}

/** The allow-list for a runtime of `kind`, with a stack config value in place of each pinned list it replaces. */
export function resolveIpAllowList(kind: RuntimeKind, config: (key: string) => string | undefined): ResolvedIpAllowList {
  const lists: { list: IpAllowList; key: string }[] = [{ list: platformIpAllowList, key: ipAllowListConfigKeys.platform }];
  if (kind === "hosted") lists.push({ list: hostedRuntimeIpAllowList, key: ipAllowListConfigKeys.hosted });
  const addresses: string[] = [];
  const sources: string[] = [];
  for (const { list, key } of lists) {
    const override = config(key);
    const name = list === platformIpAllowList ? "platform" : "hosted runtime";
    if (override !== undefined) {
      addresses.push(...parseIpList(key, override));
      sources.push(`${name}: stack config ${key}`);
    } else {
      addresses.push(...list.addresses);
      sources.push(`${name}: ${describe(list)}`);
    }
  }
  return { addresses: [...new Set(addresses)], source: sources.join(" | ") };
}

/** check's part: a replacing list in stack config must parse, or the failure names the key and the fix. */
export function checkIpAllowListConfig(context: Pick<ProviderContext, "value">, check: Check): void {
  for (const key of Object.values(ipAllowListConfigKeys)) {
    const raw = context.value(key);
    if (raw === undefined) continue;
    try {
      parseIpList(key, raw);
    } catch (error) {
      check.fail(key, (error as Error).message);
    }
  }
}
