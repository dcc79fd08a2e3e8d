/**
 * The arguments of an ExportBucket, as a strict zod schema (typos fail `check`), plus the
 * Azure `serviceUrl` parser. Per-cloud required/forbidden rules need to know which values are
 * unknown during preview, so they live in the bucket's `check` handler, not here.
 */
import * as z from "zod";

const HEX24 = /^[0-9a-f]{24}$/;

/** Cloud providers an export bucket can live in. */
export const CLOUD_PROVIDERS = ["AWS", "AZURE", "GCP"] as const;

/** Every argument name, in the order messages list them. */
export const EXPORT_BUCKET_ARG_NAMES = [
  "projectId",
  "cloudProvider",
  "bucketName",
  "iamRoleId",
  "roleId",
  "serviceUrl",
  "requirePrivateNetworking",
  "adopt",
] as const;

const hexId = (what: string) =>
  z.string().regex(HEX24, `must be a 24-character lowercase hexadecimal ${what} (got a value that is not)`);

/**
 * Shape and format of each argument. Every field is optional here: required-ness depends on
 * `cloudProvider` and on which values are unknown in preview (see `checkExportBucket`).
 */
export const exportBucketArgsSchema = z.strictObject({
  projectId: hexId("Atlas project id, e.g. 6a0000000000000000000001"),
  cloudProvider: z.enum(CLOUD_PROVIDERS, { error: 'must be one of "AWS", "AZURE", "GCP"' }),
  bucketName: z
    .string()
    .min(3, "must be 3 to 63 characters long")
    .max(63, "must be 3 to 63 characters long"),
  iamRoleId: hexId("cloud provider access role id (roleId of an authorized AWS IAM role)"),
  roleId: hexId("cloud provider access role id (Azure service principal _id or GCP roleId)"),
  serviceUrl: z.string(),
  requirePrivateNetworking: z.boolean("must be true or false"),
  adopt: z.boolean("must be true or false"),
}).partial();

/** The checked arguments (plain values). */
export type ExportBucketArgsShape = z.infer<typeof exportBucketArgsSchema>;

/** An Azure Blob Storage service URL, parsed. */
export interface AzureServiceUrl {
  account: string;
  /** The container in the path, if the URL has one. */
  container: string | undefined;
}

/**
 * Parses `https://<account>.blob.core.windows.net[/<container>]`. Returns a reason string when
 * the URL is not one (Atlas accepts only standard blob endpoints).
 */
export function parseAzureServiceUrl(value: string): AzureServiceUrl | string {
  const expected = "must be an Azure Blob Storage URL like https://<account>.blob.core.windows.net/<container>";
  if (value.length > 2048) return `${expected} (at most 2048 characters)`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${expected} (not a URL)`;
  }
  if (url.protocol !== "https:") return `${expected} (must use https)`;
  const host = /^([a-z0-9]{3,24})\.blob\.core\.windows\.net$/.exec(url.hostname);
  if (!host) {
    return `${expected} (the host must be <account>.blob.core.windows.net, with a 3-24 character lowercase alphanumeric account)`;
  }
  if (url.search || url.hash || url.username || url.password || url.port) {
    return `${expected} (no query string, fragment, credentials or port)`;
  }
  const segments = url.pathname.split("/").filter((s) => s.length > 0);
  if (segments.length > 1) return `${expected} (only one path segment, the container)`;
  const container = segments[0];
  if (container !== undefined && !/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(container)) {
    return `${expected} (the container name must be 3-63 lowercase letters, digits and single hyphens)`;
  }
  return { account: host[1] as string, container };
}
