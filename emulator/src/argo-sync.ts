// What a runtime's Argo CD does with the applications its git sources hold, for the emulator. A git source is an
// Argo CD Application whose manifests are more Applications (app of apps); for each of those this reads its
// source's manifests at its revision, applies them to its destination cluster (server-side apply, Argo CD's
// `ServerSideApply=true`, field manager `argocd-controller`), prunes what left git, deletes everything of an
// Application that left git (its `resources-finalizer.argocd.argoproj.io` cascade), and reports sync and health as
// Argo CD's gitops-engine computes them. The local cluster has no nodes: no pod runs, so a Deployment stays
// Progressing ("0 of 1 updated replicas are available") and is never reported Healthy.
//
// Reconciles run when an application's status is read (the unconfirmed `application` query), at most every
// `minIntervalMs` per runtime: the app-proxy answers from Argo CD's cache, which its controller keeps current.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { request, type Target } from "./cluster-check";
import { gitRunner, type GitCredentials } from "./git-commits";
import type { AccountRecord, ClusterRecord, GitSourceRecord, RuntimeRecord } from "./model";
import { parseRepoUrl } from "./repo-url";
import { mustAccount, type CodefreshService } from "./service";

export type AppHealth = "HEALTHY" | "SUSPENDED" | "PROGRESSING" | "MISSING" | "DEGRADED" | "UNKNOWN";
export type AppSync = "SYNCED" | "OUT_OF_SYNC" | "UNKNOWN";

/** An object an application applied, as its API path names it. */
export interface LiveObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
  path: string;
}

/** What Argo CD knows of one application of a git source: its Application (as the git source declares it) and its state. */
export interface ApplicationRecord extends Omit<DesiredApplication, "createNamespace"> {
  runtime: string;
  /** The commit last synced (its sha). */
  revision?: string | undefined;
  /** A hash of the Application and the manifests last synced: a change syncs again. */
  desiredHash?: string | undefined;
  syncStatus: AppSync;
  healthStatus: AppHealth;
  healthMessage: string;
  resources: LiveObject[];
  reconciledAt: number;
}

/** gitops-engine's order of health, best first: an application is as unhealthy as its worst resource. */
const healthOrder: AppHealth[] = ["HEALTHY", "SUSPENDED", "PROGRESSING", "MISSING", "DEGRADED", "UNKNOWN"];
const trackingLabel = "app.kubernetes.io/instance";
const fieldManager = "argocd-controller";

/** An Argo CD Application as a git source's manifests declare it. */
interface DesiredApplication {
  name: string;
  /** The git source whose manifests declare it. */
  gitSource: string;
  repoURL: string;
  path: string;
  targetRevision: string;
  destServer: string;
  destNamespace?: string | undefined;
  createNamespace: boolean;
}

type KubeObject = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; labels?: Record<string, string> } } & Record<
  string,
  unknown
>;

export class ApplicationSync {
  private readonly reconciling = new Map<string, Promise<void>>();
  private readonly reconciledAt = new Map<string, number>();
  private readonly repoLocks = new Map<string, Promise<unknown>>();
  private readonly discovery = new Map<string, Promise<Map<string, { plural: string; namespaced: boolean }>>>();
  private caFile?: Promise<string | undefined>;

  constructor(
    private readonly service: CodefreshService,
    private readonly options: { workDir: string; caBundle?: string | undefined; minIntervalMs?: number | undefined },
  ) {}

  /** The runtime's applications, reconciled if the last reconcile is older than `minIntervalMs`. */
  async applications(accountId: string, runtimeName: string): Promise<ApplicationRecord[]> {
    const key = `${accountId}/${runtimeName}`;
    const fresh = (this.reconciledAt.get(key) ?? 0) + (this.options.minIntervalMs ?? 200) > Date.now();
    if (!fresh) {
      let running = this.reconciling.get(key);
      if (!running) {
        running = this.reconcile(accountId, runtimeName).finally(() => {
          this.reconciling.delete(key);
          this.reconciledAt.set(key, Date.now());
        });
        this.reconciling.set(key, running);
      }
      await running;
    }
    const account = this.service.mustAccount(accountId);
    return Object.values(account.applications ?? {}).filter((app) => app.runtime === runtimeName);
  }

  private async reconcile(accountId: string, runtimeName: string): Promise<void> {
    const account = this.service.mustAccount(accountId);
    const runtime = account.runtimes[runtimeName];
    if (!runtime) return;
    const credentials = this.credentialsOf(account, runtime);
    const desired: DesiredApplication[] = [];
    if (credentials) {
      for (const source of Object.values(account.gitSources).filter((s) => s.runtime === runtimeName)) {
        desired.push(...(await this.applicationsIn(source, credentials).catch(() => [])));
      }
    }
    const known = Object.values(account.applications ?? {}).filter((app) => app.runtime === runtimeName);
    const results: ApplicationRecord[] = [];
    for (const app of desired) {
      const before = known.find((k) => k.name === app.name);
      results.push(await this.syncOne(account, runtimeName, app, before, credentials));
    }
    const gone = known.filter((k) => !desired.some((d) => d.name === k.name));
    for (const app of gone) await this.deleteAll(account, app);
    await this.service.store.update((state) => {
      const target = mustAccount(state, accountId);
      target.applications ??= {};
      for (const app of gone) delete target.applications[`${runtimeName}/${app.name}`];
      for (const app of results) target.applications[`${runtimeName}/${app.name}`] = app;
    });
  }

  /** The token the runtime's Argo CD reads git with: a hosted runtime's, or a user's registered with a hybrid one. */
  private credentialsOf(account: AccountRecord, runtime: RuntimeRecord): GitCredentials | undefined {
    if (runtime.gitToken) return { token: runtime.gitToken, username: runtime.gitUsername };
    const registration = this.service.integrations.registration(account.id, runtime.name, account.userId);
    return registration ? { token: registration.token, username: registration.username } : undefined;
  }

  /** The Argo CD Applications a git source's manifests declare. */
  private async applicationsIn(source: GitSourceRecord, credentials: GitCredentials): Promise<DesiredApplication[]> {
    const { objects } = await this.readManifests(source.repoURL, source.revision ?? "HEAD", source.path, credentials);
    return objects
      .filter((o) => o.kind === "Application" && typeof o.apiVersion === "string" && o.apiVersion.startsWith("argoproj.io/"))
      .flatMap((o) => {
        const spec = (o.spec ?? {}) as {
          source?: { repoURL?: string; path?: string; targetRevision?: string };
          destination?: { server?: string; namespace?: string };
          syncPolicy?: { syncOptions?: string[] };
        };
        const name = o.metadata?.name;
        if (typeof name !== "string" || !spec.source?.repoURL || !spec.destination?.server) return [];
        return [
          {
            name,
            gitSource: source.name,
            repoURL: spec.source.repoURL,
            path: spec.source.path ?? ".",
            targetRevision: spec.source.targetRevision ?? "HEAD",
            destServer: spec.destination.server.replace(/\/+$/, ""),
            destNamespace: spec.destination.namespace,
            createNamespace: (spec.syncPolicy?.syncOptions ?? []).includes("CreateNamespace=true"),
          },
        ];
      });
  }

  private async syncOne(
    account: AccountRecord,
    runtimeName: string,
    app: DesiredApplication,
    before: ApplicationRecord | undefined,
    credentials: GitCredentials | undefined,
  ): Promise<ApplicationRecord> {
    const record: ApplicationRecord = {
      runtime: runtimeName,
      name: app.name,
      gitSource: app.gitSource,
      repoURL: app.repoURL,
      path: app.path,
      targetRevision: app.targetRevision,
      destServer: app.destServer,
      destNamespace: app.destNamespace,
      revision: before?.revision,
      desiredHash: before?.desiredHash,
      syncStatus: before?.syncStatus ?? "UNKNOWN",
      healthStatus: before?.healthStatus ?? "UNKNOWN",
      healthMessage: before?.healthMessage ?? "",
      resources: before?.resources ?? [],
      reconciledAt: Date.now(),
    };
    const cluster = account.clusters[`${runtimeName}/${app.destServer}`];
    if (!cluster || !credentials) {
      return {
        ...record,
        syncStatus: "UNKNOWN",
        healthStatus: "UNKNOWN",
        healthMessage: cluster
          ? "the runtime has no git token to read the application's source"
          : `cluster ${app.destServer} is not connected to runtime ${runtimeName}`,
      };
    }
    const target: Target = { server: cluster.server, caData: cluster.caData, insecure: cluster.insecure, token: cluster.token };
    try {
      const { sha, objects } = await this.readManifests(app.repoURL, app.targetRevision, app.path, credentials);
      const hash = createHash("sha256").update(JSON.stringify({ app, objects })).digest("hex");
      let live = await this.healthOf(target, record.resources);
      if (hash !== record.desiredHash || sha !== record.revision || live.some((l) => l.health === "MISSING")) {
        record.resources = await this.apply(target, cluster, app, objects, record.resources);
        record.revision = sha;
        record.desiredHash = hash;
        live = await this.healthOf(target, record.resources);
      }
      const worst = live.reduce<{ health: AppHealth; message: string }>(
        (acc, l) => (healthOrder.indexOf(l.health) > healthOrder.indexOf(acc.health) ? l : acc),
        { health: "HEALTHY", message: "" },
      );
      return { ...record, syncStatus: "SYNCED", healthStatus: worst.health, healthMessage: worst.message };
    } catch (error) {
      return { ...record, syncStatus: "OUT_OF_SYNC", healthMessage: (error as Error).message };
    }
  }

  /** Server-side applies every object; deletes those it applied before that are gone from git. */
  private async apply(target: Target, cluster: ClusterRecord, app: DesiredApplication, objects: KubeObject[], previous: LiveObject[]): Promise<LiveObject[]> {
    if (app.createNamespace && app.destNamespace) {
      const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: app.destNamespace } };
      await this.applyObject(target, cluster, namespace, app.destNamespace);
    }
    const applied: LiveObject[] = [];
    for (const object of objects) {
      const labelled: KubeObject = {
        ...object,
        metadata: { ...object.metadata, labels: { ...(object.metadata?.labels ?? {}), [trackingLabel]: app.name } },
      };
      applied.push(await this.applyObject(target, cluster, labelled, app.destNamespace));
    }
    for (const old of previous) {
      if (!applied.some((a) => a.path === old.path)) await this.deleteObject(target, old);
    }
    return applied;
  }

  private async applyObject(target: Target, cluster: ClusterRecord, object: KubeObject, defaultNamespace: string | undefined): Promise<LiveObject> {
    const apiVersion = text(object.apiVersion);
    const kind = text(object.kind);
    const name = text(object.metadata?.name);
    if (!apiVersion || !kind || !name) throw new Error(`a manifest lacks apiVersion, kind or metadata.name`);
    const resource = (await this.resources(target, cluster, apiVersion)).get(kind);
    if (!resource) throw new Error(`the cluster does not serve ${kind} in ${apiVersion}`);
    const namespace = resource.namespaced ? text(object.metadata?.namespace) || defaultNamespace || "default" : undefined;
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const path = `${base}${namespace ? `/namespaces/${namespace}` : ""}/${resource.plural}/${encodeURIComponent(name)}`;
    const body = { ...object, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } };
    const answer = await request(target, "PATCH", `${path}?fieldManager=${fieldManager}&force=true`, body, "application/apply-patch+yaml");
    if (answer.status !== 200 && answer.status !== 201) {
      throw new Error(
        `apply ${kind} ${namespace ? `${namespace}/` : ""}${name}: ${answer.status} ${(answer.json as { message?: string }).message ?? ""}`.trim(),
      );
    }
    return { apiVersion, kind, name, namespace, path };
  }

  private async deleteObject(target: Target, object: LiveObject): Promise<void> {
    const answer = await request(target, "DELETE", object.path, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" });
    if (answer.status !== 200 && answer.status !== 202 && answer.status !== 404) {
      throw new Error(`delete ${object.kind} ${object.name}: ${answer.status}`);
    }
  }

  /** An application gone from git: everything it applied goes too (Argo CD's resources finalizer). */
  private async deleteAll(account: AccountRecord, app: ApplicationRecord): Promise<void> {
    const cluster = account.clusters[`${app.runtime}/${app.destServer}`];
    if (!cluster) return; // the cluster was disconnected: Argo CD can no longer reach it
    const target: Target = { server: cluster.server, caData: cluster.caData, insecure: cluster.insecure, token: cluster.token };
    for (const object of app.resources) await this.deleteObject(target, object).catch(() => undefined);
  }

  /** Each object's health, as gitops-engine computes it (pkg/health). */
  private async healthOf(target: Target, objects: LiveObject[]): Promise<{ health: AppHealth; message: string }[]> {
    return Promise.all(
      objects.map(async (object) => {
        const answer = await request(target, "GET", object.path);
        if (answer.status === 404) return { health: "MISSING" as const, message: `${object.kind} ${object.name} is missing` };
        if (answer.status !== 200) return { health: "UNKNOWN" as const, message: `${object.kind} ${object.name}: ${answer.status}` };
        return objectHealth(object.kind, answer.json as KubeObject);
      }),
    );
  }

  private async resources(target: Target, cluster: ClusterRecord, apiVersion: string): Promise<Map<string, { plural: string; namespaced: boolean }>> {
    const key = `${cluster.server}\0${apiVersion}`;
    let found = this.discovery.get(key);
    if (!found) {
      found = (async () => {
        const answer = await request(target, "GET", apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
        const list = (answer.json as { resources?: { name: string; kind: string; namespaced: boolean }[] }).resources ?? [];
        return new Map(list.filter((r) => !r.name.includes("/")).map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }]));
      })();
      found.catch(() => this.discovery.delete(key));
      this.discovery.set(key, found);
    }
    return found;
  }

  /** The Kubernetes objects under `path` of the repository at `ref` (YAML and JSON files, recursively). */
  private async readManifests(repoURL: string, ref: string, path: string, credentials: GitCredentials): Promise<{ sha: string; objects: KubeObject[] }> {
    const repo = parseRepoUrl(repoURL.endsWith(".git") ? repoURL : `${repoURL}.git`, "repoURL");
    const dir = join(this.options.workDir, "argocd-repos", createHash("sha256").update(repo.cloneUrl).digest("hex").slice(0, 16));
    return this.locked(dir, async () => {
      await mkdir(dir, { recursive: true });
      const git = gitRunner({ workDir: this.options.workDir, caFile: await this.ca() }, dir, credentials);
      if (!existsSync(join(dir, ".git"))) {
        await git(["init", "--quiet"]);
        await git(["remote", "add", "origin", repo.cloneUrl]);
      }
      await git(["fetch", "--quiet", "--depth", "1", "origin", ref]);
      await git(["checkout", "--quiet", "--force", "--detach", "FETCH_HEAD"]);
      await git(["clean", "-fdxq"]);
      const sha = (await git(["rev-parse", "HEAD"])).trim();
      const root = join(dir, path === "." ? "" : path);
      const objects: KubeObject[] = [];
      for (const file of existsSync(root) ? await walk(root) : []) {
        if (!/\.(ya?ml|json)$/.test(file) || relative(dir, file).startsWith(".git")) continue;
        for (const doc of parseAllDocuments(await readFile(file, "utf8"))) {
          const value = doc.toJS() as unknown;
          if (value && typeof value === "object" && "kind" in value) objects.push(value);
        }
      }
      return { sha, objects };
    });
  }

  private async locked<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.repoLocks.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    this.repoLocks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  private ca(): Promise<string | undefined> {
    this.caFile ??= (async () => {
      if (!this.options.caBundle) return undefined;
      const file = join(this.options.workDir, "argocd-ca.pem");
      await mkdir(this.options.workDir, { recursive: true });
      await writeFile(file, this.options.caBundle);
      return file;
    })();
    return this.caFile;
  }
}

/** A manifest's string field, or "" when it is not a string. */
function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry) => (entry.isDirectory() ? (entry.name === ".git" ? [] : walk(join(dir, entry.name))) : [join(dir, entry.name)])),
  );
  return files.flat().sort();
}

type Condition = { type?: string; reason?: string };

/** gitops-engine's health of one object (pkg/health/health_deployment.go, health_service.go); other kinds are Healthy once they exist. */
export function objectHealth(kind: string, live: KubeObject): { health: AppHealth; message: string } {
  if (kind === "Deployment") {
    const spec = (live.spec ?? {}) as { paused?: boolean; replicas?: number };
    const status = (live.status ?? {}) as {
      observedGeneration?: number;
      replicas?: number;
      updatedReplicas?: number;
      availableReplicas?: number;
      conditions?: Condition[];
    };
    const generation = (live.metadata as { generation?: number } | undefined)?.generation ?? 0;
    const name = text(live.metadata?.name);
    if (spec.paused) return { health: "SUSPENDED", message: "Deployment is paused" };
    if (generation > (status.observedGeneration ?? 0)) {
      return { health: "PROGRESSING", message: "Waiting for rollout to finish: observed deployment generation less than desired generation" };
    }
    if ((status.conditions ?? []).some((c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded")) {
      return { health: "DEGRADED", message: `Deployment "${name}" exceeded its progress deadline` };
    }
    const updated = status.updatedReplicas ?? 0;
    const available = status.availableReplicas ?? 0;
    if (spec.replicas !== undefined && updated < spec.replicas) {
      return { health: "PROGRESSING", message: `Waiting for rollout to finish: ${updated} out of ${spec.replicas} new replicas have been updated...` };
    }
    if ((status.replicas ?? 0) > updated) {
      return { health: "PROGRESSING", message: `Waiting for rollout to finish: ${(status.replicas ?? 0) - updated} old replicas are pending termination...` };
    }
    if (available < updated) {
      return { health: "PROGRESSING", message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...` };
    }
    return { health: "HEALTHY", message: "" };
  }
  if (kind === "Service") {
    const spec = (live.spec ?? {}) as { type?: string };
    const ingress = ((live.status ?? {}) as { loadBalancer?: { ingress?: unknown[] } }).loadBalancer?.ingress ?? [];
    if (spec.type === "LoadBalancer" && ingress.length === 0) return { health: "PROGRESSING", message: "" };
  }
  return { health: "HEALTHY", message: "" };
}
