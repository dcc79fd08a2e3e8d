import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { bearerFetch, digestAuthorization, digestFetch, oauthToken, parseChallenge, plainFetch } from "../helpers/digest-fetch";
import { GROUP, OTHER_GROUP, V2, accept } from "../helpers/emulator";

let clock = Date.parse("2026-02-01T00:00:00Z");
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0, now: () => clock, tokenTtlSeconds: 60, nonceTtlSeconds: 30 });
});
afterAll(() => emu.close());

const BUCKETS = `${V2}/groups/${GROUP}/backup/exportBuckets`;
const PUB = "emulpubk";
const PRIV = "3b1e4f0a-5c2d-4e8f-9a7b-6c5d4e3f2a1b";
const SA_ID = "mdb_sa_id_6a00000000000000000000aa";
const SA_SECRET = "mdb_sa_sk_emulator0secret0do0not0use0in0prod";

describe("digest auth", () => {
  it("challenges exactly as Atlas does", async () => {
    const r = await plainFetch(emu.url + BUCKETS, { headers: accept("2024-05-30") });
    expect(r.status).toBe(401);
    const h = r.headers.get("www-authenticate")!;
    expect(h).toMatch(/^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/=]{32}", algorithm=MD5, qop="auth", stale=false$/);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.json).toMatchObject({ error: 401, errorCode: "UNAUTHORIZED", reason: "Unauthorized" });
    expect(emu.requestLog.at(-1)).toMatchObject({ status: 401, auth: "none" });
  });

  it("accepts a correct MD5 qop=auth response", async () => {
    const r = await digestFetch(emu.url + BUCKETS, PUB, PRIV, { headers: accept("2024-05-30") });
    expect(r.status).toBe(200);
    expect(emu.requestLog.at(-1)).toMatchObject({ status: 200, auth: "digest", operation: "listExportBuckets" });
  });

  it("rejects a wrong private key with 401 USER_UNAUTHORIZED, never echoing the secret", async () => {
    const r = await digestFetch(emu.url + BUCKETS, PUB, "wrong-secret-value", { headers: accept("2024-05-30") });
    expect(r.status).toBe(401);
    expect(r.json.errorCode).toBe("USER_UNAUTHORIZED");
    expect(r.text).not.toContain("wrong-secret-value");
    expect(r.text).not.toContain(PRIV);
    expect(r.headers.get("www-authenticate")).toContain("stale=false");
    expect((await digestFetch(emu.url + BUCKETS, "nobody", PRIV, { headers: accept("2024-05-30") })).status).toBe(401);
  });

  it("rejects a digest computed for another uri", async () => {
    const first = await plainFetch(emu.url + BUCKETS);
    const auth = digestAuthorization(parseChallenge(first.headers.get("www-authenticate")!), "GET", "/other", PUB, PRIV);
    const r = await plainFetch(emu.url + BUCKETS, { headers: { ...accept("2024-05-30"), Authorization: auth } });
    expect(r.status).toBe(401);
  });

  it("lets a nonce be reused until it expires, then answers stale=true", async () => {
    const first = await plainFetch(emu.url + BUCKETS);
    const ch = parseChallenge(first.headers.get("www-authenticate")!);
    const call = (nc: number) => plainFetch(emu.url + BUCKETS, { headers: { ...accept("2024-05-30"), Authorization: digestAuthorization(ch, "GET", BUCKETS, PUB, PRIV, nc) } });
    expect((await call(1)).status).toBe(200);
    expect((await call(2)).status).toBe(200);
    clock += 31_000;
    const stale = await call(3);
    expect(stale.status).toBe(401);
    expect(stale.headers.get("www-authenticate")).toMatch(/stale=true$/);
  });
});

describe("OAuth service accounts", () => {
  it("issues a bearer token that works until it expires", async () => {
    const t = await oauthToken(emu.url, SA_ID, SA_SECRET);
    expect(t.status).toBe(200);
    expect(t.json).toEqual({ access_token: expect.any(String), expires_in: 60, token_type: "Bearer" });
    const ok = await bearerFetch(emu.url + BUCKETS, t.json.access_token, { headers: accept("2024-05-30") });
    expect(ok.status).toBe(200);
    expect(emu.requestLog.at(-1)?.auth).toBe("bearer");
    clock += 61_000;
    const expired = await bearerFetch(emu.url + BUCKETS, t.json.access_token, { headers: accept("2024-05-30") });
    expect(expired.status).toBe(401);
    expect(expired.json.errorCode).toBe("UNAUTHORIZED");
  });

  it("rejects bad client credentials without echoing them", async () => {
    const t = await oauthToken(emu.url, SA_ID, "mdb_sa_sk_wrong");
    expect(t.status).toBe(401);
    expect(t.text).not.toContain("mdb_sa_sk_wrong");
    expect(t.text).not.toContain(SA_SECRET);
    expect((await bearerFetch(emu.url + BUCKETS, "made-up", { headers: accept("2024-05-30") })).status).toBe(401);
  });

  it("rejects a wrong grant_type", async () => {
    const basic = Buffer.from(`${SA_ID}:${SA_SECRET}`).toString("base64");
    const r = await plainFetch(`${emu.url}/api/oauth/token`, { method: "POST", headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" }, body: "grant_type=password" });
    expect(r.status).toBe(400);
  });

  it("revokes tokens", async () => {
    const t = await oauthToken(emu.url, SA_ID, SA_SECRET);
    const basic = Buffer.from(`${SA_ID}:${SA_SECRET}`).toString("base64");
    const rv = await plainFetch(`${emu.url}/api/oauth/revoke`, { method: "POST", headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" }, body: `token=${t.json.access_token}&token_type_hint=access_token` });
    expect(rv.status).toBe(200);
    expect((await bearerFetch(emu.url + BUCKETS, t.json.access_token, { headers: accept("2024-05-30") })).status).toBe(401);
  });
});

describe("project access", () => {
  it("401 NOT_IN_GROUP for an existing project the key does not belong to", async () => {
    const r = await digestFetch(`${emu.url}${V2}/groups/${OTHER_GROUP}/backup/exportBuckets`, PUB, PRIV, { headers: accept("2024-05-30") });
    expect(r.status).toBe(401);
    expect(r.json.errorCode).toBe("NOT_IN_GROUP");
    const t = await oauthToken(emu.url, SA_ID, SA_SECRET);
    const b = await bearerFetch(`${emu.url}${V2}/groups/${OTHER_GROUP}/clusters/OtherCluster`, t.json.access_token, { headers: accept("2024-08-05") });
    expect(b.json.errorCode).toBe("NOT_IN_GROUP");
  });

  it("404 GROUP_NOT_FOUND for an unknown project", async () => {
    const r = await digestFetch(`${emu.url}${V2}/groups/111111111111111111111111/backup/exportBuckets`, PUB, PRIV, { headers: accept("2024-05-30") });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ detail: "No group with ID 111111111111111111111111 exists.", error: 404, errorCode: "GROUP_NOT_FOUND", parameters: ["111111111111111111111111"], reason: "Not Found" });
  });
});
