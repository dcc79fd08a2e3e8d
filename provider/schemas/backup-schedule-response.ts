/**
 * A cluster's backup schedule (2023-01-01 and 2024-08-05 have the same export fields, CONTRACT
 * §15.2); only the auto-export fields are checked, everything else is kept as sent.
 */
import * as z from "zod";

/** GET / PATCH / DELETE /groups/{groupId}/clusters/{clusterName}/backup/schedule body. */
export const BackupScheduleResponse = z.looseObject({
  clusterName: z.string().optional(),
  autoExportEnabled: z.boolean().optional(),
  /** Absent while auto-export is off (§15.4). */
  export: z.looseObject({ exportBucketId: z.string().optional(), frequencyType: z.string().optional() }).optional(),
  useOrgAndGroupNamesInExportPrefix: z.boolean().optional(),
});
