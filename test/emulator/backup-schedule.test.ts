/**
 * The backup schedule (CONTRACT §15, §16.6) over real HTTP: both versions, Atlas's default
 * policy, PATCH merge and auto-export rules, DELETE, the in-use rule for buckets, and the three
 * real `backup__schedule__*` recordings (read from ../shared/atlas-api at test time, never
 * copied) compared with the emulator's answers: status, content type, Deprecation/Sunset,
 * body field names and JSON types.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BackupScheduleResponse } from "../../provider/schemas/backup-schedule-response";
import { GROUP, V2, useEmulator } from "../helpers/emulator";

const { emu, api } = useEmulator();

const S0 = `${V2}/groups/${GROUP}/clusters/Cluster0/backup/schedule`;
const S1 = `${V2}/groups/${GROUP}/clusters/Cluster1/backup/schedule`;
const BUCKET = "6a00000000000000000000c1";
const BUCKETS = `${V2}/groups/${GROUP}/backup/exportBuckets`;

type Json = Record<string, unknown>;

describe("backup schedule: versions", () => {
  it("GET at 2023-01-01 is deprecated (Deprecation/Sunset as recorded); at 2024-08-05 it is not", async () => {
    const legacy = await api.get(S0, "2023-01-01");
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get("content-type")).toBe("application/vnd.atlas.2023-01-01+json;charset=utf-8");
    expect(legacy.headers.get("deprecation")).toBe("Mon, 5 Aug 2024 00:00:00 GMT");
    expect(legacy.headers.get("sunset")).toBe("Thu, 1 Jul 2027 00:00:00 GMT");
    const current = await api.get(S0, "2024-08-05");
    expect(current.status).toBe(200);
    expect(current.headers.get("content-type")).toBe("application/vnd.atlas.2024-08-05+json;charset=utf-8");
    expect(current.headers.get("deprecation")).toBeNull();
    expect(current.headers.get("sunset")).toBeNull();
    // A later date resolves to the newest version <= it (§2).
    const later = await api.get(S0, "2025-03-12");
    expect(later.headers.get("content-type")).toBe("application/vnd.atlas.2024-08-05+json;charset=utf-8");
  });

  it("a version the operation does not serve is 406 INVALID_VERSION_DATE (GET, PATCH, DELETE)", async () => {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const r = await api.call(method, S0, "2022-12-31", method === "PATCH" ? { autoExportEnabled: false } : undefined);
      expect(r.status, method).toBe(406);
      expect(r.json).toMatchObject({ errorCode: "INVALID_VERSION_DATE", error: 406 });
    }
  });
});

describe("backup schedule: Atlas's default policy and PATCH", () => {
  it("a new schedule has Atlas's default policy (five items, sequential ids) and auto-export off with no export key", async () => {
    const r = (await api.get(S1, "2024-08-05")).json as Json;
    expect(r).toMatchObject({ autoExportEnabled: false, clusterName: "Cluster1", referenceHourOfDay: 3, restoreWindowDays: 7, useOrgAndGroupNamesInExportPrefix: false });
    expect("export" in r).toBe(false);
    const [policy] = r["policies"] as { id: string; policyItems: Json[] }[];
    expect(policy!.policyItems.map((i) => [i["frequencyType"], i["frequencyInterval"], i["retentionUnit"], i["retentionValue"]])).toEqual([
      ["hourly", 6, "days", 7],
      ["daily", 1, "days", 7],
      ["weekly", 6, "weeks", 4],
      ["monthly", 40, "months", 12],
      ["yearly", 12, "years", 1],
    ]);
    const tail = (id: unknown) => parseInt(String(id).slice(-6), 16);
    expect(policy!.policyItems.map((i) => tail(i["id"]) - tail(policy!.id))).toEqual([1, 2, 3, 4, 5]);
  });

  it("enables auto-export with autoExportEnabled + export in one PATCH and keeps every other field", async () => {
    const before = (await api.get(S1, "2024-08-05")).json as Json;
    const p = await api.patch(S1, "2024-08-05", { autoExportEnabled: true, export: { exportBucketId: BUCKET, frequencyType: "monthly" } });
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ autoExportEnabled: true, export: { exportBucketId: BUCKET, frequencyType: "monthly" } });
    const { autoExportEnabled: _a, export: _e, nextSnapshot: _n, ...rest } = p.json as Json;
    const { autoExportEnabled: _b, nextSnapshot: _m, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    expect(emu().store.schedulesUsingBucket(GROUP, BUCKET).map((s) => s.clusterName)).toEqual(["Cluster1"]);
  });

  it("export without autoExportEnabled: true in the same body is 400 INVALID_BACKUP_POLICY and changes nothing", async () => {
    // Auto-export is on from the previous test: leaving autoExportEnabled out still fails (Terraform #4291).
    const r = await api.patch(S1, "2024-08-05", { export: { exportBucketId: BUCKET, frequencyType: "yearly" } });
    expect(r.status).toBe(400);
    expect(r.json.errorCode).toBe("INVALID_BACKUP_POLICY");
    const off = await api.patch(S1, "2024-08-05", { autoExportEnabled: false, export: { exportBucketId: BUCKET, frequencyType: "yearly" } });
    expect(off.json.errorCode).toBe("INVALID_BACKUP_POLICY");
    expect((await api.get(S1, "2024-08-05")).json.export).toEqual({ exportBucketId: BUCKET, frequencyType: "monthly" });
  });

  it("partial PATCH: only the fields sent change; null policies and readOnly clusterName are accepted", async () => {
    const r = await api.patch(S1, "2023-01-01", { clusterName: "Cluster1", policies: null, useOrgAndGroupNamesInExportPrefix: true });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ autoExportEnabled: true, export: { exportBucketId: BUCKET, frequencyType: "monthly" }, useOrgAndGroupNamesInExportPrefix: true });
    expect((r.json.policies as { policyItems: unknown[] }[])[0]!.policyItems).toHaveLength(5);
    const freq = await api.patch(S1, "2024-08-05", { autoExportEnabled: true, export: { frequencyType: "yearly" } });
    expect(freq.json.export).toEqual({ exportBucketId: BUCKET, frequencyType: "yearly" });
  });

  it("frequencyType: monthly/yearly accepted; daily/weekly only where Support enabled them; others rejected", async () => {
    const body = (frequencyType: string) => ({ autoExportEnabled: true, export: { exportBucketId: BUCKET, frequencyType } });
    for (const f of ["daily", "weekly", "hourly", "Monthly"]) {
      const r = await api.patch(S1, "2024-08-05", body(f));
      expect(r.status, f).toBe(400);
      expect(r.json.errorCode, f).toBe("INVALID_ENUM_VALUE");
    }
    const project = emu().store.project(GROUP)!;
    project.supportEnabledExportFrequencies = ["daily"];
    try {
      expect((await api.patch(S1, "2024-08-05", body("daily"))).json.export.frequencyType).toBe("daily");
      expect((await api.patch(S1, "2024-08-05", body("weekly"))).json.errorCode).toBe("INVALID_ENUM_VALUE");
    } finally {
      delete project.supportEnabledExportFrequencies;
    }
    expect((await api.patch(S1, "2024-08-05", body("monthly"))).status).toBe(200);
  });

  it("an unknown bucket id in export is 404 EXPORT_BUCKET_NOT_FOUND (CONTRACT §16.7 candidate)", async () => {
    const r = await api.patch(S1, "2024-08-05", { autoExportEnabled: true, export: { exportBucketId: "6a00000000000000000000cc", frequencyType: "monthly" } });
    expect(r.status).toBe(404);
    expect(r.json.errorCode).toBe("EXPORT_BUCKET_NOT_FOUND");
  });

  it("while auto-export points at a bucket it cannot be deleted; autoExportEnabled:false clears export and releases it", async () => {
    const refused = await api.del(`${BUCKETS}/${BUCKET}`, "2023-01-01");
    expect(refused.status).toBe(400);
    expect(refused.json.errorCode).toBe("EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE");
    const off = await api.patch(S1, "2024-08-05", { autoExportEnabled: false });
    expect(off.json.autoExportEnabled).toBe(false);
    expect("export" in off.json).toBe(false);
    expect(off.json.useOrgAndGroupNamesInExportPrefix).toBe(true);
    expect(emu().store.schedulesUsingBucket(GROUP, BUCKET)).toEqual([]);
    // Turning it on again without an export to fall back on names the missing attribute.
    expect((await api.patch(S1, "2024-08-05", { autoExportEnabled: true })).json.errorCode).toBe("MISSING_ATTRIBUTE");
  });

  it("validates policies, reference times and the restore window; a rejected PATCH changes nothing", async () => {
    const before = (await api.get(S0, "2024-08-05")).json as Json;
    const bad: [Json, string][] = [
      [{ policies: [{ id: "x", policyItems: [{ frequencyType: "minutely", frequencyInterval: 1, retentionUnit: "days", retentionValue: 1 }] }] }, "INVALID_ENUM_VALUE"],
      [{ referenceHourOfDay: 24 }, "INVALID_ATTRIBUTE"],
      [{ restoreWindowDays: 0 }, "INVALID_RESTORE_WINDOW"],
      [{ referenceMinuteOfHour: 5, autoExportEnabled: "yes" }, "INVALID_ATTRIBUTE"],
      [{ somethingElse: 1 }, "INVALID_ATTRIBUTE"],
    ];
    for (const [body, code] of bad) expect((await api.patch(S0, "2024-08-05", body)).json.errorCode, JSON.stringify(body)).toBe(code);
    const after = (await api.get(S0, "2024-08-05")).json as Json;
    expect({ ...after, nextSnapshot: 0 }).toEqual({ ...before, nextSnapshot: 0 });
    // A policies array replaces the item list; known ids are kept, new items get new ids.
    const policy = (before["policies"] as { id: string; policyItems: Json[] }[])[0]!;
    const kept = policy.policyItems[0]!;
    const r = await api.patch(S0, "2024-08-05", { policies: [{ id: policy.id, policyItems: [kept, { frequencyType: "daily", frequencyInterval: 1, retentionUnit: "days", retentionValue: 3 }] }] });
    const items = (r.json.policies as { id: string; policyItems: Json[] }[])[0]!.policyItems;
    expect(items).toHaveLength(2);
    expect(items[0]).toEqual(kept);
    expect(items[1]!["id"]).toMatch(/^[0-9a-f]{24}$/);
    expect(items[1]!["id"]).not.toBe(kept["id"]);
  });

  it("DELETE answers 200 with the policy items emptied (same policy id), no nextSnapshot, other settings kept", async () => {
    await api.patch(S0, "2024-08-05", { autoExportEnabled: true, export: { exportBucketId: BUCKET, frequencyType: "monthly" }, referenceHourOfDay: 5 });
    const before = (await api.get(S0, "2024-08-05")).json as Json;
    const d = await api.del(S0, "2024-08-05");
    expect(d.status).toBe(200);
    const policies = d.json.policies as { id: string; policyItems: unknown[] }[];
    expect(policies).toEqual([{ id: (before["policies"] as { id: string }[])[0]!.id, policyItems: [] }]);
    expect("nextSnapshot" in d.json).toBe(false);
    expect(d.json).toMatchObject({ referenceHourOfDay: 5, restoreWindowDays: 7, autoExportEnabled: true, export: { exportBucketId: BUCKET } });
    // The schedule still exists afterwards.
    expect((await api.get(S0, "2024-08-05")).json.policies).toEqual(policies);
    await api.patch(S0, "2024-08-05", { autoExportEnabled: false });
  });

  it("an unknown cluster is 404 CLUSTER_NOT_FOUND on every method", async () => {
    const path = `${V2}/groups/${GROUP}/clusters/NoSuchCluster/backup/schedule`;
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const r = await api.call(method, path, "2024-08-05", method === "PATCH" ? { autoExportEnabled: false } : undefined);
      expect(r.status, method).toBe(404);
      expect(r.json.errorCode, method).toBe("CLUSTER_NOT_FOUND");
    }
  });
});

// ---- the three real recordings (covered here rather than by the general conformance test) ----

const RECORDINGS = resolve(__dirname, "../../../shared/atlas-api/recordings");
const recordingsPresent = existsSync(RECORDINGS);

interface Recorded {
  method: string;
  version: string;
  status: number;
  headers: Map<string, string>;
  body: Json;
}

function loadRecording(method: string): Recorded {
  const file = readdirSync(RECORDINGS).find((f) => f.startsWith("backup__schedule__") && f.includes(`__${method}_api_atlas_v2_`));
  if (!file) throw new Error(`no backup__schedule__ recording for ${method}`);
  const text = readFileSync(join(RECORDINGS, file), "utf8").replace(/\r\n/g, "\n");
  const split = text.indexOf("\n\n");
  const [statusLine, ...lines] = text.slice(0, split).split("\n");
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()] as [string, string]));
  const version = /vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json/.exec(headers.get("content-type") ?? "")?.[1];
  if (!version) throw new Error(`${file}: no versioned content type`);
  return { method, version, status: Number(statusLine!.split(" ")[1]), headers, body: JSON.parse(text.slice(split + 2)) as Json };
}

/** Field names and JSON types, recursively (values, ids and dates left out). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Json)[k])]));
  }
  return v === null ? "null" : typeof v;
}

describe.skipIf(!recordingsPresent)("backup schedule: the real backup__schedule__* recordings", () => {
  // Replays the CLI test's sequence on a fresh cluster schedule: GET, PATCH prefix, DELETE.
  const requests: [string, Json | undefined][] = [
    ["GET", undefined],
    ["PATCH", { clusterName: "Cluster0", useOrgAndGroupNamesInExportPrefix: true }],
    ["DELETE", undefined],
  ];

  it("GET, PATCH and DELETE answer with the recorded status, content type, headers and body shape", async () => {
    await api.patch(S0, "2024-08-05", { autoExportEnabled: false, useOrgAndGroupNamesInExportPrefix: false });
    emu().store.state.schedules = emu().store.state.schedules.filter((s) => s.clusterName !== "Cluster0");
    const compared: string[] = [];
    for (const [method, body] of requests) {
      const rec = loadRecording(method);
      const mine = await api.call(method, S0, rec.version, body);
      expect(mine.status, method).toBe(rec.status);
      expect(mine.headers.get("content-type"), method).toBe(rec.headers.get("content-type"));
      for (const h of ["deprecation", "sunset", "ratelimit-limit"]) {
        expect(mine.headers.get(h) ?? undefined, `${method} ${h}`).toBe(rec.headers.get(h));
      }
      expect(shape(mine.json), method).toEqual(shape(rec.body));
      // The values the recordings pin down (not ids or dates).
      for (const key of ["autoExportEnabled", "copyPolicyItemsEnabled", "copySettings", "referenceHourOfDay", "restoreWindowDays", "useOrgAndGroupNamesInExportPrefix"]) {
        expect(mine.json[key], `${method} ${key}`).toEqual(rec.body[key]);
      }
      const items = (b: Json) => (b["policies"] as { policyItems: Json[] }[])[0]!.policyItems.map(({ id: _id, ...rest }) => rest);
      expect(items(mine.json), method).toEqual(items(rec.body));
      expect((mine.json.links as { rel: string }[]).map((l) => l.rel)).toEqual((rec.body["links"] as { rel: string }[]).map((l) => l.rel));
      compared.push(`${method} ${rec.version} ${rec.status}`);
    }
    expect(compared).toEqual(["GET 2023-01-01 200", "PATCH 2023-01-01 200", "DELETE 2024-08-05 200"]);
  });

  it("the client's schedule schema parses the three recorded bodies (auto-export off: no export key)", () => {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const parsed = BackupScheduleResponse.parse(loadRecording(method).body);
      expect(parsed.autoExportEnabled, method).toBe(false);
      expect(parsed.export, method).toBeUndefined();
      expect(typeof parsed.useOrgAndGroupNamesInExportPrefix, method).toBe("boolean");
    }
  });
});
