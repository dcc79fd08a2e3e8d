/**
 * Cloud backup snapshot responses (2023-01-01). `status` is camelCase (`queued`, `inProgress`,
 * `completed`, `failed`); `frequencyType` is a free string because real on-demand snapshots say
 * `ondemand`, outside the spec's enum.
 */
import * as z from "zod";
import { Link, paginated } from "./common";

/** One snapshot (take / get / list item). */
export const SnapshotResponse = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  createdAt: z.string().optional(),
  expiresAt: z.string().optional(),
  description: z.string().optional(),
  snapshotType: z.string().optional(),
  frequencyType: z.string().optional(),
  type: z.string().optional(),
  links: z.array(Link).optional(),
});

/** GET list body. */
export const SnapshotPage = paginated(SnapshotResponse);

/** One member of a sharded snapshot: the snapshot of one shard or of the config server (CONTRACT §16.2). */
export const ShardedSnapshotMember = z.looseObject({
  id: z.string().min(1),
  replicaSetName: z.string(),
  cloudProvider: z.string().optional(),
});

/** `DiskBackupShardedClusterSnapshot` (sharded-cluster endpoints, 2023-01-01). */
export const ShardedSnapshotResponse = SnapshotResponse.extend({
  members: z.array(ShardedSnapshotMember).optional(),
  snapshotIds: z.array(z.string()).optional(),
  configServerType: z.string().optional(),
});

/** GET `/snapshots/shardedClusters` body (one page: the operation takes no paging parameters). */
export const ShardedSnapshotPage = paginated(ShardedSnapshotResponse);
