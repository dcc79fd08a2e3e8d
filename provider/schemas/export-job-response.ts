/**
 * Export job responses (2023-01-01). `id`, not `_id`; `state` kept as a free string because
 * Atlas may add states (compare with the PascalCase ExportJobState values).
 */
import * as z from "zod";
import { Link, paginated } from "./common";

const BackupLabel = z.looseObject({ key: z.string(), value: z.string() });

/** One export job. */
export const ExportJobResponse = z.looseObject({
  id: z.string().min(1),
  exportBucketId: z.string(),
  snapshotId: z.string().optional(),
  state: z.string(),
  stateReason: z.looseObject({ errorCode: z.string().optional(), message: z.string().optional() }).optional(),
  exportStatus: z
    .looseObject({ exportedCollections: z.number().optional(), totalCollections: z.number().optional() })
    .optional(),
  createdAt: z.string().optional(),
  finishedAt: z.string().optional(),
  prefix: z.string().optional(),
  customData: z.array(BackupLabel).optional(),
  components: z.array(z.looseObject({ exportId: z.string().optional(), replicaSetName: z.string().optional() })).optional(),
  links: z.array(Link).optional(),
});

/** GET list body. */
export const ExportJobPage = paginated(ExportJobResponse);
