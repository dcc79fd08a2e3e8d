import { describe, expect, it } from "vitest";
import { checkAutoExport, diffAutoExport } from "../../../provider/resources/auto-export-handlers";
import { UNKNOWN_SENTINEL as U } from "../../../provider/resources/shared";

const valid = {
  projectId: "6a0000000000000000000001",
  clusterName: "Cluster0",
  exportBucketId: "6a00000000000000000000c1",
  frequencyType: "monthly",
};
const failuresOf = (patch: Record<string, unknown>) => checkAutoExport({ __provider: "x", ...valid, ...patch }).failures;

describe("AutoExport check", () => {
  it("valid minimal and full inputs pass; the class's undefined outputs are ignored", () => {
    expect(failuresOf({})).toEqual([]);
    expect(failuresOf({ useOrgAndGroupNamesInExportPrefix: true })).toEqual([]);
    expect(failuresOf({ autoExportEnabled: undefined, schemaVersion: undefined })).toEqual([]);
  });

  it.each(["daily", "weekly", "monthly", "yearly"])("frequencyType %s passes (Atlas decides daily/weekly at up)", (f) => {
    expect(failuresOf({ frequencyType: f })).toEqual([]);
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ...(["projectId", "clusterName", "exportBucketId", "frequencyType"] as const).map(
      (f) => [`missing ${f}`, { [f]: undefined }, f, new RegExp(`${f} is required`)] as [string, Record<string, unknown>, string, RegExp],
    ),
    ["projectId bad id", { projectId: "6a00000000000000000000zz" }, "projectId", /24-character lowercase hexadecimal/],
    ["exportBucketId bad id", { exportBucketId: "bucket-1" }, "exportBucketId", /24-character lowercase hexadecimal export bucket id/],
    ["clusterName bad chars", { clusterName: "my_cluster" }, "clusterName", /letters, digits and hyphens/],
    ["frequencyType upper case", { frequencyType: "MONTHLY" }, "frequencyType", /"daily", "weekly", "monthly", "yearly" \(lower case/],
    ["frequencyType hourly", { frequencyType: "hourly" }, "frequencyType", /must be one of/],
    ["frequencyType number", { frequencyType: 1 }, "frequencyType", /must be one of/],
    ["prefix flag not boolean", { useOrgAndGroupNamesInExportPrefix: "yes" }, "useOrgAndGroupNamesInExportPrefix", /true or false/],
    ["unknown argument", { frequency: "monthly" }, "frequency", /not an argument of this resource \(valid arguments: projectId, clusterName, exportBucketId, frequencyType/],
    ["output given as argument", { autoExportEnabled: true }, "autoExportEnabled", /is an output of this resource \(set by Atlas\), not an argument/],
    ["schemaVersion given as argument", { schemaVersion: 3 }, "schemaVersion", /schemaVersion is an output of this resource/],
  ];
  it.each(cases)("%s fails naming the field", (_n, patch, property, reason) => {
    const failures = failuresOf(patch);
    const hit = failures.find((f) => f.property === property);
    expect(hit, JSON.stringify(failures)).toBeDefined();
    expect(hit?.reason).toMatch(reason);
    for (const f of failures) expect(f.reason).toContain(f.property);
  });

  it.each([...Object.keys(valid), "useOrgAndGroupNamesInExportPrefix"])("%s unknown in preview passes", (f) => {
    expect(failuresOf({ [f]: U })).toEqual([]);
  });

  it("returns the inputs without outputs", () => {
    expect(checkAutoExport({ ...valid, autoExportEnabled: undefined }).inputs).toEqual({ ...valid });
  });
});

describe("AutoExport diff", () => {
  const olds = { ...valid, autoExportEnabled: true, schemaVersion: 1, __provider: "old" };

  it("no change: no diff, whatever __provider", () => {
    expect(diffAutoExport(olds, { ...valid, __provider: "new" })).toEqual({ changes: false, replaces: [] });
  });
  it.each([
    ["projectId", "6a0000000000000000000003"],
    ["clusterName", "Cluster1"],
  ])("%s replaces", (field, value) => {
    expect(diffAutoExport(olds, { ...valid, [field]: value })).toEqual({ changes: true, replaces: [field] });
  });
  it.each([
    ["exportBucketId", "6a00000000000000000000c2"],
    ["exportBucketId", U],
    ["frequencyType", "yearly"],
  ])("%s updates in place", (field, value) => {
    expect(diffAutoExport(olds, { ...valid, [field]: value })).toEqual({ changes: true, replaces: [] });
  });
  it("an unknown clusterName replaces", () => {
    expect(diffAutoExport(olds, { ...valid, clusterName: U })).toEqual({ changes: true, replaces: ["clusterName"] });
  });
  it("auto-export found off by a refresh is a change (updated in place)", () => {
    const drifted = { projectId: valid.projectId, clusterName: valid.clusterName, autoExportEnabled: false, schemaVersion: 1 };
    expect(diffAutoExport(drifted, valid)).toEqual({ changes: true, replaces: [] });
  });
  it("useOrgAndGroupNamesInExportPrefix counts only when the program sets it", () => {
    expect(diffAutoExport({ ...olds, useOrgAndGroupNamesInExportPrefix: false }, valid)).toEqual({ changes: false, replaces: [] });
    expect(diffAutoExport(olds, { ...valid, useOrgAndGroupNamesInExportPrefix: true })).toEqual({ changes: true, replaces: [] });
    expect(diffAutoExport({ ...olds, useOrgAndGroupNamesInExportPrefix: true }, { ...valid, useOrgAndGroupNamesInExportPrefix: true })).toEqual({
      changes: false,
      replaces: [],
    });
  });
});
