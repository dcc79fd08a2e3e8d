/**
 * Clusters (CONTRACT.md §7 end, §2.1): get (2023-01-01 legacy, 2023-02-01 advanced, 2024-08-05
 * current) and list. The backup schedule is in backup-schedule.ts.
 */
import { paginate } from "../pagination";
import type { Route, RouteContext } from "../router";
import type { ClusterRecord } from "../store";
import { V } from "../versions";
import { iso, requireCluster } from "./common";

/** Render a cluster in the served version's shape. */
export function renderCluster(ctx: RouteContext, c: ClusterRecord): Record<string, unknown> {
  const self = `${ctx.baseUrl}/api/atlas/v2/groups/${c.groupId}/clusters/${c.name}`;
  const host = c.name.toLowerCase();
  const common = {
    backupEnabled: c.backupEnabled,
    clusterType: "REPLICASET",
    connectionStrings: { standard: `mongodb://${host}-shard-00-00.emul.mongodb.net:27017/?ssl=true&authSource=admin`, standardSrv: `mongodb+srv://${host}.emul.mongodb.net` },
    createDate: iso(c.createDate),
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
    stateName: "IDLE",
    tags: [],
    terminationProtectionEnabled: false,
  };
  const hw = { instanceSize: c.instanceSize, nodeCount: 3 };
  if (ctx.version === "2023-01-01") {
    return {
      ...common, diskSizeGB: 10, numShards: 1, providerBackupEnabled: c.backupEnabled, replicationFactor: 3,
      providerSettings: { instanceSizeName: c.instanceSize, providerName: c.providerName, regionName: c.regionName },
    };
  }
  const regionConfig = { electableSpecs: hw, priority: 7, providerName: c.providerName, regionName: c.regionName };
  if (ctx.version === "2023-02-01") {
    return { ...common, diskSizeGB: 10, replicationSpecs: [{ id: c.id, numShards: 1, regionConfigs: [regionConfig], zoneName: "Zone 1" }] };
  }
  return { ...common, replicationSpecs: [{ id: c.id, regionConfigs: [regionConfig], zoneId: c.id, zoneName: "Zone 1" }] };
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
