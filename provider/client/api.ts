/**
 * The seam between the resources and the HTTP client: every Atlas Admin API operation the
 * resources, the snapshot lookup and the examples use, as plain async methods.
 *
 * `AtlasClient` (provider/client/index.ts) implements it over undici; resource unit tests use
 * a fake. Ids are 24-hex strings; `groupId` is Atlas's name for a project id.
 *
 * Every method throws an `AtlasError` subclass (provider/errors.ts) on failure, never a bare
 * Error. Response objects keep fields this package does not know about (zod `looseObject`).
 */

/** A link as Atlas returns it. */
export interface AtlasLink {
  href: string;
  rel: string;
}

/** Cloud providers an export bucket can live in. */
export type CloudProvider = "AWS" | "AZURE" | "GCP";

/** An export bucket as Atlas returns it (2024-05-30 shape; `_id`, not `id`). */
export interface ExportBucketResponse {
  _id: string;
  bucketName: string;
  cloudProvider: CloudProvider;
  /** AWS only. */
  iamRoleId?: string;
  /** AWS only; absent on create and list responses, present on GET one. */
  region?: string;
  /** AWS only; Atlas defaults it to false. */
  requirePrivateNetworking?: boolean;
  /** Azure and GCP. */
  roleId?: string;
  /** Azure only. */
  serviceUrl?: string;
  /** Azure only; set by Atlas from the role. */
  tenantId?: string;
  links?: AtlasLink[];
  [unknown: string]: unknown;
}

/** POST body for an export bucket (2024-05-30). Fields not valid for the cloud are omitted. */
export interface CreateExportBucketRequest {
  cloudProvider: CloudProvider;
  bucketName?: string;
  iamRoleId?: string;
  roleId?: string;
  serviceUrl?: string;
  requirePrivateNetworking?: boolean;
}

/** Export job states as Atlas spells them (PascalCase). */
export type ExportJobState = "Queued" | "InProgress" | "Successful" | "Failed" | "Cancelled";

/** A key/value label on an export job. */
export interface BackupLabel {
  key: string;
  value: string;
}

/** An export job as Atlas returns it (`id`, not `_id`). */
export interface ExportJobResponse {
  id: string;
  exportBucketId: string;
  snapshotId?: string;
  /** Kept as a string: Atlas may add states; compare with the ExportJobState values. */
  state: string;
  stateReason?: { errorCode?: string; message?: string };
  exportStatus?: { exportedCollections?: number; totalCollections?: number };
  createdAt?: string;
  finishedAt?: string;
  prefix?: string;
  customData?: BackupLabel[];
  components?: { exportId?: string; replicaSetName?: string }[];
  links?: AtlasLink[];
  [unknown: string]: unknown;
}

/** POST body for an export job. */
export interface CreateExportJobRequest {
  snapshotId: string;
  exportBucketId: string;
  customData?: BackupLabel[];
}

/** A cloud backup snapshot (replica set shape; fields vary with `type`). */
export interface SnapshotResponse {
  id: string;
  /** `queued` | `inProgress` | `completed` | `failed` (camelCase, unlike export jobs). */
  status: string;
  createdAt?: string;
  expiresAt?: string;
  description?: string;
  snapshotType?: string;
  /** Real on-demand snapshots say `ondemand`, outside the spec's enum. */
  frequencyType?: string;
  type?: string;
  links?: AtlasLink[];
  [unknown: string]: unknown;
}

/** A sharded cluster's snapshot as the sharded-cluster endpoints return it (CONTRACT §16.2). */
export interface ShardedSnapshotResponse extends SnapshotResponse {
  /** One per shard and the config server. */
  members?: { id: string; replicaSetName: string; cloudProvider?: string; [k: string]: unknown }[];
  /** The member snapshot ids (same as `members[].id`). */
  snapshotIds?: string[];
  /** `EMBEDDED` or `DEDICATED`. */
  configServerType?: string;
}

/** A flex cluster (flex API, 2024-11-13; only the fields we use are typed). */
export interface FlexClusterResponse {
  name: string;
  id?: string;
  groupId?: string;
  clusterType?: string;
  stateName?: string;
  providerSettings?: { providerName?: string; backingProviderName?: string; [k: string]: unknown };
  [unknown: string]: unknown;
}

/** POST body to take an on-demand snapshot. */
export interface TakeSnapshotRequest {
  description?: string;
  retentionInDays?: number;
}

/** The cloud provider access roles of a project (not paginated). */
export interface CloudProviderAccessRolesResponse {
  awsIamRoles?: { roleId?: string; authorizedDate?: string | null; iamAssumedRoleArn?: string | null; [k: string]: unknown }[];
  azureServicePrincipals?: { _id?: string; tenantId?: string; [k: string]: unknown }[];
  gcpServiceAccounts?: { roleId?: string; status?: string; [k: string]: unknown }[];
  [unknown: string]: unknown;
}

/** One cloud provider access role; which id field is set depends on `providerName`. */
export interface CloudProviderAccessRoleResponse {
  providerName: CloudProvider;
  roleId?: string;
  _id?: string;
  [unknown: string]: unknown;
}

/** A cluster (2024-08-05 shape; only the fields we use are typed). */
export interface ClusterResponse {
  name: string;
  id?: string;
  groupId?: string;
  clusterType?: string;
  stateName?: string;
  backupEnabled?: boolean;
  [unknown: string]: unknown;
}

/** A cluster's backup schedule; only auto-export fields are typed. */
export interface BackupScheduleResponse {
  clusterName?: string;
  autoExportEnabled?: boolean;
  /** Absent while auto-export is off. */
  export?: { exportBucketId?: string; frequencyType?: string };
  useOrgAndGroupNamesInExportPrefix?: boolean;
  [unknown: string]: unknown;
}

/**
 * PATCH body for the auto-export part of a backup schedule. Atlas merges the fields sent and
 * keeps the rest (policies, reference times, ...). `export` is only accepted together with
 * `autoExportEnabled: true` (else 400 INVALID_BACKUP_POLICY); `autoExportEnabled: false`
 * alone turns auto-export off and clears `export` (CONTRACT §15.5).
 */
export type UpdateAutoExportRequest =
  | { autoExportEnabled: true; export: { exportBucketId: string; frequencyType: string }; useOrgAndGroupNamesInExportPrefix?: boolean }
  | { autoExportEnabled: false };

/** Options for list calls. `itemsPerPage` is capped at 500 by Atlas. */
export interface ListOptions {
  itemsPerPage?: number;
}

/**
 * Every Atlas operation this package calls. `list*` methods are async iterables over every
 * item of every page (following `links` rel `next`).
 *
 * POSTs (`create*`, `takeSnapshot`) are never retried: when the response is lost they throw
 * an `AtlasNetworkError`/`AtlasTimeoutError` whose `requestMayHaveBeenProcessed` is true, and
 * the caller looks the object up instead of sending again.
 */
export interface AtlasApi {
  /**
   * The base URL requests go to and where it was set, for error messages, e.g.
   * `http://127.0.0.1:43121 (from environment variable MONGODB_ATLAS_BASE_URL)`. Optional: fakes may omit it.
   */
  readonly baseUrlSetting?: string;
  listExportBuckets(groupId: string, opts?: ListOptions): AsyncIterable<ExportBucketResponse>;
  createExportBucket(groupId: string, body: CreateExportBucketRequest): Promise<ExportBucketResponse>;
  getExportBucket(groupId: string, exportBucketId: string): Promise<ExportBucketResponse>;
  updateExportBucket(
    groupId: string,
    exportBucketId: string,
    body: { requirePrivateNetworking: boolean },
  ): Promise<ExportBucketResponse>;
  deleteExportBucket(groupId: string, exportBucketId: string): Promise<void>;

  listExportJobs(groupId: string, clusterName: string, opts?: ListOptions): AsyncIterable<ExportJobResponse>;
  createExportJob(groupId: string, clusterName: string, body: CreateExportJobRequest): Promise<ExportJobResponse>;
  getExportJob(groupId: string, clusterName: string, exportJobId: string): Promise<ExportJobResponse>;

  listSnapshots(groupId: string, clusterName: string, opts?: ListOptions): AsyncIterable<SnapshotResponse>;
  getSnapshot(groupId: string, clusterName: string, snapshotId: string): Promise<SnapshotResponse>;
  takeSnapshot(groupId: string, clusterName: string, body: TakeSnapshotRequest): Promise<SnapshotResponse>;
  /** Every snapshot of a sharded cluster, with members (one GET: the operation is not paged). */
  listShardedSnapshots(groupId: string, clusterName: string): Promise<ShardedSnapshotResponse[]>;
  getShardedSnapshot(groupId: string, clusterName: string, snapshotId: string): Promise<ShardedSnapshotResponse>;

  listCloudProviderAccessRoles(groupId: string): Promise<CloudProviderAccessRolesResponse>;
  getCloudProviderAccessRole(groupId: string, roleId: string): Promise<CloudProviderAccessRoleResponse>;

  /** Dedicated clusters only: a flex cluster is 400 CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API. */
  getCluster(groupId: string, clusterName: string): Promise<ClusterResponse>;
  /** Flex clusters only: a dedicated cluster is 400 CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API. */
  getFlexCluster(groupId: string, name: string): Promise<FlexClusterResponse>;
  /** Lists the project's clusters (needed to find backup schedules that export to a bucket). */
  listClusters(groupId: string, opts?: ListOptions): AsyncIterable<ClusterResponse>;
  getBackupSchedule(groupId: string, clusterName: string): Promise<BackupScheduleResponse>;
  /** PATCHes only the auto-export fields of a cluster's backup schedule; returns the whole schedule. */
  updateBackupSchedule(groupId: string, clusterName: string, body: UpdateAutoExportRequest): Promise<BackupScheduleResponse>;
}
