/**
 * The cluster backup schedule (CONTRACT.md §15): GET / PATCH / DELETE of
 * `/groups/{groupId}/clusters/{clusterName}/backup/schedule`, at 2023-01-01 (deprecated:
 * `Deprecation`/`Sunset` headers) and 2024-08-05. The export fields are identical in both
 * versions (§15.2) and the recordings show the same body shape, so one renderer serves both.
 *
 * Rules (§15.4, §15.5, §16.6):
 * - PATCH merges the fields present; absent or `null` `policies` keep the policy; readOnly
 *   fields (`clusterName`, `clusterId`, `links`, `nextSnapshot`) are accepted and ignored, as
 *   Atlas accepted the CLI's `clusterName`.
 * - `export` needs `autoExportEnabled: true` in the same body, else 400 `INVALID_BACKUP_POLICY`
 *   (even when auto-export is already on: that is the Terraform #4291 failure);
 *   `autoExportEnabled: false` clears `export` (and releases the bucket).
 * - `export.frequencyType`: `monthly`/`yearly` (the spec's enum); `daily`/`weekly` only where
 *   MongoDB Support enabled them for the project (`ProjectRecord.supportEnabledExportFrequencies`),
 *   else 400 `INVALID_ENUM_VALUE` (§15.3; the real code is unknown).
 * - An unknown `export.exportBucketId` is 404 `EXPORT_BUCKET_NOT_FOUND` (the candidate of §16.7).
 * - A rejected PATCH changes nothing: everything is validated before anything is applied.
 * - DELETE answers 200 with the schedule, its policy items emptied (same policy id), no
 *   `nextSnapshot`; reference hour/minute, restore window and the export settings are kept.
 *   Keeping auto-export is a decision (§16.7 leaves it open): it is the stricter choice, so a
 *   client that relies on a schedule DELETE to release a bucket fails here rather than only
 *   against Atlas.
 */
import { EmulatorApiError, errors } from "../errors";
import type { Route, RouteContext } from "../router";
import type { ClusterRecord, SchedulePolicyItem, ScheduleRecord } from "../store";
import { V } from "../versions";
import { HEX24, bodyObject, checkAttributes, iso, requireCluster } from "./common";

/** Auto-export frequencies the spec lists (CONTRACT §15.2). */
export const SPEC_EXPORT_FREQUENCIES = ["monthly", "yearly"] as const;
/** Frequencies Atlas documents as "contact Support" (§15.3). */
export const SUPPORT_EXPORT_FREQUENCIES = ["daily", "weekly"] as const;

const POLICY_FREQUENCIES = ["hourly", "daily", "weekly", "monthly", "yearly", "ondemand"];
const RETENTION_UNITS = ["days", "weeks", "months", "years"];

/** Render a schedule as Atlas does (key set of the recordings, §15.4). */
export function renderSchedule(ctx: RouteContext, c: ClusterRecord, s: ScheduleRecord): Record<string, unknown> {
  const items = s.policyItems ?? [];
  const out: Record<string, unknown> = {
    autoExportEnabled: s.autoExportEnabled,
    clusterId: c.id,
    clusterName: c.name,
    copyPolicyItemsEnabled: false,
    copySettings: [],
    links: [
      { href: `${ctx.baseUrl}/api/atlas/v2/groups/${c.groupId}/clusters/${c.name}/backup/schedule`, rel: "self" },
      { href: `${ctx.baseUrl}/api/public/v1.0/groups/${c.groupId}`, rel: "https://cloud.mongodb.com/group" },
    ],
    policies: [{ id: s.policyId, policyItems: items.map((i) => ({ ...i })) }],
    referenceHourOfDay: s.referenceHourOfDay,
    referenceMinuteOfHour: s.referenceMinuteOfHour,
    restoreWindowDays: s.restoreWindowDays,
    useOrgAndGroupNamesInExportPrefix: s.useOrgAndGroupNamesInExportPrefix,
  };
  // No export key while auto-export is off (§15.4).
  if (s.autoExportEnabled && s.export) out["export"] = { exportBucketId: s.export.exportBucketId, frequencyType: s.export.frequencyType };
  // Without policy items nothing is scheduled (the DELETE recording has no nextSnapshot).
  if (items.length > 0) {
    const hour = 3_600_000;
    out["nextSnapshot"] = iso(Math.ceil(ctx.now() / hour) * hour + (s.referenceMinuteOfHour ?? 0) * 60_000);
  }
  return out;
}

function invalidBackupPolicy(detail: string): EmulatorApiError {
  return new EmulatorApiError(400, "INVALID_BACKUP_POLICY", `Invalid backup policy: ${detail}`, []);
}

function intIn(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw errors.invalidAttribute(name);
  return v;
}

/** Validates a `policies` array (maxItems 1) and returns the new item list. */
function parsePolicies(value: unknown, s: ScheduleRecord): SchedulePolicyItem[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 1) throw errors.invalidAttribute("policies", "At most one policy is supported.");
  const policy = value[0] as Record<string, unknown> | undefined;
  if (policy === undefined) return undefined;
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) throw errors.invalidAttribute("policies");
  checkAttributes(policy, ["id", "policyItems"]);
  const raw = policy["policyItems"];
  if (!Array.isArray(raw)) throw errors.missingAttribute("policies.policyItems");
  const known = new Set((s.policyItems ?? []).map((i) => i.id));
  let last = s.policyItems?.at(-1)?.id ?? s.policyId ?? "000000000000000000000000";
  return raw.map((entry: unknown, n) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw errors.invalidAttribute(`policies.policyItems[${n}]`);
    const item = entry as Record<string, unknown>;
    checkAttributes(item, ["id", "frequencyType", "frequencyInterval", "retentionUnit", "retentionValue"]);
    const freq = item["frequencyType"];
    if (typeof freq !== "string" || !POLICY_FREQUENCIES.includes(freq)) throw errors.invalidEnum("policyItems.frequencyType", freq);
    const interval = item["frequencyInterval"];
    if (typeof interval !== "number" || !(Number.isInteger(interval) && ((interval >= 1 && interval <= 28) || interval === 40))) {
      throw errors.invalidAttribute("policyItems.frequencyInterval");
    }
    const unit = item["retentionUnit"];
    if (typeof unit !== "string" || !RETENTION_UNITS.includes(unit)) throw errors.invalidEnum("policyItems.retentionUnit", unit);
    const retention = item["retentionValue"];
    if (typeof retention !== "number" || !Number.isInteger(retention) || retention < 1) throw errors.invalidAttribute("policyItems.retentionValue");
    let id = typeof item["id"] === "string" && known.has(item["id"]) ? item["id"] : undefined;
    if (id === undefined) {
      last = last.slice(0, -6) + ((parseInt(last.slice(-6), 16) + 1) % 0x1000000).toString(16).padStart(6, "0");
      id = last;
    }
    return { id, frequencyType: freq, frequencyInterval: interval, retentionUnit: unit, retentionValue: retention };
  });
}

/** The `export` object of a PATCH, merged over the current one and validated. */
function parseExport(ctx: RouteContext, c: ClusterRecord, value: unknown, current: ScheduleRecord["export"]): ScheduleRecord["export"] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw errors.invalidAttribute("export");
  const e = value as Record<string, unknown>;
  checkAttributes(e, ["exportBucketId", "frequencyType"]);
  const bucketId = e["exportBucketId"] ?? current?.exportBucketId;
  if (bucketId === undefined || bucketId === null) throw errors.missingAttribute("export.exportBucketId");
  if (typeof bucketId !== "string" || !HEX24.test(bucketId)) throw errors.invalidAttribute("export.exportBucketId");
  if (!ctx.store.getBucket(c.groupId, bucketId)) throw errors.bucketNotFound(bucketId);
  const freq = e["frequencyType"] ?? current?.frequencyType;
  if (freq === undefined || freq === null) throw errors.missingAttribute("export.frequencyType");
  const allowed: readonly string[] = [...SPEC_EXPORT_FREQUENCIES, ...(ctx.store.project(c.groupId)?.supportEnabledExportFrequencies ?? [])];
  if (typeof freq !== "string" || !allowed.includes(freq)) throw errors.invalidEnum("export.frequencyType", freq);
  return { exportBucketId: bucketId, frequencyType: freq };
}

/** Applies a PATCH body to the schedule, validating all of it before changing anything. */
function patchSchedule(ctx: RouteContext, c: ClusterRecord, s: ScheduleRecord): void {
  const body = bodyObject(ctx);
  checkAttributes(body, [
    "autoExportEnabled", "export", "useOrgAndGroupNamesInExportPrefix", "policies", "referenceHourOfDay", "referenceMinuteOfHour",
    "restoreWindowDays", "copyPolicyItemsEnabled", "copySettings", "extraRetentionSettings", "deleteCopiedBackups", "deleteCopySnapshots",
    "deleteSnapshots", "updateCopySnapshots", "updateSnapshots", "clusterId", "clusterName", "links", "nextSnapshot",
    ...(ctx.version >= "2024-08-05" ? ["autoCopySettingsEnabled"] : []),
  ]);
  const enabled = body["autoExportEnabled"];
  if (enabled !== undefined && enabled !== null && typeof enabled !== "boolean") throw errors.invalidAttribute("autoExportEnabled");
  const prefix = body["useOrgAndGroupNamesInExportPrefix"];
  if (prefix !== undefined && prefix !== null && typeof prefix !== "boolean") throw errors.invalidAttribute("useOrgAndGroupNamesInExportPrefix");
  const hour = intIn(body, "referenceHourOfDay", 0, 23);
  const minute = intIn(body, "referenceMinuteOfHour", 0, 59);
  const window = body["restoreWindowDays"];
  if (window !== undefined && window !== null && (typeof window !== "number" || !Number.isInteger(window) || window < 1)) {
    throw new EmulatorApiError(400, "INVALID_RESTORE_WINDOW", "The restore window days should be a positive number.", []);
  }
  const items = parsePolicies(body["policies"], s);

  let nextEnabled = s.autoExportEnabled;
  let nextExport = s.export;
  const exp = body["export"];
  if (exp !== undefined && exp !== null) {
    if (enabled !== true) throw invalidBackupPolicy("export settings require autoExportEnabled to be true in the same request.");
    nextExport = parseExport(ctx, c, exp, s.export);
    nextEnabled = true;
  } else if (enabled === true) {
    if (!s.export) throw errors.missingAttribute("export.exportBucketId");
    nextEnabled = true;
  } else if (enabled === false) {
    nextEnabled = false;
    nextExport = undefined;
  }

  // Everything is valid: apply.
  s.autoExportEnabled = nextEnabled;
  if (nextExport) s.export = nextExport;
  else delete s.export;
  if (typeof prefix === "boolean") s.useOrgAndGroupNamesInExportPrefix = prefix;
  if (hour !== undefined) s.referenceHourOfDay = hour;
  if (minute !== undefined) s.referenceMinuteOfHour = minute;
  if (typeof window === "number") s.restoreWindowDays = window;
  if (items !== undefined) s.policyItems = items;
  ctx.store.changed();
}

const SCHEDULE = "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/schedule";

/** Routes of this module. */
export const backupScheduleRoutes: Route[] = [
  {
    method: "GET", pattern: SCHEDULE, operation: "getBackupSchedule", versions: V.backupSchedule, rateLimit: 1200,
    handler: (ctx) => {
      const c = requireCluster(ctx);
      return { status: 200, kind: "single", body: renderSchedule(ctx, c, ctx.store.schedule(c.groupId, c.name)) };
    },
  },
  {
    method: "PATCH", pattern: SCHEDULE, operation: "updateBackupSchedule", versions: V.backupSchedule, rateLimit: 1200,
    handler: (ctx) => {
      const c = requireCluster(ctx);
      const s = ctx.store.schedule(c.groupId, c.name);
      patchSchedule(ctx, c, s);
      return { status: 200, kind: "single", body: renderSchedule(ctx, c, s) };
    },
  },
  {
    method: "DELETE", pattern: SCHEDULE, operation: "deleteBackupSchedule", versions: V.backupSchedule, rateLimit: 1200,
    handler: (ctx) => {
      const c = requireCluster(ctx);
      const s = ctx.store.schedule(c.groupId, c.name);
      s.policyItems = [];
      ctx.store.changed();
      return { status: 200, kind: "single", body: renderSchedule(ctx, c, s) };
    },
  },
];
