import { afterEach, describe, expect, it } from "vitest";
import {
  AtlasApiError,
  AtlasNetworkError,
  AtlasResponseValidationError,
  AtlasTimeoutError,
  isAtlasApiError,
  isAtlasErrorCode,
  mayHaveBeenProcessed,
} from "../../../provider/errors";
import { VERSION } from "../../../provider/version";
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
  SA_SECRET,
  serializations,
  TOKEN,
  type Harness,
} from "./helpers";

const BUCKETS = `/api/atlas/v2/groups/${GROUP}/backup/exportBuckets`;
const BUCKET = `${BUCKETS}/${BUCKET_ID}`;
const JOBS = `/api/atlas/v2/groups/${GROUP}/clusters/Cluster0/backup/exports`;
const bucketBody = {
  _id: BUCKET_ID,
  bucketName: "atlas-export-seeded",
  cloudProvider: "AWS",
  iamRoleId: "6a00000000000000000000b1",
  region: "us-east-1",
  requirePrivateNetworking: false,
};
const jobBody = {
  id: "6a7945592c88faeba59d5e8e",
  exportBucketId: BUCKET_ID,
  snapshotId: "6a7943462c88faeba59ccf5f",
  state: "Queued",
  customData: [],
};
const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });

let h: Harness;
afterEach(closeHarnesses);

describe("request headers", () => {
  it("sends the versioned Accept, a matching Content-Type on bodies, the bearer token and a User-Agent", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKETS, method: "POST" }).reply(200, JSON.stringify(bucketBody), { headers: atlasJson("2024-05-30") });
    await h.client.createExportBucket(GROUP, { cloudProvider: "AWS", bucketName: "b", iamRoleId: "6a00000000000000000000b1" });
    const call = apiCalls(h.agent)[0]!;
    expect(headerOf(call, "accept")).toBe("application/vnd.atlas.2024-05-30+json");
    expect(headerOf(call, "content-type")).toBe("application/vnd.atlas.2024-05-30+json");
    expect(headerOf(call, "authorization")).toBe(`Bearer ${TOKEN}`);
    const ua = headerOf(call, "user-agent")!;
    expect(ua).toContain(`pulumi-atlas-export/${VERSION}`);
    expect(ua).toContain(`node ${process.version}`);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.parse(call.body ?? "")).toEqual({ cloudProvider: "AWS", bucketName: "b", iamRoleId: "6a00000000000000000000b1" });
  });

  it("sends no Content-Type without a body", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify(bucketBody), { headers: atlasJson("2024-05-30") });
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    expect(headerOf(apiCalls(h.agent)[0]!, "content-type")).toBeUndefined();
  });
});

describe("retries", () => {
  it("waits out a 429 with Retry-After: 2, then succeeds", async () => {
    h = harness();
    interceptToken(h.pool);
    const limited = atlasError(429, "RATE_LIMITED_TOKEN_BUCKET", "Rate limit exceeded", "Too Many Requests");
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(429, limited.body, { headers: { ...limited.headers, "retry-after": "2" } });
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify(bucketBody), { headers: atlasJson("2024-05-30") });
    const bucket = await h.client.getExportBucket(GROUP, BUCKET_ID);
    expect(bucket._id).toBe(BUCKET_ID);
    expect(h.sleeps).toEqual([2000]);
    expect(apiCalls(h.agent)).toHaveLength(2);
    expect(h.events.filter((e) => e.type === "retry")).toEqual([
      { type: "retry", method: "GET", path: BUCKET, attempt: 1, delayMs: 2000, status: 429 },
    ]);
  });

  it("honours an HTTP-date Retry-After", async () => {
    h = harness();
    interceptToken(h.pool);
    const when = new Date(h.clock.t + 5000).toUTCString();
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(503, "", { headers: { "retry-after": when } });
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify(bucketBody), { headers: atlasJson("2024-05-30") });
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    expect(h.sleeps).toEqual([5000]);
  });

  it("fails fast with the API error when Retry-After is above the cap", async () => {
    h = harness({ retry: { maxRetryAfterMs: 60_000 } });
    interceptToken(h.pool);
    const limited = atlasError(429, "RATE_LIMITED_TOKEN_BUCKET", "Rate limit exceeded", "Too Many Requests");
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(429, limited.body, { headers: { ...limited.headers, "retry-after": "600" } });
    const err = await h.client.getExportBucket(GROUP, BUCKET_ID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasApiError);
    expect(err).toMatchObject({ status: 429, errorCode: "RATE_LIMITED_TOKEN_BUCKET", retryAfterSeconds: 600 });
    expect(h.sleeps).toEqual([]);
  });

  it("retries 5xx on GET with jittered exponential backoff, bounded by maxAttempts", async () => {
    h = harness({ retry: { maxAttempts: 3, baseDelayMs: 1000 } });
    interceptToken(h.pool);
    const e = atlasError(500, "UNEXPECTED_ERROR", "Unexpected error.");
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(500, e.body, { headers: e.headers }).times(3);
    const err = await h.client.getExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x);
    expect(isAtlasApiError(err, 500)).toBe(true);
    expect((err as AtlasApiError).message).toContain("after 3 attempts");
    expect(h.sleeps).toEqual([750, 1500]); // random() = 0.5: half step + half of half step
    expect(apiCalls(h.agent)).toHaveLength(3);
  });

  it("retries a connection reset on GET", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).replyWithError(reset());
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify(bucketBody), { headers: atlasJson("2024-05-30") });
    await expect(h.client.getExportBucket(GROUP, BUCKET_ID)).resolves.toMatchObject({ _id: BUCKET_ID });
    expect(h.sleeps).toHaveLength(1);
  });

  it("retries the requirePrivateNetworking PATCH (it sets a fixed value, so it is idempotent)", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "PATCH" }).reply(503, "");
    h.pool
      .intercept({ path: BUCKET, method: "PATCH" })
      .reply(200, JSON.stringify({ ...bucketBody, requirePrivateNetworking: true }), { headers: atlasJson("2024-05-30") });
    const b = await h.client.updateExportBucket(GROUP, BUCKET_ID, { requirePrivateNetworking: true });
    expect(b.requirePrivateNetworking).toBe(true);
    expect(apiCalls(h.agent)).toHaveLength(2);
  });

  it("stops at the total deadline", async () => {
    h = harness({ retry: { maxAttempts: 10, deadlineMs: 3000, baseDelayMs: 1000 } });
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(503, "").times(3);
    const err = await h.client.getExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x);
    expect(isAtlasApiError(err, 503)).toBe(true);
    // 750 + 1500 = 2250 elapsed; the next wait (3000) would cross the 3000 ms deadline.
    expect(h.sleeps).toEqual([750, 1500]);
  });
});

describe("POST is never resent blindly", () => {
  it("a POST that got a 503 is sent once and flagged requestMayHaveBeenProcessed", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: JOBS, method: "POST" }).reply(503, "", { headers: { "retry-after": "1" } });
    const err = await h.client
      .createExportJob(GROUP, "Cluster0", { snapshotId: jobBody.snapshotId, exportBucketId: BUCKET_ID })
      .catch((x: unknown) => x);
    expect(isAtlasApiError(err, 503)).toBe(true);
    expect((err as AtlasApiError).requestMayHaveBeenProcessed).toBe(true);
    expect(mayHaveBeenProcessed(err)).toBe(true);
    expect(apiCalls(h.agent).filter((c) => c.method === "POST")).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it("a POST whose connection was reset is sent once and throws AtlasNetworkError(requestMayHaveBeenProcessed)", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKETS, method: "POST" }).replyWithError(reset());
    const err = await h.client
      .createExportBucket(GROUP, { cloudProvider: "AWS", bucketName: "b", iamRoleId: "6a00000000000000000000b1" })
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AtlasNetworkError);
    expect(err).toMatchObject({ requestMayHaveBeenProcessed: true, method: "POST", path: BUCKETS });
    expect(mayHaveBeenProcessed(err)).toBe(true);
    expect(apiCalls(h.agent)).toHaveLength(1);
  });

  it("a POST that got a 429 is retried after Retry-After (Atlas rejected it before processing)", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: JOBS, method: "POST" }).reply(429, "", { headers: { "retry-after": "3" } });
    h.pool.intercept({ path: JOBS, method: "POST" }).reply(200, JSON.stringify(jobBody), { headers: atlasJson("2023-01-01") });
    const job = await h.client.createExportJob(GROUP, "Cluster0", { snapshotId: jobBody.snapshotId, exportBucketId: BUCKET_ID });
    expect(job.state).toBe("Queued");
    expect(h.sleeps).toEqual([3000]);
  });

  it("a POST that was refused before connecting is retried (it never reached Atlas)", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: JOBS, method: "POST" }).replyWithError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    h.pool.intercept({ path: JOBS, method: "POST" }).reply(200, JSON.stringify(jobBody), { headers: atlasJson("2023-01-01") });
    await h.client.createExportJob(GROUP, "Cluster0", { snapshotId: jobBody.snapshotId, exportBucketId: BUCKET_ID });
    expect(apiCalls(h.agent)).toHaveLength(2);
  });

  it("a POST 4xx is a plain API error, not 'may have been processed'", async () => {
    h = harness();
    interceptToken(h.pool);
    const e = atlasError(400, "CANNOT_ASSUME_ROLE", "Atlas cannot assume the specified role (6a00000000000000000000b4).");
    h.pool.intercept({ path: BUCKETS, method: "POST" }).reply(400, e.body, { headers: e.headers });
    const err = await h.client
      .createExportBucket(GROUP, { cloudProvider: "AWS", bucketName: "b", iamRoleId: "6a00000000000000000000b4" })
      .catch((x: unknown) => x);
    expect(isAtlasErrorCode(err, "CANNOT_ASSUME_ROLE")).toBe(true);
    expect(mayHaveBeenProcessed(err)).toBe(false);
  });
});

describe("timeouts", () => {
  it("a GET that gets no response within requestMs times out (after retries)", async () => {
    h = harness({ timeouts: { requestMs: 40 }, retry: { maxAttempts: 2 } });
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify(bucketBody)).delay(400).times(2);
    const err = await h.client.getExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AtlasTimeoutError);
    expect(err).toMatchObject({ timeoutMs: 40, attempts: 2 });
    expect(h.sleeps).toHaveLength(1);
  });

  it("a POST that timed out is not resent and may have been processed", async () => {
    h = harness({ timeouts: { requestMs: 40 } });
    interceptToken(h.pool);
    h.pool.intercept({ path: JOBS, method: "POST" }).reply(200, JSON.stringify(jobBody)).delay(400);
    const err = await h.client
      .createExportJob(GROUP, "Cluster0", { snapshotId: jobBody.snapshotId, exportBucketId: BUCKET_ID })
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AtlasTimeoutError);
    expect(mayHaveBeenProcessed(err)).toBe(true);
    expect(apiCalls(h.agent)).toHaveLength(1);
  });
});

describe("errors", () => {
  it("maps an Atlas error body: status, errorCode, detail, method, path; message stands alone", async () => {
    h = harness();
    interceptToken(h.pool);
    const e = atlasError(404, "EXPORT_BUCKET_NOT_FOUND", `No export Bucket with ID ${BUCKET_ID} does not exist.`, "Not Found");
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(404, e.body, { headers: e.headers });
    const err = (await h.client.getExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x)) as AtlasApiError;
    expect(isAtlasApiError(err, 404)).toBe(true);
    expect(err).toMatchObject({
      status: 404,
      errorCode: "EXPORT_BUCKET_NOT_FOUND",
      detail: `No export Bucket with ID ${BUCKET_ID} does not exist.`,
      reason: "Not Found",
      method: "GET",
      path: BUCKET,
      requestMayHaveBeenProcessed: false,
    });
    expect(err.message).toBe(`GET ${BUCKET} → 404 EXPORT_BUCKET_NOT_FOUND: No export Bucket with ID ${BUCKET_ID} does not exist.`);
    expect(apiCalls(h.agent)).toHaveLength(1); // 404 is not retried
  });

  it("takes errorCode from X-Error-Code when the body has none", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "DELETE" }).reply(400, "<html>bad</html>", {
      headers: { "content-type": "text/html", "x-error-code": "EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE" },
    });
    const err = await h.client.deleteExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x);
    expect(isAtlasErrorCode(err, "EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE")).toBe(true);
  });

  it("a 2xx with the wrong shape is an AtlasResponseValidationError naming the field", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify({ id: BUCKET_ID, bucketName: "x", cloudProvider: "AWS" }), {
      headers: atlasJson("2024-05-30"),
    });
    const err = (await h.client.getExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x)) as AtlasResponseValidationError;
    expect(err).toBeInstanceOf(AtlasResponseValidationError);
    expect(err.issues.join("\n")).toContain("_id");
    expect(err.status).toBe(200);
  });

  it("a 2xx that is not JSON is an AtlasResponseValidationError", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, "<html>proxy login</html>", { headers: { "content-type": "text/html" } });
    await expect(h.client.getExportBucket(GROUP, BUCKET_ID)).rejects.toBeInstanceOf(AtlasResponseValidationError);
  });

  it("detects JSON by +json suffix and by application/json", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify(bucketBody), { headers: { "content-type": "application/json" } });
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify(bucketBody), {
      headers: { "content-type": "application/vnd.atlas.2024-05-30+json;charset=utf-8" },
    });
    await expect(h.client.getExportBucket(GROUP, BUCKET_ID)).resolves.toMatchObject({ _id: BUCKET_ID });
    await expect(h.client.getExportBucket(GROUP, BUCKET_ID)).resolves.toMatchObject({ _id: BUCKET_ID });
  });

  it("never puts the secret, token or Authorization header into errors or events", async () => {
    h = harness();
    interceptToken(h.pool);
    // Even when a (misbehaving) server echoes credentials into its error detail.
    const e = atlasError(403, "ACCESS_FORBIDDEN", `denied for Bearer ${TOKEN} and secret ${SA_SECRET}`);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(403, e.body, { headers: e.headers });
    const err = await h.client.getExportBucket(GROUP, BUCKET_ID).catch((x: unknown) => x);
    expect(isAtlasApiError(err, 403)).toBe(true);
    for (const text of [...serializations(err), JSON.stringify(h.events)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(SA_SECRET);
      expect(text.toLowerCase()).not.toContain("authorization");
    }
    expect((err as AtlasApiError).detail).toContain("[REDACTED]");
  });

  it("emits request events without headers", async () => {
    h = harness();
    interceptToken(h.pool);
    h.pool.intercept({ path: BUCKET, method: "GET" }).reply(200, JSON.stringify(bucketBody), { headers: atlasJson("2024-05-30") });
    await h.client.getExportBucket(GROUP, BUCKET_ID);
    expect(h.events).toEqual([
      { type: "request", method: "POST", path: "/api/oauth/token", attempt: 1, status: 200 },
      { type: "token", method: "POST", path: "/api/oauth/token", status: 200 },
      { type: "request", method: "GET", path: BUCKET, attempt: 1, status: 200 },
    ]);
    expect(calls(h.agent)).toHaveLength(2);
  });
});
