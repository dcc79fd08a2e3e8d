/**
 * Clusters (CONTRACT.md §7 end, §2.1): get (2023-01-01 legacy, 2023-02-01 advanced, 2024-08-05
 * current) and list. The backup schedule is in backup-schedule.ts.
 */
import { paginate } from "../pagination";
import type { Route, RouteContext } from "../router";
import type { ClusterRecord } from "../store";
import { V } from "../versions";
import { clusterTypeOf, isSharded, shardCount } from "../sharding";
import { iso, requireCluster } from "./common";

/**
 * Render a cluster in the served version's shape, with the fields (names and types) of the
 * recorded IDLE clusters (CONTRACT §16.1 [rec]; the replay conformance test compares them).
 */
export function renderCluster(ctx: RouteContext, c: ClusterRecord): Record<string, unknown> {
  const self = `${ctx.baseUrl}/api/atlas/v2/groups/${c.groupId}/clusters/${c.name}`;
  const host = c.name.toLowerCase();
  const sharded = isSharded(c);
  const common = {
    advancedConfiguration: { customOpensslCipherConfigTls12: [], customOpensslCipherConfigTls13: [], minimumEnabledTlsProtocol: "TLS1_2", tlsCipherConfigMode: "DEFAULT" },
    backupEnabled: c.backupEnabled,
    biConnector: { enabled: false, readPreference: "secondary" },
    clusterType: clusterTypeOf(c),
    // config server of a sharded cluster (§16.1 [rec]: EMBEDDED / ATLAS_MANAGED)
    ...(sharded ? { configServerManagementMode: "ATLAS_MANAGED", configServerType: "EMBEDDED" } : {}),
    connectionStrings: {
      ...(sharded ? { awsPrivateLinkSrv: {}, privateEndpoint: [] } : {}),
      standard: `mongodb://${host}-shard-00-00.emul.mongodb.net:27017/?ssl=true&authSource=admin`,
      standardSrv: `mongodb+srv://${host}.emul.mongodb.net`,
    },
    createDate: iso(c.createDate),
    diskWarmingMode: "FULLY_WARMED",
    encryptionAtRestProvider: "NONE",
    globalClusterSelfManagedSharding: false,
    groupId: c.groupId,
    id: c.id,
    labels: [],
    links: [
      { href: self, rel: "self" },
      { href: `${self}/backup/restoreJobs`, rel: "https://cloud.mongodb.com/restoreJobs" },
      { href: `${self}/backup/snapshots`, rel: "https://cloud.mongodb.com/snapshots" },
    ],
    mongoDBMajorVersion: c.mongoDBVersion.split(".").slice(0, 2).join("."),
    mongoDBVersion: c.mongoDBVersion,
    name: c.name,
    paused: false,
    pitEnabled: false,
    rootCertType: "ISRGROOTX1",
    stateName: "IDLE",
    tags: [],
    terminationProtectionEnabled: false,
    versionReleaseSystem: "LTS",
  };
  const shards = shardCount(c);
  if (ctx.version === "2023-01-01") {
    return {
      ...common, diskSizeGB: DISK_GB, numShards: shards, providerBackupEnabled: c.backupEnabled, replicationFactor: 3,
      providerSettings: { instanceSizeName: c.instanceSize, providerName: c.providerName, regionName: c.regionName },
    };
  }
  const hw = (nodeCount: number, withDisk: boolean) => ({
    diskIOPS: 3000, ...(withDisk ? { diskSizeGB: DISK_GB } : {}), ebsVolumeType: "STANDARD", instanceSize: c.instanceSize, nodeCount,
  });
  const autoScaling = { compute: { enabled: false, scaleDownEnabled: false }, diskGB: { enabled: false } };
  const regionConfig = (withDisk: boolean) => ({
    analyticsSpecs: hw(0, withDisk), autoScaling, electableSpecs: hw(3, withDisk), priority: 7, providerName: c.providerName,
    readOnlySpecs: hw(0, withDisk), regionName: c.regionName,
  });
  if (ctx.version === "2023-02-01") {
    // 2023-02-01: one replication spec whose numShards counts the shards (§16.1 [rec]).
    return { ...common, diskSizeGB: DISK_GB, replicationSpecs: [{ id: c.id, numShards: shards, regionConfigs: [regionConfig(false)], zoneId: c.id, zoneName: "Zone 1" }] };
  }
  // 2024-08-05: one replication spec per shard, same zone (§16.1 [rec]), plus the effective specs.
  const specs = (effective: boolean) => Array.from({ length: shards }, (_, i) => ({
    id: shardSpecId(c.id, i),
    regionConfigs: [effective
      ? { ...regionConfig(true), effectiveAnalyticsSpecs: hw(0, true), effectiveElectableSpecs: hw(3, true), effectiveReadOnlySpecs: hw(0, true) }
      : regionConfig(true)],
    zoneId: c.id,
    zoneName: "Zone 1",
  }));
  return {
    ...common, adaptiveCapacity: null, effectiveDatabaseEdition: "CORE", effectiveReplicationSpecs: specs(false),
    featureCompatibilityVersion: common.mongoDBMajorVersion, internalClusterRole: "NONE", redactClientLogData: false,
    replicationSpecs: specs(true), retainBackups: false, useAwsTimeBasedSnapshotCopyForFastInitialSync: false,
  };
}

const DISK_GB = 10;

/** A stable 24-hex id for shard `i`'s replication spec (shard 0 keeps the cluster id). */
function shardSpecId(clusterId: string, i: number): string {
  return i === 0 ? clusterId : clusterId.slice(0, 20) + (parseInt(clusterId.slice(20), 16) ^ (0x1000 + i)).toString(16).padStart(4, "0").slice(-4);
}

const CLUSTERS = "/api/atlas/v2/groups/{groupId}/clusters";

/** Routes of this module. */
export const clusterRoutes: Route[] = [
  {
    method: "GET", pattern: CLUSTERS, operation: "listClusters", versions: V.cluster, rateLimit: 10000,
    handler: (ctx) => {
      const groupId = ctx.params["groupId"]!;
      return { status: 200, kind: "list", body: paginate(ctx.store.listClusters(groupId), ctx.query, `${ctx.baseUrl}/api/atlas/v2/groups/${groupId}/clusters`, (c) => renderCluster(ctx, c)) };
    },
  },
  {
    method: "GET", pattern: `${CLUSTERS}/{clusterName}`, operation: "getCluster", versions: V.cluster, rateLimit: 10000,
    handler: (ctx) => ({ status: 200, kind: "single", body: renderCluster(ctx, requireCluster(ctx)) }),
  },
];
