/**
 * Export jobs (CONTRACT.md §5): list / create / get (there is no DELETE, §12.17).
 *
 * Decisions where Atlas's behaviour is unknown (§14):
 * - exporting a snapshot that is not `completed` → 400 `SNAPSHOT_NOT_COMPLETE`;
 * - a second export of a snapshot while one is Queued/InProgress → 409
 *   `EXPORT_ALREADY_IN_PROGRESS`, detail naming the running job id (the spec declares a 409);
 * - unknown job id → 404 `EXPORT_JOB_NOT_FOUND`.
 */
import { EmulatorApiError, errors } from "../errors";
import { paginate } from "../pagination";
import type { Route, RouteContext } from "../router";
import { exportJobState, isRunning, type ExportOutcome } from "../state-machines";
import { newObjectId, type ExportJobRecord } from "../store";
import { V } from "../versions";
import { isSharded, shardedReplicaSetNames } from "../sharding";
import { HEX24, bodyObject, checkAttributes, iso, requireCluster, requiredString } from "./common";
import { snapshotCreatedAt, statusOf } from "./snapshots";

/** Render a job (DiskBackupExportJob) at the current time; `initial` = the POST answer (Queued). */
export function renderJob(ctx: RouteContext, j: ExportJobRecord, initial = false): Record<string, unknown> {
  const view = initial
    ? { state: "Queued" as const, exportedCollections: 0, finishedAt: undefined }
    : exportJobState(j.createdAt, ctx.now(), ctx.timeScale, j.outcome, j.totalCollections);
  const out: Record<string, unknown> = {
    // Sharded clusters only: one sub-export per replica set (CONTRACT §16.4, §12.12).
    components: j.components,
    createdAt: iso(j.createdAt),
    customData: j.customData,
    exportBucketId: j.exportBucketId,
    exportStatus: { exportedCollections: view.exportedCollections, totalCollections: j.totalCollections },
  };
  if (view.finishedAt !== undefined) out["finishedAt"] = iso(view.finishedAt);
  out["id"] = j.id;
  out["prefix"] = j.prefix;
  out["snapshotId"] = j.snapshotId;
  out["state"] = view.state;
  if (view.state === "Failed") {
    out["stateReason"] = { errorCode: j.outcome.errorCode ?? "EXPORT_FAILED", message: j.outcome.reason ?? "The export job failed." };
  }
  return out;
}

/** `yyyy-MM-ddTHHmm` in UTC (prefix date, §5.2). */
function prefixDate(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 13)}${d.slice(14, 16)}`;
}

function parseCustomData(v: unknown): { key: string; value: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw errors.invalidAttribute("customData", "It must be an array of {key, value}.");
  return v.map((x) => {
    if (!x || typeof x !== "object" || Array.isArray(x)) throw errors.invalidAttribute("customData");
    const o = x as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== "key" && k !== "value") throw errors.invalidAttribute(`customData.${k}`);
    if (typeof o["key"] !== "string" || typeof o["value"] !== "string") throw errors.invalidAttribute("customData", "key and value must be strings.");
    return { key: o["key"], value: o["value"] };
  });
}

const BASE = "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports";

/** Routes of this module. `takeOutcome` hands out (and clears) a forced outcome. */
export function exportJobRoutes(takeOutcome: () => ExportOutcome | undefined): Route[] {
  return [
    {
      method: "GET", pattern: BASE, operation: "listBackupExports", versions: V.only20230101, rateLimit: 1200,
      handler: (ctx) => {
        const cluster = requireCluster(ctx);
        const items = ctx.store.listJobs(cluster.groupId, cluster.name);
        return { status: 200, kind: "list", body: paginate(items, ctx.query, `${ctx.baseUrl}/api/atlas/v2/groups/${cluster.groupId}/clusters/${cluster.name}/backup/exports`, (j) => renderJob(ctx, j)) };
      },
    },
    {
      method: "POST", pattern: BASE, operation: "createBackupExport", versions: V.only20230101, rateLimit: 1200,
      handler: (ctx) => {
        const cluster = requireCluster(ctx);
        const body = bodyObject(ctx);
        checkAttributes(body, ["snapshotId", "exportBucketId", "customData"], ["id", "state", "links", "prefix", "createdAt", "finishedAt", "exportStatus", "stateReason", "components"]);
        const snapshotId = requiredString(body, "snapshotId");
        const exportBucketId = requiredString(body, "exportBucketId");
        if (!HEX24.test(snapshotId)) throw errors.invalidAttribute("snapshotId", "It must be a 24-hexadecimal id.");
        if (!HEX24.test(exportBucketId)) throw errors.invalidAttribute("exportBucketId", "It must be a 24-hexadecimal id.");
        const customData = parseCustomData(body["customData"]);
        const now = ctx.now();
        const snap = ctx.store.getSnapshot(cluster.groupId, cluster.name, snapshotId);
        if (!snap) throw errors.snapshotNotFound(snapshotId, cluster.name);
        if (!ctx.store.getBucket(cluster.groupId, exportBucketId)) throw errors.bucketNotFound(exportBucketId);
        if (statusOf(snap, now, ctx.timeScale) !== "completed") {
          throw new EmulatorApiError(400, "SNAPSHOT_NOT_COMPLETE", `Snapshot ${snapshotId} is not completed yet and cannot be exported.`, [snapshotId]);
        }
        const running = ctx.store.listJobs(cluster.groupId, cluster.name).find((j) =>
          j.snapshotId === snapshotId && isRunning(exportJobState(j.createdAt, now, ctx.timeScale, j.outcome, j.totalCollections).state));
        if (running) {
          throw new EmulatorApiError(409, "EXPORT_ALREADY_IN_PROGRESS", `An export job (${running.id}) is already in progress for snapshot ${snapshotId}.`, [running.id, snapshotId]);
        }
        const job: ExportJobRecord = {
          groupId: cluster.groupId, clusterName: cluster.name, id: newObjectId(now), snapshotId, exportBucketId, customData,
          createdAt: now, outcome: takeOutcome() ?? { state: "Successful" }, totalCollections: cluster.collections,
          prefix: `exported_snapshots/${ctx.store.state.orgId}/${cluster.groupId}/${cluster.name}/${prefixDate(snapshotCreatedAt(snap, ctx.timeScale))}/${Math.floor(now / 1000)}`,
        };
        // The top-level sharded snapshot is exported as one sub-export per shard / config server.
        if (isSharded(cluster)) job.components = shardedReplicaSetNames(cluster).map((replicaSetName) => ({ exportId: newObjectId(now), replicaSetName }));
        ctx.store.addJob(job);
        return { status: 200, kind: "single", body: renderJob(ctx, job, true) };
      },
    },
    {
      method: "GET", pattern: `${BASE}/{exportId}`, operation: "getBackupExport", versions: V.only20230101, rateLimit: 1200,
      handler: (ctx) => {
        const cluster = requireCluster(ctx);
        const id = ctx.params["exportId"]!;
        const j = ctx.store.getJob(cluster.groupId, cluster.name, id);
        if (!j) throw errors.exportJobNotFound(id, cluster.name);
        return { status: 200, kind: "single", body: renderJob(ctx, j) };
      },
    },
  ];
}
