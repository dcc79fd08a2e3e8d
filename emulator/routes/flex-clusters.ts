/**
 * Flex clusters (CONTRACT §16.1, §16.5), 2024-11-13 only: GET `/flexClusters/{name}` and the flex
 * snapshots (list / get). A dedicated cluster on these paths is 400
 * CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API [rec] — the answer the Atlas CLI's snapshot commands
 * rely on to fall back to the cluster API. Flex clusters have no export (no exportBuckets /
 * exports path exists for them) and no take-snapshot endpoint.
 */
import { errors } from "../errors";
import { paginate } from "../pagination";
import type { Route, RouteContext } from "../router";
import type { ClusterRecord, SnapshotRecord } from "../store";
import { V } from "../versions";
import { iso, requireFlexCluster } from "./common";
import { snapshotCreatedAt, statusOf } from "./snapshots";

const DAY = 86_400_000;

/** `FlexClusterDescription20241113` (fields as recorded). */
export function renderFlexCluster(c: ClusterRecord): Record<string, unknown> {
  const host = c.name.toLowerCase();
  return {
    backupSettings: { enabled: c.backupEnabled },
    clusterType: "REPLICASET",
    connectionStrings: {
      standard: `mongodb://${host}-shard-00-00.emul.mongodb.net:27017/?ssl=true&authSource=admin&replicaSet=${host}-shard-0`,
      standardSrv: `mongodb+srv://${host}.emul.mongodb.net`,
    },
    createDate: iso(c.createDate),
    groupId: c.groupId,
    id: c.id,
    mongoDBVersion: c.mongoDBVersion,
    name: c.name,
    providerSettings: { backingProviderName: c.providerName, diskSizeGB: 5.0, providerName: "FLEX", regionName: c.regionName },
    stateName: "IDLE",
    tags: [],
    terminationProtectionEnabled: false,
    versionReleaseSystem: "LTS",
  };
}

/** `FlexBackupSnapshot20241113`: UPPER-CASE status, scheduled/start/finish times (§16.5 [rec]). */
export function renderFlexSnapshot(ctx: RouteContext, s: SnapshotRecord, c: ClusterRecord): Record<string, unknown> {
  const status = statusOf(s, ctx.now(), ctx.timeScale);
  const finished = snapshotCreatedAt(s, ctx.timeScale);
  const out: Record<string, unknown> = {
    expiration: iso(s.requestedAt + s.retentionInDays * DAY),
    id: s.id,
    mongoDBVersion: c.mongoDBVersion,
    scheduledTime: iso(s.requestedAt),
    status: status === "completed" ? "COMPLETED" : status === "failed" ? "FAILED" : status === "inProgress" ? "RUNNING" : "QUEUED",
  };
  if (status !== "queued") out["startTime"] = iso(s.requestedAt + Math.min(30_000, Math.max(0, finished - s.requestedAt)));
  if (status === "completed") out["finishTime"] = iso(finished);
  return out;
}

const BASE = "/api/atlas/v2/groups/{groupId}/flexClusters/{name}";

/** Routes of this module. */
export const flexClusterRoutes: Route[] = [
  {
    method: "GET", pattern: BASE, operation: "getFlexCluster", versions: V.only20241113, rateLimit: 1200,
    handler: (ctx) => ({ status: 200, kind: "single", body: renderFlexCluster(requireFlexCluster(ctx)) }),
  },
  {
    method: "GET", pattern: `${BASE}/backup/snapshots`, operation: "listFlexBackupSnapshots", versions: V.only20241113, rateLimit: 1200,
    handler: (ctx) => {
      const c = requireFlexCluster(ctx);
      // Oldest first, as recorded (one per day).
      const items = [...ctx.store.listSnapshots(c.groupId, c.name)].sort((a, b) => a.requestedAt - b.requestedAt);
      return { status: 200, kind: "list", body: paginate(items, ctx.query, `${ctx.baseUrl}/api/atlas/v2/groups/${c.groupId}/flexClusters/${c.name}/backup/snapshots`, (s) => renderFlexSnapshot(ctx, s, c)) };
    },
  },
  {
    method: "GET", pattern: `${BASE}/backup/snapshots/{snapshotId}`, operation: "getFlexBackupSnapshot", versions: V.only20241113, rateLimit: 1200,
    handler: (ctx) => {
      const c = requireFlexCluster(ctx);
      const id = ctx.params["snapshotId"]!;
      const s = ctx.store.getSnapshot(c.groupId, c.name, id);
      if (!s) throw errors.snapshotNotFound(id, c.name);
      return { status: 200, kind: "single", body: renderFlexSnapshot(ctx, s, c) };
    },
  },
];
