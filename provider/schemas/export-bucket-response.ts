/**
 * Export bucket responses (2024-05-30). `_id`, not `id`; `region` only on GET one; Azure adds
 * `roleId`, `serviceUrl`, `tenantId`; GCP `roleId`.
 */
import * as z from "zod";
import { Link, paginated } from "./common";

/** The clouds an export bucket can live in. */
export const CloudProvider = z.enum(["AWS", "AZURE", "GCP"]);

/** One export bucket (create / get / list item / PATCH response). */
export const ExportBucketResponse = z.looseObject({
  _id: z.string().min(1),
  bucketName: z.string(),
  cloudProvider: CloudProvider,
  iamRoleId: z.string().optional(),
  region: z.string().optional(),
  requirePrivateNetworking: z.boolean().optional(),
  roleId: z.string().optional(),
  serviceUrl: z.string().optional(),
  tenantId: z.string().optional(),
  links: z.array(Link).optional(),
});

/** GET list body. */
export const ExportBucketPage = paginated(ExportBucketResponse);
