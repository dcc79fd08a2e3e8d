/**
 * pulumi-atlas-export: Pulumi dynamic resources for MongoDB Atlas Cloud Backup snapshot export.
 *
 * - {@link ExportBucket}: an S3 bucket, Azure Blob container or GCS bucket registered with Atlas.
 * - {@link ExportJob}: one snapshot export to such a bucket.
 * - {@link AutoExport}: a cluster's backup schedule exporting snapshots to such a bucket automatically.
 * - {@link getLatestSnapshot} / {@link getLatestSnapshotOutput}: the newest completed snapshot,
 *   optionally taking one, so programs need no hard-coded snapshot ids.
 *
 * Credentials: stack config `mongodbatlas:clientId`/`clientSecret` (service account) or
 * `mongodbatlas:publicKey`/`privateKey` (API key), else the `MONGODB_ATLAS_*` variables.
 */
export { ExportBucket, type ExportBucketArgs, type ExportBucketOutputs } from "./resources/export-bucket";
export { ExportJob, type ExportJobArgs, type ExportJobOutputs } from "./resources/export-job";
export { AutoExport, type AutoExportArgs, type AutoExportOutputs } from "./resources/auto-export";
export {
  getLatestSnapshot,
  getLatestSnapshotOutput,
  findLatestSnapshot,
  type LatestSnapshot,
  type LatestSnapshotArgs,
  type LatestSnapshotInputArgs,
  type TakeSnapshotMode,
} from "./resources/snapshot-lookup";
export type { CloudProvider, AtlasApi } from "./client/api";
export { AtlasClient } from "./client/index";
export { resolveConfig, type ResolvedConfig, type Credentials, type ConfigSource } from "./config";
export {
  AtlasError,
  AtlasApiError,
  AtlasNetworkError,
  AtlasTimeoutError,
  AtlasResponseValidationError,
  AtlasConfigError,
  isAtlasError,
  isAtlasApiError,
  isAtlasErrorCode,
  mayHaveBeenProcessed,
  type AtlasErrorCode,
} from "./errors";
