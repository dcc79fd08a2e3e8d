import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { findLatestSnapshot, getLatestSnapshotOutput, type LatestSnapshot } from "../../../provider/resources/snapshot-lookup";
import { FakeAtlas, PROJECT, fakeClock } from "../../fixtures/resources/fake-atlas";

const args = { projectId: PROJECT, clusterName: "Cluster0" };

function seeded() {
  const api = new FakeAtlas();
  api.snapshots.push(
    { id: "6a00000000000000000000d1", clusterName: "Cluster0", status: "completed", createdAt: "2026-08-08T00:00:00Z" },
    { id: "6a00000000000000000000d2", clusterName: "Cluster0", status: "completed", createdAt: "2026-08-09T00:00:00Z", description: "daily" },
    { id: "6a00000000000000000000d3", clusterName: "Cluster0", status: "inProgress", createdAt: "2026-08-10T00:00:00Z" },
    { id: "6a00000000000000000000d4", clusterName: "Cluster1", status: "completed", createdAt: "2026-08-10T01:00:00Z" },
  );
  const clock = fakeClock(api, api.nowMs);
  return { api, ...clock };
}

describe("findLatestSnapshot", () => {
  it("returns the newest completed snapshot of that cluster (no take by default)", async () => {
    const { api, ctx } = seeded();
    const found = await findLatestSnapshot(api, args, { context: ctx });
    expect(found).toEqual({ snapshotId: "6a00000000000000000000d2", status: "completed", createdAt: "2026-08-09T00:00:00Z", description: "daily", taken: false });
    expect(api.count("takeSnapshot")).toBe(0);
  });

  it("no completed snapshot and take 'never': says what to do", async () => {
    const api = new FakeAtlas();
    await expect(findLatestSnapshot(api, args)).rejects.toThrow(/no completed snapshot.*take: "ifNone"/);
  });

  it("take 'ifNone' with none: takes one and waits until completed", async () => {
    const api = new FakeAtlas();
    const { ctx, state } = fakeClock(api, api.nowMs);
    api.onGetSnapshot = (s, n) => void (s.status = n < 3 ? "inProgress" : "completed");
    const found = (await findLatestSnapshot(api, { ...args, take: "ifNone", description: "for export" }, { context: ctx })) as LatestSnapshot;
    expect(found.taken).toBe(true);
    expect(found.status).toBe("completed");
    expect(found.description).toBe("for export");
    expect(api.count("takeSnapshot")).toBe(1);
    expect(api.count("getSnapshot")).toBe(3);
    expect(state.sleeps).toEqual([5000, 7500, 11250]);
  });

  it("take 'ifNone' with a completed one: does not take", async () => {
    const { api, ctx } = seeded();
    expect((await findLatestSnapshot(api, { ...args, take: "ifNone" }, { context: ctx }))?.snapshotId).toBe("6a00000000000000000000d2");
    expect(api.count("takeSnapshot")).toBe(0);
  });

  it("take 'always': takes a fresh one even if completed ones exist", async () => {
    const { api, ctx } = seeded();
    api.onGetSnapshot = (s) => void (s.status = "completed");
    const found = await findLatestSnapshot(api, { ...args, take: "always" }, { context: ctx });
    expect(found?.taken).toBe(true);
    expect(found?.snapshotId).not.toMatch(/^6a00000000000000000000d/);
  });

  it.each(["ifNone", "always"] as const)("dry run never takes a snapshot (take %s) → undefined", async (take) => {
    const api = new FakeAtlas();
    expect(await findLatestSnapshot(api, { ...args, take }, { dryRun: true })).toBeUndefined();
    expect(api.count("takeSnapshot")).toBe(0);
  });

  it("dry run still finds an existing snapshot when no take is needed", async () => {
    const { api } = seeded();
    expect((await findLatestSnapshot(api, { ...args, take: "ifNone" }, { dryRun: true }))?.snapshotId).toBe("6a00000000000000000000d2");
  });

  it("a snapshot that fails in Atlas: error", async () => {
    const api = new FakeAtlas();
    const { ctx } = fakeClock(api, api.nowMs);
    api.onGetSnapshot = (s) => void (s.status = "failed");
    await expect(findLatestSnapshot(api, { ...args, take: "ifNone" }, { context: ctx })).rejects.toThrow(/failed in Atlas/);
  });

  it("deadline: error after waitTimeoutMinutes on the injected clock", async () => {
    const api = new FakeAtlas();
    const { ctx, state } = fakeClock(api, api.nowMs);
    api.onGetSnapshot = (s) => void (s.status = "inProgress");
    await expect(findLatestSnapshot(api, { ...args, take: "ifNone", waitTimeoutMinutes: 5 }, { context: ctx })).rejects.toThrow(/still inProgress after 5 minutes/);
    expect(state.sleeps.reduce((a, b) => a + b, 0)).toBe(5 * 60_000);
  });

  it("an on-demand snapshot already running (UNFINISHED_ON_DEMAND_SNAPSHOT): waits for it instead", async () => {
    const { api, ctx } = seeded();
    api.onGetSnapshot = (s) => void (s.status = "completed");
    api.fail("takeSnapshot", { kind: "api", status: 400, errorCode: "UNFINISHED_ON_DEMAND_SNAPSHOT" });
    const found = await findLatestSnapshot(api, { ...args, take: "always" }, { context: ctx });
    expect(found?.snapshotId).toBe("6a00000000000000000000d3");
    // this call did not take it: it only waited for someone else's snapshot
    expect(found?.taken).toBe(false);
  });

  it("lost response on take: finds the snapshot, no second take", async () => {
    const api = new FakeAtlas();
    const { ctx } = fakeClock(api, api.nowMs);
    api.onGetSnapshot = (s) => void (s.status = "completed");
    api.fail("takeSnapshot", { kind: "lostResponse" });
    const found = await findLatestSnapshot(api, { ...args, take: "ifNone" }, { context: ctx });
    expect(api.count("takeSnapshot")).toBe(1);
    expect(api.snapshots).toHaveLength(1);
    expect(found?.snapshotId).toBe(api.snapshots[0]?.id);
    expect(found?.taken).toBe(true);
  });
});

describe("findLatestSnapshot argument validation (before any request, so at preview too)", () => {
  it.each([
    [{ take: "ifnone" }, /take must be one of "never", "ifNone", "always"; got "ifnone"/],
    [{ take: "Always" }, /take must be one of "never", "ifNone", "always"; got "Always"/],
    [{ take: true }, /take must be one of .*; got true/],
    [{ retentionInDays: 0 }, /retentionInDays must be an integer >= 1; got 0/],
    [{ waitTimeoutMinutes: -1 }, /waitTimeoutMinutes must be a number > 0; got -1/],
    [{ clusterName: "" }, /clusterName must be a non-empty string/],
  ])("%j is rejected naming the rule, without any call (also in a dry run)", async (bad, message) => {
    for (const dryRun of [false, true]) {
      const { api, ctx } = seeded();
      await expect(findLatestSnapshot(api, { ...args, ...(bad as object) } as never, { dryRun, context: ctx })).rejects.toThrow(message);
      expect(api.calls).toEqual([]);
    }
  });
});

describe("findLatestSnapshot on sharded and flex clusters (CONTRACT §16)", () => {
  function sharded() {
    const api = new FakeAtlas();
    api.clusters = [{ name: "Sharded0", clusterType: "SHARDED" }];
    api.snapshots.push({
      id: "6a00000000000000000000d4", clusterName: "Sharded0", status: "completed", createdAt: "2026-08-09T00:00:00Z", type: "shardedCluster",
      members: [
        { id: "6a00000000000000000000d5", replicaSetName: "sharded0-shard-0", cloudProvider: "AWS" },
        { id: "6a00000000000000000000d6", replicaSetName: "sharded0-config-0", cloudProvider: "AWS" },
      ],
    } as never);
    return { api, ...fakeClock(api, api.nowMs) };
  }

  it("reads clusterType and lists through the sharded endpoint: members reported", async () => {
    const { api, ctx } = sharded();
    const found = await findLatestSnapshot(api, { projectId: PROJECT, clusterName: "Sharded0" }, { context: ctx });
    expect(found).toMatchObject({
      snapshotId: "6a00000000000000000000d4", type: "shardedCluster", taken: false,
      members: [{ snapshotId: "6a00000000000000000000d5", replicaSetName: "sharded0-shard-0" }, { snapshotId: "6a00000000000000000000d6", replicaSetName: "sharded0-config-0" }],
    });
    expect(api.calls).toEqual(["getCluster", "listShardedSnapshots"]);
  });

  it.each(["SHARDED", "GEOSHARDED"])("%s: a taken snapshot is waited for through the sharded GET", async (clusterType) => {
    const { api, ctx } = sharded();
    api.clusters = [{ name: "Sharded0", clusterType }];
    api.onGetSnapshot = (s, n) => void (s.status = n < 2 ? "inProgress" : "completed");
    const found = await findLatestSnapshot(api, { projectId: PROJECT, clusterName: "Sharded0", take: "always" }, { context: ctx });
    expect(found?.taken).toBe(true);
    expect(api.count("takeSnapshot")).toBe(1);
    expect(api.count("getShardedSnapshot")).toBe(2);
    expect(api.count("getSnapshot")).toBe(0);
    expect(api.count("listSnapshots")).toBe(0);
  });

  it("a replica set keeps the replica-set endpoints", async () => {
    const { api, ctx } = seeded();
    await findLatestSnapshot(api, args, { context: ctx });
    expect(api.calls).toEqual(["getCluster", "listSnapshots"]);
  });

  it.each([false, true])("a flex cluster fails clearly, naming the cluster and why (dry run %s); nothing is taken", async (dryRun) => {
    const api = new FakeAtlas();
    api.fail("getCluster", { kind: "api", status: 400, errorCode: "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API" });
    const p = findLatestSnapshot(api, { projectId: PROJECT, clusterName: "Flex0", take: "always" }, { dryRun });
    await expect(p).rejects.toThrow(/cluster Flex0 in project 6a0000000000000000000001 is a flex cluster\. Atlas cannot export snapshots of flex clusters/);
    expect(api.count("takeSnapshot")).toBe(0);
    expect(api.count("listSnapshots")).toBe(0);
  });
});

describe("getLatestSnapshotOutput (program side)", () => {
  afterEach(() => {
    // setMocks is process-global; leave the runtime as a non-preview deployment.
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false);
  });

  function known<T>(o: pulumi.Output<T>): Promise<boolean> {
    return (o as unknown as { isKnown: Promise<boolean> }).isKnown;
  }

  it("preview + a snapshot to take: unknown Output, no snapshot taken", async () => {
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", true);
    const api = new FakeAtlas();
    const out = getLatestSnapshotOutput({ ...args, take: "always" }, { api });
    expect(await known(out)).toBe(false);
    expect(api.count("takeSnapshot")).toBe(0);
  });

  it("deployment: resolves to the snapshot; Input arguments are accepted", async () => {
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false);
    const { api } = seeded();
    const out = getLatestSnapshotOutput({ projectId: pulumi.output(PROJECT), clusterName: Promise.resolve("Cluster0") }, { api });
    expect(await known(out)).toBe(true);
    const value = await new Promise<LatestSnapshot>((resolve) => out.apply((v) => resolve(v)));
    expect(value.snapshotId).toBe("6a00000000000000000000d2");
  });
});
