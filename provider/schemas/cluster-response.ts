/** Cluster responses (2024-08-05); only the fields this package uses are checked. */
import * as z from "zod";
import { paginated } from "./common";

/** One cluster. */
export const ClusterResponse = z.looseObject({
  name: z.string().min(1),
  id: z.string().optional(),
  groupId: z.string().optional(),
  clusterType: z.string().optional(),
  stateName: z.string().optional(),
  backupEnabled: z.boolean().optional(),
});

/** GET list body. */
export const ClusterPage = paginated(ClusterResponse);

/** A flex cluster (`FlexClusterDescription20241113`, flex API 2024-11-13; CONTRACT §16.1). */
export const FlexClusterResponse = ClusterResponse.omit({ backupEnabled: true }).extend({
  providerSettings: z.looseObject({ providerName: z.string().optional(), backingProviderName: z.string().optional() }).optional(),
});
