import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { GROUP, V2, apiFor } from "../helpers/emulator";

// A controllable clock and timeScale 1 (demo speed): job Queued 0–2 s, InProgress 2–7 s, terminal at 7 s.
let clock = Date.parse("2026-01-15T10:00:00Z");
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ timeScale: 1, now: () => clock });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());
const api = apiFor(() => emu);

const EXPORTS = `${V2}/groups/${GROUP}/clusters/Cluster0/backup/exports`;
const SNAP = "6a00000000000000000000d2";
const BUCKET = "6a00000000000000000000c1";

describe("export jobs", () => {
  it("goes Queued → InProgress → Successful with progress, finishedAt and the Atlas prefix", async () => {
    const c = await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET });
    expect(c.status).toBe(200);
    expect(c.headers.get("content-type")).toBe("application/vnd.atlas.2023-01-01+json;charset=utf-8");
    expect(c.json).toMatchObject({
      createdAt: "2026-01-15T10:00:00Z", customData: [], exportBucketId: BUCKET, snapshotId: SNAP, state: "Queued",
      exportStatus: { exportedCollections: 0, totalCollections: 12 },
    });
    expect(c.json.finishedAt).toBeUndefined();
    expect(c.json.stateReason).toBeUndefined();
    expect(Object.keys(c.json)).toEqual(["createdAt", "customData", "exportBucketId", "exportStatus", "id", "prefix", "snapshotId", "state"]);
    // exported_snapshots/<orgId>/<groupId>/<cluster>/<yyyy-MM-ddTHHmm>/<epoch seconds>
    expect(c.json.prefix).toMatch(new RegExp(`^exported_snapshots/6a0000000000000000000100/${GROUP}/Cluster0/2026-01-15T0800/${Date.parse("2026-01-15T10:00:00Z") / 1000}$`));
    const id = c.json.id;
    clock += 4_500;
    const mid = await api.get(`${EXPORTS}/${id}`, "2023-01-01");
    expect(mid.json.state).toBe("InProgress");
    expect(mid.json.exportStatus.exportedCollections).toBeGreaterThan(0);
    expect(mid.json.exportStatus.exportedCollections).toBeLessThan(12);
    clock += 3_000;
    const done = await api.get(`${EXPORTS}/${id}`, "2023-01-01");
    expect(done.json).toMatchObject({ state: "Successful", exportStatus: { exportedCollections: 12, totalCollections: 12 }, finishedAt: "2026-01-15T10:00:07Z" });
    const list = await api.get(EXPORTS, "2023-01-01");
    expect(list.json.totalCount).toBe(1);
    expect(list.json.results[0].state).toBe("Successful");
  });

  it("keeps customData", async () => {
    const c = await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET, customData: [{ key: "exported by", value: "pulumi" }] });
    expect(c.json.customData).toEqual([{ key: "exported by", value: "pulumi" }]);
  });

  it("forces a Failed outcome with stateReason (once)", async () => {
    emu.forceNextExportOutcome({ state: "Failed", reason: "Access denied to bucket" });
    const c = await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET });
    expect(c.json.state).toBe("Queued");
    clock += 10_000;
    const f = await api.get(`${EXPORTS}/${c.json.id}`, "2023-01-01");
    expect(f.json).toMatchObject({ state: "Failed", stateReason: { errorCode: "EXPORT_FAILED", message: "Access denied to bucket" } });
    expect(f.json.finishedAt).toBeDefined();
    const next = await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET });
    clock += 10_000;
    expect((await api.get(`${EXPORTS}/${next.json.id}`, "2023-01-01")).json.state).toBe("Successful");
  });

  it("forces Cancelled through the control endpoint", async () => {
    const r = await fetch(`${emu.url}/__emulator/next-export-outcome`, { method: "POST", body: JSON.stringify({ state: "Cancelled" }) });
    expect(r.status).toBe(204);
    const c = await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET });
    clock += 10_000;
    const g = await api.get(`${EXPORTS}/${c.json.id}`, "2023-01-01");
    expect(g.json.state).toBe("Cancelled");
    expect(g.json.stateReason).toBeUndefined();
  });

  it("allows one running export per snapshot (409 naming the running job)", async () => {
    const a = await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET });
    const b = await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET });
    expect(b.status).toBe(409);
    expect(b.json.errorCode).toBe("EXPORT_ALREADY_IN_PROGRESS");
    expect(b.json.detail).toContain(a.json.id);
    // another snapshot is fine
    expect((await api.post(EXPORTS, "2023-01-01", { snapshotId: "6a00000000000000000000d1", exportBucketId: BUCKET })).status).toBe(200);
    clock += 8_000;
    expect((await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET })).status).toBe(200);
  });

  it.each([
    [{ exportBucketId: BUCKET }, 400, "MISSING_ATTRIBUTE"],
    [{ snapshotId: SNAP }, 400, "MISSING_ATTRIBUTE"],
    [{ snapshotId: "zz", exportBucketId: BUCKET }, 400, "INVALID_ATTRIBUTE"],
    [{ snapshotId: SNAP, exportBucketId: BUCKET, customData: "x" }, 400, "INVALID_ATTRIBUTE"],
    [{ snapshotId: SNAP, exportBucketId: BUCKET, state: "Successful" }, 400, "ATTRIBUTE_READ_ONLY"],
    [{ snapshotId: "6a00000000000000000000dd", exportBucketId: BUCKET }, 404, "SNAPSHOT_NOT_FOUND"],
    [{ snapshotId: "6a00000000000000000000d3", exportBucketId: BUCKET }, 404, "SNAPSHOT_NOT_FOUND"], // Cluster1's snapshot
    [{ snapshotId: SNAP, exportBucketId: "6a00000000000000000000cc" }, 404, "EXPORT_BUCKET_NOT_FOUND"],
  ])("rejects %j with %i %s", async (body, status, code) => {
    const r = await api.post(EXPORTS, "2023-01-01", body);
    expect(r.status).toBe(status);
    expect(r.json.errorCode).toBe(code);
    expect(emu.store.listJobs(GROUP, "Cluster0")).toHaveLength(0);
  });

  it("refuses to export a snapshot that is not completed (400 SNAPSHOT_NOT_COMPLETE)", async () => {
    const s = await api.post(`${V2}/groups/${GROUP}/clusters/Cluster0/backup/snapshots`, "2023-01-01", { description: "x" });
    const r = await api.post(EXPORTS, "2023-01-01", { snapshotId: s.json.id, exportBucketId: BUCKET });
    expect(r.status).toBe(400);
    expect(r.json.errorCode).toBe("SNAPSHOT_NOT_COMPLETE");
    clock += 5_000;
    expect((await api.post(EXPORTS, "2023-01-01", { snapshotId: s.json.id, exportBucketId: BUCKET })).status).toBe(200);
  });

  it("404s unknown jobs and clusters", async () => {
    const j = await api.get(`${EXPORTS}/6a0000000000000000000fff`, "2023-01-01");
    expect(j.status).toBe(404);
    expect(j.json.errorCode).toBe("EXPORT_JOB_NOT_FOUND");
    const c = await api.get(`${V2}/groups/${GROUP}/clusters/Nope/backup/exports`, "2023-01-01");
    expect(c.json).toMatchObject({ errorCode: "CLUSTER_NOT_FOUND", parameters: ["Nope", GROUP], detail: `No cluster named Nope exists in group ${GROUP}.` });
    expect((await api.get(`${V2}/groups/${GROUP}/clusters/-bad/backup/exports`, "2023-01-01")).json.errorCode).toBe("INVALID_PATH_PARAMETER");
  });

  it("has no DELETE (405)", async () => {
    const c = await api.post(EXPORTS, "2023-01-01", { snapshotId: SNAP, exportBucketId: BUCKET });
    const d = await api.del(`${EXPORTS}/${c.json.id}`, "2023-01-01");
    expect(d.status).toBe(405);
  });
});

describe("export jobs at timeScale 0", () => {
  it("POST answers Queued, the first GET shows the terminal state", async () => {
    const fast = await startEmulator({ timeScale: 0 });
    try {
      const fapi = apiFor(() => fast);
      const path = `${V2}/groups/${GROUP}/clusters/Cluster1/backup/exports`;
      const c = await fapi.post(path, "2023-01-01", { snapshotId: "6a00000000000000000000d3", exportBucketId: BUCKET });
      expect(c.json.state).toBe("Queued");
      const g = await fapi.get(`${path}/${c.json.id}`, "2023-01-01");
      expect(g.json).toMatchObject({ state: "Successful", exportStatus: { exportedCollections: 4, totalCollections: 4 } });
    } finally {
      await fast.close();
    }
  });
});
