// The emulator's state: what Codefresh keeps per account. Times are epoch ms of the emulator's clock;
// statuses that change over time (installing, deleting, git source pending) are derived from them on
// read, so they survive restarts without timers.
import { createHash } from "node:crypto";
import type { ApplicationRecord } from "./argo-sync";
import type { EditableGitSourceFields } from "./git-source-fields";

/** The git providers Codefresh's schemas name: enum GitProviders, in the platform's and the app-proxy's. */
export const gitProviders = ["BITBUCKET", "BITBUCKET_SERVER", "GERRIT", "GITHUB", "GITLAB"] as const;
export type GitProvider = (typeof gitProviders)[number];
/** The enum's SDL, for both schemas. */
export const gitProvidersSdl = `enum GitProviders {\n    ${gitProviders.join("\n    ")}\n  }`;
export type AccountPlan = "FREE" | "PRO" | "ENTERPRISE";

export interface AccountSettings {
  gitProvider?: GitProvider;
  gitApiUrl?: string;
  sharedConfigRepo?: string;
  csdpValidated: boolean;
}

export interface RuntimeRecord {
  name: string;
  namespace: string;
  managed: boolean;
  installationType: "HELM" | "HELM_HOSTED";
  runtimeVersion: string;
  chartVersion: string;
  createdAt: number;
  /** When installation completes (`installationStatus` turns COMPLETED). */
  installReadyAt: number;
  /** Set when installation is to fail (fault injection). */
  installFails?: boolean | undefined;
  deleteRequestedAt?: number;
  deleteDoneAt?: number;
  /** The shared configuration repo was initialised through this runtime (connect git). */
  iscInitialized: boolean;
  gitProvider?: GitProvider | undefined;
  gitApiUrl?: string | undefined;
  /** Git token registered for the runtime (connect git). Secret: never returned by any query. */
  gitToken?: string | undefined;
  gitUsername?: string | undefined;
  /** Repo of the default git source created when git was connected. */
  defaultGitSourceRepo?: string;
  /** The runtime's own cluster, as registered (hybrid: `createRuntime`'s `cluster`). */
  cluster?: string;
  /** Where the app-proxy is reached when registered with its own ingress (hybrid, access mode INGRESS). */
  ingressHost?: string | undefined;
  internalIngressHost?: string | undefined;
  ingressClass?: string | undefined;
  ingressController?: string | undefined;
  accessMode?: "INGRESS" | "TUNNEL";
  /** The components the installer registered (`componentNames`), shown by `components`. */
  componentNames?: string[];
  /** The runtime's repo as registered (`createRuntime`'s `repo`). */
  repo?: string | undefined;
  /** sha256 of the runtime's access token (`newAccessToken`); the token itself is never stored. */
  accessTokenHash?: string;
  /** Errors the runtime reported (`reportRuntimeErrors`); they make it DEGRADED. */
  reportedErrors?: ReportedRuntimeError[];
}

export interface ReportedRuntimeError {
  level: "ERROR" | "WARNING";
  message: string;
}

/** Its editable fields (`include`, `exclude`, …) are declared in ./git-source-fields.ts. */
export interface GitSourceRecord extends EditableGitSourceFields {
  runtime: string;
  name: string;
  appSpecifier: string;
  repoURL: string;
  path: string;
  revision: string;
  destServer: string;
  destNamespace?: string | undefined;
  labels?: Record<string, string> | undefined;
  configManagementPlugin?: string | undefined;
  isInternal: boolean;
  createdAt: number;
  /** Until then `self` is null, as while Argo CD has not reported the Application yet. */
  readyAt: number;
}

export type ClusterConnectionStatus = "Successful" | "Failed" | "Unknown";

export interface ClusterRecord {
  runtime: string;
  name: string;
  server: string;
  /** Base64 PEM CA of the cluster, from the submitted kubeconfig. */
  caData?: string | undefined;
  insecure: boolean;
  /** Bearer token from the submitted kubeconfig. Secret: never returned by any query. */
  token: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  createdAt: number;
  connection: { status: ClusterConnectionStatus; message: string; checkedAt: number };
  serverVersion?: string | undefined;
  resourcesCount?: number | undefined;
  apisCount?: number | undefined;
}

export interface GitIntegrationRecord {
  runtime: string;
  name: string;
  provider: GitProvider;
  apiUrl?: string | undefined;
  sharingPolicy: "ACCOUNT_ADMINS" | "ALL_USERS_IN_ACCOUNT";
  /** Each user's registered git token, keyed by user id. Secret: never returned by any query. */
  registrations: Record<string, GitTokenRegistration>;
}

export interface GitTokenRegistration {
  token: string;
  refreshToken?: string | undefined;
  username?: string | undefined;
  tokenType: "RUNTIME_TOKEN" | "USER_TOKEN";
}

export interface AccountRecord {
  id: string;
  name: string;
  /** sha256 of each API key: the keys themselves are never stored. */
  apiKeyHashes: string[];
  plan: AccountPlan;
  userId: string;
  userEmail: string;
  settings: AccountSettings;
  runtimes: Record<string, RuntimeRecord>;
  /** Keyed `${runtime}/${name}`. */
  gitSources: Record<string, GitSourceRecord>;
  /** Keyed `${runtime}/${server}`. */
  clusters: Record<string, ClusterRecord>;
  /** Keyed `${runtime}/${name}`. */
  gitIntegrations: Record<string, GitIntegrationRecord>;
  /** Argo Rollouts installs requested, keyed `${runtime}/${server}/${namespace}`. */
  rollouts: Record<string, { runtime: string; destServer: string; destNamespace: string }>;
  /** What each runtime's Argo CD knows of the applications in its git sources, keyed `${runtime}/${name}` (argo-sync.ts). Absent in older state. */
  applications?: Record<string, ApplicationRecord>;
}

export interface EmulatorState {
  version: 1;
  accounts: Record<string, AccountRecord>;
  /** Added to the wall clock (fake time for tests). */
  clockOffsetMs: number;
}

export function emptyState(): EmulatorState {
  return { version: 1, accounts: {}, clockOffsetMs: 0 };
}

export function hashApiKey(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex");
}

/** A stable 24-hex id (Codefresh ids look like Mongo ObjectIds). */
export function stableId(kind: string, name: string): string {
  return createHash("sha256").update(`${kind}:${name}`).digest("hex").slice(0, 24);
}

export function newAccount(name: string, apiKey: string, plan: AccountPlan = "PRO"): AccountRecord {
  return {
    id: stableId("account", name),
    name,
    apiKeyHashes: [hashApiKey(apiKey)],
    plan,
    userId: stableId("user", name),
    userEmail: `admin@${name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}.example.invalid`,
    settings: { csdpValidated: false },
    runtimes: {},
    gitSources: {},
    clusters: {},
    gitIntegrations: {},
    rollouts: {},
    applications: {},
  };
}
