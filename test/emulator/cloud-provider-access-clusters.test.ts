import { beforeEach, describe, expect, it } from "vitest";
import { GROUP, V2, useEmulator } from "../helpers/emulator";

const { emu, api } = useEmulator();
const CPA = `${V2}/groups/${GROUP}/cloudProviderAccess`;
beforeEach(() => emu().reset());

describe("cloud provider access", () => {
  it("lists seeded roles by provider (not paginated)", async () => {
    const r = await api.get(CPA, "2023-01-01");
    expect(r.status).toBe(200);
    expect(r.headers.get("ratelimit-limit")).toBe("2000");
    expect(Object.keys(r.json)).toEqual(["awsIamRoles", "azureServicePrincipals", "gcpServiceAccounts"]);
    expect(r.json.awsIamRoles.map((x: { roleId: string }) => x.roleId)).toEqual(["6a00000000000000000000b1", "6a00000000000000000000b4"]);
    expect(r.json.awsIamRoles[1]).toMatchObject({ authorizedDate: null, iamAssumedRoleArn: null });
    expect(r.json.awsIamRoles[0].featureUsages).toEqual([{ featureId: { exportBucketId: "6a00000000000000000000c1", groupId: GROUP }, featureType: "EXPORT_SNAPSHOT" }]);
    expect(r.json.azureServicePrincipals[0]).toMatchObject({ _id: "6a00000000000000000000b2", tenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" });
    expect(r.json.gcpServiceAccounts[0]).toMatchObject({ roleId: "6a00000000000000000000b3", status: "COMPLETE" });
  });

  it("creates an AWS role unauthorized, authorizes it, then buckets can use it; deauthorize", async () => {
    const c = await api.post(CPA, "2023-01-01", { providerName: "AWS" });
    expect(c.status).toBe(200);
    expect(c.json).toMatchObject({ providerName: "AWS", authorizedDate: null, iamAssumedRoleArn: null, featureUsages: [], atlasAWSAccountArn: "arn:aws:iam::299602853325:root" });
    const roleId = c.json.roleId;
    const bucket = { bucketName: "new-role-bucket", cloudProvider: "AWS", iamRoleId: roleId };
    expect((await api.post(`${V2}/groups/${GROUP}/backup/exportBuckets`, "2024-05-30", bucket)).json.errorCode).toBe("CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED");
    expect((await api.patch(`${CPA}/${roleId}`, "2023-01-01", { providerName: "AWS", iamAssumedRoleArn: "not-an-arn" })).json.errorCode).toBe("INVALID_ATTRIBUTE");
    const a = await api.patch(`${CPA}/${roleId}`, "2023-01-01", { providerName: "AWS", iamAssumedRoleArn: "arn:aws:iam::123456789012:role/export" });
    expect(a.status).toBe(200);
    expect(a.json.authorizedDate).toMatch(/Z$/);
    const b = await api.post(`${V2}/groups/${GROUP}/backup/exportBuckets`, "2024-05-30", bucket);
    expect(b.status).toBe(200);
    expect((await api.get(`${CPA}/${roleId}`, "2023-01-01")).json.featureUsages).toHaveLength(1);
    expect((await api.del(`${CPA}/AWS/${roleId}`, "2023-01-01")).json.errorCode).toBe("CLOUD_PROVIDER_ACCESS_ROLE_IN_USE");
    await api.del(`${V2}/groups/${GROUP}/backup/exportBuckets/${b.json._id}`, "2023-01-01");
    expect((await api.del(`${CPA}/AWS/${roleId}`, "2023-01-01")).status).toBe(204);
    expect((await api.get(`${CPA}/${roleId}`, "2023-01-01")).json.errorCode).toBe("CLOUD_PROVIDER_ACCESS_ROLE_NOT_FOUND");
  });

  it("creates Azure and GCP roles", async () => {
    const az = await api.post(CPA, "2023-01-01", { providerName: "AZURE", atlasAzureAppId: "9f2deb0d-be22-4524-a403-df531868bac0", servicePrincipalId: "7d1b6a25-3f2e-4c1a-9b8e-5e4d3c2b1a01", tenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1" });
    expect(az.status).toBe(200);
    expect(az.json._id).toMatch(/^[a-f0-9]{24}$/);
    expect((await api.post(CPA, "2023-01-01", { providerName: "AZURE" })).json.errorCode).toBe("MISSING_ATTRIBUTE");
    const gcp = await api.post(CPA, "2023-01-01", { providerName: "GCP" });
    expect(gcp.json.gcpServiceAccountForAtlas).toMatch(/^mongodb-atlas-[0-9a-z]{16}@p-[0-9a-z]{24}.iam.gserviceaccount.com$/);
    expect((await api.post(CPA, "2023-01-01", { providerName: "IBM" })).json.errorCode).toBe("INVALID_ENUM_VALUE");
    expect((await api.del(`${CPA}/IBM/${gcp.json.roleId}`, "2023-01-01")).json.errorCode).toBe("INVALID_PATH_PARAMETER");
  });
});

describe("clusters and backup schedule", () => {
  it("gets and lists clusters (2024-08-05)", async () => {
    const g = await api.get(`${V2}/groups/${GROUP}/clusters/Cluster0`, "2024-08-05");
    expect(g.status).toBe(200);
    expect(g.headers.get("ratelimit-limit")).toBe("10000");
    expect(g.json).toMatchObject({ name: "Cluster0", groupId: GROUP, clusterType: "REPLICASET", stateName: "IDLE", backupEnabled: true, paused: false });
    expect(g.json.replicationSpecs[0].regionConfigs[0].providerName).toBe("AWS");
    const l = await api.get(`${V2}/groups/${GROUP}/clusters`, "2024-08-05");
    expect(l.json.results.map((c: { name: string }) => c.name)).toEqual(["Cluster0", "Cluster1", "ShardedCluster0"]);
    const nf = await api.get(`${V2}/groups/${GROUP}/clusters/cluster-209`, "2024-08-05");
    expect(nf.json).toEqual({ detail: `No cluster named cluster-209 exists in group ${GROUP}.`, error: 404, errorCode: "CLUSTER_NOT_FOUND", parameters: ["cluster-209", GROUP], reason: "Not Found" });
  });

  it("PATCHes the backup schedule's auto-export", async () => {
    const S = `${V2}/groups/${GROUP}/clusters/Cluster1/backup/schedule`;
    expect((await api.get(S, "2023-01-01")).json.autoExportEnabled).toBe(false);
    const p = await api.patch(S, "2023-01-01", { autoExportEnabled: true, export: { exportBucketId: "6a00000000000000000000c1", frequencyType: "monthly" } });
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ autoExportEnabled: true, clusterName: "Cluster1", export: { exportBucketId: "6a00000000000000000000c1", frequencyType: "monthly" } });
    expect(emu().store.schedulesUsingBucket(GROUP, "6a00000000000000000000c1")).toHaveLength(1);
    expect((await api.patch(S, "2023-01-01", { autoExportEnabled: true, export: { exportBucketId: "6a00000000000000000000cc" } })).json.errorCode).toBe("EXPORT_BUCKET_NOT_FOUND");
    const off = await api.patch(S, "2023-01-01", { autoExportEnabled: false });
    expect(off.json.export).toBeUndefined();
    expect(emu().store.schedulesUsingBucket(GROUP, "6a00000000000000000000c1")).toHaveLength(0);
  });
});
