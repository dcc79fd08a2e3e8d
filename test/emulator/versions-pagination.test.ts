import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { GROUP, V2, apiFor, useEmulator } from "../helpers/emulator";

const { emu, api } = useEmulator();
const BUCKETS = `${V2}/groups/${GROUP}/backup/exportBuckets`;

describe("version negotiation", () => {
  it.each([
    ["missing", undefined],
    ["not versioned", "application/json"],
    ["malformed date", "application/vnd.atlas.2024-13-45+json"],
    ["before the first version", "application/vnd.atlas.2022-01-01+json"],
  ])("406 INVALID_VERSION_DATE when the Accept is %s", async (_name, acceptHeader) => {
    const r = await api.call("GET", BUCKETS, "x", undefined, acceptHeader === undefined ? { Accept: "" } : { Accept: acceptHeader });
    expect(r.status).toBe(406);
    expect(r.json).toEqual({ detail: "Invalid accept header or version date.", error: 406, errorCode: "INVALID_VERSION_DATE", parameters: [], reason: "Not Acceptable" });
    expect(r.headers.get("x-error-code")).toBe("INVALID_VERSION_DATE");
  });

  it("resolves a date to the newest version ≤ it, per operation", async () => {
    const r = await api.get(BUCKETS, "2025-03-12");
    expect(r.headers.get("content-type")).toBe("application/vnd.atlas.2024-05-30+json;charset=utf-8");
    const between = await api.get(BUCKETS, "2024-01-01");
    expect(between.headers.get("content-type")).toBe("application/vnd.atlas.2023-01-01+json;charset=utf-8");
    const cluster = await api.get(`${V2}/groups/${GROUP}/clusters/Cluster0`, "2025-03-12");
    expect(cluster.headers.get("content-type")).toBe("application/vnd.atlas.2024-08-05+json;charset=utf-8");
    expect(cluster.headers.get("sunset")).toBeNull();
    const legacy = await api.get(`${V2}/groups/${GROUP}/clusters/Cluster0`, "2023-01-01");
    expect(legacy.json.providerSettings).toMatchObject({ providerName: "AWS" });
    expect(legacy.headers.get("sunset")).toBe("Thu, 1 Jul 2027 00:00:00 GMT");
  });

  it("accepts a versioned Content-Type on requests", async () => {
    const r = await api.call("POST", BUCKETS, "2024-05-30", { bucketName: "vct-bucket", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" }, { "Content-Type": "application/vnd.atlas.2024-05-30+json" });
    expect(r.status).toBe(200);
  });

  describe("strict mode", () => {
    let strict: RunningEmulator;
    beforeAll(async () => { strict = await startEmulator({ timeScale: 0, strictVersions: true }); });
    afterAll(() => strict.close());
    it("only accepts declared versions", async () => {
      const sapi = apiFor(() => strict);
      expect((await sapi.get(BUCKETS, "2025-03-12")).status).toBe(406);
      expect((await sapi.get(BUCKETS, "2024-05-30")).status).toBe(200);
      expect((await sapi.del(`${BUCKETS}/6a00000000000000000000c1`, "2024-05-30")).status).toBe(406);
    });
  });
});

describe("pagination and envelope", () => {
  it("pages with self/next/previous links, totalCount and includeCount=false", async () => {
    emu().reset();
    for (let i = 0; i < 4; i++) {
      expect((await api.post(BUCKETS, "2024-05-30", { bucketName: `bucket-${i}`, cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" })).status).toBe(200);
    }
    const base = `${emu().url}${BUCKETS}`;
    const p1 = await api.get(`${BUCKETS}?itemsPerPage=2`, "2024-05-30");
    expect(p1.json.totalCount).toBe(5);
    expect(p1.json.results).toHaveLength(2);
    expect(p1.json.links).toEqual([
      { href: `${base}?includeCount=true&pageNum=1&itemsPerPage=2`, rel: "self" },
      { href: `${base}?includeCount=true&itemsPerPage=2&pageNum=2`, rel: "next" },
    ]);
    const p3 = await api.get(`${BUCKETS}?itemsPerPage=2&pageNum=3&includeCount=false`, "2024-05-30");
    expect(p3.json.totalCount).toBeUndefined();
    expect(p3.json.results).toHaveLength(1);
    expect(p3.json.links.map((l: { rel: string }) => l.rel)).toEqual(["self", "previous"]);
    const beyond = await api.get(`${BUCKETS}?pageNum=9`, "2024-05-30");
    expect(beyond.json.results).toEqual([]);
  });

  it("coerces itemsPerPage over 500 and rejects garbage", async () => {
    const r = await api.get(`${BUCKETS}?itemsPerPage=1000`, "2024-05-30");
    expect(r.status).toBe(200);
    expect(r.json.links[0].href).toContain("itemsPerPage=500");
    const bad = await api.get(`${BUCKETS}?pageNum=abc`, "2024-05-30");
    expect(bad.status).toBe(400);
    expect(bad.json.errorCode).toBe("INVALID_QUERY_PARAMETER");
  });

  it("envelope=true wraps single resources and adds status to lists", async () => {
    const one = await api.get(`${BUCKETS}/6a00000000000000000000c1?envelope=true`, "2024-05-30");
    expect(one.status).toBe(200);
    expect(one.json).toEqual({ content: expect.objectContaining({ _id: "6a00000000000000000000c1" }), status: 200 });
    const list = await api.get(`${BUCKETS}?envelope=true`, "2024-05-30");
    expect(list.json.status).toBe(200);
    expect(Array.isArray(list.json.results)).toBe(true);
  });

  it("pretty=true pretty-prints", async () => {
    const r = await api.get(`${BUCKETS}/6a00000000000000000000c1?pretty=true`, "2024-05-30");
    expect(r.text).toContain('\n  "_id"');
  });

  it("404 RESOURCE_NOT_FOUND for an unknown path", async () => {
    const r = await api.get(`${V2}/groups/${GROUP}/nothing`, "2024-05-30");
    expect(r.status).toBe(404);
    expect(r.json.errorCode).toBe("RESOURCE_NOT_FOUND");
  });
});
