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

/** Render a snapshot (DiskBackupReplicaSet) as Atlas does for its current status. */
export function renderSnapshot(ctx: RouteContext, s: SnapshotRecord, cluster: ClusterRecord, forceStatus?: SnapshotStatus): Record<string, unknown> {
  const status = forceStatus ?? statusOf(s, ctx.now(), ctx.timeScale);
  const clusterPath = `${ctx.baseUrl}/api/atlas/v2/groups/${s.groupId}/clusters/${s.clusterName}`;
  const createdAt = snapshotCreatedAt(s, ctx.timeScale);
  const out: Record<string, unknown> = {};
  if (status === "completed") out["cloudProvider"] = cluster.providerName;
  out["copyRegions"] = [];
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
  out["replicaSetName"] = s.clusterName;
  out["snapshotType"] = s.snapshotType;
  out["status"] = status;
  out["storageSizeBytes"] = status === "completed" ? s.storageSizeBytes : 0;
  out["type"] = "replicaSet";
  return out;
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
      // Newest first, as Atlas lists snapshots.
      const items = [...ctx.store.listSnapshots(cluster.groupId, cluster.name)].sort((a, b) => b.requestedAt - a.requestedAt);
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
      ctx.store.addSnapshot(s);
      // The POST always answers "queued" (even at timeScale 0), like Atlas.
      return { status: 200, kind: "single", body: renderSnapshot(ctx, s, cluster, "queued") };
    },
  },
  {
    method: "GET", pattern: `${BASE}/{snapshotId}`, operation: "getBackupSnapshot", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const cluster = requireCluster(ctx);
      const id = ctx.params["snapshotId"]!;
      const s = ctx.store.getSnapshot(cluster.groupId, cluster.name, id);
      if (!s) throw errors.snapshotNotFound(id, cluster.name);
      return { status: 200, kind: "single", body: renderSnapshot(ctx, s, cluster) };
    },
  },
];
