/**
 * The default seed (docs/ARCHITECTURE.md "Default seed" table — the values the examples, tests
 * and README rely on; keep them stable).
 */
import type { SeedState } from "./store";

/** Stable identifiers of the default seed. */
export const SEED = {
  orgId: "6a0000000000000000000100",
  groupId: "6a0000000000000000000001",
  otherGroupId: "6a0000000000000000000002",
  apiKey: { publicKey: "emulpubk", privateKey: "3b1e4f0a-5c2d-4e8f-9a7b-6c5d4e3f2a1b" },
  serviceAccount: {
    clientId: "mdb_sa_id_6a00000000000000000000aa",
    clientSecret: "mdb_sa_sk_emulator0secret0do0not0use0in0prod",
  },
  clusters: ["Cluster0", "Cluster1"] as const,
  awsRoleId: "6a00000000000000000000b1",
  azureRoleId: "6a00000000000000000000b2",
  azureTenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
  gcpRoleId: "6a00000000000000000000b3",
  unauthorizedAwsRoleId: "6a00000000000000000000b4",
  bucketId: "6a00000000000000000000c1",
  bucketName: "atlas-export-seeded",
  /** completed snapshots: Cluster0 has two (d2 newest), Cluster1 one */
  snapshotIds: { Cluster0: ["6a00000000000000000000d1", "6a00000000000000000000d2"], Cluster1: ["6a00000000000000000000d3"] },
  /** a dedicated SHARDED cluster (2 shards + config server, CONTRACT §16) with one completed snapshot */
  shardedCluster: "ShardedCluster0",
  shardedSnapshotId: "6a00000000000000000000d4",
  /** its member snapshots: shard 0, shard 1, config server (`members` / `snapshotIds`) */
  shardedMemberSnapshotIds: ["6a00000000000000000000d5", "6a00000000000000000000d6", "6a00000000000000000000d7"],
  /** a flex cluster (flex API only, no export: CONTRACT §16.5) with two daily snapshots */
  flexCluster: "FlexCluster0",
  flexSnapshotIds: ["6a00000000000000000000d8", "6a00000000000000000000d9"],
} as const;

/** Credentials of the default seed, exposed as `RunningEmulator.credentials`. */
export interface SeedCredentials {
  orgId: string;
  groupId: string;
  otherGroupId: string;
  apiKey: { publicKey: string; privateKey: string };
  serviceAccount: { clientId: string; clientSecret: string };
}

/** The seed's credentials (same values whatever the seed variant). */
export function seedCredentials(): SeedCredentials {
  return {
    orgId: SEED.orgId,
    groupId: SEED.groupId,
    otherGroupId: SEED.otherGroupId,
    apiKey: { ...SEED.apiKey },
    serviceAccount: { ...SEED.serviceAccount },
  };
}

const HOUR = 3_600_000;

/**
 * Build a seed state. Times are relative to `now` so snapshots are recent and unexpired.
 * @param variant "default" (with the seeded bucket) or "empty-buckets" (same without it)
 */
export function buildSeed(variant: "default" | "empty-buckets" = "default", now = Date.now()): SeedState {
  const g = SEED.groupId;
  const state: SeedState = {
    version: 1,
    orgId: SEED.orgId,
    projects: [
      { id: g, name: "emulator-project", orgId: SEED.orgId },
      { id: SEED.otherGroupId, name: "other-project", orgId: SEED.orgId },
    ],
    apiKeys: [{ ...SEED.apiKey, projectIds: [g] }],
    serviceAccounts: [{ ...SEED.serviceAccount, projectIds: [g] }],
    clusters: [
      { groupId: g, id: "6a00000000000000000000e0", name: "Cluster0", createDate: now - 30 * 24 * HOUR, providerName: "AWS", regionName: "US_EAST_1", instanceSize: "M10", mongoDBVersion: "8.0.29", backupEnabled: true, collections: 12 },
      { groupId: g, id: "6a00000000000000000000e1", name: "Cluster1", createDate: now - 20 * 24 * HOUR, providerName: "AWS", regionName: "US_EAST_1", instanceSize: "M10", mongoDBVersion: "8.0.29", backupEnabled: true, collections: 4 },
      { groupId: g, id: "6a00000000000000000000e3", name: SEED.shardedCluster, createDate: now - 15 * 24 * HOUR, providerName: "AWS", regionName: "US_EAST_1", instanceSize: "M30", mongoDBVersion: "8.0.29", backupEnabled: true, collections: 6, clusterType: "SHARDED", numShards: 2 },
      { groupId: g, id: "6a00000000000000000000e4", name: SEED.flexCluster, createDate: now - 12 * 24 * HOUR, providerName: "AWS", regionName: "US_EAST_1", instanceSize: "FLEX", mongoDBVersion: "8.0.29", backupEnabled: true, collections: 2, flex: true },
      { groupId: SEED.otherGroupId, id: "6a00000000000000000000e2", name: "OtherCluster", createDate: now - 10 * 24 * HOUR, providerName: "AWS", regionName: "US_EAST_1", instanceSize: "M10", mongoDBVersion: "8.0.29", backupEnabled: true, collections: 1 },
    ],
    roles: [
      {
        groupId: g, id: SEED.awsRoleId, providerName: "AWS", createdDate: now - 10 * 24 * HOUR, authorized: true,
        authorizedDate: now - 10 * 24 * HOUR + 60_000, atlasAWSAccountArn: "arn:aws:iam::299602853325:root",
        atlasAssumedRoleExternalId: "5c1f2f83-7a5e-4c43-9a41-2b7c1e0d9f11", iamAssumedRoleArn: "arn:aws:iam::123456789012:role/atlas-export-role",
      },
      {
        groupId: g, id: SEED.azureRoleId, providerName: "AZURE", createdDate: now - 10 * 24 * HOUR, authorized: true,
        lastUpdatedDate: now - 10 * 24 * HOUR, atlasAzureAppId: "9f2deb0d-be22-4524-a403-df531868bac0",
        servicePrincipalId: "7d1b6a25-3f2e-4c1a-9b8e-5e4d3c2b1a09", tenantId: SEED.azureTenantId,
      },
      {
        groupId: g, id: SEED.gcpRoleId, providerName: "GCP", createdDate: now - 10 * 24 * HOUR, authorized: true,
        gcpServiceAccountForAtlas: "mongodb-atlas-0a1b2c3d4e5f6a7b@p-0a1b2c3d4e5f6a7b8c9d0e1f.iam.gserviceaccount.com",
      },
      {
        groupId: g, id: SEED.unauthorizedAwsRoleId, providerName: "AWS", createdDate: now - 2 * 24 * HOUR, authorized: false,
        atlasAWSAccountArn: "arn:aws:iam::299602853325:root", atlasAssumedRoleExternalId: "0b7e3c9a-1d2f-4e5a-8b6c-7d8e9f0a1b2c",
      },
    ],
    buckets: variant === "default"
      ? [{ groupId: g, id: SEED.bucketId, cloudProvider: "AWS", bucketName: SEED.bucketName, iamRoleId: SEED.awsRoleId, requirePrivateNetworking: false, region: "us-east-1" }]
      : [],
    snapshots: [
      { groupId: g, clusterName: "Cluster0", id: SEED.snapshotIds.Cluster0[0], requestedAt: now - 26 * HOUR, retentionInDays: 7, snapshotType: "scheduled", frequencyType: "daily", storageSizeBytes: 1_574_477_824, seeded: true },
      { groupId: g, clusterName: "Cluster0", id: SEED.snapshotIds.Cluster0[1], requestedAt: now - 2 * HOUR, retentionInDays: 7, snapshotType: "scheduled", frequencyType: "hourly", storageSizeBytes: 1_582_854_144, seeded: true },
      { groupId: g, clusterName: "Cluster1", id: SEED.snapshotIds.Cluster1[0], requestedAt: now - 3 * HOUR, retentionInDays: 7, snapshotType: "scheduled", frequencyType: "daily", storageSizeBytes: 734_003_200, seeded: true },
      { groupId: g, clusterName: SEED.shardedCluster, id: SEED.shardedSnapshotId, requestedAt: now - 4 * HOUR, retentionInDays: 7, snapshotType: "scheduled", frequencyType: "daily", storageSizeBytes: 3_221_225_472, seeded: true, memberIds: [...SEED.shardedMemberSnapshotIds] },
      { groupId: g, clusterName: SEED.flexCluster, id: SEED.flexSnapshotIds[0], requestedAt: now - 48 * HOUR, retentionInDays: 8, snapshotType: "scheduled", frequencyType: "daily", storageSizeBytes: 0, seeded: true },
      { groupId: g, clusterName: SEED.flexCluster, id: SEED.flexSnapshotIds[1], requestedAt: now - 24 * HOUR, retentionInDays: 8, snapshotType: "scheduled", frequencyType: "daily", storageSizeBytes: 0, seeded: true },
    ],
    exportJobs: [],
    schedules: [],
  };
  return state;
}
