/**
 * Issue 12 point 8 through the real Pulumi engine: getLatestSnapshotOutput on the seeded sharded
 * cluster (CONTRACT §16) finds its sharded snapshot (type shardedCluster, one member per shard and
 * config server) and ExportJob exports it end to end, reporting one component per replica set.
 * A flex cluster fails at preview with an error naming it and saying why; a `take` typo fails at
 * preview without any request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearAtlasEnv, createTestStack, failureOf, loadPackage, nativeRequire, type TestStack } from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
type RunningEmulator = Awaited<ReturnType<Emulator["startEmulator"]>>;
const { startEmulator, SEED }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

const projectId = SEED.groupId;

clearAtlasEnv();

const configFor = (e: RunningEmulator) => ({
  "mongodbatlas:baseUrl": { value: e.url },
  "mongodbatlas:publicKey": { value: e.credentials.apiKey.publicKey },
  "mongodbatlas:privateKey": { value: e.credentials.apiKey.privateKey, secret: true },
});

/** A bucket and one ExportJob of the latest snapshot of `clusterName` (with `take` as given). */
function program(clusterName: string, take?: string) {
  const { ExportBucket, ExportJob, getLatestSnapshotOutput } = loadPackage();
  return async () => {
    const bucket = new ExportBucket("bucket", { projectId, cloudProvider: "AWS", bucketName: "e2e-sharded-exports", iamRoleId: SEED.awsRoleId });
    const snapshot = getLatestSnapshotOutput({ projectId, clusterName, ...(take !== undefined ? { take: take as "never" } : {}) });
    const job = new ExportJob("job", { projectId, clusterName, snapshotId: snapshot.snapshotId, exportBucketId: bucket.exportBucketId });
    return { snapshot, exportJobId: job.exportJobId, state: job.state, components: job.components };
  };
}

describe("issue 12.8: exporting a sharded cluster's snapshot through the real engine", () => {
  let emulator: RunningEmulator;
  let t: TestStack;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    t = await createTestStack({ name: "sharded-export", config: configFor(emulator), program: program(SEED.shardedCluster) });
  });
  afterAll(async () => {
    await t?.cleanup();
    await emulator?.close();
  });

  it("preview reads the cluster kind and the sharded snapshots only", async () => {
    const before = emulator.requestLog.length;
    const pv = await t.stack.preview({ onOutput: t.onOutput });
    expect(pv.changeSummary["create"]).toBe(3);
    const ok = emulator.requestLog.slice(before).filter((e) => e.status === 200).map((e) => `${e.method} ${e.operation} ${e.version}`);
    expect(ok).toEqual(["GET getCluster 2024-08-05", "GET listBackupShardedClusters 2023-01-01"]);
    expect(emulator.store.listJobs(projectId, SEED.shardedCluster)).toEqual([]);
  });

  it("up exports the sharded snapshot: job Successful with one component per shard and config server", async () => {
    const up = await t.stack.up({ onOutput: t.onOutput });
    expect(up.summary.resourceChanges?.["create"]).toBe(3);
    const snapshot = up.outputs["snapshot"]?.value as { snapshotId: string; type: string; taken: boolean; members: { snapshotId: string; replicaSetName: string }[] };
    expect(snapshot).toMatchObject({ snapshotId: SEED.shardedSnapshotId, type: "shardedCluster", taken: false });
    expect(snapshot.members.map((m) => m.snapshotId)).toEqual([...SEED.shardedMemberSnapshotIds]);
    expect(up.outputs["state"]?.value).toBe("Successful");
    const components = up.outputs["components"]?.value as { exportId: string; replicaSetName: string }[];
    expect(components.map((c) => c.replicaSetName)).toEqual(["shardedcluster0-shard-0", "shardedcluster0-shard-1", "shardedcluster0-config-0"]);
    const jobs = emulator.store.listJobs(projectId, SEED.shardedCluster);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: up.outputs["exportJobId"]?.value, snapshotId: SEED.shardedSnapshotId, components });
  });

  it("a second up changes nothing; destroy removes the bucket", async () => {
    const again = await t.stack.up({ onOutput: t.onOutput });
    expect(again.summary.resourceChanges?.["same"]).toBe(3);
    await t.stack.destroy({ onOutput: t.onOutput });
    expect(emulator.store.listBuckets(projectId)).toEqual([]);
  });

  it("a flex cluster fails at preview naming the cluster and why; nothing is created", async () => {
    const flex = await createTestStack({ name: "flex-lookup", config: configFor(emulator), program: program(SEED.flexCluster, "ifNone") });
    try {
      const message = await failureOf(flex.stack.preview({ onOutput: flex.onOutput }));
      expect(message).toContain(`cluster ${SEED.flexCluster} in project ${projectId} is a flex cluster`);
      expect(message).toContain("Atlas cannot export snapshots of flex clusters");
      expect(emulator.store.listSnapshots(projectId, SEED.flexCluster)).toHaveLength(2);
    } finally {
      await flex.cleanup();
    }
  });

  it("a take typo fails at preview naming the allowed values, before any request", async () => {
    const typo = await createTestStack({ name: "take-typo", config: configFor(emulator), program: program(SEED.shardedCluster, "ifnone") });
    try {
      const before = emulator.requestLog.length;
      const message = await failureOf(typo.stack.preview({ onOutput: typo.onOutput }));
      expect(message).toContain('take must be one of "never", "ifNone", "always"; got "ifnone"');
      expect(emulator.requestLog.slice(before).filter((e) => e.path.includes("/clusters/"))).toEqual([]);
    } finally {
      await typo.cleanup();
    }
  });
});
