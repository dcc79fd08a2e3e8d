/**
 * Cluster kinds (CONTRACT §16): dedicated replica sets, dedicated sharded clusters (SHARDED /
 * GEOSHARDED) and flex clusters. A sharded cluster's snapshot is made of one member snapshot per
 * replica set — each shard, then the config server (§16.2: "created for the shards and config
 * host") — and an export of it reports one component per replica set (§16.4).
 */
import type { ClusterRecord } from "./store";

/** True for SHARDED and GEOSHARDED clusters (a global cluster is sharded too, §16.1). */
export function isSharded(c: ClusterRecord): boolean {
  return c.clusterType === "SHARDED" || c.clusterType === "GEOSHARDED";
}

/** `clusterType` as the cluster API reports it (older persisted states have none: REPLICASET). */
export function clusterTypeOf(c: ClusterRecord): string {
  return c.clusterType ?? "REPLICASET";
}

/** Shards of a sharded cluster (1 for a replica set). */
export function shardCount(c: ClusterRecord): number {
  return isSharded(c) ? Math.max(1, c.numShards ?? 2) : 1;
}

/**
 * Replica-set names of a sharded cluster: `<name>-shard-<i>` per shard, then `<name>-config-0`
 * (host names of the recorded 2-shard cluster are `cluster-703-shard-00-00…` and
 * `cluster-703-config-00-00…`). Empty for a replica set.
 */
export function shardedReplicaSetNames(c: ClusterRecord): string[] {
  if (!isSharded(c)) return [];
  const host = c.name.toLowerCase();
  return [...Array.from({ length: shardCount(c) }, (_, i) => `${host}-shard-${i}`), `${host}-config-0`];
}
