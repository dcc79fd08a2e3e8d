/**
 * Sharded and flex clusters in the emulator (CONTRACT §16): the seeded ShardedCluster0 and
 * FlexCluster0, the sharded-snapshot endpoints, snapshot DELETE, export components, and the
 * cluster-API / flex-API cross answers Atlas gives (recorded).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../../emulator/index";
import { GROUP, V2, useEmulator } from "../helpers/emulator";

const { emu, api } = useEmulator({ timeScale: 0 });
beforeEach(() => emu().reset());

const CLUSTERS = `${V2}/groups/${GROUP}/clusters`;
const SHARDED = `${CLUSTERS}/${SEED.shardedCluster}`;
const FLEX = `${V2}/groups/${GROUP}/flexClusters/${SEED.flexCluster}`;

describe("sharded cluster", () => {
  it("cluster GET reports SHARDED in every version (2 shards)", async () => {
    const legacy = await api.get(SHARDED, "2023-01-01");
    expect(legacy.json).toMatchObject({ clusterType: "SHARDED", numShards: 2 });
    const advanced = await api.get(SHARDED, "2023-02-01");
    expect(advanced.json.clusterType).toBe("SHARDED");
    expect(advanced.json.replicationSpecs).toHaveLength(1);
    expect(advanced.json.replicationSpecs[0].numShards).toBe(2);
    const current = await api.get(SHARDED, "2024-08-05");
    expect(current.headers.get("content-type")).toBe("application/vnd.atlas.2024-08-05+json;charset=utf-8");
    expect(current.json).toMatchObject({ clusterType: "SHARDED", configServerType: "EMBEDDED", configServerManagementMode: "ATLAS_MANAGED" });
    expect(current.json.replicationSpecs).toHaveLength(2);
    expect(new Set(current.json.replicationSpecs.map((s: { id: string }) => s.id)).size).toBe(2);
    const rs = await api.get(`${CLUSTERS}/Cluster0`, "2024-08-05");
    expect(rs.json.clusterType).toBe("REPLICASET");
    expect(rs.json.configServerType).toBeUndefined();
  });

  it("lists and gets sharded snapshots with members and snapshotIds", async () => {
    const list = await api.get(`${SHARDED}/backup/snapshots/shardedClusters`, "2023-01-01");
    expect(list.status).toBe(200);
    expect(list.headers.get("content-type")).toBe("application/vnd.atlas.2023-01-01+json;charset=utf-8");
    expect(list.json.totalCount).toBe(1);
    const snap = list.json.results[0];
    expect(snap).toMatchObject({ id: SEED.shardedSnapshotId, type: "shardedCluster", status: "completed", configServerType: "EMBEDDED" });
    expect(snap.snapshotIds).toEqual([...SEED.shardedMemberSnapshotIds]);
    expect(snap.members).toEqual([
      { cloudProvider: "AWS", id: SEED.shardedMemberSnapshotIds[0], replicaSetName: "shardedcluster0-shard-0" },
      { cloudProvider: "AWS", id: SEED.shardedMemberSnapshotIds[1], replicaSetName: "shardedcluster0-shard-1" },
      { cloudProvider: "AWS", id: SEED.shardedMemberSnapshotIds[2], replicaSetName: "shardedcluster0-config-0" },
    ]);
    expect(snap.replicaSetName).toBeUndefined();
    const one = await api.get(`${SHARDED}/backup/snapshots/shardedCluster/${SEED.shardedSnapshotId}`, "2023-01-01");
    expect(one.status).toBe(200);
    expect(one.json).toEqual(snap);
    // The replica-set endpoints serve the same snapshot as type shardedCluster, without members.
    const viaRs = await api.get(`${SHARDED}/backup/snapshots/${SEED.shardedSnapshotId}`, "2023-01-01");
    expect(viaRs.json).toMatchObject({ id: SEED.shardedSnapshotId, type: "shardedCluster" });
    expect(viaRs.json.members).toBeUndefined();
  });

  it("a replica set has no sharded snapshots; the sharded GET of one is 404 SNAPSHOT_NOT_FOUND", async () => {
    const list = await api.get(`${CLUSTERS}/Cluster0/backup/snapshots/shardedClusters`, "2023-01-01");
    expect(list.status).toBe(200);
    expect(list.json.results).toEqual([]);
    const one = await api.get(`${CLUSTERS}/Cluster0/backup/snapshots/shardedCluster/${SEED.snapshotIds.Cluster0[0]}`, "2023-01-01");
    expect(one.status).toBe(404);
    expect(one.json.errorCode).toBe("SNAPSHOT_NOT_FOUND");
  });

  it("takes an on-demand snapshot of a sharded cluster (type shardedCluster, one member per replica set)", async () => {
    const t = await api.post(`${SHARDED}/backup/snapshots`, "2023-01-01", { description: "sharded" });
    expect(t.json).toMatchObject({ type: "shardedCluster", status: "queued" });
    const g = await api.get(`${SHARDED}/backup/snapshots/shardedCluster/${t.json.id}`, "2023-01-01");
    expect(g.json.status).toBe("completed");
    expect(g.json.members).toHaveLength(3);
    expect(g.json.snapshotIds).toEqual(g.json.members.map((m: { id: string }) => m.id));
  });

  it("an export job of a sharded snapshot carries one component per replica set; a replica set's none", async () => {
    const job = await api.post(`${SHARDED}/backup/exports`, "2023-01-01", { snapshotId: SEED.shardedSnapshotId, exportBucketId: SEED.bucketId });
    expect(job.status).toBe(200);
    expect(job.json.components.map((c: { replicaSetName: string }) => c.replicaSetName)).toEqual(["shardedcluster0-shard-0", "shardedcluster0-shard-1", "shardedcluster0-config-0"]);
    for (const c of job.json.components) expect(c.exportId).toMatch(/^[a-f0-9]{24}$/);
    const read = await api.get(`${SHARDED}/backup/exports/${job.json.id}`, "2023-01-01");
    expect(read.json.state).toBe("Successful");
    expect(read.json.components).toEqual(job.json.components);
    const rs = await api.post(`${CLUSTERS}/Cluster0/backup/exports`, "2023-01-01", { snapshotId: SEED.snapshotIds.Cluster0[1], exportBucketId: SEED.bucketId });
    expect(rs.json.components).toBeUndefined();
  });
});

describe("snapshot DELETE", () => {
  it("deletes a replica-set snapshot: 204, versioned content type, empty body; then 404", async () => {
    const path = `${CLUSTERS}/Cluster0/backup/snapshots/${SEED.snapshotIds.Cluster0[0]}`;
    const d = await api.del(path, "2023-01-01");
    expect(d.status).toBe(204);
    expect(d.headers.get("content-type")).toBe("application/vnd.atlas.2023-01-01+json;charset=utf-8");
    expect(d.text).toBe("");
    expect((await api.get(path, "2023-01-01")).json.errorCode).toBe("SNAPSHOT_NOT_FOUND");
    expect((await api.del(path, "2023-01-01")).status).toBe(404);
  });

  it("deletes a sharded snapshot through the sharded endpoint", async () => {
    const path = `${SHARDED}/backup/snapshots/shardedCluster/${SEED.shardedSnapshotId}`;
    expect((await api.del(path, "2023-01-01")).status).toBe(204);
    expect((await api.get(path, "2023-01-01")).status).toBe(404);
  });

  it("refuses to delete a snapshot still in progress", async () => {
    emu().setTimeScale(1000);
    const t = await api.post(`${CLUSTERS}/Cluster1/backup/snapshots`, "2023-01-01", {});
    const d = await api.del(`${CLUSTERS}/Cluster1/backup/snapshots/${t.json.id}`, "2023-01-01");
    expect(d.status).toBe(400);
    expect(d.json.errorCode).toBe("CANNOT_DELETE_IN_PROGRESS_SNAPSHOT");
    emu().setTimeScale(0);
  });
});

describe("flex cluster", () => {
  it("is served by the flex API at 2024-11-13 only", async () => {
    const g = await api.get(FLEX, "2024-11-13");
    expect(g.status).toBe(200);
    expect(g.headers.get("content-type")).toBe("application/vnd.atlas.2024-11-13+json;charset=utf-8");
    expect(g.json).toMatchObject({ name: SEED.flexCluster, clusterType: "REPLICASET", providerSettings: { providerName: "FLEX", backingProviderName: "AWS" }, backupSettings: { enabled: true } });
    const early = await api.get(FLEX, "2024-08-05");
    expect(early.status).toBe(406);
    expect(early.json.errorCode).toBe("INVALID_VERSION_DATE");
  });

  it("lists and gets flex snapshots (UPPER-CASE status)", async () => {
    const l = await api.get(`${FLEX}/backup/snapshots`, "2024-11-13");
    expect(l.json.results.map((s: { id: string }) => s.id)).toEqual([...SEED.flexSnapshotIds]);
    expect(l.json.results[0]).toMatchObject({ status: "COMPLETED", mongoDBVersion: "8.0.29" });
    for (const k of ["expiration", "finishTime", "scheduledTime", "startTime"]) expect(typeof l.json.results[0][k]).toBe("string");
    const one = await api.get(`${FLEX}/backup/snapshots/${SEED.flexSnapshotIds[1]}`, "2024-11-13");
    expect(one.json).toEqual(l.json.results[1]);
    const nf = await api.get(`${FLEX}/backup/snapshots/6a0000000000000000000fff`, "2024-11-13");
    expect(nf.json.errorCode).toBe("SNAPSHOT_NOT_FOUND");
  });

  it("answers a dedicated cluster on the flex API with 400 CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API", async () => {
    for (const p of ["", "/backup/snapshots", `/backup/snapshots/${SEED.snapshotIds.Cluster0[0]}`]) {
      const r = await api.get(`${V2}/groups/${GROUP}/flexClusters/Cluster0${p}`, "2024-11-13");
      expect(r.status, p).toBe(400);
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.json).toEqual({ detail: "Cannot use non-flex cluster Cluster0 in the flex API.", error: 400, errorCode: "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API", parameters: ["Cluster0"], reason: "Bad Request" });
    }
    const missing = await api.get(`${V2}/groups/${GROUP}/flexClusters/Nope`, "2024-11-13");
    expect(missing.json.errorCode).toBe("CLUSTER_NOT_FOUND");
  });

  it("answers a flex cluster on the cluster API with 400 CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API; lists leave it out", async () => {
    for (const p of ["", "/backup/snapshots", "/backup/exports", `/backup/snapshots/${SEED.flexSnapshotIds[0]}`]) {
      const r = await api.get(`${CLUSTERS}/${SEED.flexCluster}${p}`, p === "" ? "2023-02-01" : "2023-01-01");
      expect(r.status, p).toBe(400);
      expect(r.json).toEqual({ detail: `Flex cluster ${SEED.flexCluster} cannot be used in the Cluster API.`, error: 400, errorCode: "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API", parameters: [SEED.flexCluster], reason: "Bad Request" });
      if (p === "") expect(r.headers.get("sunset")).not.toBeNull(); // the 2023-02-01 error keeps Deprecation/Sunset [rec]
    }
    const take = await api.post(`${CLUSTERS}/${SEED.flexCluster}/backup/exports`, "2023-01-01", { snapshotId: SEED.flexSnapshotIds[0], exportBucketId: SEED.bucketId });
    expect(take.json.errorCode).toBe("CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API");
    const list = await api.get(CLUSTERS, "2024-08-05");
    expect(list.json.results.map((c: { name: string }) => c.name)).not.toContain(SEED.flexCluster);
  });
});
