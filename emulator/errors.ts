/**
 * Atlas error bodies (CONTRACT.md §8). Every error the emulator sends is an `ApiError`:
 * `Content-Type: application/json` (unversioned, §8.2), an `X-Error-Code` header, and a body whose
 * keys are in alphabetical order `detail, error, errorCode, parameters, reason` like the recordings.
 */
import { STATUS_CODES } from "node:http";

/** Thrown by handlers; the server turns it into an ApiError response. */
export class EmulatorApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly detail: string,
    readonly parameters: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${errorCode}: ${detail}`);
    this.name = "EmulatorApiError";
  }
}

/** The ApiError JSON body (alphabetical keys, `reason` = HTTP reason phrase, §8.2). */
export function errorBody(status: number, errorCode: string, detail: string, parameters: unknown[] = []) {
  return {
    detail,
    error: status,
    errorCode,
    parameters,
    reason: STATUS_CODES[status] ?? "Error",
  };
}

/** Shorthand constructors for the codes used by the emulator (§8.3). */
export const errors = {
  missingAttribute: (name: string) =>
    new EmulatorApiError(400, "MISSING_ATTRIBUTE", `The required attribute ${name} was not specified.`, [name]),
  invalidAttribute: (name: string, why?: string) =>
    new EmulatorApiError(400, "INVALID_ATTRIBUTE", `Invalid attribute ${name} specified.${why ? ` ${why}` : ""}`, [name]),
  readOnlyAttribute: (name: string) =>
    new EmulatorApiError(400, "ATTRIBUTE_READ_ONLY", `Attribute ${name} is read-only and cannot be changed.`, [name]),
  invalidEnum: (name: string, value: unknown) =>
    new EmulatorApiError(400, "INVALID_ENUM_VALUE", `An invalid enumeration value ${String(value)} was specified.`, [String(value), name]),
  invalidJson: () => new EmulatorApiError(400, "INVALID_JSON", "Received JSON is malformed.", []),
  invalidPathParameter: (name: string, value: string) =>
    new EmulatorApiError(400, "INVALID_PATH_PARAMETER", `The path parameter ${name} with value ${value} is invalid.`, [name, value]),
  invalidQueryParameter: (name: string, value: string) =>
    new EmulatorApiError(400, "INVALID_QUERY_PARAMETER", `The query parameter ${name} with value ${value} is invalid.`, [name, value]),
  groupNotFound: (groupId: string) =>
    new EmulatorApiError(404, "GROUP_NOT_FOUND", `No group with ID ${groupId} exists.`, [groupId]),
  notInGroup: (groupId: string) =>
    new EmulatorApiError(401, "NOT_IN_GROUP", "Current user is not in the group, or the group does not exist.", [groupId]),
  clusterNotFound: (clusterName: string, groupId: string) =>
    new EmulatorApiError(404, "CLUSTER_NOT_FOUND", `No cluster named ${clusterName} exists in group ${groupId}.`, [clusterName, groupId]),
  bucketNotFound: (id: string) =>
    new EmulatorApiError(404, "EXPORT_BUCKET_NOT_FOUND", `No export Bucket with ID ${id} does not exist.`, [id]),
  snapshotNotFound: (id: string, clusterName: string) =>
    new EmulatorApiError(404, "SNAPSHOT_NOT_FOUND", `No snapshot with ID ${id} exists for cluster ${clusterName}.`, [id, clusterName]),
  exportJobNotFound: (id: string, clusterName: string) =>
    new EmulatorApiError(404, "EXPORT_JOB_NOT_FOUND", `No export job with ID ${id} exists for cluster ${clusterName}.`, [id, clusterName]),
  roleNotFound: (roleId: string) =>
    new EmulatorApiError(404, "CLOUD_PROVIDER_ACCESS_ROLE_NOT_FOUND", `No Cloud Provider Access role with ID ${roleId} exists.`, [roleId]),
  roleNotAuthorized: (roleId: string) =>
    new EmulatorApiError(400, "CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED", `The specified Cloud Provider Access role (${roleId}) has not been authorized.`, [roleId]),
  /** A flex cluster on `/clusters/{name}/**` (CONTRACT §16.1 [rec]). */
  flexClusterInClusterApi: (name: string) =>
    new EmulatorApiError(400, "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API", `Flex cluster ${name} cannot be used in the Cluster API.`, [name]),
  /** A dedicated cluster on `/flexClusters/{name}/**` (CONTRACT §16.1 [rec]). */
  nonFlexClusterInFlexApi: (name: string) =>
    new EmulatorApiError(400, "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API", `Cannot use non-flex cluster ${name} in the flex API.`, [name]),
  resourceNotFound: (path: string) =>
    new EmulatorApiError(404, "RESOURCE_NOT_FOUND", `Cannot find resource ${path}.`, [path]),
} as const;
