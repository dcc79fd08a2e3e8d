import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { GROUP, V2, apiFor } from "../helpers/emulator";

let clock = Date.parse("2026-03-01T12:00:00Z");
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ timeScale: 1, now: () => clock });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());
const api = apiFor(() => emu);
const SNAPS = `${V2}/groups/${GROUP}/clusters/Cluster0/backup/snapshots`;

describe("snapshots", () => {
  it("lists the seeded completed snapshots newest first", async () => {
    const r = await api.get(SNAPS, "2023-01-01");
    expect(r.status).toBe(200);
    expect(r.json.totalCount).toBe(2);
    expect(r.json.results.map((s: { id: string }) => s.id)).toEqual(["6a00000000000000000000d2", "6a00000000000000000000d1"]);
    expect(r.json.results[0]).toMatchObject({ status: "completed", cloudProvider: "AWS", type: "replicaSet", replicaSetName: "Cluster0", mongodVersion: "8.0.29" });
    expect(r.json.results[0].links[0]).toEqual({ href: `${emu.url}${SNAPS}/6a00000000000000000000d2`, rel: "self" });
  });

  it("takes an on-demand snapshot: queued → inProgress → completed", async () => {
    const t = await api.post(SNAPS, "2023-01-01", { description: "test-snapshot", retentionInDays: 1 });
    expect(t.status).toBe(200);
    expect(t.json).toMatchObject({ status: "queued", frequencyType: "ondemand", snapshotType: "onDemand", storageSizeBytes: 0, copyRegions: [], policyItems: [], description: "test-snapshot" });
    expect(t.json.createdAt).toBeUndefined();
    expect(t.json.cloudProvider).toBeUndefined();
    expect(t.json.links[1]).toEqual({ href: `${emu.url}${V2}/groups/${GROUP}/clusters/Cluster0`, rel: "https://cloud.mongodb.com/cluster" });
    // a second on-demand snapshot must wait
    const again = await api.post(SNAPS, "2023-01-01", {});
    expect(again.status).toBe(400);
    expect(again.json.errorCode).toBe("UNFINISHED_ON_DEMAND_SNAPSHOT");
    clock += 2_000;
    expect((await api.get(`${SNAPS}/${t.json.id}`, "2023-01-01")).json.status).toBe("inProgress");
    clock += 2_000;
    const done = await api.get(`${SNAPS}/${t.json.id}`, "2023-01-01");
    expect(done.json).toMatchObject({ status: "completed", cloudProvider: "AWS", createdAt: "2026-03-01T12:00:04Z", expiresAt: "2026-03-02T12:00:04Z" });
    expect(done.json.storageSizeBytes).toBeGreaterThan(0);
    expect(emu.store.listSnapshots(GROUP, "Cluster0")).toHaveLength(3);
    expect((await api.get(SNAPS, "2023-01-01")).json.results[0].id).toBe(t.json.id);
  });

  it("validates the take body and query parameters", async () => {
    expect((await api.post(SNAPS, "2023-01-01", { retentionInDays: 0 })).json.errorCode).toBe("INVALID_ATTRIBUTE");
    expect((await api.post(SNAPS, "2023-01-01", { nope: 1 })).json.errorCode).toBe("INVALID_ATTRIBUTE");
    const r = await api.get(`${SNAPS}?pointInTimeUtcSeconds=1&oplogTs=2`, "2023-01-01");
    expect(r.status).toBe(400);
    expect(r.json.errorCode).toBe("MUTUALLY_EXCLUSIVE_QUERY_PARAMETERS");
  });

  it("404s unknown snapshots with SNAPSHOT_NOT_FOUND", async () => {
    const r = await api.get(`${SNAPS}/6a00000000000000000000d3`, "2023-01-01");
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ errorCode: "SNAPSHOT_NOT_FOUND", parameters: ["6a00000000000000000000d3", "Cluster0"] });
  });

  it("only serves 2023-01-01 (a later date resolves to it)", async () => {
    const r = await api.get(SNAPS, "2025-03-12");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/vnd.atlas.2023-01-01+json;charset=utf-8");
    expect((await api.get(SNAPS, "2022-12-31")).status).toBe(406);
  });
});
