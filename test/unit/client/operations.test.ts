import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AtlasClient } from "../../../provider/client";
import { AtlasResponseValidationError } from "../../../provider/errors";
import { apiCalls, atlasJson, closeHarnesses, collect, GROUP, harness, headerOf, interceptToken } from "./helpers";

const F = JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/client/responses.json"), "utf8")) as Record<string, Record<string, unknown>>;
const G = `/api/atlas/v2/groups/${GROUP}`;
const B = "6a00000000000000000000c1";
const page = (results: unknown[]) => ({ links: [{ href: "https://cloud.mongodb.com/self", rel: "self" }], results, totalCount: results.length });

interface Op {
  name: string;
  method: string;
  path: string;
  version: string;
  status?: number;
  reply: unknown;
  body?: unknown;
  run: (c: AtlasClient) => Promise<unknown>;
  expectResult: (r: unknown) => void;
}

const ops: Op[] = [
  { name: "listExportBuckets", method: "GET", path: `${G}/backup/exportBuckets`, version: "2024-05-30", reply: page([F.bucketCreated, F.bucketAzure]),
    run: (c) => collect(c.listExportBuckets(GROUP)), expectResult: (r) => expect((r as unknown[]).length).toBe(2) },
  { name: "createExportBucket", method: "POST", path: `${G}/backup/exportBuckets`, version: "2024-05-30", reply: F.bucketCreated,
    body: { cloudProvider: "AWS", bucketName: "atlas-export-seeded", iamRoleId: "6a00000000000000000000b1" },
    run: (c) => c.createExportBucket(GROUP, { cloudProvider: "AWS", bucketName: "atlas-export-seeded", iamRoleId: "6a00000000000000000000b1" }),
    expectResult: (r) => { expect(r).toMatchObject({ _id: B, requirePrivateNetworking: false }); expect(r).not.toHaveProperty("region"); } },
  { name: "getExportBucket", method: "GET", path: `${G}/backup/exportBuckets/${B}`, version: "2024-05-30", reply: F.bucketGet,
    run: (c) => c.getExportBucket(GROUP, B), expectResult: (r) => expect(r).toMatchObject({ region: "us-east-1" }) },
  { name: "getExportBucket (Azure, unknown field kept)", method: "GET", path: `${G}/backup/exportBuckets/${B}`, version: "2024-05-30", reply: F.bucketAzure,
    run: (c) => c.getExportBucket(GROUP, B), expectResult: (r) => expect(r).toMatchObject({ tenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", futureField: { x: 1 } }) },
  { name: "updateExportBucket", method: "PATCH", path: `${G}/backup/exportBuckets/${B}`, version: "2024-05-30", reply: { ...F.bucketGet, requirePrivateNetworking: true },
    body: { requirePrivateNetworking: true },
    run: (c) => c.updateExportBucket(GROUP, B, { requirePrivateNetworking: true }), expectResult: (r) => expect(r).toMatchObject({ requirePrivateNetworking: true }) },
  { name: "deleteExportBucket", method: "DELETE", path: `${G}/backup/exportBuckets/${B}`, version: "2023-01-01", status: 204, reply: "",
    run: (c) => c.deleteExportBucket(GROUP, B), expectResult: (r) => expect(r).toBeUndefined() },
  { name: "listExportJobs", method: "GET", path: `${G}/clusters/Cluster0/backup/exports`, version: "2023-01-01", reply: page([F.jobQueued]),
    run: (c) => collect(c.listExportJobs(GROUP, "Cluster0")), expectResult: (r) => expect(r).toMatchObject([{ state: "Queued" }]) },
  { name: "createExportJob", method: "POST", path: `${G}/clusters/Cluster0/backup/exports`, version: "2023-01-01", reply: F.jobQueued,
    body: { snapshotId: "6a00000000000000000000e1", exportBucketId: B, customData: [{ key: "k", value: "v" }] },
    run: (c) => c.createExportJob(GROUP, "Cluster0", { snapshotId: "6a00000000000000000000e1", exportBucketId: B, customData: [{ key: "k", value: "v" }] }),
    expectResult: (r) => expect(r).toMatchObject({ id: "6a00000000000000000000d1", customData: [] }) },
  { name: "getExportJob", method: "GET", path: `${G}/clusters/Cluster0/backup/exports/6a00000000000000000000d1`, version: "2023-01-01", reply: { ...F.jobQueued, state: "Successful", finishedAt: "2026-08-10T03:43:00Z" },
    run: (c) => c.getExportJob(GROUP, "Cluster0", "6a00000000000000000000d1"), expectResult: (r) => expect(r).toMatchObject({ state: "Successful" }) },
  { name: "listSnapshots", method: "GET", path: `${G}/clusters/Cluster0/backup/snapshots`, version: "2023-01-01", reply: page([F.snapshotQueued]),
    run: (c) => collect(c.listSnapshots(GROUP, "Cluster0")), expectResult: (r) => expect(r).toMatchObject([{ frequencyType: "ondemand" }]) },
  { name: "getSnapshot", method: "GET", path: `${G}/clusters/Cluster0/backup/snapshots/6a00000000000000000000e2`, version: "2023-01-01", reply: { ...F.snapshotQueued, status: "completed" },
    run: (c) => c.getSnapshot(GROUP, "Cluster0", "6a00000000000000000000e2"), expectResult: (r) => expect(r).toMatchObject({ status: "completed" }) },
  { name: "takeSnapshot", method: "POST", path: `${G}/clusters/Cluster0/backup/snapshots`, version: "2023-01-01", reply: F.snapshotQueued,
    body: { description: "on-demand", retentionInDays: 1 },
    run: (c) => c.takeSnapshot(GROUP, "Cluster0", { description: "on-demand", retentionInDays: 1 }), expectResult: (r) => expect(r).toMatchObject({ status: "queued" }) },
  { name: "listCloudProviderAccessRoles", method: "GET", path: `${G}/cloudProviderAccess`, version: "2023-01-01", reply: F.roles,
    run: (c) => c.listCloudProviderAccessRoles(GROUP), expectResult: (r) => expect(r).toMatchObject({ awsIamRoles: [{ authorizedDate: null }] }) },
  { name: "getCloudProviderAccessRole", method: "GET", path: `${G}/cloudProviderAccess/6a00000000000000000000b1`, version: "2023-01-01", reply: F.roleAws,
    run: (c) => c.getCloudProviderAccessRole(GROUP, "6a00000000000000000000b1"), expectResult: (r) => expect(r).toMatchObject({ providerName: "AWS" }) },
  { name: "getCluster", method: "GET", path: `${G}/clusters/Cluster0`, version: "2024-08-05", reply: F.cluster,
    run: (c) => c.getCluster(GROUP, "Cluster0"), expectResult: (r) => expect(r).toMatchObject({ name: "Cluster0", backupEnabled: true }) },
  { name: "listClusters", method: "GET", path: `${G}/clusters`, version: "2024-08-05", reply: page([F.cluster]),
    run: (c) => collect(c.listClusters(GROUP)), expectResult: (r) => expect(r).toMatchObject([{ name: "Cluster0" }]) },
  { name: "getBackupSchedule", method: "GET", path: `${G}/clusters/Cluster0/backup/schedule`, version: "2024-08-05", reply: F.schedule,
    run: (c) => c.getBackupSchedule(GROUP, "Cluster0"), expectResult: (r) => expect(r).toMatchObject({ export: { exportBucketId: B } }) },
  { name: "updateBackupSchedule (auto-export on)", method: "PATCH", path: `${G}/clusters/Cluster0/backup/schedule`, version: "2024-08-05", reply: F.schedule,
    body: { autoExportEnabled: true, export: { exportBucketId: B, frequencyType: "monthly" } },
    run: (c) => c.updateBackupSchedule(GROUP, "Cluster0", { autoExportEnabled: true, export: { exportBucketId: B, frequencyType: "monthly" } }),
    expectResult: (r) => expect(r).toMatchObject({ autoExportEnabled: true, export: { exportBucketId: B } }) },
  { name: "updateBackupSchedule (auto-export off)", method: "PATCH", path: `${G}/clusters/Cluster0/backup/schedule`, version: "2024-08-05",
    reply: { ...F.schedule, autoExportEnabled: false, export: undefined }, body: { autoExportEnabled: false },
    run: (c) => c.updateBackupSchedule(GROUP, "Cluster0", { autoExportEnabled: false }),
    expectResult: (r) => expect(r).toMatchObject({ autoExportEnabled: false }) },
];

afterEach(closeHarnesses);

describe("every AtlasApi operation", () => {
  for (const op of ops) {
    it(`${op.name}: ${op.method} ${op.path.replace(G, "/groups/{groupId}")} with Accept ${op.version}`, async () => {
      const h = harness();
      interceptToken(h.pool);
      h.pool
        .intercept({ path: (p) => p.split("?")[0] === op.path, method: op.method })
        .reply(op.status ?? 200, typeof op.reply === "string" ? op.reply : JSON.stringify(op.reply), { headers: atlasJson(op.version) });
      op.expectResult(await op.run(h.client));
      const call = apiCalls(h.agent)[0]!;
      expect(call.method).toBe(op.method);
      expect(headerOf(call, "accept")).toBe(`application/vnd.atlas.${op.version}+json`);
      if (op.body !== undefined) {
        expect(JSON.parse(call.body ?? "null")).toEqual(op.body);
        expect(headerOf(call, "content-type")).toBe(`application/vnd.atlas.${op.version}+json`);
      }
    });
  }

  it("percent-encodes path parameters", async () => {
    const h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: `${G}/clusters/a%2F..%2Fb`, method: "GET" }).reply(200, JSON.stringify(F.cluster), { headers: atlasJson("2024-08-05") });
    await h.client.getCluster(GROUP, "a/../b");
  });

  it("rejects a snapshot body without an id (wrong shape)", async () => {
    const h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: `${G}/clusters/Cluster0/backup/snapshots/x1`, method: "GET" }).reply(200, JSON.stringify({ status: "completed" }), {
      headers: atlasJson("2023-01-01"),
    });
    await expect(h.client.getSnapshot(GROUP, "Cluster0", "x1")).rejects.toBeInstanceOf(AtlasResponseValidationError);
  });
});
