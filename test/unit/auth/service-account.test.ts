import { afterEach, describe, expect, it } from "vitest";
import { AtlasApiError, isAtlasApiError } from "../../../provider/errors";
import { basicAuthorization, tokenCacheKey, TokenCache } from "../../../provider/auth/service-account";
import {
  apiCalls,
  atlasError,
  atlasJson,
  BUCKET_ID,
  calls,
  closeHarnesses,
  GROUP,
  harness,
  headerOf,
  interceptToken,
  SA,
  SA_SECRET,
  serializations,
  TOKEN,
  type Harness,
} from "../client/helpers";

const BUCKET = `/api/atlas/v2/groups/${GROUP}/backup/exportBuckets/${BUCKET_ID}`;
const bucketBody = JSON.stringify({ _id: BUCKET_ID, bucketName: "b", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" });
const tokenCalls = (h: Harness) => calls(h.agent).filter((c) => c.path === "/api/oauth/token");

let h: Harness;
afterEach(closeHarnesses);

describe("basicAuthorization", () => {
  it("URL-encodes id and secret before base64", () => {
    const header = basicAuthorization("id with:colon", "s&cret/+");
    const decoded = Buffer.from(header.replace(/^Basic /, ""), "base64").toString("utf8");
    expect(decoded).toBe("id%20with%3Acolon:s%26cret%2F%2B");
  });
});

describe("token request", () => {
  it("POSTs client credentials with Basic auth, a form body and Accept: application/json", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, bucketBody, { headers: atlasJson("2024-05-30") });
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    const [tokenCall] = tokenCalls(h);
    expect(tokenCall?.method).toBe("POST");
    expect(tokenCall?.body).toBe("grant_type=client_credentials");
    expect(headerOf(tokenCall!, "content-type")).toBe("application/x-www-form-urlencoded");
    expect(headerOf(tokenCall!, "accept")).toBe("application/json");
    const basic = Buffer.from(headerOf(tokenCall!, "authorization")!.replace(/^Basic /, ""), "base64").toString();
    expect(basic).toBe(`${SA.clientId}:${SA_SECRET}`);
  });

  it("caches the token across requests and renews it 60 s before expiry", async () => {
    h = harness();
    interceptToken(h.pool, { token: "first-token-aaaa", expiresIn: 3600 });
    interceptToken(h.pool, { token: "second-token-bbbb", expiresIn: 3600 });
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, bucketBody, { headers: atlasJson("2024-05-30") }).times(4);
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    h.clock.t += 3539_000; // 61 s before expiry: still cached
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    expect(tokenCalls(h)).toHaveLength(1);
    h.clock.t += 2_000; // 59 s before expiry: renewed
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    expect(tokenCalls(h)).toHaveLength(2);
    const auths = apiCalls(h.agent).map((c) => headerOf(c, "authorization"));
    expect(auths).toEqual(["Bearer first-token-aaaa", "Bearer first-token-aaaa", "Bearer second-token-bbbb", "Bearer second-token-bbbb"]);
  });

  it("twenty concurrent calls with an expired token cause exactly one token request", async () => {
    h = harness();
    interceptToken(h.pool, { token: "old-token-aaaa" });
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, bucketBody, { headers: atlasJson("2024-05-30") }).times(21);
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    h.clock.t += 3600_000; // expired
    interceptToken(h.pool, { token: "new-token-bbbb" });
    await Promise.all(Array.from({ length: 20 }, () => h.client.getExportBucket(GROUP, BUCKET_ID)));
    expect(tokenCalls(h)).toHaveLength(2); // the initial one + exactly one refresh
    expect(apiCalls(h.agent).slice(1).every((c) => headerOf(c, "authorization") === "Bearer new-token-bbbb")).toBe(true);
  });

  it("shares one token between clients with the same credentials (per-process cache)", async () => {
    const cache = new TokenCache();
    h = harness({ tokenCache: cache });
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, bucketBody, { headers: atlasJson("2024-05-30") }).times(2);
    const other = harness({ tokenCache: cache, dispatcher: h.agent });
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    await other.client.getExportBucket(GROUP, BUCKET_ID);
    expect(tokenCalls(h)).toHaveLength(1);
    expect(tokenCacheKey("https://a", "id", "s1")).not.toBe(tokenCacheKey("https://a", "id", "s2"));
    expect(tokenCacheKey("https://a", "id", SA_SECRET)).not.toContain(SA_SECRET);
  });

  it("retries the token request on 503 (it creates nothing, so it is safe)", async () => {
    h = harness();
    h.pool.intercept({ path: "/api/oauth/token", method: "POST" }).reply(503, "");
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, bucketBody, { headers: atlasJson("2024-05-30") });
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    expect(tokenCalls(h)).toHaveLength(2);
  });

  it("a rejected client secret is a 401 AtlasApiError naming the client id, never the secret", async () => {
    h = harness();
    h.pool
      .intercept({ path: "/api/oauth/token", method: "POST" })
      .reply(401, JSON.stringify({ error: "invalid_client", error_description: "Invalid client credentials" }), {
        headers: { "content-type": "application/json" },
      });
    const err = (await h.client.getExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x)) as AtlasApiError;
    expect(isAtlasApiError(err, 401)).toBe(true);
    expect(err.path).toBe("/api/oauth/token");
    expect(err.errorCode).toBe("invalid_client");
    expect(err.message).toContain(SA.clientId);
    for (const text of serializations(err)) {
      expect(text).not.toContain(SA_SECRET);
      expect(text).not.toContain(basicAuthorization(SA.clientId, SA_SECRET).slice(6));
    }
    // The failed fetch is not cached: the next call asks again.
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, bucketBody, { headers: atlasJson("2024-05-30") });
    await h.client.getExportBucket(GROUP, BUCKET_ID);
  });
});

describe("401 with a bearer token", () => {
  it("drops the cached token, fetches a new one and retries once", async () => {
    h = harness();
    interceptToken(h.pool, { token: "revoked-token-aaaa" });
    interceptToken(h.pool, { token: "fresh-token-bbbb" });
    const unauth = atlasError(401, "UNAUTHORIZED", "Unauthorized.");
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(401, unauth.body, { headers: unauth.headers });
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, bucketBody, { headers: atlasJson("2024-05-30") });
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    expect(apiCalls(h.agent).map((c) => headerOf(c, "authorization"))).toEqual(["Bearer revoked-token-aaaa", "Bearer fresh-token-bbbb"]);
  });

  it("a second 401 is final and names the client id only", async () => {
    h = harness();
    interceptToken(h.pool, { times: 2 });
    const unauth = atlasError(401, "UNAUTHORIZED", "Unauthorized.");
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(401, unauth.body, { headers: unauth.headers }).times(2);
    const err = (await h.client.getExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x)) as AtlasApiError;
    expect(isAtlasApiError(err, 401)).toBe(true);
    expect(err.message).toContain(SA.clientId);
    expect(apiCalls(h.agent)).toHaveLength(2);
    for (const text of serializations(err)) {
      expect(text).not.toContain(SA_SECRET);
      expect(text).not.toContain(TOKEN);
    }
  });

  it("a POST that got a 401 is resent once with a new token (Atlas rejected it before processing)", async () => {
    h = harness();
    interceptToken(h.pool, { times: 2 });
    const jobs = `/api/atlas/v2/groups/${GROUP}/clusters/Cluster0/backup/exports`;
    h.pool.intercept({ path: jobs, method: "POST" }).reply(401, "");
    h.pool
      .intercept({ path: jobs, method: "POST" })
      .reply(200, JSON.stringify({ id: "6a7945592c88faeba59d5e8e", exportBucketId: BUCKET_ID, state: "Queued" }), {
        headers: atlasJson("2023-01-01"),
      });
    await h.client.createExportJob(GROUP, "Cluster0", { snapshotId: "6a7943462c88faeba59ccf5f", exportBucketId: BUCKET_ID });
    expect(apiCalls(h.agent)).toHaveLength(2);
  });
});
