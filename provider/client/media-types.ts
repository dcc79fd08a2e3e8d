/**
 * Atlas selects the API version with the Accept header. We pin the exact version each operation
 * declares (docs: CONTRACT §2.1) rather than one global date, as MongoDB's own clients do.
 */

/** The API versions this client uses. */
export const ATLAS_VERSIONS = {
  /** Export bucket list / create / get / PATCH (polymorphic AWS / Azure / GCP shape). */
  exportBuckets: "2024-05-30",
  /** Export bucket delete (its only version). */
  exportBucketDelete: "2023-01-01",
  /** Export jobs, snapshots, cloud provider access. */
  backup: "2023-01-01",
  /** Backup schedule get / PATCH: the current version (2023-01-01 is deprecated, CONTRACT §15.1). */
  backupSchedule: "2024-08-05",
  /** Cluster get / list. */
  clusters: "2024-08-05",
  /** Flex cluster get (the flex API's only version, CONTRACT §16.1). */
  flexClusters: "2024-11-13",
} as const;

/** An Atlas API version date, e.g. `2024-05-30`. */
export type AtlasVersion = (typeof ATLAS_VERSIONS)[keyof typeof ATLAS_VERSIONS];

/** `application/vnd.atlas.<version>+json`, for Accept and (on bodies) Content-Type. Never throws. */
export function atlasMediaType(version: string): string {
  return `application/vnd.atlas.${version}+json`;
}

/**
 * True when a Content-Type names JSON: `application/json` or any `+json` suffix (Atlas answers
 * `application/vnd.atlas.2024-05-30+json;charset=utf-8`, errors as plain `application/json`).
 * Never throws.
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return essence === "application/json" || essence.endsWith("+json");
}
