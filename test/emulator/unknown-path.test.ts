/**
 * The emulator answers an unknown path (what a wrong base URL produces) with a 404 that the
 * provider cannot take for an object's own not-found answer, even when the path contains the
 * object's id: RESOURCE_NOT_FOUND whose parameter is the path.
 */
import { describe, expect, it } from "vitest";
import { AtlasApiError } from "../../provider/errors";
import { isExportBucketGone, isExportJobGone } from "../../provider/resources/not-found";
import { GROUP, V2, useEmulator } from "../helpers/emulator";

const { api } = useEmulator();
const JOB_ID = "6a00000000000000000000e1";
const BUCKET_ID = "6a00000000000000000000c1";

describe("unknown paths", () => {
  it.each([
    ["a doubled /api/atlas/v2 prefix (job)", `${V2}${V2}/groups/${GROUP}/clusters/Cluster0/backup/exports/${JOB_ID}`],
    ["a doubled /api/atlas/v2 prefix (bucket)", `${V2}${V2}/groups/${GROUP}/backup/exportBuckets/${BUCKET_ID}`],
    ["a misspelled segment", `${V2}/groups/${GROUP}/clusters/Cluster0/backup/export/${JOB_ID}`],
  ])("%s: 404 RESOURCE_NOT_FOUND naming the path, never 'gone'", async (_name, path) => {
    const r = await api.get(path, "2023-01-01");
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ errorCode: "RESOURCE_NOT_FOUND", parameters: [path] });
    const asClientSees = new AtlasApiError({ status: 404, method: "GET", path, errorCode: r.json.errorCode, detail: r.json.detail, parameters: r.json.parameters });
    expect(isExportJobGone(asClientSees, JOB_ID)).toBe(false);
    expect(isExportBucketGone(asClientSees)).toBe(false);
  });
  it("an unknown job and bucket id on the right path are the objects' own not-found answers", async () => {
    const job = await api.get(`${V2}/groups/${GROUP}/clusters/Cluster0/backup/exports/6a00000000000000000000e9`, "2023-01-01");
    expect(job.json.errorCode).toBe("EXPORT_JOB_NOT_FOUND");
    expect(isExportJobGone(new AtlasApiError({ status: 404, method: "GET", path: "/p", errorCode: job.json.errorCode, parameters: job.json.parameters }), "6a00000000000000000000e9")).toBe(true);
    const bucket = await api.get(`${V2}/groups/${GROUP}/backup/exportBuckets/6a00000000000000000000c9`, "2024-05-30");
    expect(isExportBucketGone(new AtlasApiError({ status: 404, method: "GET", path: "/p", errorCode: bucket.json.errorCode }))).toBe(true);
  });
});
