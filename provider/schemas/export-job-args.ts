/**
 * The arguments of an ExportJob, as a strict zod schema (typos fail `check`). Required-ness is
 * checked by the job's `check` handler, which knows which values are unknown in preview.
 */
import * as z from "zod";

const HEX24 = /^[0-9a-f]{24}$/;

/** Longest wait allowed: 7 days. */
export const MAX_WAIT_TIMEOUT_MINUTES = 7 * 24 * 60;

/** Default wait for a job to finish. */
export const DEFAULT_WAIT_TIMEOUT_MINUTES = 120;

/** Every argument name, in the order messages list them. */
export const EXPORT_JOB_ARG_NAMES = [
  "projectId",
  "clusterName",
  "snapshotId",
  "exportBucketId",
  "customData",
  "waitForCompletion",
  "waitTimeoutMinutes",
] as const;

/** Arguments without which a job cannot be created. */
export const EXPORT_JOB_REQUIRED_ARGS = ["projectId", "clusterName", "snapshotId", "exportBucketId"] as const;

const hexId = (what: string) => z.string().regex(HEX24, `must be a 24-character lowercase hexadecimal ${what}`);

/** Shape and format of each argument (all optional here; see `checkExportJob`). */
export const exportJobArgsSchema = z
  .strictObject({
    projectId: hexId("Atlas project id, e.g. 6a0000000000000000000001"),
    clusterName: z
      .string()
      .max(64, "must be at most 64 characters long")
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9-]*$/, "must start with a letter or digit and contain only letters, digits and hyphens"),
    snapshotId: hexId("snapshot id (see getLatestSnapshot)"),
    exportBucketId: hexId("export bucket id (an ExportBucket's exportBucketId)"),
    customData: z
      .record(z.string(), z.string("values must be strings"), "must be a map of string keys to string values")
      .refine((map) => !("" in map), "keys must not be empty"),
    waitForCompletion: z.boolean("must be true or false"),
    waitTimeoutMinutes: z
      .number("must be a number of minutes")
      .gt(0, "must be greater than 0")
      .max(MAX_WAIT_TIMEOUT_MINUTES, `must be at most ${MAX_WAIT_TIMEOUT_MINUTES} (7 days)`),
  })
  .partial();

/** The checked arguments (plain values). */
export type ExportJobArgsShape = z.infer<typeof exportJobArgsSchema>;
