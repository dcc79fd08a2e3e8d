/**
 * Issue 16: AutoExport through the real Pulumi engine, against the emulator.
 *
 * One stack: an ExportBucket and an AutoExport of Cluster0 into it
 * (`exportBucketId: bucket.exportBucketId`). Bad inputs fail at preview with 0 API calls →
 * preview plans both with 0 calls → up turns auto-export on with ONE schedule PATCH and leaves
 * the rest of the schedule as it was → no changes on a second preview → auto-export turned off
 * behind Pulumi's back shows on refresh and the next up puts it back (one PATCH) → a frequency
 * change is one PATCH → `daily` passes preview and Atlas (the emulator) refuses it at up,
 * changing nothing → ONE `pulumi destroy` turns auto-export off first, then deletes the bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearAtlasEnv, createTestStack, failureOf, loadPackage, nativeRequire, type TestStack } from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
type RunningEmulator = Awaited<ReturnType<Emulator["startEmulator"]>>;
type AutoExportArgs = import("../../provider/index").AutoExportArgs;
const { startEmulator }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

const projectId = "6a0000000000000000000001";
const AWS_ROLE = "6a00000000000000000000b1";
const SCHEDULE = `/api/atlas/v2/groups/${projectId}/clusters/Cluster0/backup/schedule`;

clearAtlasEnv();

/** What the program declares; tests change it between runs. `undefined` auto: bucket only. */
interface Program {
  /** Arguments besides exportBucketId (which comes from the bucket); bad-input cases add others. */
  auto?: Record<string, unknown>;
}

function program(current: () => Program) {
  const { ExportBucket, AutoExport } = loadPackage();
  return async () => {
    const bucket = new ExportBucket("bucket", { projectId, cloudProvider: "AWS", bucketName: "e2e-auto-export", iamRoleId: AWS_ROLE });
    const out: Record<string, unknown> = { bucketId: bucket.exportBucketId };
    const args = current().auto;
    if (args) {
      const auto = new AutoExport("auto", { exportBucketId: bucket.exportBucketId, ...args } as unknown as AutoExportArgs);
      out["auto"] = { exportBucketId: auto.exportBucketId, frequencyType: auto.frequencyType, enabled: auto.autoExportEnabled };
    }
    return out;
  };
}

describe("issue 16: AutoExport through the real Pulumi engine", () => {
  let emulator: RunningEmulator;
  let t: TestStack;
  let current: Program = {};

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    t = await createTestStack({
      name: "auto-export",
      config: {
        "mongodbatlas:baseUrl": { value: emulator.url },
        "mongodbatlas:publicKey": { value: emulator.credentials.apiKey.publicKey },
        "mongodbatlas:privateKey": { value: emulator.credentials.apiKey.privateKey, secret: true },
      },
      program: program(() => current),
    });
  });
  afterAll(async () => {
    await t?.cleanup();
    await emulator?.close();
  });

  const since = (from: number) => emulator.requestLog.slice(from);
  /** Applied (not digest-challenge 401) requests to the schedule since `from`. */
  const schedulePatches = (from: number) => since(from).filter((e) => e.method === "PATCH" && e.path === SCHEDULE && e.status !== 401);
  const schedule = () => emulator.store.schedule(projectId, "Cluster0");
  const good = (): Program => ({ auto: { projectId, clusterName: "Cluster0", frequencyType: "monthly" } satisfies Omit<AutoExportArgs, "exportBucketId"> });

  it.each([
    ["frequencyType in upper case", { frequencyType: "MONTHLY" }, /frequencyType: must be one of "daily", "weekly", "monthly", "yearly" \(lower case/],
    ["an unknown argument", { frequency: "monthly" }, /frequency is not an argument of this resource \(valid arguments: projectId, clusterName, exportBucketId, frequencyType/],
    ["an output given as an argument", { autoExportEnabled: true }, /autoExportEnabled is an output of this resource \(set by Atlas\), not an argument/],
    ["a malformed clusterName", { clusterName: "my_cluster" }, /clusterName: must start with a letter or digit and contain only letters, digits and hyphens/],
  ])("bad input (%s) fails at preview naming the field, with 0 API calls", async (_name, patch, reason) => {
    current = { auto: { ...good().auto!, ...patch } };
    const before = emulator.requestLog.length;
    const message = await failureOf(t.stack.preview({ onOutput: t.onOutput }));
    console.log("[e2e] preview failed:", message.split("\n").filter((l) => reason.test(l))[0]?.trim());
    expect(message).toMatch(reason);
    expect(since(before)).toEqual([]);
  });

  it("preview plans the bucket and the auto-export and calls Atlas zero times", async () => {
    current = good();
    const before = emulator.requestLog.length;
    const pv = await t.stack.preview({ onOutput: t.onOutput });
    console.log("[e2e] preview:", JSON.stringify(pv.changeSummary));
    expect(pv.changeSummary["create"]).toBe(3); // the stack, the bucket, the auto-export
    expect(since(before)).toEqual([]);
    expect(schedule().autoExportEnabled).toBe(false);
  });

  let bucketId = "";
  it("up turns auto-export on with one PATCH and leaves the rest of the schedule as it was", async () => {
    const { autoExportEnabled: _a, export: _e, ...scheduleBefore } = JSON.parse(JSON.stringify(schedule())) as Record<string, unknown>;
    const before = emulator.requestLog.length;
    const up = await t.stack.up({ onOutput: t.onOutput });
    console.log("[e2e] up:", JSON.stringify(up.summary.resourceChanges));
    expect(up.summary.resourceChanges?.["create"]).toBe(3);
    bucketId = up.outputs["bucketId"]?.value as string;
    expect(bucketId).toMatch(/^[a-f0-9]{24}$/);
    expect(up.outputs["auto"]?.value).toEqual({ exportBucketId: bucketId, frequencyType: "monthly", enabled: true });
    const patches = schedulePatches(before);
    console.log("[e2e] schedule requests during up:", since(before).filter((e) => e.path === SCHEDULE).map((e) => `${e.method} ${e.status} ${e.version}`).join(" | "));
    expect(patches.map((e) => [e.status, e.version])).toEqual([[200, "2024-08-05"]]);
    expect(schedule()).toMatchObject({ autoExportEnabled: true, export: { exportBucketId: bucketId, frequencyType: "monthly" } });
    const { autoExportEnabled: _b, export: _f, ...scheduleAfter } = JSON.parse(JSON.stringify(schedule())) as Record<string, unknown>;
    expect(scheduleAfter).toEqual(scheduleBefore);
    expect(scheduleAfter["policyItems"]).toHaveLength(5);
    const [state] = await t.resources("atlas:AutoExport");
    expect(state?.id).toBe(`${projectId}-Cluster0`);
    expect(state?.type).toBe("pulumi-nodejs:dynamic/atlas:AutoExport");
  });

  it("a second preview shows no changes", async () => {
    const pv = await t.stack.preview({ expectNoChanges: true, onOutput: t.onOutput });
    expect(pv.changeSummary["same"]).toBe(3);
  });

  it("auto-export turned off behind Pulumi's back shows on refresh; the next up turns it on again with one PATCH", async () => {
    emulator.store.setAutoExport(projectId, "Cluster0", null);
    const r = await t.stack.refresh({ onOutput: t.onOutput });
    console.log("[e2e] refresh after auto-export was turned off in Atlas:", JSON.stringify(r.summary.resourceChanges));
    expect(r.summary.resourceChanges?.["update"]).toBe(1);
    const [state] = await t.resources("atlas:AutoExport");
    expect(state?.outputs).toMatchObject({ autoExportEnabled: false });
    expect(state?.outputs).not.toHaveProperty("exportBucketId");
    const pv = await t.stack.preview({ onOutput: t.onOutput });
    expect(pv.changeSummary["update"]).toBe(1);
    const before = emulator.requestLog.length;
    const up = await t.stack.up({ onOutput: t.onOutput });
    console.log("[e2e] up after the drift:", JSON.stringify(up.summary.resourceChanges));
    expect(up.summary.resourceChanges?.["update"]).toBe(1);
    expect(schedulePatches(before)).toHaveLength(1);
    expect(schedule()).toMatchObject({ autoExportEnabled: true, export: { exportBucketId: bucketId, frequencyType: "monthly" } });
    await t.stack.refresh({ expectNoChanges: true, onOutput: t.onOutput });
  });

  it("a frequency change is an in-place update: exactly one PATCH, nothing else sent", async () => {
    current = { auto: { ...good().auto!, frequencyType: "yearly" } };
    const before = emulator.requestLog.length;
    const up = await t.stack.up({ onOutput: t.onOutput });
    console.log("[e2e] up (frequencyType yearly):", JSON.stringify(up.summary.resourceChanges));
    expect(up.summary.resourceChanges?.["update"]).toBe(1);
    expect(up.summary.resourceChanges?.["replace"]).toBeUndefined();
    const log = since(before);
    console.log("[e2e] requests during the update:", log.map((e) => `${e.method} ${e.path} ${e.status}`).join(" | "));
    expect(schedulePatches(before)).toHaveLength(1);
    expect(log.filter((e) => e.status !== 401 && (e.method === "POST" || e.method === "DELETE" || (e.method === "PATCH" && e.path !== SCHEDULE)))).toEqual([]);
    expect(schedule().export).toEqual({ exportBucketId: bucketId, frequencyType: "yearly" });
    expect(up.outputs["auto"]?.value).toMatchObject({ frequencyType: "yearly", enabled: true });
  });

  it("daily passes preview, and Atlas's refusal at up (no Support enablement) changes nothing", async () => {
    current = { auto: { ...good().auto!, frequencyType: "daily" } };
    const pv = await t.stack.preview({ onOutput: t.onOutput });
    expect(pv.changeSummary["update"]).toBe(1);
    const message = await failureOf(t.stack.up({ onOutput: t.onOutput }));
    console.log("[e2e] up with daily:", message.split("\n").find((l) => l.includes("INVALID_ENUM_VALUE"))?.trim());
    expect(message).toMatch(/PATCH .*\/backup\/schedule → 400 INVALID_ENUM_VALUE/);
    expect(schedule().export).toEqual({ exportBucketId: bucketId, frequencyType: "yearly" });
    current = { auto: { ...good().auto!, frequencyType: "yearly" } };
    await t.stack.preview({ expectNoChanges: true, onOutput: t.onOutput });
  });

  it("ONE destroy turns auto-export off first, then deletes the bucket", async () => {
    const before = emulator.requestLog.length;
    const d = await t.stack.destroy({ onOutput: t.onOutput });
    console.log("[e2e] destroy:", JSON.stringify(d.summary.resourceChanges));
    const log = since(before).filter((e) => e.status !== 401);
    console.log("[e2e] requests during destroy:", log.map((e) => `${e.method} ${e.path.replace(/^.*\/groups\/[^/]+/, "")} ${e.status}`).join(" | "));
    const off = log.findIndex((e) => e.method === "PATCH" && e.path === SCHEDULE && e.status === 200);
    const bucketDelete = log.findIndex((e) => e.method === "DELETE" && e.path.endsWith(`/backup/exportBuckets/${bucketId}`));
    expect(off).toBeGreaterThanOrEqual(0);
    expect(bucketDelete).toBeGreaterThan(off);
    expect(log[bucketDelete]?.status).toBe(204);
    expect(emulator.store.listBuckets(projectId)).toEqual([]);
    expect(schedule()).toMatchObject({ autoExportEnabled: false });
    expect(schedule().export).toBeUndefined();
    expect(schedule().policyItems).toHaveLength(5);
    expect(await t.resources()).toEqual([]);
  });
});
