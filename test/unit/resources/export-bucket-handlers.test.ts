import { describe, expect, it } from "vitest";
import {
  createExportBucket,
  deleteExportBucket,
  forgetAdoptedForTesting,
  readExportBucket,
  updateExportBucket,
  type ExportBucketInputs,
} from "../../../provider/resources/export-bucket-handlers";
import { LOOKUP_RETRY } from "../../../provider/resources/shared";
import { FakeAtlas, PROJECT, fakeClock } from "../../fixtures/resources/fake-atlas";

const aws: ExportBucketInputs = { projectId: PROJECT, cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: "6a00000000000000000000b1", __provider: "P" };
const azure: ExportBucketInputs = {
  projectId: PROJECT,
  cloudProvider: "AZURE",
  bucketName: "exports",
  roleId: "6a00000000000000000000b2",
  serviceUrl: "https://acct123.blob.core.windows.net/exports",
};
const gcp: ExportBucketInputs = { projectId: PROJECT, cloudProvider: "GCP", bucketName: "gcs-b", roleId: "6a00000000000000000000b3" };

function setup() {
  const api = new FakeAtlas();
  const { ctx, state } = fakeClock(api, api.nowMs);
  return { api, ctx, state };
}

describe("ExportBucket create", () => {
  it.each([["AWS", aws], ["AZURE", azure], ["GCP", gcp]] as const)("%s: one POST, outputs = inputs + computed", async (_c, inputs) => {
    const { api, ctx } = setup();
    const { id, outs } = await createExportBucket(api, inputs, ctx);
    expect(api.calls).toEqual(["createExportBucket"]);
    expect(id).toBe(api.buckets[0]?._id);
    const { __provider: _p, ...args } = inputs;
    expect(outs).toMatchObject({ ...args, exportBucketId: id, schemaVersion: 1 });
    expect(outs).not.toHaveProperty("__provider");
    if (inputs.cloudProvider === "AWS") expect(outs.requirePrivateNetworking).toBe(false);
    if (inputs.cloudProvider === "AZURE") expect(outs.tenantId).toBeDefined();
    // No undefined values: the host turns outs into a protobuf Struct.
    expect(Object.values(outs)).not.toContain(undefined);
  });

  it("sends only the fields valid for the cloud", async () => {
    const { api, ctx } = setup();
    let body: unknown;
    const original = api.createExportBucket.bind(api);
    api.createExportBucket = (g, b) => ((body = b), original(g, b));
    await createExportBucket(api, { ...gcp, adopt: false }, ctx);
    expect(body).toEqual({ cloudProvider: "GCP", bucketName: "gcs-b", roleId: gcp.roleId });
  });

  it("lost response: finds the bucket the POST created, no second POST, no duplicate", async () => {
    const { api, ctx, state } = setup();
    api.fail("createExportBucket", { kind: "lostResponse" });
    const { id } = await createExportBucket(api, aws, ctx);
    expect(api.count("createExportBucket")).toBe(1);
    expect(api.buckets).toHaveLength(1);
    expect(id).toBe(api.buckets[0]?._id);
    expect(state.logs.join("\n")).toMatch(/response to the create request was lost/);
  });

  it("lost request: nothing was created, so the POST is sent exactly once more", async () => {
    const { api, ctx } = setup();
    api.fail("createExportBucket", { kind: "lostRequest" });
    const { id } = await createExportBucket(api, aws, ctx);
    expect(api.count("createExportBucket")).toBe(2);
    expect(api.buckets).toHaveLength(1);
    expect(id).toBe(api.buckets[0]?._id);
  });

  it("lost twice without a bucket: gives up after the second POST", async () => {
    const { api, ctx } = setup();
    api.fail("createExportBucket", { kind: "lostRequest" }, { kind: "lostRequest" });
    await expect(createExportBucket(api, aws, ctx)).rejects.toThrow(/socket hang up/);
    expect(api.count("createExportBucket")).toBe(2);
  });

  it("lost request and only an older identical bucket: ambiguous, fails naming it, creates nothing", async () => {
    const { api, ctx } = setup();
    api.buckets.push({ _id: "5f0000000000000000000001", cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: aws.iamRoleId });
    api.fail("createExportBucket", { kind: "lostRequest" });
    const error = (await createExportBucket(api, aws, ctx).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/cannot tell which object it created: .*older matching object\(s\) exist.*: 5f0000000000000000000001\. Nothing more was created\./);
    expect(error.message).toContain(`GET /api/atlas/v2/groups/${PROJECT}/backup/exportBuckets`);
    expect(api.count("createExportBucket")).toBe(1);
    expect(api.buckets).toHaveLength(1);
  });

  it("lost response: the new bucket is taken, never an older twin", async () => {
    const { api, ctx } = setup();
    api.buckets.push({ _id: "5f0000000000000000000001", cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: aws.iamRoleId });
    api.fail("createExportBucket", { kind: "lostResponse" });
    const { id } = await createExportBucket(api, aws, ctx);
    expect(id).toBe(api.buckets[1]?._id);
    expect(id).not.toBe("5f0000000000000000000001");
    expect(api.count("createExportBucket")).toBe(1);
  });

  it("lost response and two new identical buckets (someone else created one too): fails naming both, creates nothing", async () => {
    const { api, ctx } = setup();
    api.fail("createExportBucket", { kind: "lostResponse" });
    const twin = api.newId();
    api.buckets.push({ _id: twin, cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: aws.iamRoleId });
    const error = (await createExportBucket(api, aws, ctx).catch((e: unknown) => e)) as Error;
    expect(api.buckets).toHaveLength(2);
    expect(error.message).toMatch(/2 matching objects were created after the request was sent/);
    expect(error.message).toContain(twin);
    expect(error.message).toContain(api.buckets[1]?._id as string);
    expect(api.count("createExportBucket")).toBe(1);
  });

  it("an identical bucket that differs in one identity field (role) is no candidate", async () => {
    const { api, ctx } = setup();
    api.buckets.push({ _id: "5f0000000000000000000001", cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: "6a00000000000000000000b4" });
    api.fail("createExportBucket", { kind: "lostRequest" });
    await createExportBucket(api, aws, ctx);
    expect(api.count("createExportBucket")).toBe(2);
  });

  it("lost response and the lookup's list fails transiently: retried (bounded sleeps) before anything else", async () => {
    const { api, ctx, state } = setup();
    api.fail("createExportBucket", { kind: "lostResponse" });
    api.fail("listExportBuckets", { kind: "network" }, { kind: "api", status: 503, errorCode: "SERVICE_UNAVAILABLE" });
    const { id } = await createExportBucket(api, aws, ctx);
    expect(id).toBe(api.buckets[0]?._id);
    expect(api.count("listExportBuckets")).toBe(3);
    expect(api.count("createExportBucket")).toBe(1);
    expect(state.sleeps).toEqual([LOOKUP_RETRY.delayMs, 2 * LOOKUP_RETRY.delayMs]);
  });

  it("lost response and the lookup keeps failing: says the create may have been processed and how to check; no re-POST", async () => {
    const { api, ctx, state } = setup();
    api.fail("createExportBucket", { kind: "lostResponse" });
    api.fail("listExportBuckets", ...Array.from({ length: 10 }, () => ({ kind: "network" }) as const));
    const error = (await createExportBucket(api, aws, ctx).catch((e: unknown) => e)) as Error;
    expect(api.count("createExportBucket")).toBe(1);
    expect(api.count("listExportBuckets")).toBe(LOOKUP_RETRY.attempts);
    expect(state.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(LOOKUP_RETRY.deadlineMs);
    expect(error.message).toMatch(/Atlas may have processed it and created the object; looking it up failed after 4 attempt\(s\)/);
    expect(error.message).toMatch(/Nothing was sent again\./);
    expect(error.message).toContain(`GET /api/atlas/v2/groups/${PROJECT}/backup/exportBuckets`);
    expect(error.message).toContain(`AWS bucket "my-bucket" (iamRoleId ${aws.iamRoleId})`);
    expect(error.message).toMatch(/created at or after 2026-08-10T03:00:00\.000Z.*adopt: true/);
  });

  it("lost response and the lookup is refused (403): no retry, the same explanation", async () => {
    const { api, ctx } = setup();
    api.fail("createExportBucket", { kind: "lostResponse" });
    api.fail("listExportBuckets", { kind: "api", status: 403, errorCode: "FORBIDDEN" });
    await expect(createExportBucket(api, aws, ctx)).rejects.toThrow(/may have processed it.*after 1 attempt\(s\).*FORBIDDEN.*exportBuckets/);
    expect(api.count("listExportBuckets")).toBe(1);
  });

  it("Atlas errors propagate (nothing created)", async () => {
    const { api, ctx } = setup();
    api.fail("createExportBucket", { kind: "api", status: 400, errorCode: "CANNOT_ASSUME_ROLE" });
    await expect(createExportBucket(api, aws, ctx)).rejects.toThrow(/CANNOT_ASSUME_ROLE/);
    expect(api.count("createExportBucket")).toBe(1);
  });
});

describe("ExportBucket adopt", () => {
  it("takes over the matching bucket instead of creating", async () => {
    const { api, ctx } = setup();
    api.buckets.push({ _id: "6a00000000000000000000c1", cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: aws.iamRoleId, requirePrivateNetworking: false });
    api.buckets.push({ _id: "6a00000000000000000000c2", cloudProvider: "AWS", bucketName: "other", iamRoleId: aws.iamRoleId });
    const { id, outs } = await createExportBucket(api, { ...aws, adopt: true }, ctx);
    expect(id).toBe("6a00000000000000000000c1");
    expect(outs.region).toBe("us-east-1");
    expect(outs.adopt).toBe(true);
    expect(api.count("createExportBucket")).toBe(0);
    expect(api.count("updateExportBucket")).toBe(0);
  });
  it("aligns requirePrivateNetworking with one PATCH", async () => {
    const { api, ctx } = setup();
    api.buckets.push({ _id: "6a00000000000000000000c1", cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: aws.iamRoleId, requirePrivateNetworking: false });
    const { outs } = await createExportBucket(api, { ...aws, adopt: true, requirePrivateNetworking: true }, ctx);
    expect(api.count("updateExportBucket")).toBe(1);
    expect(outs.requirePrivateNetworking).toBe(true);
  });
  it("Azure match includes the serviceUrl", async () => {
    const { api, ctx } = setup();
    api.buckets.push({ _id: "6a00000000000000000000c3", cloudProvider: "AZURE", bucketName: "exports", roleId: azure.roleId, serviceUrl: "https://other.blob.core.windows.net/exports" });
    await expect(createExportBucket(api, { ...azure, adopt: true }, ctx)).rejects.toThrow(/no existing AZURE bucket "exports".*nothing to adopt/);
  });
  it("a replacement that adopts the bucket the old resource holds: the old resource's delete leaves it in Atlas", async () => {
    const { api, ctx } = setup();
    forgetAdoptedForTesting();
    api.buckets.push({ _id: "6a00000000000000000000c1", cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: aws.iamRoleId, requirePrivateNetworking: false });
    // create-before-delete: the new resource adopts c1, then the engine deletes the old one (also c1).
    const { id } = await createExportBucket(api, { ...aws, adopt: true }, ctx);
    const lines: string[] = [];
    await deleteExportBucket(api, "6a00000000000000000000c1", { ...aws, adopt: true, exportBucketId: id }, (l) => lines.push(l));
    expect(api.count("deleteExportBucket")).toBe(0);
    expect(api.buckets.map((b) => b._id)).toEqual(["6a00000000000000000000c1"]);
    expect(lines.join("\n")).toMatch(/not deleted in Atlas: another ExportBucket of this update adopted it/);
    // A bucket nobody adopted in this process is deleted as usual.
    forgetAdoptedForTesting();
    await deleteExportBucket(api, "6a00000000000000000000c1", { ...aws });
    expect(api.buckets).toHaveLength(0);
  });
  it("several matches: error listing their ids", async () => {
    const { api, ctx } = setup();
    for (const id of ["6a00000000000000000000c1", "6a00000000000000000000c2"]) api.buckets.push({ _id: id, cloudProvider: "GCP", bucketName: "gcs-b", roleId: gcp.roleId });
    await expect(createExportBucket(api, { ...gcp, adopt: true }, ctx)).rejects.toThrow(/2 existing buckets match.*6a00000000000000000000c1, 6a00000000000000000000c2/);
  });
});

describe("ExportBucket read", () => {
  it("404 → {} so the bucket leaves the state", async () => {
    const { api } = setup();
    expect(await readExportBucket(api, "6a00000000000000000000c9", { ...aws, exportBucketId: "6a00000000000000000000c9" })).toEqual({});
  });
  it("reflects Atlas (requirePrivateNetworking changed in the UI) in props and inputs", async () => {
    const { api, ctx } = setup();
    const { id, outs } = await createExportBucket(api, aws, ctx);
    (api.buckets[0] as { requirePrivateNetworking?: boolean }).requirePrivateNetworking = true;
    const result = await readExportBucket(api, id, outs as unknown as Record<string, unknown>);
    expect(result.id).toBe(id);
    expect(result.props).toMatchObject({ requirePrivateNetworking: true, region: "us-east-1", exportBucketId: id, schemaVersion: 1 });
    expect(result.inputs).toEqual({ projectId: PROJECT, cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: aws.iamRoleId, requirePrivateNetworking: true });
  });
  it("inputs keep requirePrivateNetworking absent when the program never set it and Atlas says false", async () => {
    const { api, ctx } = setup();
    const { id, outs } = await createExportBucket(api, aws, ctx);
    const { requirePrivateNetworking: _r, ...olderOuts } = outs;
    const result = await readExportBucket(api, id, olderOuts as unknown as Record<string, unknown>);
    expect(result.inputs).not.toHaveProperty("requirePrivateNetworking");
  });
  it("accepts outputs written by an older version (no schemaVersion, no computed fields)", async () => {
    const { api, ctx } = setup();
    const { id } = await createExportBucket(api, azure, ctx);
    const result = await readExportBucket(api, id, { projectId: PROJECT, cloudProvider: "AZURE", bucketName: "exports" });
    expect(result.props).toMatchObject({ ...azure, exportBucketId: id, schemaVersion: 1 });
    expect(result.inputs).toEqual(azure);
  });
  it("other errors propagate", async () => {
    const { api } = setup();
    api.fail("getExportBucket", { kind: "api", status: 401, errorCode: "UNAUTHORIZED" });
    await expect(readExportBucket(api, "x", aws as unknown as Record<string, unknown>)).rejects.toThrow(/UNAUTHORIZED/);
  });
});

describe("ExportBucket update", () => {
  it("one PATCH and every output returned", async () => {
    const { api, ctx } = setup();
    const { id, outs } = await createExportBucket(api, aws, ctx);
    const withRegion = { ...outs, region: "us-east-1" };
    api.calls.length = 0;
    const result = await updateExportBucket(api, id, withRegion as unknown as Record<string, unknown>, { ...aws, requirePrivateNetworking: true });
    expect(api.calls).toEqual(["updateExportBucket"]);
    expect(result.outs).toEqual({
      projectId: PROJECT, cloudProvider: "AWS", bucketName: "my-bucket", iamRoleId: aws.iamRoleId,
      requirePrivateNetworking: true, exportBucketId: id, region: "us-east-1", schemaVersion: 1,
    });
  });
});

describe("ExportBucket delete", () => {
  it("deletes", async () => {
    const { api, ctx } = setup();
    const { id, outs } = await createExportBucket(api, gcp, ctx);
    await deleteExportBucket(api, id, outs as unknown as Record<string, unknown>);
    expect(api.buckets).toHaveLength(0);
  });
  it("404 counts as deleted", async () => {
    const { api } = setup();
    await expect(deleteExportBucket(api, "6a00000000000000000000c9", { projectId: PROJECT })).resolves.toBeUndefined();
  });
  it("bucket in use: names the clusters whose schedules export to it and says what to change", async () => {
    const { api } = setup();
    const id = "6a00000000000000000000c1";
    api.clusters = [{ name: "Cluster0" }, { name: "Cluster1" }, { name: "NoBackup" }];
    api.schedules.set("Cluster0", { autoExportEnabled: true, export: { exportBucketId: id, frequencyType: "monthly" } });
    api.schedules.set("Cluster1", { autoExportEnabled: true, export: { exportBucketId: "6a00000000000000000000c2" } });
    api.fail("deleteExportBucket", { kind: "api", status: 400, errorCode: "EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE" });
    const error = await deleteExportBucket(api, id, { projectId: PROJECT }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/Clusters exporting to it: Cluster0\./);
    expect(message).not.toMatch(/Cluster1/);
    expect(message).toMatch(/Disable auto-export, or point export\.exportBucketId at another bucket/);
    expect(message).toMatch(/CloudBackupSchedule/);
  });
  it("bucket in use and the lookup fails: still a useful message", async () => {
    const { api } = setup();
    api.fail("deleteExportBucket", { kind: "api", status: 400, errorCode: "EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE" });
    api.fail("listClusters", { kind: "api", status: 403, errorCode: "FORBIDDEN" });
    await expect(deleteExportBucket(api, "6a00000000000000000000c1", { projectId: PROJECT })).rejects.toThrow(
      /Listing the project's clusters to name them failed: .*FORBIDDEN.*Disable auto-export/,
    );
  });
  it("other errors propagate", async () => {
    const { api } = setup();
    api.fail("deleteExportBucket", { kind: "api", status: 500, errorCode: "UNEXPECTED_ERROR" });
    await expect(deleteExportBucket(api, "x", { projectId: PROJECT })).rejects.toThrow(/UNEXPECTED_ERROR/);
  });
  it("state without projectId: clear error", async () => {
    const { api } = setup();
    await expect(deleteExportBucket(api, "x", {})).rejects.toThrow(/no projectId/);
  });
});
