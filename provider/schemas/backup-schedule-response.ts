/** A cluster's backup schedule (2023-01-01); only the auto-export fields are checked. */
import * as z from "zod";

/** GET /groups/{groupId}/clusters/{clusterName}/backup/schedule body. */
export const BackupScheduleResponse = z.looseObject({
  clusterName: z.string().optional(),
  autoExportEnabled: z.boolean().optional(),
  export: z.looseObject({ exportBucketId: z.string().optional(), frequencyType: z.string().optional() }).optional(),
});
