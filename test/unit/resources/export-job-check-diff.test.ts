import { describe, expect, it } from "vitest";
import { checkExportJob, diffExportJob } from "../../../provider/resources/export-job-handlers";
import { UNKNOWN_SENTINEL as U } from "../../../provider/resources/shared";

const valid = {
  projectId: "6a0000000000000000000001",
  clusterName: "Cluster0",
  snapshotId: "6a00000000000000000000d1",
  exportBucketId: "6a00000000000000000000c1",
};
const failuresOf = (patch: Record<string, unknown>) => checkExportJob({ __provider: "x", ...valid, ...patch }).failures;

describe("ExportJob check", () => {
  it("valid minimal and full inputs pass", () => {
    expect(failuresOf({})).toEqual([]);
    expect(failuresOf({ customData: { team: "data", env: "prod" }, waitForCompletion: false, waitTimeoutMinutes: 10080 })).toEqual([]);
    expect(failuresOf({ exportJobId: undefined, state: undefined, schemaVersion: undefined })).toEqual([]);
  });

  it.each([
    ["exportJobId", "6a00000000000000000000e1"],
    ["state", "Successful"],
    ["prefix", "exported_snapshots/x"],
    ["stateReason", { errorCode: "X" }],
    ["exportStatus", { exportedCollections: 1 }],
    ["createdAt", "2026-08-10T03:28:25Z"],
    ["finishedAt", "2026-08-10T03:28:25Z"],
    ["components", []],
    ["schemaVersion", 1],
  ] as const)("an output name passed as an argument (%s) fails by name instead of being dropped", (key, value) => {
    const result = checkExportJob({ __provider: "x", ...valid, [key]: value });
    expect(result.failures).toEqual([{ property: key, reason: expect.stringContaining(`${key} is an output of this resource (set by Atlas), not an argument`) }]);
    expect(result.inputs).not.toHaveProperty(key);
  });
  it("outputs echoed back from older state (equal to the old inputs) pass and are dropped", () => {
    const olds = { ...valid, exportJobId: "6a00000000000000000000e1", state: "Successful", prefix: "p/x", schemaVersion: 1 };
    const result = checkExportJob({ __provider: "x", ...olds }, olds);
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ __provider: "x", ...valid });
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ...(["projectId", "clusterName", "snapshotId", "exportBucketId"] as const).map(
      (f) => [`missing ${f}`, { [f]: undefined }, f, new RegExp(`${f} is required`)] as [string, Record<string, unknown>, string, RegExp],
    ),
    ...(["projectId", "snapshotId", "exportBucketId"] as const).flatMap((f) => [
      [`${f} bad id`, { [f]: "6a00000000000000000000zz" }, f, /24-character lowercase hexadecimal/],
      [`${f} wrong type`, { [f]: 7 }, f, new RegExp(`^${f}: `)],
    ] as [string, Record<string, unknown>, string, RegExp][]),
    ["clusterName too long", { clusterName: "c".repeat(65) }, "clusterName", /at most 64/],
    ["clusterName bad chars", { clusterName: "my_cluster" }, "clusterName", /letters, digits and hyphens/],
    ["clusterName leading hyphen", { clusterName: "-c" }, "clusterName", /start with a letter or digit/],
    ["customData not a map", { customData: [{ key: "a", value: "b" }] }, "customData", /map of string keys to string values/],
    ["customData number value", { customData: { a: 1 } }, "customData.a", /values must be strings/],
    ["customData empty key", { customData: { "": "v" } }, "customData", /keys must not be empty/],
    ["waitForCompletion not boolean", { waitForCompletion: "yes" }, "waitForCompletion", /true or false/],
    ["waitTimeoutMinutes zero", { waitTimeoutMinutes: 0 }, "waitTimeoutMinutes", /greater than 0/],
    ["waitTimeoutMinutes negative", { waitTimeoutMinutes: -5 }, "waitTimeoutMinutes", /greater than 0/],
    ["waitTimeoutMinutes > 7 days", { waitTimeoutMinutes: 10081 }, "waitTimeoutMinutes", /at most 10080 \(7 days\)/],
    ["waitTimeoutMinutes string", { waitTimeoutMinutes: "60" }, "waitTimeoutMinutes", /number of minutes/],
    ["unknown argument", { snapshotID: "x" }, "snapshotID", /not an argument of this resource \(valid arguments: projectId, clusterName/],
  ];
  it.each(cases)("%s", (_n, patch, property, reason) => {
    const failures = failuresOf(patch);
    const hit = failures.find((f) => f.property === property);
    expect(hit, JSON.stringify(failures)).toBeDefined();
    expect(hit?.reason).toMatch(reason);
    for (const f of failures) expect(f.reason).toContain(f.property.split(".")[0]);
  });

  it.each([...Object.keys(valid), "customData", "waitForCompletion", "waitTimeoutMinutes"])("%s unknown in preview passes", (f) => {
    expect(failuresOf({ [f]: U })).toEqual([]);
  });
  it("unknown nested in customData passes", () => expect(failuresOf({ customData: { a: U } })).toEqual([]));
  it("makes no API call and returns the inputs", () => {
    const r = checkExportJob({ ...valid, customData: { a: "b" } });
    expect(r.inputs).toEqual({ ...valid, customData: { a: "b" } });
  });
});

describe("ExportJob diff", () => {
  const olds = {
    ...valid,
    customData: { a: "1", b: "2" },
    exportJobId: "6a00000000000000000000e1",
    state: "Successful",
    exportStatus: { exportedCollections: 3, totalCollections: 3 },
    prefix: "p",
    schemaVersion: 1,
    __provider: "old",
  };
  const news = { ...valid, customData: { b: "2", a: "1" }, __provider: "new" };
  it("no change (key order, computed fields, __provider ignored)", () => expect(diffExportJob(olds, news)).toEqual({ changes: false, replaces: [] }));
  it.each(["projectId", "clusterName", "snapshotId", "exportBucketId"])("%s change replaces; unknown replaces", (f) => {
    expect(diffExportJob(olds, { ...news, [f]: "6a00000000000000000000ff" })).toEqual({ changes: true, replaces: [f] });
    expect(diffExportJob(olds, { ...news, [f]: U })).toEqual({ changes: true, replaces: [f] });
  });
  it("customData change replaces (value, key added, removed, unknown)", () => {
    expect(diffExportJob(olds, { ...news, customData: { a: "1", b: "3" } }).replaces).toEqual(["customData"]);
    expect(diffExportJob(olds, { ...news, customData: { a: "1", b: "2", c: "3" } }).replaces).toEqual(["customData"]);
    expect(diffExportJob(olds, { ...news, customData: undefined }).replaces).toEqual(["customData"]);
    expect(diffExportJob(olds, { ...news, customData: { a: U, b: "2" } }).replaces).toEqual(["customData"]);
  });
  it("absent and empty customData are the same", () => {
    expect(diffExportJob({ ...olds, customData: undefined }, { ...news, customData: {} })).toEqual({ changes: false, replaces: [] });
  });
  it("waitForCompletion / waitTimeoutMinutes changes update in place", () => {
    expect(diffExportJob(olds, { ...news, waitForCompletion: false })).toEqual({ changes: true, replaces: [] });
    expect(diffExportJob(olds, { ...news, waitTimeoutMinutes: 30 })).toEqual({ changes: true, replaces: [] });
    expect(diffExportJob(olds, { ...news, waitTimeoutMinutes: U })).toEqual({ changes: true, replaces: [] });
  });
  it("defaults compare equal to absent", () => {
    expect(diffExportJob(olds, { ...news, waitForCompletion: true, waitTimeoutMinutes: 120 })).toEqual({ changes: false, replaces: [] });
  });
});
