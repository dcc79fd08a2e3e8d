import { describe, expect, it } from "vitest";
import { checkExportBucket, diffExportBucket } from "../../../provider/resources/export-bucket-handlers";
import { UNKNOWN_SENTINEL as U } from "../../../provider/resources/shared";
import { AZURE_URL_CASES } from "../../fixtures/schemas/azure-urls";

const P = "6a0000000000000000000001";
const R = "6a00000000000000000000b1";
const R2 = "6a00000000000000000000b2";
const URL_OK = "https://acct123.blob.core.windows.net/exports";

const valid = {
  AWS: { projectId: P, cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: R },
  AZURE: { projectId: P, cloudProvider: "AZURE", bucketName: "exports", roleId: R2, serviceUrl: URL_OK },
  GCP: { projectId: P, cloudProvider: "GCP", bucketName: "my-bucket", roleId: R },
} as const;
type Cloud = keyof typeof valid;

function failuresOf(news: Record<string, unknown>) {
  return checkExportBucket({ __provider: "exports.handler = ...", ...news }).failures;
}

describe("ExportBucket check: valid inputs", () => {
  for (const cloud of Object.keys(valid) as Cloud[]) {
    it(`${cloud} passes`, () => expect(failuresOf(valid[cloud])).toEqual([]));
  }
  it("AWS with requirePrivateNetworking and adopt passes", () => {
    expect(failuresOf({ ...valid.AWS, requirePrivateNetworking: true, adopt: true })).toEqual([]);
  });
  it("output names passed as undefined by the class are ignored", () => {
    expect(failuresOf({ ...valid.GCP, exportBucketId: undefined, region: undefined, tenantId: undefined, schemaVersion: undefined, iamRoleId: undefined })).toEqual([]);
  });
  it.each([
    ["region", "us-east-1"],
    ["tenantId", "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"],
    ["exportBucketId", "6a00000000000000000000c1"],
    ["schemaVersion", 1],
    ["exportBucketId", U],
  ] as const)("an output name passed as an argument (%s) fails by name instead of being dropped", (key, value) => {
    const result = checkExportBucket({ ...valid.AWS, [key]: value });
    expect(result.failures).toEqual([{ property: key, reason: expect.stringContaining(`${key} is an output of this resource (set by Atlas), not an argument`) }]);
    expect(result.inputs).not.toHaveProperty(key);
  });
  it("outputs echoed back from older state (equal to the old inputs) pass and are dropped", () => {
    const olds = { ...valid.AWS, exportBucketId: "6a00000000000000000000c1", region: "us-east-1", schemaVersion: 1 };
    const result = checkExportBucket({ ...olds }, olds);
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual(valid.AWS);
    // A different value is not an echo.
    expect(checkExportBucket({ ...olds, region: "eu-west-1" }, olds).failures.map((f) => f.property)).toEqual(["region"]);
  });
  it("Azure derives bucketName from the serviceUrl container when omitted", () => {
    const { bucketName: _omit, ...rest } = valid.AZURE;
    const result = checkExportBucket(rest);
    expect(result.failures).toEqual([]);
    expect(result.inputs.bucketName).toBe("exports");
  });
  it("Azure rejects an explicit bucketName that differs from the container (as Atlas does)", () => {
    const result = checkExportBucket({ ...valid.AZURE, bucketName: "other" });
    expect(result.failures).toEqual([{ property: "bucketName", reason: expect.stringContaining('bucketName must equal the container in serviceUrl ("exports")') }]);
  });
  it("makes no changes to valid inputs other than derivations", () => {
    expect(checkExportBucket(valid.AWS).inputs).toEqual(valid.AWS);
  });
});

type Case = [name: string, cloud: Cloud, patch: Record<string, unknown>, property: string, reason: RegExp];
const U_ = undefined;
const cases: Case[] = [];
// Missing required fields, per cloud.
for (const [cloud, fields] of [
  ["AWS", ["projectId", "cloudProvider", "bucketName", "iamRoleId"]],
  ["AZURE", ["projectId", "cloudProvider", "roleId", "serviceUrl"]],
  ["GCP", ["projectId", "cloudProvider", "bucketName", "roleId"]],
] as [Cloud, string[]][]) {
  for (const f of fields) cases.push([`missing ${f}`, cloud, { [f]: U_ }, f, new RegExp(`${f} is required`)]);
}
// Fields on the wrong cloud.
cases.push(
  ["roleId on AWS", "AWS", { roleId: R }, "roleId", /roleId is only valid when cloudProvider is "AZURE" or "GCP"; for "AWS" use iamRoleId/],
  ["serviceUrl on AWS", "AWS", { serviceUrl: URL_OK }, "serviceUrl", /only valid when cloudProvider is "AZURE"/],
  ["iamRoleId on AZURE", "AZURE", { iamRoleId: R }, "iamRoleId", /iamRoleId is only valid when cloudProvider is "AWS"; for "AZURE" use roleId/],
  ["requirePrivateNetworking on AZURE", "AZURE", { requirePrivateNetworking: false }, "requirePrivateNetworking", /only valid when cloudProvider is "AWS"/],
  ["iamRoleId on GCP", "GCP", { iamRoleId: R }, "iamRoleId", /iamRoleId is only valid when cloudProvider is "AWS"; for "GCP" use roleId/],
  ["serviceUrl on GCP", "GCP", { serviceUrl: URL_OK }, "serviceUrl", /only valid when cloudProvider is "AZURE"/],
  ["requirePrivateNetworking on GCP", "GCP", { requirePrivateNetworking: true }, "requirePrivateNetworking", /only valid when cloudProvider is "AWS"/],
);
// Bad ids, every id field on every cloud where it is valid.
for (const [cloud, f] of [
  ["AWS", "projectId"], ["AWS", "iamRoleId"], ["AZURE", "projectId"], ["AZURE", "roleId"], ["GCP", "projectId"], ["GCP", "roleId"],
] as [Cloud, string][]) {
  cases.push([`${f} not hex`, cloud, { [f]: "zz0000000000000000000001" }, f, /24-character lowercase hexadecimal/]);
  cases.push([`${f} too short`, cloud, { [f]: "6a00" }, f, /24-character/]);
  cases.push([`${f} uppercase`, cloud, { [f]: "6A0000000000000000000001" }, f, /lowercase hexadecimal/]);
  cases.push([`${f} wrong type`, cloud, { [f]: 42 }, f, new RegExp(`^${f}: `)]);
}
// Names and enums.
for (const cloud of ["AWS", "AZURE", "GCP"] as Cloud[]) {
  cases.push([`bucketName too short`, cloud, { bucketName: "ab" }, "bucketName", /3 to 63 characters/]);
  cases.push([`bucketName too long`, cloud, { bucketName: "a".repeat(64) }, "bucketName", /3 to 63 characters/]);
  cases.push([`unknown argument`, cloud, { bucketname: "x" }, "bucketname", /not an argument of this resource \(valid arguments: projectId, cloudProvider/]);
  cases.push([`adopt not boolean`, cloud, { adopt: "yes" }, "adopt", /adopt: must be true or false/]);
}
cases.push(
  ["cloudProvider lowercase", "AWS", { cloudProvider: "aws" }, "cloudProvider", /must be one of "AWS", "AZURE", "GCP"/],
  ["requirePrivateNetworking not boolean", "AWS", { requirePrivateNetworking: "true" }, "requirePrivateNetworking", /must be true or false/],
);
// Azure service URLs.
for (const [label, url, reason] of [
  ["http", "http://acct123.blob.core.windows.net/exports", /https/],
  ["not a URL", "acct123.blob.core.windows.net/exports", /absolute https URL/],
  ["wrong host", "https://acct123.s3.amazonaws.com/exports", /blob\.core\.windows\.net/],
  ["dfs endpoint", "https://acct123.dfs.core.windows.net/exports", /blob\.core\.windows\.net/],
  ["query string", `${URL_OK}?sv=2020&sig=x`, /not have a query string/],
  ["two segments", `${URL_OK}/sub`, /only one path segment/],
  ["bad container", "https://acct123.blob.core.windows.net/Ex_ports", /name a container of 3 to 63/],
  ["too long", `https://acct123.blob.core.windows.net/${"a".repeat(2048)}`, /2048/],
] as [string, string, RegExp][]) {
  cases.push([`serviceUrl ${label}`, "AZURE", { serviceUrl: url }, "serviceUrl", reason]);
}
cases.push(["Azure URL without container and no bucketName", "AZURE", { serviceUrl: "https://acct123.blob.core.windows.net", bucketName: U_ }, "bucketName", /bucketName is required when the Azure serviceUrl has no container/]);

describe("ExportBucket check: each rule names the property and the rule", () => {
  it.each(cases)("%s (%s)", (_name, cloud, patch, property, reason) => {
    const failures = failuresOf({ ...valid[cloud], ...patch });
    const hit = failures.find((f) => f.property === property);
    expect(hit, JSON.stringify(failures)).toBeDefined();
    expect(hit?.reason).toMatch(reason);
    // Every reason names its property, so it stands alone in the engine's output.
    for (const f of failures) expect(f.reason).toContain(f.property);
  });
});

describe("ExportBucket check: unknown values in preview never fail", () => {
  for (const cloud of Object.keys(valid) as Cloud[]) {
    for (const field of Object.keys(valid[cloud])) {
      it(`${cloud}.${field} unknown`, () => {
        expect(failuresOf({ ...valid[cloud], [field]: U })).toEqual([]);
      });
    }
  }
  it("unknown cloudProvider skips per-cloud rules", () => {
    expect(failuresOf({ projectId: P, cloudProvider: U, bucketName: "abc", roleId: R })).toEqual([]);
  });
  it("unknown nested inside a value", () => {
    expect(failuresOf({ ...valid.AWS, bucketName: [U] })).toEqual([]);
  });
  it("an unknown field still counts as present for a forbidden rule", () => {
    expect(failuresOf({ ...valid.GCP, iamRoleId: U }).map((f) => f.property)).toEqual(["iamRoleId"]);
  });
});

describe("ExportBucket diff", () => {
  const stored = (cloud: Cloud) => ({
    ...valid[cloud],
    exportBucketId: "6a00000000000000000000c1",
    ...(cloud === "AWS" ? { region: "us-east-1", requirePrivateNetworking: false } : {}),
    ...(cloud === "AZURE" ? { tenantId: "t" } : {}),
    schemaVersion: 1,
    __provider: "old",
  });
  for (const cloud of Object.keys(valid) as Cloud[]) {
    it(`${cloud}: no change → no diff (computed fields, __provider, adopt ignored)`, () => {
      expect(diffExportBucket(stored(cloud), { ...valid[cloud], __provider: "new", adopt: true })).toEqual({ changes: false, replaces: [] });
    });
    for (const field of Object.keys(valid[cloud])) {
      it(`${cloud}: ${field} change replaces`, () => {
        const changed = field === "cloudProvider" ? "GCP" : field === "bucketName" ? "renamed" : field === "serviceUrl" ? "https://b.blob.core.windows.net/c" : "6a00000000000000000000ff";
        expect(diffExportBucket(stored(cloud), { ...valid[cloud], [field]: cloud === "GCP" && changed === "GCP" ? "AWS" : changed })).toEqual({ changes: true, replaces: [field] });
      });
      it(`${cloud}: ${field} unknown replaces`, () => {
        expect(diffExportBucket(stored(cloud), { ...valid[cloud], [field]: U })).toEqual({ changes: true, replaces: [field] });
      });
    }
  }
  it("AWS requirePrivateNetworking change updates in place", () => {
    expect(diffExportBucket(stored("AWS"), { ...valid.AWS, requirePrivateNetworking: true })).toEqual({ changes: true, replaces: [] });
  });
  it("AWS requirePrivateNetworking unknown is a change, not a replace", () => {
    expect(diffExportBucket(stored("AWS"), { ...valid.AWS, requirePrivateNetworking: U })).toEqual({ changes: true, replaces: [] });
  });
  it("absent and false requirePrivateNetworking are the same", () => {
    const { requirePrivateNetworking: _x, ...olds } = stored("AWS");
    expect(diffExportBucket(olds, { ...valid.AWS, requirePrivateNetworking: false })).toEqual({ changes: false, replaces: [] });
    expect(diffExportBucket(stored("AWS"), valid.AWS)).toEqual({ changes: false, replaces: [] });
  });
  it("adding iamRoleId where there was none replaces", () => {
    expect(diffExportBucket(stored("GCP"), { ...valid.GCP, iamRoleId: R })).toEqual({ changes: true, replaces: ["iamRoleId"] });
  });
  it("outputs written without schemaVersion (older version) diff cleanly", () => {
    const { schemaVersion: _s, ...olds } = stored("AZURE");
    expect(diffExportBucket(olds, valid.AZURE)).toEqual({ changes: false, replaces: [] });
  });
});

describe("ExportBucket check: Azure serviceUrl/bucketName as Atlas checks them (same table as the emulator test)", () => {
  it.each(AZURE_URL_CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const args: Record<string, unknown> = { projectId: P, cloudProvider: "AZURE", roleId: R2, serviceUrl: c.serviceUrl };
    if (c.bucketName !== undefined) args.bucketName = c.bucketName;
    const result = checkExportBucket(args);
    if (c.reject === undefined) {
      expect(result.failures).toEqual([]);
      expect(result.inputs.bucketName).toBe(c.bucketNameAfter);
    } else {
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0]?.property).toBe(c.reject.property);
      expect(result.failures[0]?.reason).toMatch(new RegExp(`^${c.reject.property}\\b`));
      expect(result.failures[0]?.reason).toContain(c.reject.rule);
      // Never echo the URL (a SAS query string holds a signature).
      expect(result.failures[0]?.reason).not.toContain("sig=");
    }
  });
});
