/**
 * "An ambiguous 404 never means gone": refresh (read) and destroy (delete) treat only the
 * object's own not-found answer as "deleted". Every other 404 (a 404 without an Atlas body, as
 * a wrong base URL gives; GROUP_NOT_FOUND; CLUSTER_NOT_FOUND; an unknown endpoint) is an error
 * naming method, path, errorCode and the base URL setting in use. Driven through the real
 * AtlasClient over an undici MockAgent, so the 404s are real HTTP responses.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AtlasClient } from "../../../provider/client";
import { AtlasApiError } from "../../../provider/errors";
import { deleteExportBucket, readExportBucket } from "../../../provider/resources/export-bucket-handlers";
import { readExportJob } from "../../../provider/resources/export-job-handlers";
import { isExportJobGone } from "../../../provider/resources/not-found";
import { BASE, BUCKET_ID, GROUP, atlasError, closeHarnesses, harness, interceptToken } from "../client/helpers";

afterEach(closeHarnesses);

const JOB_ID = "6a00000000000000000000e1";
const BUCKET_PATH = `/api/atlas/v2/groups/${GROUP}/backup/exportBuckets/${BUCKET_ID}`;
const JOB_PATH = `/api/atlas/v2/groups/${GROUP}/clusters/Cluster0/backup/exports/${JOB_ID}`;
const SETTING = "environment variable MONGODB_ATLAS_BASE_URL";
const bucketProps = { projectId: GROUP, cloudProvider: "AWS", bucketName: "b-1", iamRoleId: "6a00000000000000000000b1", exportBucketId: BUCKET_ID };
const jobProps = { projectId: GROUP, clusterName: "Cluster0", snapshotId: "6a00000000000000000000d1", exportBucketId: BUCKET_ID, exportJobId: JOB_ID };

/** A client whose next request to `path` (method) gets `reply`. */
function answering(method: string, path: string, status: number, body: string, headers: Record<string, string>) {
  const h = harness({ baseUrlSource: SETTING, retry: { maxAttempts: 1 } });
  interceptToken(h.pool);
  h.pool.intercept({ path, method }).reply(status, body, { headers });
  return h.client;
}

const plain404 = { body: "<html>404 page not found</html>", headers: { "content-type": "text/html" } };
const ambiguous: [string, { body: string; headers: Record<string, string> }, string][] = [
  ["a 404 without an Atlas error body", plain404, "no Atlas errorCode"],
  ["GROUP_NOT_FOUND", atlasError(404, "GROUP_NOT_FOUND", `No group with ID ${GROUP} exists.`, "Not Found"), "errorCode GROUP_NOT_FOUND"],
  ["CLUSTER_NOT_FOUND", atlasError(404, "CLUSTER_NOT_FOUND", "No cluster named Cluster0 exists.", "Not Found"), "errorCode CLUSTER_NOT_FOUND"],
  [
    "RESOURCE_NOT_FOUND for an unknown path",
    {
      body: JSON.stringify({ detail: `Cannot find resource /api/atlas/v2/api/atlas/v2${BUCKET_PATH}.`, error: 404, errorCode: "RESOURCE_NOT_FOUND", parameters: [`/api/atlas/v2/api/atlas/v2${BUCKET_PATH}`], reason: "Not Found" }),
      headers: { "content-type": "application/json" },
    },
    "errorCode RESOURCE_NOT_FOUND",
  ],
];

function expectNamed(error: unknown, method: string, path: string, code: string): void {
  expect(error).toBeInstanceOf(AtlasApiError);
  const message = (error as Error).message;
  expect(message).toContain(`${method} ${path} → 404`);
  expect(message).toContain(code);
  expect(message).toContain(`Base URL in use: ${BASE} (from ${SETTING})`);
  expect(message).toContain("stays in the stack's state");
}

describe("ExportBucket: only EXPORT_BUCKET_NOT_FOUND means gone", () => {
  it("read: EXPORT_BUCKET_NOT_FOUND → {} (the bucket leaves the state)", async () => {
    const a = atlasError(404, "EXPORT_BUCKET_NOT_FOUND", `No export Bucket with ID ${BUCKET_ID} does not exist.`, "Not Found");
    const client = answering("GET", BUCKET_PATH, 404, a.body, a.headers);
    expect(await readExportBucket(client, BUCKET_ID, bucketProps)).toEqual({});
  });
  it("delete: EXPORT_BUCKET_NOT_FOUND counts as deleted", async () => {
    const a = atlasError(404, "EXPORT_BUCKET_NOT_FOUND", `No export Bucket with ID ${BUCKET_ID} does not exist.`, "Not Found");
    const client = answering("DELETE", BUCKET_PATH, 404, a.body, a.headers);
    await expect(deleteExportBucket(client, BUCKET_ID, bucketProps)).resolves.toBeUndefined();
  });
  it.each(ambiguous)("read: %s is an error, not 'gone'", async (_name, reply, code) => {
    const client = answering("GET", BUCKET_PATH, 404, reply.body, reply.headers);
    const error = await readExportBucket(client, BUCKET_ID, bucketProps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectNamed(error, "GET", BUCKET_PATH, code);
    expect((error as Error).message).toContain(`refresh of export bucket ${BUCKET_ID}`);
  });
  it.each(ambiguous)("delete: %s is an error, not 'deleted'", async (_name, reply, code) => {
    const client = answering("DELETE", BUCKET_PATH, 404, reply.body, reply.headers);
    const error = await deleteExportBucket(client, BUCKET_ID, bucketProps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectNamed(error, "DELETE", BUCKET_PATH, code);
    expect((error as Error).message).toContain(`delete of export bucket ${BUCKET_ID}`);
  });
});

describe("ExportJob: only the job's own not-found answer means gone", () => {
  it("read: EXPORT_JOB_NOT_FOUND → {}", async () => {
    const a = atlasError(404, "EXPORT_JOB_NOT_FOUND", `No export job with ID ${JOB_ID} exists for cluster Cluster0.`, "Not Found");
    const client = answering("GET", JOB_PATH, 404, a.body, a.headers);
    expect(await readExportJob(client, JOB_ID, jobProps)).toEqual({});
  });
  it("read: RESOURCE_NOT_FOUND naming the job (the form Atlas uses for a missing object) → {}", async () => {
    const body = JSON.stringify({ detail: `Cannot find resource Export job with id ${JOB_ID}.`, error: 404, errorCode: "RESOURCE_NOT_FOUND", parameters: [`Export job with id ${JOB_ID}`], reason: "Not Found" });
    const client = answering("GET", JOB_PATH, 404, body, { "content-type": "application/json" });
    expect(await readExportJob(client, JOB_ID, jobProps)).toEqual({});
  });
  it.each(ambiguous)("read: %s is an error, not 'gone'", async (_name, reply, code) => {
    const client = answering("GET", JOB_PATH, 404, reply.body.split(BUCKET_PATH).join(JOB_PATH), reply.headers);
    const error = await readExportJob(client, JOB_ID, jobProps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectNamed(error, "GET", JOB_PATH, code);
    expect((error as Error).message).toContain(`refresh of export job ${JOB_ID}`);
  });
  it("RESOURCE_NOT_FOUND counts only when it names this job and is not an unknown-path answer", () => {
    const e = (parameters: unknown[]) => new AtlasApiError({ status: 404, method: "GET", path: JOB_PATH, errorCode: "RESOURCE_NOT_FOUND", parameters });
    expect(isExportJobGone(e([`Export job with id ${JOB_ID}`]), JOB_ID)).toBe(true);
    expect(isExportJobGone(e([`Export job with id 6a00000000000000000000e2`]), JOB_ID)).toBe(false);
    expect(isExportJobGone(e([JOB_PATH]), JOB_ID)).toBe(false);
    expect(isExportJobGone(e([]), JOB_ID)).toBe(false);
  });
});

describe("a base URL with a path is refused before any request", () => {
  it("AtlasClient.fromConfig: no request is sent", () => {
    const h = harness();
    expect(() =>
      AtlasClient.fromConfig(
        { baseUrl: `${BASE}/api/atlas/v2`, baseUrlSource: 'stack config "mongodbatlas:baseUrl"', source: "stack", credentials: { kind: "apiKey", publicKey: "p", privateKey: "k".repeat(8) } },
        { dispatcher: h.agent },
      ),
    ).toThrow(/stack config "mongodbatlas:baseUrl" must be the Atlas origin without a path \(\/api\/atlas\/v2\).*https:\/\/cloud\.mongodb\.com/);
    expect(h.agent.getCallHistory()?.calls() ?? []).toHaveLength(0);
  });
});
