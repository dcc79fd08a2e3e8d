/**
 * Cloud backup snapshots (CONTRACT.md §6): list / take / get. Status is computed from the request
 * time (state-machines.ts). Fields appear as in the recordings: a queued snapshot has no
 * `cloudProvider`, `createdAt` or `mongodVersion`; `frequencyType` is "ondemand" for on-demand
 * snapshots (outside the spec enum, §12.13); `expiresAt` moves to completion + retention.
 */
import { EmulatorApiError, errors } from "../errors";
import { paginate } from "../pagination";
import type { Route, RouteContext } from "../router";
import { snapshotCompletedAt, snapshotStatus, type SnapshotStatus } from "../state-machines";
import { newObjectId, type ClusterRecord, type SnapshotRecord } from "../store";
import { V } from "../versions";
import { isSharded, shardedReplicaSetNames } from "../sharding";
import { bodyObject, checkAttributes, iso, optionalString, requireCluster } from "./common";

const DAY = 86_400_000;

/** Computed status of a snapshot (seeded snapshots are always completed). */
export function statusOf(s: SnapshotRecord, now: number, timeScale: number): SnapshotStatus {
  return s.seeded ? "completed" : snapshotStatus(s.requestedAt, now, timeScale);
}

/** When the snapshot was (or will be) completed: its `createdAt` (point in time). */
export function snapshotCreatedAt(s: SnapshotRecord, timeScale: number): number {
  return s.seeded ? s.requestedAt : snapshotCompletedAt(s.requestedAt, timeScale);
}

/**
 * Render a snapshot as Atlas does for its current status: `DiskBackupReplicaSet` for a replica
 * set; for a sharded cluster `type: "shardedCluster"` without the replica-set-only
 * `replicaSetName`, `cloudProvider`, `copyRegions` (§16.2), plus — on the sharded endpoints
 * (`full`) — `members`, `snapshotIds` and `configServerType` (Terraform reads those only there, §16.3).
 */
export function renderSnapshot(ctx: RouteContext, s: SnapshotRecord, cluster: ClusterRecord, forceStatus?: SnapshotStatus, full = false): Record<string, unknown> {
  const status = forceStatus ?? statusOf(s, ctx.now(), ctx.timeScale);
  const clusterPath = `${ctx.baseUrl}/api/atlas/v2/groups/${s.groupId}/clusters/${s.clusterName}`;
  const createdAt = snapshotCreatedAt(s, ctx.timeScale);
  const sharded = isSharded(cluster);
  const out: Record<string, unknown> = {};
  if (sharded) {
    if (full) {
      const names = shardedReplicaSetNames(cluster);
      const ids = memberIdsOf(s, names.length);
      out["configServerType"] = "EMBEDDED";
      out["members"] = names.map((replicaSetName, i) => ({ cloudProvider: cluster.providerName, id: ids[i], replicaSetName }));
      out["snapshotIds"] = ids;
    }
  } else {
    if (status === "completed") out["cloudProvider"] = cluster.providerName;
    out["copyRegions"] = [];
  }
  if (status === "completed") out["createdAt"] = iso(createdAt);
  if (s.description !== undefined) out["description"] = s.description;
  out["expiresAt"] = iso((status === "completed" ? createdAt : s.requestedAt) + s.retentionInDays * DAY);
  out["frequencyType"] = s.frequencyType;
  out["id"] = s.id;
  out["links"] = [
    { href: `${clusterPath}/backup/snapshots/${s.id}`, rel: "self" },
    { href: clusterPath, rel: "https://cloud.mongodb.com/cluster" },
  ];
  if (status !== "queued") out["mongodVersion"] = cluster.mongoDBVersion;
  out["policyItems"] = [];
  if (!sharded) out["replicaSetName"] = s.clusterName;
  out["snapshotType"] = s.snapshotType;
  out["status"] = status;
  out["storageSizeBytes"] = status === "completed" ? s.storageSizeBytes : 0;
  out["type"] = sharded ? "shardedCluster" : "replicaSet";
  return out;
}

/** Member snapshot ids of a sharded snapshot (derived from its id when the record has none). */
function memberIdsOf(s: SnapshotRecord, count: number): string[] {
  return Array.from({ length: count }, (_, i) => s.memberIds?.[i] ?? s.id.slice(0, 18) + ((parseInt(s.id.slice(18), 16) + 0x100000 * (i + 1)) % 0x1000000).toString(16).padStart(6, "0"));
}

/** The snapshot of the path on a cluster, or 404 SNAPSHOT_NOT_FOUND. */
function requireSnapshot(ctx: RouteContext, cluster: ClusterRecord): SnapshotRecord {
  const id = ctx.params["snapshotId"]!;
  const s = ctx.store.getSnapshot(cluster.groupId, cluster.name, id);
  if (!s) throw errors.snapshotNotFound(id, cluster.name);
  return s;
}

/**
 * The sharded-cluster endpoints answer only for a sharded cluster's snapshots. Atlas's answer for
 * a replica set is unknown (Terraform ignores it, §16.3): the emulator says 404 SNAPSHOT_NOT_FOUND.
 */
function requireShardedSnapshot(ctx: RouteContext): { cluster: ClusterRecord; snapshot: SnapshotRecord } {
  const cluster = requireCluster(ctx);
  const id = ctx.params["snapshotId"]!;
  if (!isSharded(cluster)) throw errors.snapshotNotFound(id, cluster.name);
  return { cluster, snapshot: requireSnapshot(ctx, cluster) };
}

/** DELETE a snapshot: 204; one still queued/inProgress → 400 CANNOT_DELETE_IN_PROGRESS_SNAPSHOT (§8.3). */
function deleteSnapshot(ctx: RouteContext, cluster: ClusterRecord, s: SnapshotRecord): { status: number } {
  if (statusOf(s, ctx.now(), ctx.timeScale) !== "completed" && statusOf(s, ctx.now(), ctx.timeScale) !== "failed") {
    throw new EmulatorApiError(400, "CANNOT_DELETE_IN_PROGRESS_SNAPSHOT", `Snapshot ${s.id} is in progress and cannot be deleted.`, [s.id]);
  }
  ctx.store.deleteSnapshot(cluster.groupId, cluster.name, s.id);
  return { status: 204 };
}

/** Newest first, as Atlas lists snapshots. */
function newestFirst(items: SnapshotRecord[]): SnapshotRecord[] {
  return [...items].sort((a, b) => b.requestedAt - a.requestedAt);
}

function checkInt64Param(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  if (!/^\d+$/.test(v)) throw errors.invalidQueryParameter(name, v);
  return true;
}

const BASE = "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots";

/** Routes of this module. */
export const snapshotRoutes: Route[] = [
  {
    method: "GET", pattern: BASE, operation: "listBackupSnapshots", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const cluster = requireCluster(ctx);
      const pit = checkInt64Param(ctx.query, "pointInTimeUtcSeconds");
      const oplog = checkInt64Param(ctx.query, "oplogTs") || checkInt64Param(ctx.query, "oplogInc");
      if (pit && oplog) {
        throw new EmulatorApiError(400, "MUTUALLY_EXCLUSIVE_QUERY_PARAMETERS", "The query parameters pointInTimeUtcSeconds and oplogTs/oplogInc are mutually exclusive.", ["pointInTimeUtcSeconds", "oplogTs"]);
      }
      const items = newestFirst(ctx.store.listSnapshots(cluster.groupId, cluster.name));
      return { status: 200, kind: "list", body: paginate(items, ctx.query, `${ctx.baseUrl}/api/atlas/v2/groups/${cluster.groupId}/clusters/${cluster.name}/backup/snapshots`, (s) => renderSnapshot(ctx, s, cluster)) };
    },
  },
  {
    method: "POST", pattern: BASE, operation: "takeSnapshot", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const cluster = requireCluster(ctx);
      const body = ctx.body === undefined ? {} : bodyObject(ctx);
      checkAttributes(body, ["description", "retentionInDays"], ["id", "status", "links"]);
      const description = optionalString(body, "description");
      const r = body["retentionInDays"];
      if (r !== undefined && r !== null && (typeof r !== "number" || !Number.isInteger(r) || r < 1)) throw errors.invalidAttribute("retentionInDays", "It must be an integer >= 1.");
      const now = ctx.now();
      const pending = ctx.store.listSnapshots(cluster.groupId, cluster.name)
        .find((s) => s.snapshotType === "onDemand" && statusOf(s, now, ctx.timeScale) !== "completed");
      if (pending) {
        throw new EmulatorApiError(400, "UNFINISHED_ON_DEMAND_SNAPSHOT", `An on-demand snapshot (${pending.id}) is still in progress for cluster ${cluster.name}; wait until it completes.`, [cluster.name]);
      }
      const s: SnapshotRecord = {
        groupId: cluster.groupId, clusterName: cluster.name, id: newObjectId(now), requestedAt: now,
        retentionInDays: typeof r === "number" ? r : 1, snapshotType: "onDemand", frequencyType: "ondemand",
        storageSizeBytes: 1_500_000_000,
      };
      if (description !== undefined) s.description = description;
      // A sharded cluster's snapshot is one member snapshot per replica set (§16.2, §16.3).
      if (isSharded(cluster)) s.memberIds = shardedReplicaSetNames(cluster).map(() => newObjectId(now));
      ctx.store.addSnapshot(s);
      // The POST always answers "queued" (even at timeScale 0), like Atlas.
      return { status: 200, kind: "single", body: renderSnapshot(ctx, s, cluster, "queued") };
    },
  },
  // The sharded-cluster routes come before `{snapshotId}`, which would also match "shardedClusters".
  {
    method: "GET", pattern: `${BASE}/shardedClusters`, operation: "listBackupShardedClusters", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const cluster = requireCluster(ctx);
      // A replica set has no sharded snapshots: an empty list (Terraform joins both lists by id, §16.3).
      const items = isSharded(cluster) ? newestFirst(ctx.store.listSnapshots(cluster.groupId, cluster.name)) : [];
      // No pageNum/itemsPerPage/includeCount on this operation (§16.2): one page with every snapshot.
      const self = `${ctx.baseUrl}/api/atlas/v2/groups/${cluster.groupId}/clusters/${cluster.name}/backup/snapshots/shardedClusters`;
      return { status: 200, kind: "list", body: { links: [{ href: self, rel: "self" }], results: items.map((s) => renderSnapshot(ctx, s, cluster, undefined, true)), totalCount: items.length } };
    },
  },
  {
    method: "GET", pattern: `${BASE}/shardedCluster/{snapshotId}`, operation: "getBackupShardedCluster", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const { cluster, snapshot } = requireShardedSnapshot(ctx);
      return { status: 200, kind: "single", body: renderSnapshot(ctx, snapshot, cluster, undefined, true) };
    },
  },
  {
    method: "DELETE", pattern: `${BASE}/shardedCluster/{snapshotId}`, operation: "deleteBackupShardedCluster", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const { cluster, snapshot } = requireShardedSnapshot(ctx);
      return deleteSnapshot(ctx, cluster, snapshot);
    },
  },
  {
    method: "GET", pattern: `${BASE}/{snapshotId}`, operation: "getBackupSnapshot", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const cluster = requireCluster(ctx);
      return { status: 200, kind: "single", body: renderSnapshot(ctx, requireSnapshot(ctx, cluster), cluster) };
    },
  },
  {
    // Not in the spec subset but recorded (204, content type 2023-01-01); Terraform deletes both
    // kinds through it (§16.3).
    method: "DELETE", pattern: `${BASE}/{snapshotId}`, operation: "deleteBackupSnapshot", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const cluster = requireCluster(ctx);
      return deleteSnapshot(ctx, cluster, requireSnapshot(ctx, cluster));
    },
  },
];
