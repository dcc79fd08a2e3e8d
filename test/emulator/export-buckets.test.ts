import { beforeEach, describe, expect, it } from "vitest";
import { GROUP, OTHER_GROUP, V2, useEmulator } from "../helpers/emulator";

const { emu, api } = useEmulator();
const BUCKETS = `${V2}/groups/${GROUP}/backup/exportBuckets`;
const AWS_ROLE = "6a00000000000000000000b1";
const AZURE_ROLE = "6a00000000000000000000b2";
const GCP_ROLE = "6a00000000000000000000b3";
const UNAUTHORIZED_ROLE = "6a00000000000000000000b4";

beforeEach(() => emu().reset());

describe("export buckets 2024-05-30", () => {
  it("lists the seeded bucket without region, with absolute self link and totalCount", async () => {
    const r = await api.get(BUCKETS, "2024-05-30");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/vnd.atlas.2024-05-30+json;charset=utf-8");
    expect(r.headers.get("ratelimit-limit")).toBe("1200");
    expect(Number(r.headers.get("ratelimit-remaining"))).toBeLessThan(1200);
    expect(r.json).toEqual({
      links: [{ href: `${emu().url}${BUCKETS}?includeCount=true&pageNum=1&itemsPerPage=100`, rel: "self" }],
      results: [{ _id: "6a00000000000000000000c1", bucketName: "atlas-export-seeded", cloudProvider: "AWS", iamRoleId: AWS_ROLE, requirePrivateNetworking: false }],
      totalCount: 1,
    });
  });

  it("creates an AWS bucket with 200 (no region), GET one adds region", async () => {
    const c = await api.post(BUCKETS, "2024-05-30", { bucketName: "my-bucket", cloudProvider: "AWS", iamRoleId: AWS_ROLE });
    expect(c.status).toBe(200);
    expect(Object.keys(c.json)).toEqual(["_id", "bucketName", "cloudProvider", "iamRoleId", "requirePrivateNetworking"]);
    expect(c.json._id).toMatch(/^[a-f0-9]{24}$/);
    expect(c.text).not.toContain('"id"');
    const g = await api.get(`${BUCKETS}/${c.json._id}`, "2024-05-30");
    expect(g.json).toEqual({ ...c.json, region: "us-east-1" });
    expect(emu().store.listBuckets(GROUP)).toHaveLength(2);
  });

  it("creates Azure buckets deriving bucketName from the container and tenantId from the role", async () => {
    const c = await api.post(BUCKETS, "2024-05-30", { cloudProvider: "AZURE", roleId: AZURE_ROLE, serviceUrl: "https://examplestorageaccount.blob.core.windows.net/examplecontainer" });
    expect(c.status).toBe(200);
    expect(c.json).toMatchObject({ bucketName: "examplecontainer", cloudProvider: "AZURE", roleId: AZURE_ROLE, tenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" });
    expect(c.json.iamRoleId).toBeUndefined();
    // no container in the URL → bucketName required
    const noContainer = await api.post(BUCKETS, "2024-05-30", { cloudProvider: "AZURE", roleId: AZURE_ROLE, serviceUrl: "https://examplestorageaccount.blob.core.windows.net" });
    expect(noContainer.status).toBe(400);
    expect(noContainer.json.errorCode).toBe("MISSING_ATTRIBUTE");
    const bad = await api.post(BUCKETS, "2024-05-30", { cloudProvider: "AZURE", roleId: AZURE_ROLE, serviceUrl: "https://evil.example.com/examplecontainer" });
    expect(bad.json).toMatchObject({ error: 400, errorCode: "INVALID_ATTRIBUTE", parameters: ["serviceUrl"] });
  });

  it("creates GCP buckets", async () => {
    const c = await api.post(BUCKETS, "2024-05-30", { bucketName: "gcs-bucket", cloudProvider: "GCP", roleId: GCP_ROLE });
    expect(c.status).toBe(200);
    expect(c.json).toEqual({ _id: c.json._id, bucketName: "gcs-bucket", cloudProvider: "GCP", roleId: GCP_ROLE });
  });

  it("allows duplicates (same cloud + name + role)", async () => {
    const body = { bucketName: "dup-bucket", cloudProvider: "AWS", iamRoleId: AWS_ROLE };
    const a = await api.post(BUCKETS, "2024-05-30", body);
    const b = await api.post(BUCKETS, "2024-05-30", body);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.json._id).not.toBe(b.json._id);
  });

  it.each([
    [{ bucketName: "b-b", iamRoleId: AWS_ROLE }, 400, "MISSING_ATTRIBUTE", ["cloudProvider"]],
    [{ bucketName: "b-b", cloudProvider: "OCI", iamRoleId: AWS_ROLE }, 400, "INVALID_ENUM_VALUE", undefined],
    [{ cloudProvider: "AWS", iamRoleId: AWS_ROLE }, 400, "MISSING_ATTRIBUTE", ["bucketName"]],
    [{ bucketName: "b-b", cloudProvider: "AWS" }, 400, "MISSING_ATTRIBUTE", ["iamRoleId"]],
    [{ bucketName: "b-b", cloudProvider: "AWS", iamRoleId: AWS_ROLE, roleId: AWS_ROLE }, 400, "INVALID_ATTRIBUTE", ["roleId"]],
    [{ bucketName: "b-b", cloudProvider: "AWS", iamRoleId: AWS_ROLE, serviceUrl: "x" }, 400, "INVALID_ATTRIBUTE", ["serviceUrl"]],
    [{ bucketName: "b-b", cloudProvider: "GCP", roleId: GCP_ROLE, requirePrivateNetworking: true }, 400, "INVALID_ATTRIBUTE", ["requirePrivateNetworking"]],
    [{ bucketName: "b-b", cloudProvider: "AWS", iamRoleId: AWS_ROLE, _id: "6a00000000000000000000c9" }, 400, "ATTRIBUTE_READ_ONLY", ["_id"]],
    [{ bucketName: "ab", cloudProvider: "AWS", iamRoleId: AWS_ROLE }, 400, "EXPORT_BUCKET_NAME_INVALID", ["ab"]],
    [{ bucketName: "x".repeat(64), cloudProvider: "AWS", iamRoleId: AWS_ROLE }, 400, "EXPORT_BUCKET_NAME_INVALID", undefined],
    [{ bucketName: "b-b", cloudProvider: "AWS", iamRoleId: "nothex" }, 400, "INVALID_ATTRIBUTE", ["iamRoleId"]],
    [{ bucketName: "b-b", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000ff" }, 404, "CLOUD_PROVIDER_ACCESS_ROLE_NOT_FOUND", ["6a00000000000000000000ff"]],
    [{ bucketName: "b-b", cloudProvider: "AWS", iamRoleId: AZURE_ROLE }, 404, "CLOUD_PROVIDER_ACCESS_ROLE_NOT_FOUND", [AZURE_ROLE]],
    [{ bucketName: "b-b", cloudProvider: "AWS", iamRoleId: UNAUTHORIZED_ROLE }, 400, "CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED", [UNAUTHORIZED_ROLE]],
  ])("rejects %j with %i %s", async (body, status, code, params) => {
    const r = await api.post(BUCKETS, "2024-05-30", body);
    expect(r.status).toBe(status);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.headers.get("x-error-code")).toBe(code);
    expect(Object.keys(r.json)).toEqual(["detail", "error", "errorCode", "parameters", "reason"]);
    expect(r.json.error).toBe(status);
    expect(r.json.errorCode).toBe(code);
    if (params) expect(r.json.parameters).toEqual(params);
    expect(emu().store.listBuckets(GROUP)).toHaveLength(1);
  });

  it("rejects a role of another project as not found", async () => {
    emu().store.addRole({ groupId: OTHER_GROUP, id: "6a00000000000000000000b9", providerName: "AWS", createdDate: Date.now(), authorized: true });
    const r = await api.post(BUCKETS, "2024-05-30", { bucketName: "b-b", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b9" });
    expect(r.json.errorCode).toBe("CLOUD_PROVIDER_ACCESS_ROLE_NOT_FOUND");
  });

  it("rejects malformed JSON with INVALID_JSON", async () => {
    const r = await api.post(BUCKETS, "2024-05-30", "{not json");
    expect(r.status).toBe(400);
    expect(r.json.errorCode).toBe("INVALID_JSON");
  });

  it("PATCH flips requirePrivateNetworking (AWS only) and answers the AWS shape", async () => {
    const p = await api.patch(`${BUCKETS}/6a00000000000000000000c1`, "2024-05-30", { requirePrivateNetworking: true });
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ _id: "6a00000000000000000000c1", iamRoleId: AWS_ROLE, requirePrivateNetworking: true });
    expect(emu().store.getBucket(GROUP, "6a00000000000000000000c1")?.requirePrivateNetworking).toBe(true);
    expect((await api.patch(`${BUCKETS}/6a00000000000000000000c1`, "2024-05-30", {})).json.errorCode).toBe("MISSING_ATTRIBUTE");
    expect((await api.patch(`${BUCKETS}/6a00000000000000000000c1`, "2023-01-01", { requirePrivateNetworking: true })).status).toBe(406);
    const gcp = await api.post(BUCKETS, "2024-05-30", { bucketName: "gcs-bucket", cloudProvider: "GCP", roleId: GCP_ROLE });
    expect((await api.patch(`${BUCKETS}/${gcp.json._id}`, "2024-05-30", { requirePrivateNetworking: true })).json.errorCode).toBe("INVALID_ATTRIBUTE");
  });

  it("DELETE answers 204 with the 2023-01-01 content type and an empty body; then 404", async () => {
    const d = await api.del(`${BUCKETS}/6a00000000000000000000c1`, "2023-01-01");
    expect(d.status).toBe(204);
    expect(d.headers.get("content-type")).toBe("application/vnd.atlas.2023-01-01+json;charset=utf-8");
    expect(d.text).toBe("");
    // a 2024-05-30 Accept resolves to 2023-01-01 (newest ≤ date)
    const again = await api.del(`${BUCKETS}/6a00000000000000000000c1`, "2024-05-30");
    expect(again.status).toBe(404);
    expect(again.json).toMatchObject({ errorCode: "EXPORT_BUCKET_NOT_FOUND", parameters: ["6a00000000000000000000c1"], reason: "Not Found" });
    expect((await api.get(`${BUCKETS}/6a00000000000000000000c1`, "2024-05-30")).json.errorCode).toBe("EXPORT_BUCKET_NOT_FOUND");
  });

  it("DELETE fails with 400 EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE while a schedule auto-exports to it", async () => {
    emu().store.setAutoExport(GROUP, "Cluster0", "6a00000000000000000000c1");
    const d = await api.del(`${BUCKETS}/6a00000000000000000000c1`, "2023-01-01");
    expect(d.status).toBe(400);
    expect(d.json.errorCode).toBe("EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE");
    emu().store.setAutoExport(GROUP, "Cluster0", null);
    expect((await api.del(`${BUCKETS}/6a00000000000000000000c1`, "2023-01-01")).status).toBe(204);
  });

  it("validates path parameters", async () => {
    const r = await api.get(`${V2}/groups/nothex/backup/exportBuckets`, "2024-05-30");
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ errorCode: "INVALID_PATH_PARAMETER", parameters: ["groupId", "nothex"] });
    expect((await api.get(`${BUCKETS}/xyz`, "2024-05-30")).json.errorCode).toBe("INVALID_PATH_PARAMETER");
  });
});

describe("export buckets 2023-01-01 (deprecated, AWS-only shape)", () => {
  it("serves Deprecation and Sunset headers and omits non-AWS buckets", async () => {
    await api.post(BUCKETS, "2024-05-30", { bucketName: "gcs-bucket", cloudProvider: "GCP", roleId: GCP_ROLE });
    const r = await api.get(BUCKETS, "2023-01-01");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/vnd.atlas.2023-01-01+json;charset=utf-8");
    expect(r.headers.get("deprecation")).toBe("Thu, 30 May 2024 00:00:00 GMT");
    expect(r.headers.get("sunset")).toBe("Thu, 1 Jul 2027 00:00:00 GMT");
    expect(r.json.totalCount).toBe(1);
    expect(r.json.results.map((b: { cloudProvider: string }) => b.cloudProvider)).toEqual(["AWS"]);
    const current = await api.get(BUCKETS, "2024-05-30");
    expect(current.headers.get("deprecation")).toBeNull();
    expect(current.json.totalCount).toBe(2);
  });

  it("lists one consistent AWS-only collection: items, totalCount and pages agree", async () => {
    // Interleave: AWS (seeded), GCP, AWS, Azure, AWS, GCP.
    await api.post(BUCKETS, "2024-05-30", { bucketName: "gcs-1", cloudProvider: "GCP", roleId: GCP_ROLE });
    const a2 = await api.post(BUCKETS, "2024-05-30", { bucketName: "s3-2", cloudProvider: "AWS", iamRoleId: AWS_ROLE });
    await api.post(BUCKETS, "2024-05-30", { bucketName: "container", cloudProvider: "AZURE", roleId: "6a00000000000000000000b2", serviceUrl: "https://acct.blob.core.windows.net/container" });
    const a3 = await api.post(BUCKETS, "2024-05-30", { bucketName: "s3-3", cloudProvider: "AWS", iamRoleId: AWS_ROLE });
    await api.post(BUCKETS, "2024-05-30", { bucketName: "gcs-2", cloudProvider: "GCP", roleId: GCP_ROLE });
    const aws = ["6a00000000000000000000c1", a2.json._id, a3.json._id];
    expect((await api.get(BUCKETS, "2024-05-30")).json.totalCount).toBe(6);
    // Walk the 2023-01-01 pages one item at a time, following rel=next as clients do.
    const seen: string[] = [];
    let url: string | undefined = `${BUCKETS}?itemsPerPage=1`;
    for (let page = 1; url; page++) {
      const r = await api.get(url, "2023-01-01");
      expect(r.json.totalCount, `page ${page}`).toBe(aws.length);
      expect(r.json.results, `page ${page}`).toHaveLength(1);
      expect(r.json.results[0].cloudProvider).toBe("AWS");
      expect(typeof r.json.results[0].iamRoleId).toBe("string");
      seen.push(r.json.results[0]._id);
      const next = r.json.links.find((l: { rel: string }) => l.rel === "next")?.href as string | undefined;
      url = next ? next.slice(emu().url.length) : undefined;
      expect(page).toBeLessThanOrEqual(aws.length);
    }
    expect(seen).toEqual(aws);
    const beyond = await api.get(`${BUCKETS}?itemsPerPage=1&pageNum=4`, "2023-01-01");
    expect(beyond.json.results).toEqual([]);
    expect(beyond.json.totalCount).toBe(aws.length);
  });

  it("404s a non-AWS bucket by id and rejects non-AWS creates", async () => {
    const g = await api.post(BUCKETS, "2024-05-30", { bucketName: "gcs-bucket", cloudProvider: "GCP", roleId: GCP_ROLE });
    expect((await api.get(`${BUCKETS}/${g.json._id}`, "2023-01-01")).json.errorCode).toBe("EXPORT_BUCKET_NOT_FOUND");
    const c = await api.post(BUCKETS, "2023-01-01", { bucketName: "gcs-bucket", cloudProvider: "GCP", roleId: GCP_ROLE });
    expect(c.json.errorCode).toBe("INVALID_ENUM_VALUE");
    const ok = await api.post(BUCKETS, "2023-01-01", { bucketName: "s3-bucket", cloudProvider: "AWS", iamRoleId: AWS_ROLE });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("sunset")).not.toBeNull();
  });
});
