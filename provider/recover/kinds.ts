/**
 * The resource types `recover` owns, one table entry each: how to find what Atlas has for a
 * pending create, which fields make up its identity (the same rule as the lost-response lookup
 * in the create handlers), and the outputs a normal create would have stored. Adding a type
 * is one entry in {@link RECOVERABLE_KINDS}.
 */
import type { AtlasApi, BackupScheduleResponse, ExportBucketResponse, ExportJobResponse } from "../client/api";
import {
  autoExportId,
  autoExportMatches,
  enabledOutputs,
  storedSchedule,
  type AutoExportInputs,
} from "../resources/auto-export-handlers";
import { objectIdTimeMs } from "../resources/created-lookup";
import { bucketMatches, bucketOutputs, type ExportBucketInputs } from "../resources/export-bucket-handlers";
import { jobCreatedAtMs, jobMatches, jobOutputs, type ExportJobInputs } from "../resources/export-job-handlers";

/** What every kind tells `recover`. `C` is Atlas's representation of the object. */
interface KindBase<C> {
  /** The Pulumi type token. */
  type: string;
  /** "export bucket", for messages. */
  label: string;
  /** Inputs that must be non-empty strings before Atlas can be asked (the lookup's scope and identity). */
  requiredInputs: readonly string[];
  /** One line naming what the inputs ask for, for the plan. */
  describe(inputs: Record<string, unknown>): string;
  /** Key of the Atlas listing the candidates come from (resources sharing it share one listing). */
  scopeOf(inputs: Record<string, unknown>): string;
  /** Every object of this type Atlas has in that scope. */
  list(api: AtlasApi, inputs: Record<string, unknown>): Promise<C[]>;
  /** Every identity field equal (the lost-response lookup's rule). */
  sameIdentity(candidate: C, inputs: Record<string, unknown>): boolean;
  /** The outputs `create` would have stored for this object (without `__provider`). */
  outputs(inputs: Record<string, unknown>, candidate: C): Record<string, unknown>;
  /** A few words about the object's state, for the plan (e.g. a job's state). */
  status?(candidate: C): string;
}

/**
 * A type whose create makes a new Atlas object with an Atlas-minted id (a bucket, a job): the
 * object a pending create made is found by identity and creation time ("created after").
 */
export interface CreatedObjectKind<C = unknown> extends KindBase<C> {
  setting?: false;
  /** The output that holds Atlas's id (also the resource id). */
  idOutput: string;
  idOf(candidate: C): string;
  /** Creation time in epoch ms (NaN when unknown). */
  createdAtMs(candidate: C): number;
}

/**
 * A type that is a setting of another Atlas object, written by one idempotent request that
 * create and update both send (AutoExport: a PATCH of a cluster's backup schedule). There is
 * nothing to tell apart by creation time: `list` returns the one current setting (none when its
 * owner is gone), and a pending create *or update* is recorded when Atlas already shows exactly
 * what it asked for, and cleared otherwise (sending it again is safe).
 */
export interface SettingKind<C = unknown> extends KindBase<C> {
  setting: true;
  /** The resource id, derived from the inputs (Atlas mints none). */
  idFor(inputs: Record<string, unknown>): string;
}

/** How `recover` handles one resource type. */
export type RecoverableKind<C = unknown> = CreatedObjectKind<C> | SettingKind<C>;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const exportBucket: CreatedObjectKind<ExportBucketResponse> = {
  type: "pulumi-nodejs:dynamic/atlas:ExportBucket",
  label: "export bucket",
  idOutput: "exportBucketId",
  requiredInputs: ["projectId", "cloudProvider", "bucketName"],
  describe: (i) => `${String(i["cloudProvider"])} bucket "${String(i["bucketName"])}" in project ${String(i["projectId"])}`,
  scopeOf: (i) => String(i["projectId"]),
  list: (api, i) => collect(api.listExportBuckets(String(i["projectId"]), { itemsPerPage: 500 })),
  sameIdentity: (b, i) => bucketMatches(b, i as unknown as ExportBucketInputs),
  idOf: (b) => b._id,
  createdAtMs: (b) => objectIdTimeMs(b._id),
  outputs: (i, b) => ({ ...bucketOutputs(i as unknown as ExportBucketInputs, b) }),
};

const exportJob: CreatedObjectKind<ExportJobResponse> = {
  type: "pulumi-nodejs:dynamic/atlas:ExportJob",
  label: "export job",
  idOutput: "exportJobId",
  requiredInputs: ["projectId", "clusterName", "snapshotId", "exportBucketId"],
  describe: (i) =>
    `export of snapshot ${String(i["snapshotId"])} of ${String(i["clusterName"])} to bucket ${String(i["exportBucketId"])}`,
  scopeOf: (i) => `${String(i["projectId"])}/${String(i["clusterName"])}`,
  list: (api, i) => collect(api.listExportJobs(String(i["projectId"]), String(i["clusterName"]), { itemsPerPage: 500 })),
  sameIdentity: (j, i) => jobMatches(j, i as unknown as ExportJobInputs),
  idOf: (j) => j.id,
  createdAtMs: jobCreatedAtMs,
  outputs: (i, j) => ({ ...jobOutputs(i as unknown as ExportJobInputs, j) }),
  status: (j) => j.state,
};

/**
 * The auto-export part of a cluster's backup schedule. A schedule has no creation time, and
 * none is needed: create and update send the same idempotent PATCH, so a schedule that already
 * shows the requested bucket and frequency is exactly what a completed create/update would have
 * stored, whoever set it and when; and if it does not, sending the PATCH again is harmless. The
 * "created after" rule only protects against adopting an older twin object, and a schedule
 * setting cannot have one (one schedule per cluster, id derived from project and cluster).
 */
const autoExport: SettingKind<BackupScheduleResponse> = {
  setting: true,
  type: "pulumi-nodejs:dynamic/atlas:AutoExport",
  label: "auto-export",
  requiredInputs: ["projectId", "clusterName", "exportBucketId", "frequencyType"],
  describe: (i) =>
    `auto-export of cluster ${String(i["clusterName"])} in project ${String(i["projectId"])} into bucket ${String(i["exportBucketId"])} (${String(i["frequencyType"])}` +
    (i["useOrgAndGroupNamesInExportPrefix"] === undefined ? "" : `, useOrgAndGroupNamesInExportPrefix ${String(i["useOrgAndGroupNamesInExportPrefix"])}`) +
    `)`,
  scopeOf: (i) => `${String(i["projectId"])}/${String(i["clusterName"])}`,
  list: async (api, i) => {
    const { schedule } = await storedSchedule(api, "(pending)", i);
    return schedule ? [schedule] : [];
  },
  sameIdentity: (s, i) => autoExportMatches(s, i as unknown as AutoExportInputs),
  idFor: (i) => autoExportId(String(i["projectId"]), String(i["clusterName"])),
  outputs: (i, s) => ({ ...enabledOutputs(i as unknown as AutoExportInputs, s) }),
};

/** Every type `recover` owns, by type token. */
export const RECOVERABLE_KINDS: ReadonlyMap<string, RecoverableKind> = new Map(
  ([exportBucket, exportJob, autoExport] as RecoverableKind[]).map((k) => [k.type, k]),
);
