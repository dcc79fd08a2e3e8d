import { beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index";
import { mulberry32, parseFaultSpec } from "../../emulator/faults";
import { GROUP, V2, apiFor, useEmulator } from "../helpers/emulator";

const { emu, api } = useEmulator();
const BUCKETS = `${V2}/groups/${GROUP}/backup/exportBuckets`;
const NEW_BUCKET = { bucketName: "fault-bucket", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" };

beforeEach(() => emu().reset());

describe("faults", () => {
  it("429 with Retry-After and RATE_LIMITED_TOKEN_BUCKET, limited by times", async () => {
    emu().faults.add({ kind: "rate-limit", method: "GET", path: "/api/atlas/v2/groups/*/backup/exportBuckets", retryAfterSeconds: 7, times: 1 });
    const r = await api.get(BUCKETS, "2024-05-30");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("7");
    expect(r.headers.get("x-error-code")).toBe("RATE_LIMITED_TOKEN_BUCKET");
    expect(r.json).toMatchObject({ error: 429, errorCode: "RATE_LIMITED_TOKEN_BUCKET", reason: "Too Many Requests" });
    expect(r.json.detail).toContain("Please retry after 7 seconds");
    expect((await api.get(BUCKETS, "2024-05-30")).status).toBe(200);
    expect(emu().requestLog.filter((e) => e.fault === "rate-limit")).toHaveLength(1);
  });

  it("500 / 503 errors do not apply the request", async () => {
    emu().faults.add({ kind: "error", status: 503, method: "POST", retryAfterSeconds: 2, times: 1 });
    const r = await api.post(BUCKETS, "2024-05-30", NEW_BUCKET);
    expect(r.status).toBe(503);
    expect(r.json.errorCode).toBe("SERVICE_UNAVAILABLE");
    expect(r.headers.get("retry-after")).toBe("2");
    emu().faults.add({ kind: "error", method: "POST", times: 1 });
    const r2 = await api.post(BUCKETS, "2024-05-30", NEW_BUCKET);
    expect(r2.status).toBe(500);
    expect(r2.json.errorCode).toBe("UNEXPECTED_ERROR");
    expect(emu().store.listBuckets(GROUP)).toHaveLength(1);
  });

  it("drop: socket destroyed before any response, request NOT applied", async () => {
    emu().faults.add({ kind: "drop", method: "POST", path: "**/exportBuckets", nth: 1 });
    await expect(api.post(BUCKETS, "2024-05-30", NEW_BUCKET)).rejects.toThrow();
    expect(emu().store.listBuckets(GROUP)).toHaveLength(1);
    expect(emu().requestLog.at(-1)).toMatchObject({ method: "POST", status: 0, fault: "drop" });
    // nth=1 only fires once
    expect((await api.post(BUCKETS, "2024-05-30", NEW_BUCKET)).status).toBe(200);
  });

  it("commit-then-drop: the mutation IS applied, then the socket is destroyed", async () => {
    emu().faults.add({ kind: "commit-then-drop", method: "POST", path: "/api/atlas/v2/groups/{groupId}/backup/exportBuckets", times: 1 });
    await expect(api.post(BUCKETS, "2024-05-30", NEW_BUCKET)).rejects.toThrow();
    expect(emu().store.listBuckets(GROUP).map((b) => b.bucketName)).toContain("fault-bucket");
    expect(emu().requestLog.at(-1)).toMatchObject({ status: 0, fault: "commit-then-drop", appliedStatus: 200 });
  });

  it("slow: delays the response headers", async () => {
    emu().faults.add({ kind: "slow", delayMs: 300, times: 1 });
    const t0 = Date.now();
    const r = await api.get(BUCKETS, "2024-05-30");
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(emu().requestLog.at(-1)?.fault).toBe("slow");
  });

  it("nth counts only matching, authenticated requests", async () => {
    emu().faults.add({ kind: "error", method: "GET", path: "**/exportBuckets", nth: 2 });
    expect((await api.get(BUCKETS, "2024-05-30")).status).toBe(200);
    expect((await api.get(`${V2}/groups/${GROUP}/clusters/Cluster0`, "2024-08-05")).status).toBe(200);
    expect((await api.get(BUCKETS, "2024-05-30")).status).toBe(500);
    expect((await api.get(BUCKETS, "2024-05-30")).status).toBe(200);
  });

  it("rate faults are reproducible from the seed", async () => {
    const run = async () => {
      const e = await startEmulator({ timeScale: 0, faultSeed: 42, faults: [{ kind: "error", rate: 0.5, path: "**/exportBuckets" }] });
      try {
        const a = apiFor(() => e);
        const out: number[] = [];
        for (let i = 0; i < 12; i++) out.push((await a.get(BUCKETS, "2024-05-30")).status);
        return out;
      } finally {
        await e.close();
      }
    };
    const first = await run();
    expect(first).toEqual(await run());
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(mulberry32(7)()).toBe(mulberry32(7)());
  });

  it("control endpoint adds and clears faults", async () => {
    const add = await fetch(`${emu().url}/__emulator/faults`, { method: "POST", body: JSON.stringify([{ kind: "rate-limit", path: "**" }]) });
    expect(add.status).toBe(201);
    expect((await api.get(BUCKETS, "2024-05-30")).status).toBe(429);
    expect((await fetch(`${emu().url}/__emulator/faults`, { method: "DELETE" })).status).toBe(204);
    expect((await api.get(BUCKETS, "2024-05-30")).status).toBe(200);
    const bad = await fetch(`${emu().url}/__emulator/faults`, { method: "POST", body: JSON.stringify({ kind: "explode" }) });
    expect(bad.status).toBe(400);
  });

  it("parses the CLI fault spec", () => {
    expect(parseFaultSpec("rate-limit:rate=0.1,retryAfterSeconds=2;drop:method=POST,path=**/exportBuckets,nth=1")).toEqual([
      { kind: "rate-limit", rate: 0.1, retryAfterSeconds: 2 },
      { kind: "drop", method: "POST", path: "**/exportBuckets", nth: 1 },
    ]);
    expect(() => parseFaultSpec("bogus")).toThrow(/invalid fault/);
  });
});
