/**
 * The arguments of an AutoExport, as a strict zod schema (typos fail `check`). The id and
 * cluster-name rules are the ExportJob's (same Atlas fields). Required-ness is checked by the
 * `check` handler, which knows which values are unknown in preview.
 */
import * as z from "zod";
import { exportJobArgsSchema } from "./export-job-args";

/**
 * Auto-export frequencies accepted at preview (CONTRACT §15.3). The spec's enum is only
 * `monthly` and `yearly`; Atlas's docs list daily, weekly, monthly and yearly, with daily and
 * weekly enabled per project by MongoDB Support (Atlas then answers 400 at `pulumi up`). The
 * Atlas Kubernetes operator dropped its own check because more values sit behind feature
 * flags, so preview accepts the four documented values and leaves the rest to Atlas.
 */
export const AUTO_EXPORT_FREQUENCIES = ["daily", "weekly", "monthly", "yearly"] as const;

/** Every argument name, in the order messages list them. */
export const AUTO_EXPORT_ARG_NAMES = [
  "projectId",
  "clusterName",
  "exportBucketId",
  "frequencyType",
  "useOrgAndGroupNamesInExportPrefix",
] as const;

/** Arguments without which auto-export cannot be turned on. */
export const AUTO_EXPORT_REQUIRED_ARGS = ["projectId", "clusterName", "exportBucketId", "frequencyType"] as const;

/** Shape and format of each argument (all optional here; see `checkAutoExport`). */
export const autoExportArgsSchema = exportJobArgsSchema.pick({ projectId: true, clusterName: true, exportBucketId: true }).extend({
  frequencyType: z
    .enum(AUTO_EXPORT_FREQUENCIES, {
      error: 'must be one of "daily", "weekly", "monthly", "yearly" (lower case; Atlas accepts daily and weekly only where MongoDB Support enabled them)',
    })
    .optional(),
  useOrgAndGroupNamesInExportPrefix: z.boolean("must be true or false").optional(),
});

/** The checked arguments (plain values). */
export type AutoExportArgsShape = z.infer<typeof autoExportArgsSchema>;
