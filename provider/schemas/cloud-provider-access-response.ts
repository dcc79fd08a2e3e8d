/**
 * Cloud provider access roles (2023-01-01). The list is NOT paginated. AWS and GCP roles carry
 * `roleId`; Azure service principals carry `_id`. `authorizedDate` / `iamAssumedRoleArn` are
 * `null` until an AWS role is authorized.
 */
import * as z from "zod";
import { CloudProvider } from "./export-bucket-response";

const AwsIamRole = z.looseObject({
  roleId: z.string().optional(),
  authorizedDate: z.string().nullish(),
  iamAssumedRoleArn: z.string().nullish(),
});
const AzureServicePrincipal = z.looseObject({ _id: z.string().optional(), tenantId: z.string().optional() });
const GcpServiceAccount = z.looseObject({ roleId: z.string().optional(), status: z.string().optional() });

/** GET /groups/{groupId}/cloudProviderAccess body. */
export const CloudProviderAccessRolesResponse = z.looseObject({
  awsIamRoles: z.array(AwsIamRole).optional(),
  azureServicePrincipals: z.array(AzureServicePrincipal).optional(),
  gcpServiceAccounts: z.array(GcpServiceAccount).optional(),
});

/** GET /groups/{groupId}/cloudProviderAccess/{roleId} body. */
export const CloudProviderAccessRoleResponse = z.looseObject({
  providerName: CloudProvider,
  roleId: z.string().optional(),
  _id: z.string().optional(),
});
