import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index";
import { GROUP, V2, apiFor, useEmulator } from "../helpers/emulator";

const { emu, api } = useEmulator();
const BUCKETS = `${V2}/groups/${GROUP}/backup/exportBuckets`;
const control = (path: string, method = "GET", body?: unknown) =>
  fetch(`${emu().url}/__emulator/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

beforeEach(() => emu().reset());

describe("control endpoints", () => {
  it("GET state exposes the store and is not logged", async () => {
    const r = await control("state");
    expect(r.status).toBe(200);
    const s = (await r.json()) as { state: { buckets: { id: string }[] }; timeScale: number };
    expect(s.state.buckets.map((b) => b.id)).toEqual(["6a00000000000000000000c1"]);
    expect(s.timeScale).toBe(0);
    expect(emu().requestLog).toHaveLength(0);
  });

  it("GET requests returns the request log", async () => {
    await api.get(BUCKETS, "2024-05-30");
    const log = (await (await control("requests")).json()) as { method: string; path: string; status: number; durationMs: number; auth: string }[];
    expect(log.map((e) => e.status)).toEqual([401, 200]);
    expect(log[1]).toMatchObject({ method: "GET", path: BUCKETS, auth: "digest", query: {} });
    expect(typeof log[1]!.durationMs).toBe("number");
  });

  it("DELETE buckets/{id} removes a bucket behind Pulumi's back", async () => {
    expect((await control("buckets/6a00000000000000000000c1", "DELETE")).status).toBe(204);
    expect((await api.get(`${BUCKETS}/6a00000000000000000000c1`, "2024-05-30")).status).toBe(404);
    expect((await control("buckets/6a00000000000000000000c1", "DELETE")).status).toBe(404);
  });

  it("PUT schedule sets a cluster's auto-export bucket", async () => {
    const r = await control("schedule", "PUT", { clusterName: "Cluster0", exportBucketId: "6a00000000000000000000c1" });
    expect(r.status).toBe(200);
    const s = await api.get(`${V2}/groups/${GROUP}/clusters/Cluster0/backup/schedule`, "2023-01-01");
    expect(s.json).toMatchObject({ autoExportEnabled: true, export: { exportBucketId: "6a00000000000000000000c1", frequencyType: "monthly" } });
    expect((await api.del(`${BUCKETS}/6a00000000000000000000c1`, "2023-01-01")).json.errorCode).toBe("EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE");
    await control("schedule", "PUT", { clusterName: "Cluster0", exportBucketId: null });
    expect((await api.del(`${BUCKETS}/6a00000000000000000000c1`, "2023-01-01")).status).toBe(204);
  });

  it("POST reset restores the seed (and can pick empty-buckets)", async () => {
    await api.post(BUCKETS, "2024-05-30", { bucketName: "x-bucket", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" });
    expect(emu().store.listBuckets(GROUP)).toHaveLength(2);
    expect((await control("reset", "POST", { seed: "empty-buckets" })).status).toBe(204);
    expect(emu().store.listBuckets(GROUP)).toHaveLength(0);
    expect(emu().requestLog).toHaveLength(0);
    await control("reset", "POST");
    expect(emu().store.listBuckets(GROUP)).toHaveLength(1);
  });

  it("validates next-export-outcome", async () => {
    expect((await control("next-export-outcome", "POST", { state: "Exploded" })).status).toBe(400);
    expect((await control("next-export-outcome", "POST", { state: "Failed", reason: "boom" })).status).toBe(204);
    expect(emu().store.nextExportOutcome).toEqual({ state: "Failed", reason: "boom" });
  });
});

describe("store helpers", () => {
  it("listBuckets / deleteBucket / setAutoExport / listJobs", async () => {
    const s = emu().store;
    expect(s.listBuckets(GROUP)).toHaveLength(1);
    s.setAutoExport(GROUP, "Cluster1", "6a00000000000000000000c1", "daily");
    expect(s.schedulesUsingBucket(GROUP, "6a00000000000000000000c1").map((x) => x.clusterName)).toEqual(["Cluster1"]);
    expect(s.deleteBucket(GROUP, "6a00000000000000000000c1")).toBe(true);
    expect(s.deleteBucket(GROUP, "6a00000000000000000000c1")).toBe(false);
    expect(s.listJobs(GROUP, "Cluster0")).toEqual([]);
    expect(s.listSnapshots(GROUP, "Cluster0")).toHaveLength(2);
  });
});

describe("seeds and persistence", () => {
  const dir = mkdtempSync(join(tmpdir(), "atlas-emu-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("empty-buckets seed has everything but the bucket", async () => {
    const e = await startEmulator({ seed: "empty-buckets", timeScale: 0 });
    try {
      expect(e.store.listBuckets(GROUP)).toEqual([]);
      expect(e.store.listClusters(GROUP).map((c) => c.name)).toEqual(["Cluster0", "Cluster1", "ShardedCluster0"]);
      expect(e.credentials).toMatchObject({ groupId: GROUP, apiKey: { publicKey: "emulpubk" } });
    } finally {
      await e.close();
    }
  });

  it("state survives a restart through persistPath", async () => {
    const file = join(dir, "state.json");
    const a = await startEmulator({ persistPath: file, timeScale: 0 });
    const created = await apiFor(() => a).post(BUCKETS, "2024-05-30", { bucketName: "persisted-bucket", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" });
    await a.close();
    expect(readFileSync(file, "utf8")).toContain("persisted-bucket");
    const b = await startEmulator({ persistPath: file, timeScale: 0 });
    try {
      const r = await apiFor(() => b).get(`${BUCKETS}/${created.json._id}`, "2024-05-30");
      expect(r.status).toBe(200);
      expect(r.json.bucketName).toBe("persisted-bucket");
    } finally {
      await b.close();
    }
  });

  it("refuses non-loopback hosts", async () => {
    await expect(startEmulator({ host: "0.0.0.0" })).rejects.toThrow(/loopback/);
  });

  it("close() does not hang on keep-alive connections", async () => {
    const e = await startEmulator({ timeScale: 0 });
    await apiFor(() => e).get(BUCKETS, "2024-05-30"); // leaves a keep-alive socket in fetch's pool
    const t0 = Date.now();
    await e.close();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
