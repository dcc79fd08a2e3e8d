/**
 * The arguments of an ExportBucket, as a strict zod schema (typos fail `check`), plus the
 * Azure `serviceUrl`/`bucketName` rules (shared with the emulator, see azure-service-url.ts). Per-cloud required/forbidden rules need to know which values are
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

export { AZURE_SERVICE_URL_FORM, azureBucketNameProblem, parseAzureServiceUrl, type AzureServiceUrl } from "./azure-service-url";
