// Codefresh's published IP addresses, for allow-lists on managed clusters' API servers (hosted runtimes
// reach target clusters from these). Pinned, with where and when they were read: Codefresh changes them
// from time to time and asks users to watch the page, so check it before relying on this list.

export interface IpAllowList {
  /** Where the list was read. */
  readonly source: string;
  /** The date the page gives for the list, and the date it was read here. */
  readonly published: string;
  readonly read: string;
  /** Platform NAT gateways (every runtime) followed by the extra addresses for hosted runtimes' managed clusters. */
  readonly addresses: readonly string[];
}

export const platformIpAllowList: IpAllowList = {
  source:
    "https://codefresh.io/docs/docs/administration/platform-ip-addresses/ (codefresh-io/docs.codefresh.io, _docs/administration/platform-ip-addresses.md at commit 09ac400)",
  published: "platform IPs updated 2021-07-31 (as the page states); managed-cluster IPs undated",
  read: "2026-11-26",
  addresses: [
    // "Codefresh platform IPs": NAT gateways; allow each address, not ranges.
    "107.21.238.215",
    "18.209.185.91",
    "18.215.207.215",
    "18.233.130.31",
    "18.210.174.176",
    "23.20.5.235",
    "3.232.154.67",
    "34.192.31.53",
    "34.193.111.98",
    "34.195.17.245",
    "34.196.33.69",
    "34.198.38.4",
    "34.200.163.76",
    "44.238.236.43",
    "44.234.209.117",
    "44.239.141.205",
    "44.228.66.171",
    "44.238.167.159",
    "44.237.63.217",
    // "Codefresh IPs for managed clusters in hosted runtimes".
    "34.207.5.18",
    "34.232.79.230",
    "44.193.43.5",
  ],
};
