/**
 * AutoExport handlers against the fake Atlas: exactly which PATCH bodies reach the schedule,
 * what refresh reports after changes in the UI, and what delete leaves alone.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as runtime from "../../../provider/resources/runtime";
import {
  createAutoExport,
  deleteAutoExport,
  readAutoExport,
  updateAutoExport,
  type AutoExportInputs,
} from "../../../provider/resources/auto-export-handlers";
import { deleteExportBucket } from "../../../provider/resources/export-bucket-handlers";
import { FakeAtlas, PROJECT, fakeClock } from "../../fixtures/resources/fake-atlas";

const BUCKET = "6a00000000000000000000c1";
const OTHER = "6a00000000000000000000c2";
const inputs: AutoExportInputs = { projectId: PROJECT, clusterName: "Cluster0", exportBucketId: BUCKET, frequencyType: "monthly" };
const ID = `${PROJECT}-Cluster0`;

/** A schedule as Atlas returns it with auto-export off: the other settings must survive every call. */
const freshSchedule = () => ({
  clusterName: "Cluster0",
  autoExportEnabled: false,
  useOrgAndGroupNamesInExportPrefix: false,
  policies: [{ id: "p1", policyItems: [{ id: "i1", frequencyType: "hourly" }] }],
  referenceHourOfDay: 3,
});

let api: FakeAtlas;
beforeEach(() => {
  api = new FakeAtlas();
  api.schedules.set("Cluster0", freshSchedule());
});

describe("create / update", () => {
  it("create sends ONE PATCH with only autoExportEnabled:true and export; id is <projectId>-<clusterName>", async () => {
    const r = await createAutoExport(api, inputs);
    expect(api.calls).toEqual(["updateBackupSchedule"]);
    expect(api.schedulePatches).toEqual([{ clusterName: "Cluster0", body: { autoExportEnabled: true, export: { exportBucketId: BUCKET, frequencyType: "monthly" } } }]);
    expect(r).toEqual({ id: ID, outs: { ...inputs, autoExportEnabled: true, schemaVersion: 1 } });
    // The rest of the schedule is untouched.
    expect(api.schedules.get("Cluster0")).toMatchObject({ policies: freshSchedule().policies, referenceHourOfDay: 3 });
  });

  it("useOrgAndGroupNamesInExportPrefix is sent only when set, and then stored", async () => {
    const r = await createAutoExport(api, { ...inputs, useOrgAndGroupNamesInExportPrefix: true });
    expect(api.schedulePatches[0]!.body).toEqual({ autoExportEnabled: true, export: { exportBucketId: BUCKET, frequencyType: "monthly" }, useOrgAndGroupNamesInExportPrefix: true });
    expect(r.outs.useOrgAndGroupNamesInExportPrefix).toBe(true);
  });

  it("update of the frequency is one PATCH carrying autoExportEnabled and export together", async () => {
    const created = await createAutoExport(api, inputs);
    const r = await updateAutoExport(api, ID, created.outs as unknown as Record<string, unknown>, { ...inputs, frequencyType: "yearly" });
    expect(api.count("updateBackupSchedule")).toBe(2);
    expect(api.schedulePatches[1]!.body).toEqual({ autoExportEnabled: true, export: { exportBucketId: BUCKET, frequencyType: "yearly" } });
    expect(r.outs).toEqual({ ...inputs, frequencyType: "yearly", autoExportEnabled: true, schemaVersion: 1 });
  });

  it("an Atlas rejection (e.g. daily without Support) propagates with its code", async () => {
    api.fail("updateBackupSchedule", { kind: "api", status: 400, errorCode: "INVALID_ENUM_VALUE" });
    await expect(createAutoExport(api, { ...inputs, frequencyType: "daily" })).rejects.toMatchObject({ errorCode: "INVALID_ENUM_VALUE", status: 400 });
  });
});

describe("read (refresh)", () => {
  it("no drift: the same outputs and the argument fields as inputs", async () => {
    const { outs } = await createAutoExport(api, inputs);
    const r = await readAutoExport(api, ID, { ...outs });
    expect(r).toEqual({ id: ID, props: outs, inputs: { ...inputs } });
    expect(api.count("getBackupSchedule")).toBe(1);
    expect(api.count("updateBackupSchedule")).toBe(1);
  });

  it("auto-export turned off in the UI: autoExportEnabled false and no bucket/frequency", async () => {
    const { outs } = await createAutoExport(api, inputs);
    api.schedules.set("Cluster0", freshSchedule());
    const r = await readAutoExport(api, ID, { ...outs });
    expect(r.props).toEqual({ projectId: PROJECT, clusterName: "Cluster0", autoExportEnabled: false, schemaVersion: 1 });
    expect(r.inputs).toEqual({ projectId: PROJECT, clusterName: "Cluster0" });
  });

  it("pointed at another bucket and frequency in the UI: reports them", async () => {
    const { outs } = await createAutoExport(api, inputs);
    api.schedules.set("Cluster0", { ...freshSchedule(), autoExportEnabled: true, export: { exportBucketId: OTHER, frequencyType: "yearly" } });
    const r = await readAutoExport(api, ID, { ...outs });
    expect(r.props).toMatchObject({ exportBucketId: OTHER, frequencyType: "yearly", autoExportEnabled: true });
  });

  it("the prefix flag is reported only when the program manages it", async () => {
    const { outs } = await createAutoExport(api, inputs);
    api.schedules.set("Cluster0", { ...(api.schedules.get("Cluster0") as object), useOrgAndGroupNamesInExportPrefix: true });
    expect((await readAutoExport(api, ID, { ...outs })).props).not.toHaveProperty("useOrgAndGroupNamesInExportPrefix");
    const managed = (await createAutoExport(api, { ...inputs, useOrgAndGroupNamesInExportPrefix: false })).outs;
    api.schedules.set("Cluster0", { ...(api.schedules.get("Cluster0") as object), useOrgAndGroupNamesInExportPrefix: true });
    expect((await readAutoExport(api, ID, { ...managed })).props?.useOrgAndGroupNamesInExportPrefix).toBe(true);
  });

  it("a cluster that is gone (404 CLUSTER_NOT_FOUND) leaves the state; other errors throw", async () => {
    api.fail("getBackupSchedule", { kind: "api", status: 404, errorCode: "CLUSTER_NOT_FOUND" });
    expect(await readAutoExport(api, ID, { ...inputs })).toEqual({});
    // Any other 404 (a wrong base URL, a deleted project, a cluster without a schedule) is not "gone".
    for (const errorCode of ["GROUP_NOT_FOUND", "UNKNOWN", "BACKUP_CONFIG_NOT_FOUND"]) {
      api.fail("getBackupSchedule", { kind: "api", status: 404, errorCode });
      await expect(readAutoExport(api, ID, { ...inputs }), errorCode).rejects.toThrow(/not CLUSTER_NOT_FOUND, so it does not show that the object is gone/);
    }
    api.fail("getBackupSchedule", { kind: "api", status: 500, errorCode: "UNEXPECTED_ERROR" });
    await expect(readAutoExport(api, ID, { ...inputs })).rejects.toMatchObject({ status: 500 });
  });

  it("state without projectId/clusterName names the missing field", async () => {
    await expect(readAutoExport(api, ID, { projectId: PROJECT })).rejects.toThrow(/no clusterName/);
  });
});

describe("delete", () => {
  it("sends only {autoExportEnabled:false} when the schedule still exports to this bucket; the rest stays", async () => {
    const { outs } = await createAutoExport(api, inputs);
    await deleteAutoExport(api, ID, { ...outs }, fakeClock().ctx);
    expect(api.schedulePatches.at(-1)).toEqual({ clusterName: "Cluster0", body: { autoExportEnabled: false } });
    expect(api.schedules.get("Cluster0")).toEqual({ ...freshSchedule() });
  });

  it("leaves auto-export alone when it now points at another bucket (logged)", async () => {
    const { outs } = await createAutoExport(api, inputs);
    api.schedules.set("Cluster0", { ...freshSchedule(), autoExportEnabled: true, export: { exportBucketId: OTHER, frequencyType: "monthly" } });
    const clock = fakeClock();
    await deleteAutoExport(api, ID, { ...outs }, clock.ctx);
    expect(api.count("updateBackupSchedule")).toBe(1);
    expect(clock.state.logs.join("\n")).toMatch(new RegExp(`left on, because it now exports to bucket ${OTHER}, not to ${BUCKET}`));
  });

  it("does nothing when auto-export is already off, or the cluster is gone", async () => {
    const clock = fakeClock();
    await deleteAutoExport(api, ID, { ...inputs }, clock.ctx);
    expect(clock.state.logs).toEqual(["auto-export of cluster Cluster0: already off; nothing to change"]);
    api.fail("getBackupSchedule", { kind: "api", status: 404, errorCode: "CLUSTER_NOT_FOUND" });
    await deleteAutoExport(api, ID, { ...inputs }, clock.ctx);
    expect(api.count("updateBackupSchedule")).toBe(0);
  });

  it("after it, the bucket can be deleted; before it, the bucket delete names the cluster and the remedy", async () => {
    api.buckets.push({ _id: BUCKET, bucketName: "b", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" });
    api.clusters = [{ name: "Cluster0" }];
    const { outs } = await createAutoExport(api, inputs);
    api.fail("deleteExportBucket", { kind: "api", status: 400, errorCode: "EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE" });
    const refused = await deleteExportBucket(api, BUCKET, { projectId: PROJECT }).catch((e: Error) => e.message);
    expect(refused).toMatch(/Clusters exporting to it: Cluster0\. Disable auto-export/);
    await deleteAutoExport(api, ID, { ...outs }, fakeClock().ctx);
    await deleteExportBucket(api, BUCKET, { projectId: PROJECT });
    expect(api.buckets).toEqual([]);
  });
});

describe("runtime entry point (what the serialized shim calls)", () => {
  afterEach(() => runtime.setApiFactoryForTesting(undefined));

  it("runtime.auto has the ResourceProvider methods and goes through the API factory", async () => {
    runtime.setApiFactoryForTesting(() => api);
    expect(Object.keys(runtime.auto).sort()).toEqual(["check", "create", "delete", "diff", "read", "update"]);
    expect((await runtime.auto.check({}, { projectId: PROJECT })).failures.map((f) => f.property).sort()).toEqual(["clusterName", "exportBucketId", "frequencyType"]);
    const created = await runtime.auto.create({ ...inputs, __provider: "P" });
    expect(created.id).toBe(ID);
    expect(await runtime.auto.diff(ID, { ...created.outs }, { ...inputs, __provider: "Q" })).toEqual({ changes: false, replaces: [] });
    expect((await runtime.auto.read(ID, { ...created.outs })).props).toEqual(created.outs);
    await runtime.auto.update(ID, { ...created.outs }, { ...inputs, frequencyType: "yearly" });
    await runtime.auto.delete(ID, { ...created.outs });
    expect(api.schedulePatches.map((p) => p.body.autoExportEnabled)).toEqual([true, true, false]);
  });
});
