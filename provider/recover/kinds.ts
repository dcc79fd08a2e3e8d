/**
 * The resource types `recover` owns, one table entry each: how to find what Atlas has for a
 * pending create, which fields make up its identity (the same rule as the lost-response lookup
 * in the create handlers), and the outputs a normal create would have stored. Adding a type
 * (e.g. AutoExport) is one entry in {@link RECOVERABLE_KINDS}.
 */
import type { AtlasApi, ExportBucketResponse, ExportJobResponse } from "../client/api";
import { objectIdTimeMs } from "../resources/created-lookup";
import { bucketMatches, bucketOutputs, type ExportBucketInputs } from "../resources/export-bucket-handlers";
import { jobCreatedAtMs, jobMatches, jobOutputs, type ExportJobInputs } from "../resources/export-job-handlers";

/** How `recover` handles one resource type. `C` is Atlas's representation of the object. */
export interface RecoverableKind<C = unknown> {
  /** The Pulumi type token. */
  type: string;
  /** "export bucket", for messages. */
  label: string;
  /** The output that holds Atlas's id (also the resource id). */
  idOutput: string;
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
  idOf(candidate: C): string;
  /** Creation time in epoch ms (NaN when unknown). */
  createdAtMs(candidate: C): number;
  /** The outputs `create` would have stored for this object (without `__provider`). */
  outputs(inputs: Record<string, unknown>, candidate: C): Record<string, unknown>;
  /** A few words about the object's state, for the plan (e.g. a job's state). */
  status?(candidate: C): string;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const exportBucket: RecoverableKind<ExportBucketResponse> = {
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

const exportJob: RecoverableKind<ExportJobResponse> = {
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

/** Every type `recover` owns, by type token. */
export const RECOVERABLE_KINDS: ReadonlyMap<string, RecoverableKind> = new Map(
  ([exportBucket, exportJob] as RecoverableKind[]).map((k) => [k.type, k]),
);
