/**
 * Which 404 answers mean "this object no longer exists" (so refresh drops it from state and
 * delete counts as done), and the error for every other 404.
 *
 * A 404 alone proves nothing: a wrong base URL, a deleted project (`GROUP_NOT_FOUND`) or cluster
 * (`CLUSTER_NOT_FOUND`), or a proxy answering for an unknown path all give 404 too. Taking those
 * as "gone" would make `pulumi refresh` drop every resource and `pulumi destroy` report success
 * while deleting nothing. So only the object's own not-found answer counts (CONTRACT.md §8.3):
 *
 * - export bucket: `EXPORT_BUCKET_NOT_FOUND` ("No export Bucket with ID %s does not exist.").
 * - auto-export (a cluster's backup schedule): `CLUSTER_NOT_FOUND` ("No cluster named %s exists
 *   in group %s.", recorded), i.e. the cluster itself is gone.
 * - export job: CONTRACT lists no job-specific code. `EXPORT_JOB_NOT_FOUND` (what the emulator
 *   answers) counts, and so does Atlas's generic `RESOURCE_NOT_FOUND` in the form Atlas uses for a
 *   missing object, whose parameter names the object and its id (recorded for another resource:
 *   `["Online archive with id 6a79…"]`). A `RESOURCE_NOT_FOUND` whose parameter is a URL path
 *   (`Cannot find resource /api/atlas/v2/…`, the answer for an unknown endpoint) does not count,
 *   even if that path contains the job id.
 * @internal
 */
import type { AtlasApi } from "../client/api";
import { AtlasApiError, isAtlasApiError, isAtlasErrorCode } from "../errors";

/** The errorCode Atlas answers for an export bucket id it does not know. */
export const EXPORT_BUCKET_NOT_FOUND = "EXPORT_BUCKET_NOT_FOUND";
/** The errorCode Atlas answers for a cluster name it does not know in the project. */
export const CLUSTER_NOT_FOUND = "CLUSTER_NOT_FOUND";
/** The errorCodes accepted as "this export job does not exist" (see the module comment). */
export const EXPORT_JOB_NOT_FOUND_CODES = ["EXPORT_JOB_NOT_FOUND", "RESOURCE_NOT_FOUND"] as const;

/** True only for Atlas's answer that this export bucket does not exist. */
export function isExportBucketGone(e: unknown): boolean {
  return isAtlasApiError(e, 404) && isAtlasErrorCode(e, EXPORT_BUCKET_NOT_FOUND);
}

/** True only for Atlas's answer that the cluster does not exist (its backup schedule is gone with it). */
export function isClusterGone(e: unknown): boolean {
  return isAtlasApiError(e, 404) && isAtlasErrorCode(e, CLUSTER_NOT_FOUND);
}

/** True only for Atlas's answer that the export job `jobId` does not exist. */
export function isExportJobGone(e: unknown, jobId: string): boolean {
  if (!isAtlasApiError(e, 404)) return false;
  if (e.errorCode === "EXPORT_JOB_NOT_FOUND") return true;
  if (e.errorCode !== "RESOURCE_NOT_FOUND") return false;
  const params = (e.parameters ?? []).filter((p): p is string => typeof p === "string");
  // The object form names the id; the unknown-endpoint form is a path (starts with "/").
  return params.length > 0 && params.every((p) => !p.startsWith("/")) && params.some((p) => p.includes(jobId));
}

/**
 * The error for a 404 that is not the object's own not-found answer: the original method,
 * path, status, errorCode and detail, plus what was being done, that the object stays in state,
 * and the base URL in use and where it was set.
 */
export function unexpectedNotFound(e: AtlasApiError, api: AtlasApi, what: string, objectCode: string): AtlasApiError {
  const baseUrl = api.baseUrlSetting ?? "the configured base URL";
  const atlasCode = e.errorCode === "UNKNOWN" ? "no Atlas errorCode (not an Atlas error body)" : `errorCode ${e.errorCode}`;
  return new AtlasApiError(
    {
      status: e.status,
      method: e.method,
      path: e.path,
      errorCode: e.errorCode,
      detail: e.detail,
      reason: e.reason,
      parameters: e.parameters,
      hint:
        `${what}: this 404 has ${atlasCode}, not ${objectCode}, so it does not show that the object is gone and it ` +
        `stays in the stack's state. Base URL in use: ${baseUrl}; it must be the Atlas origin (https://cloud.mongodb.com, ` +
        `or the emulator's http://127.0.0.1:<port>). Also check the project id and cluster name`,
    },
    { cause: e },
  );
}
