/**
 * The recover planner (pure): pending operations + Atlas's objects → one decision each, and the
 * deployment to import.
 */
import { describe, expect, it } from "vitest";
import { autoExportId, enabledOutputs } from "../../provider/resources/auto-export-handlers";
import { bucketOutputs } from "../../provider/resources/export-bucket-handlers";
import { jobOutputs } from "../../provider/resources/export-job-handlers";
import { RECOVERABLE_KINDS } from "../../provider/recover/kinds";
import {
  operationStartBound,
  planRecovery,
  type AtlasLookup,
  type HistoryEntry,
  type PlanInput,
  type StartBound,
} from "../../provider/recover/plan";
import type { Deployment, PendingOperation } from "../../provider/recover/state";
import { FakeAtlas } from "../fixtures/resources/fake-atlas";
import {
  AUTO_EXPORT_TYPE,
  BUCKET_TYPE,
  PROJECT,
  JOB_TYPE,
  PROVIDER_TEXT,
  ROOT_URN,
  STACK_CREATED,
  UPDATE_STARTED,
  atlasBucket,
  atlasJob,
  atlasSchedule,
  autoExportInputs,
  bucketInputs,
  deployment,
  jobInputs,
  oid,
  pending,
  recorded,
} from "../fixtures/recover/state";

const NOW = new Date(UPDATE_STARTED + 600_000);
const AFTER = UPDATE_STARTED + 10_000; // created by the interrupted update
const BEFORE = UPDATE_STARTED - 3_600_000; // an hour before it started

function plan(dep: Deployment, atlas: Record<string, unknown[] | { error: string }>, bound: StartBound | null = { ms: UPDATE_STARTED, source: "test" }) {
  const lookups = new Map<string, AtlasLookup>();
  const bounds = new Map<string, StartBound | undefined>();
  for (const op of dep.pending_operations ?? []) {
    const a = atlas[op.resource.urn];
    if (a) lookups.set(op.resource.urn, Array.isArray(a) ? { items: a } : a);
    bounds.set(op.resource.urn, bound ?? undefined);
  }
  const input: PlanInput = { deployment: dep, kinds: RECOVERABLE_KINDS, atlas: lookups, bounds, now: NOW };
  return planRecovery(input);
}

describe("recover plan: pending creates of an ExportBucket", () => {
  const op = pending(BUCKET_TYPE, "b", bucketInputs("crash-bucket"));

  it("records the one matching bucket created since the update started, with the outputs create stores and __provider", () => {
    const id = oid(AFTER, 1);
    const bucket = atlasBucket(id, "crash-bucket");
    const p = plan(deployment([], [op]), { [op.resource.urn]: [bucket, atlasBucket(oid(AFTER, 2), "other-bucket")] });
    expect(p.actions.map((a) => a.kind)).toEqual(["record"]);
    const resources = p.deployment!.resources!;
    const r = resources[resources.length - 1]!;
    expect(r.urn).toBe(op.resource.urn);
    expect(r.id).toBe(id);
    expect(r.outputs).toEqual({ ...bucketOutputs(op.resource.inputs as never, bucket), __provider: PROVIDER_TEXT });
    expect(r.outputs!["exportBucketId"]).toBe(id);
    expect(r.inputs).toEqual(op.resource.inputs);
    expect(r.provider).toBe(op.resource.provider);
    expect(r.created).toBe(NOW.toISOString());
    expect(p.deployment!.pending_operations).toBeUndefined();
    // Everything else of the deployment is kept.
    expect(p.deployment!["secrets_providers"]).toEqual(deployment([], []).secrets_providers);
  });

  it("clears the operation when Atlas has no such bucket (the POST never landed)", () => {
    const p = plan(deployment([], [op]), { [op.resource.urn]: [atlasBucket(oid(AFTER, 2), "other-bucket"), atlasBucket(oid(AFTER, 3), "crash-bucket", { iamRoleId: "6a00000000000000000000b9" })] });
    expect(p.actions.map((a) => a.kind)).toEqual(["clear"]);
    expect(p.deployment!.pending_operations).toBeUndefined();
    expect(p.deployment!.resources!.map((r) => r.urn)).not.toContain(op.resource.urn);
  });

  it("never takes a twin that predates the operation: reported with its id, left pending, nothing to import", () => {
    const twin = oid(BEFORE, 7);
    const p = plan(deployment([], [op]), { [op.resource.urn]: [atlasBucket(twin, "crash-bucket")] });
    const a = p.actions[0]!;
    expect(a.kind).toBe("unresolved");
    expect(a.kind === "unresolved" && a.candidateIds).toEqual([twin]);
    expect(a.detail).toContain(twin);
    expect(a.detail).toContain("--since");
    expect(p.deployment).toBeUndefined();
  });

  it("reports two matching buckets created since the start as ambiguous, never guesses", () => {
    const ids = [oid(AFTER, 1), oid(AFTER + 1000, 2)];
    const p = plan(deployment([], [op]), { [op.resource.urn]: ids.map((id) => atlasBucket(id, "crash-bucket")) });
    const a = p.actions[0]!;
    expect(a.kind).toBe("unresolved");
    expect(a.kind === "unresolved" && a.candidateIds).toEqual(ids);
  });

  it("does not claim a bucket another resource of the stack already manages", () => {
    const id = oid(AFTER, 1);
    const other = recorded(BUCKET_TYPE, "twin", id, bucketInputs("crash-bucket"));
    const p = plan(deployment([other], [op]), { [op.resource.urn]: [atlasBucket(id, "crash-bucket")] });
    expect(p.actions.map((a) => a.kind)).toEqual(["clear"]);
  });

  it("without a provable start time, a match is reported, not taken", () => {
    const id = oid(AFTER, 1);
    const p = plan(deployment([], [op]), { [op.resource.urn]: [atlasBucket(id, "crash-bucket")] }, null);
    const a = p.actions[0]!;
    expect(a.kind).toBe("unresolved");
    expect(a.detail).toContain("no provable start time");
    // Not even an object whose creation time Atlas does not say.
    const job = pending(JOB_TYPE, "j", jobInputs(oid(BEFORE, 1)), { parent: undefined });
    const undated = atlasJob("not-an-objectid", oid(BEFORE, 1), { createdAt: undefined });
    const q = plan(deployment([], [job]), { [job.resource.urn]: [undated] }, null);
    expect(q.actions[0]).toMatchObject({ kind: "unresolved", candidateIds: ["not-an-objectid"] });
  });

  it("leaves the operation pending when Atlas could not be listed, or its inputs are secret or incomplete", () => {
    const failed = plan(deployment([], [op]), { [op.resource.urn]: { error: "GET …/exportBuckets → 401 USER_UNAUTHORIZED" } });
    expect(failed.actions[0]).toMatchObject({ kind: "unresolved" });
    expect(failed.actions[0]!.detail).toContain("401 USER_UNAUTHORIZED");
    expect(failed.deployment).toBeUndefined();

    const secretOp = pending(BUCKET_TYPE, "s", {
      ...bucketInputs("crash-bucket"),
      bucketName: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" },
    });
    const secret = plan(deployment([], [secretOp]), { [secretOp.resource.urn]: [atlasBucket(oid(AFTER, 1), "crash-bucket")] });
    expect(secret.actions[0]).toMatchObject({ kind: "unresolved" });
    expect(secret.actions[0]!.detail).toContain("secret");

    const partial = pending(BUCKET_TYPE, "p", { projectId: "6a0000000000000000000001", cloudProvider: "AWS" });
    const incomplete = plan(deployment([], [partial]), {});
    expect(incomplete.actions[0]!.detail).toContain("bucketName");
  });
});

describe("recover plan: export jobs, dependencies and other operations", () => {
  it("records a job with the outputs create stores (state, prefix, progress) and __provider", () => {
    const bucketId = oid(BEFORE, 1);
    const bucket = recorded(BUCKET_TYPE, "b", bucketId, bucketInputs("crash-bucket"));
    const op = pending(JOB_TYPE, "j", jobInputs(bucketId), { dependencies: [bucket.urn] });
    const job = atlasJob(oid(AFTER, 9), bucketId);
    const p = plan(deployment([bucket], [op]), { [op.resource.urn]: [job, atlasJob(oid(AFTER, 8), bucketId, { snapshotId: "6c0000000000000000000002" })] });
    expect(p.actions.map((a) => a.kind)).toEqual(["record"]);
    const r = p.deployment!.resources!.find((x) => x.urn === op.resource.urn)!;
    expect(r.id).toBe(job.id);
    expect(r.outputs).toEqual({ ...jobOutputs(op.resource.inputs as never, job), __provider: PROVIDER_TEXT });
    expect(r.outputs!["state"]).toBe("Successful");
    expect(p.actions[0]!.detail).toContain("Successful");
  });

  it("a job's customData is part of its identity", () => {
    const bucketId = oid(BEFORE, 1);
    const bucket = recorded(BUCKET_TYPE, "b", bucketId, bucketInputs("crash-bucket"));
    const op = pending(JOB_TYPE, "j", { ...jobInputs(bucketId), customData: { team: "data" } }, { dependencies: [bucket.urn] });
    const plain = atlasJob(oid(AFTER, 9), bucketId);
    expect(plan(deployment([bucket], [op]), { [op.resource.urn]: [plain] }).actions[0]!.kind).toBe("clear");
    const labelled = atlasJob(oid(AFTER, 9), bucketId, { customData: [{ key: "team", value: "data" }] });
    expect(plan(deployment([bucket], [op]), { [op.resource.urn]: [labelled] }).actions[0]!.kind).toBe("record");
  });

  it("records a bucket and the job that depends on it, the bucket first", () => {
    const bucketId = oid(AFTER, 1);
    const bOp = pending(BUCKET_TYPE, "b", bucketInputs("crash-bucket"));
    const jOp = pending(JOB_TYPE, "j", jobInputs(bucketId), { dependencies: [bOp.resource.urn], propertyDependencies: { exportBucketId: [bOp.resource.urn] } });
    // Pending operations are listed in the order they started; put the job first to check the sort.
    const p = plan(deployment([], [jOp, bOp]), {
      [bOp.resource.urn]: [atlasBucket(bucketId, "crash-bucket")],
      [jOp.resource.urn]: [atlasJob(oid(AFTER + 2000, 9), bucketId)],
    });
    expect(p.actions.map((a) => a.kind)).toEqual(["record", "record"]);
    const urns = p.deployment!.resources!.map((r) => r.urn);
    expect(urns.indexOf(bOp.resource.urn)).toBeLessThan(urns.indexOf(jOp.resource.urn));
  });

  it("cannot record a job whose bucket is not in the state: it stays pending", () => {
    const bucketId = oid(AFTER, 1);
    const bOp = pending(BUCKET_TYPE, "b", bucketInputs("crash-bucket"));
    const jOp = pending(JOB_TYPE, "j", jobInputs(bucketId), { dependencies: [bOp.resource.urn] });
    const twin = oid(BEFORE, 5);
    const p = plan(deployment([], [bOp, jOp]), {
      [bOp.resource.urn]: [atlasBucket(twin, "crash-bucket")],
      [jOp.resource.urn]: [atlasJob(oid(AFTER, 9), bucketId)],
    });
    expect(p.actions.map((a) => a.kind)).toEqual(["unresolved", "unresolved"]);
    expect(p.actions[1]!.detail).toContain(bOp.resource.urn);
  });

  it("clears interrupted updates and deletes of its own types; leaves other types' operations alone", () => {
    const bucketId = oid(BEFORE, 1);
    const bucket = recorded(BUCKET_TYPE, "b", bucketId, bucketInputs("crash-bucket"));
    const upd = pending(BUCKET_TYPE, "b", { ...bucketInputs("crash-bucket"), requirePrivateNetworking: true }, { id: bucketId }, "updating");
    const del = pending(JOB_TYPE, "old", jobInputs(bucketId), { id: oid(BEFORE, 2) }, "deleting");
    const foreign: PendingOperation = pending("aws:s3/bucket:Bucket", "raw", { bucket: "x" });
    const p = plan(deployment([bucket], [upd, foreign, del]), {});
    expect(p.actions.map((a) => [a.kind, a.op.type])).toEqual([
      ["clear", "updating"],
      ["clear", "deleting"],
    ]);
    expect(p.foreign).toEqual([foreign]);
    expect(p.deployment!.pending_operations).toEqual([foreign]);
    // The resource's previous state is untouched.
    expect(p.deployment!.resources!.find((r) => r.urn === bucket.urn)).toEqual(bucket);
  });

  it("with only other types' operations, there is nothing to import", () => {
    const foreign = pending("aws:s3/bucket:Bucket", "raw", { bucket: "x" });
    const p = plan(deployment([], [foreign]), {});
    expect(p.actions).toEqual([]);
    expect(p.deployment).toBeUndefined();
  });
});

describe("recover plan: AutoExport (a setting of the cluster's backup schedule)", () => {
  const bucketId = oid(BEFORE, 1);
  const otherBucket = oid(BEFORE, 2);
  const id = autoExportId(PROJECT, "Cluster0");
  const create = pending(AUTO_EXPORT_TYPE, "ae", autoExportInputs(bucketId));

  it("records a pending create when the schedule auto-exports into exactly the requested bucket and frequency, with the outputs create stores and __provider", () => {
    const schedule = atlasSchedule(bucketId);
    // No start bound at all: a schedule has no creation time, and none is needed.
    const p = plan(deployment([], [create]), { [create.resource.urn]: [schedule] }, null);
    expect(p.actions.map((a) => a.kind)).toEqual(["record"]);
    const r = p.deployment!.resources!.find((x) => x.urn === create.resource.urn)!;
    expect(r.id).toBe(id);
    expect(r.outputs).toEqual({ ...enabledOutputs(create.resource.inputs as never, schedule), __provider: PROVIDER_TEXT });
    expect(r.outputs).toMatchObject({ autoExportEnabled: true, exportBucketId: bucketId, frequencyType: "monthly" });
    // The prefix flag is not managed when the program leaves it out.
    expect(r.outputs).not.toHaveProperty("useOrgAndGroupNamesInExportPrefix");
    expect(r.inputs).toEqual(create.resource.inputs);
    expect(r.provider).toBe(create.resource.provider);
    expect(r.created).toBe(NOW.toISOString());
    expect(p.deployment!.pending_operations).toBeUndefined();
    expect(p.actions[0]!.detail).toContain("the create landed");
  });

  it("clears a pending create when the schedule does not show what it asked for (off, another bucket, another frequency, another prefix flag)", () => {
    const off = atlasSchedule(bucketId, { autoExportEnabled: false, export: undefined });
    const elsewhere = atlasSchedule(otherBucket);
    const yearly = atlasSchedule(bucketId, { export: { exportBucketId: bucketId, frequencyType: "yearly" } });
    for (const schedule of [off, elsewhere, yearly]) {
      const p = plan(deployment([], [create]), { [create.resource.urn]: [schedule] });
      expect(p.actions.map((a) => a.kind)).toEqual(["clear"]);
      expect(p.actions[0]!.detail).toContain("idempotent");
      expect(p.deployment!.pending_operations).toBeUndefined();
      expect(p.deployment!.resources!.map((r) => r.urn)).not.toContain(create.resource.urn);
    }
    const withPrefix = pending(AUTO_EXPORT_TYPE, "ae", autoExportInputs(bucketId, { useOrgAndGroupNamesInExportPrefix: true }));
    const flagOff = atlasSchedule(bucketId, { useOrgAndGroupNamesInExportPrefix: false });
    expect(plan(deployment([], [withPrefix]), { [withPrefix.resource.urn]: [flagOff] }).actions[0]!.kind).toBe("clear");
    const flagOn = atlasSchedule(bucketId, { useOrgAndGroupNamesInExportPrefix: true });
    const p = plan(deployment([], [withPrefix]), { [withPrefix.resource.urn]: [flagOn] });
    expect(p.actions[0]!.kind).toBe("record");
    expect(p.deployment!.resources!.find((x) => x.urn === withPrefix.resource.urn)!.outputs!["useOrgAndGroupNamesInExportPrefix"]).toBe(true);
  });

  it("clears a pending create on a cluster that does not exist: the kind's lookup turns Atlas's 404 into no schedule", async () => {
    const kind = RECOVERABLE_KINDS.get(AUTO_EXPORT_TYPE)!;
    const atlas = new FakeAtlas();
    atlas.schedules.set("Cluster0", "missing");
    const items = await kind.list(atlas, create.resource.inputs!);
    expect(items).toEqual([]);
    const p = plan(deployment([], [create]), { [create.resource.urn]: items });
    expect(p.actions.map((a) => a.kind)).toEqual(["clear"]);
    expect(p.actions[0]!.detail).toContain("cluster does not exist");
    // Any other error is not "no schedule": it reaches the lookup, which leaves the operation pending.
    atlas.schedules.set("Cluster0", atlasSchedule(bucketId));
    expect(await kind.list(atlas, create.resource.inputs!)).toEqual([atlasSchedule(bucketId)]);
    atlas.fail("getBackupSchedule", { kind: "api", status: 401, errorCode: "USER_UNAUTHORIZED" });
    await expect(kind.list(atlas, create.resource.inputs!)).rejects.toThrow();
    const failed = plan(deployment([], [create]), { [create.resource.urn]: { error: "GET …/backup/schedule → 401 USER_UNAUTHORIZED" } });
    expect(failed.actions[0]).toMatchObject({ kind: "unresolved" });
    expect(failed.deployment).toBeUndefined();
  });

  it("records a pending update that landed by replacing the resource's previous state in place (created kept)", () => {
    const before = { ...recorded(AUTO_EXPORT_TYPE, "ae", id, autoExportInputs(otherBucket)), created: "2026-01-10T11:00:00Z" };
    const upd = pending(AUTO_EXPORT_TYPE, "ae", autoExportInputs(bucketId), { id }, "updating");
    const schedule = atlasSchedule(bucketId);
    const p = plan(deployment([before], [upd]), { [upd.resource.urn]: [schedule] });
    expect(p.actions.map((a) => [a.kind, a.op.type])).toEqual([["record", "updating"]]);
    const same = p.deployment!.resources!.filter((r) => r.urn === upd.resource.urn);
    expect(same).toHaveLength(1);
    expect(same[0]!.outputs).toEqual({ ...enabledOutputs(upd.resource.inputs as never, schedule), __provider: PROVIDER_TEXT });
    expect(same[0]!.inputs).toEqual(upd.resource.inputs);
    expect(same[0]!.created).toBe("2026-01-10T11:00:00Z");
    expect(same[0]!.modified).toBe(NOW.toISOString());
    expect(p.deployment!.resources!.indexOf(same[0]!)).toBe(deployment([before], []).resources!.findIndex((r) => r.urn === before.urn));
    expect(p.deployment!.pending_operations).toBeUndefined();
  });

  it("clears a pending update that did not land, and a pending delete, leaving the previous state as it is", () => {
    const before = recorded(AUTO_EXPORT_TYPE, "ae", id, autoExportInputs(otherBucket));
    const upd = pending(AUTO_EXPORT_TYPE, "ae", autoExportInputs(bucketId), { id }, "updating");
    const p = plan(deployment([before], [upd]), { [upd.resource.urn]: [atlasSchedule(otherBucket)] });
    expect(p.actions.map((a) => a.kind)).toEqual(["clear"]);
    expect(p.actions[0]!.detail).toContain("sends the update again");
    expect(p.deployment!.resources!.find((r) => r.urn === before.urn)).toEqual(before);
    expect(p.deployment!.pending_operations).toBeUndefined();

    const del = pending(AUTO_EXPORT_TYPE, "ae", autoExportInputs(otherBucket), { id }, "deleting");
    const d = plan(deployment([before], [del]), {});
    expect(d.actions.map((a) => [a.kind, a.op.type])).toEqual([["clear", "deleting"]]);
    expect(d.deployment!.resources!.find((r) => r.urn === before.urn)).toEqual(before);
  });

  it("leaves a pending create with secret inputs pending", () => {
    const secret = pending(AUTO_EXPORT_TYPE, "s", {
      ...autoExportInputs(bucketId),
      exportBucketId: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" },
    });
    const p = plan(deployment([], [secret]), { [secret.resource.urn]: [atlasSchedule(bucketId)] });
    expect(p.actions[0]).toMatchObject({ kind: "unresolved" });
    expect(p.deployment).toBeUndefined();
  });
});

describe("operationStartBound: a time provably at or before the create request", () => {
  const bucketId = oid(BEFORE, 1);
  const bucket = { ...recorded(BUCKET_TYPE, "b", bucketId, bucketInputs("crash-bucket")), created: "2026-01-10T11:00:00Z", modified: "2026-01-10T11:30:00Z" };
  const op = pending(JOB_TYPE, "j", jobInputs(bucketId), { dependencies: [bucket.urn] });
  const dep = deployment([bucket], [op]);

  it("is the newest history entry's start when that is the latest evidence (epoch seconds or RFC 3339)", () => {
    const history: HistoryEntry[] = [
      { kind: "update", startTime: (UPDATE_STARTED - 1000) / 1000, endTime: UPDATE_STARTED / 1000 + 9999, result: "failed" },
      { kind: "refresh", startTime: "2026-01-09T00:00:00Z" },
    ];
    expect(operationStartBound(dep, op, history)).toEqual({ ms: UPDATE_STARTED - 1000, source: expect.stringContaining("history") });
  });

  it("uses the parent's and dependencies' created/modified times when they are later", () => {
    const b = operationStartBound(dep, op, [{ kind: "update", startTime: "2026-01-10T09:00:00Z" }]);
    expect(b).toEqual({ ms: Date.parse("2026-01-10T11:30:00Z"), source: expect.stringContaining("b (a parent or dependency)") });
  });

  it("falls back to the root stack's creation on a stack's first update (no history)", () => {
    const first = pending(BUCKET_TYPE, "b2", bucketInputs("x"));
    expect(operationStartBound(deployment([], [first]), first, [])).toEqual({ ms: STACK_CREATED, source: expect.stringContaining("proj-test") });
    expect(first.resource.parent).toBe(ROOT_URN);
  });

  it("--since replaces the computed bound; no evidence at all gives none", () => {
    expect(operationStartBound(dep, op, [], 42_000)).toEqual({ ms: 42_000, source: "--since" });
    const orphan = pending(BUCKET_TYPE, "b3", bucketInputs("x"), { parent: undefined });
    expect(operationStartBound({ resources: [] }, orphan, [])).toBeUndefined();
  });
});
