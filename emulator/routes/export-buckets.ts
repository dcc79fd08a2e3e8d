/**
 * Export buckets (CONTRACT.md §4): list / create / get / delete / PATCH.
 *
 * Versions: 2024-05-30 is polymorphic (AWS / AZURE / GCP); 2023-01-01 is the AWS-only shape
 * (§2.2). Decision (real behaviour unknown, §13): under 2023-01-01 non-AWS buckets are omitted
 * from lists (and from totalCount), a GET of one is 404 EXPORT_BUCKET_NOT_FOUND, and a create
 * with another cloudProvider is 400 INVALID_ENUM_VALUE.
 *
 * Duplicates (same cloud + name + role in a project) are allowed: Atlas's behaviour is unknown and
 * allowing them is what makes "no duplicates" a real test for the provider.
 */
import { EmulatorApiError, errors } from "../errors";
import { paginate } from "../pagination";
import type { Route, RouteContext } from "../router";
import { newObjectId, type BucketRecord, type RoleRecord } from "../store";
import { V } from "../versions";
import { HEX24, bodyObject, checkAttributes, optionalString, requiredString } from "./common";
import { azureBucketNameProblem, parseAzureServiceUrl } from "../../provider/schemas/azure-service-url";

type View = "list" | "create" | "get";

/** Render a bucket; `region` only on GET one (§4.3, §12.6). */
export function renderBucket(b: BucketRecord, view: View): Record<string, unknown> {
  const out: Record<string, unknown> = { _id: b.id, bucketName: b.bucketName, cloudProvider: b.cloudProvider };
  if (b.cloudProvider === "AWS") {
    out["iamRoleId"] = b.iamRoleId;
    if (view === "get" && b.region) out["region"] = b.region;
    out["requirePrivateNetworking"] = b.requirePrivateNetworking ?? false;
  } else if (b.cloudProvider === "AZURE") {
    out["roleId"] = b.roleId;
    out["serviceUrl"] = b.serviceUrl;
    out["tenantId"] = b.tenantId;
  } else {
    out["roleId"] = b.roleId;
  }
  return out;
}


function checkBucketName(name: string): void {
  if (name.length < 3 || name.length > 63) {
    throw new EmulatorApiError(400, "EXPORT_BUCKET_NAME_INVALID", `Export bucket name ${name} is invalid: it must be between 3 and 63 characters long.`, [name]);
  }
}

function checkRole(ctx: RouteContext, roleId: string, provider: RoleRecord["providerName"]): RoleRecord {
  const role = ctx.store.role(ctx.params["groupId"]!, roleId);
  if (!role || role.providerName !== provider) throw errors.roleNotFound(roleId);
  if (!role.authorized) throw errors.roleNotAuthorized(roleId);
  return role;
}

function checkRoleIdFormat(name: string, v: string): void {
  if (!HEX24.test(v)) throw errors.invalidAttribute(name, "It must be a 24-hexadecimal id.");
}

/** Validate a create body per cloud provider (§4.1) and build the record. */
function buildBucket(ctx: RouteContext): BucketRecord {
  const body = bodyObject(ctx);
  const groupId = ctx.params["groupId"]!;
  const providerRaw = body["cloudProvider"];
  if (providerRaw === undefined || providerRaw === null) throw errors.missingAttribute("cloudProvider");
  const legacy = ctx.version === "2023-01-01";
  const allowedProviders = legacy ? ["AWS"] : ["AWS", "AZURE", "GCP"];
  if (typeof providerRaw !== "string" || !allowedProviders.includes(providerRaw)) throw errors.invalidEnum("cloudProvider", providerRaw);
  const provider = providerRaw as BucketRecord["cloudProvider"];
  const id = newObjectId(ctx.now());
  const readOnly = ["_id", "region", "links"];
  if (provider === "AWS") {
    checkAttributes(body, ["cloudProvider", "bucketName", "iamRoleId", "requirePrivateNetworking"], readOnly);
    const bucketName = requiredString(body, "bucketName");
    const iamRoleId = requiredString(body, "iamRoleId");
    checkBucketName(bucketName);
    checkRoleIdFormat("iamRoleId", iamRoleId);
    const rpn = body["requirePrivateNetworking"];
    if (rpn !== undefined && rpn !== null && typeof rpn !== "boolean") throw errors.invalidAttribute("requirePrivateNetworking");
    checkRole(ctx, iamRoleId, "AWS");
    // region is set by Atlas from the S3 bucket's location; the emulator has no S3, so us-east-1.
    return { groupId, id, cloudProvider: "AWS", bucketName, iamRoleId, requirePrivateNetworking: rpn === true, region: "us-east-1" };
  }
  if (provider === "AZURE") {
    checkAttributes(body, ["cloudProvider", "bucketName", "roleId", "serviceUrl", "tenantId"], readOnly);
    const roleId = requiredString(body, "roleId");
    const serviceUrl = requiredString(body, "serviceUrl");
    optionalString(body, "tenantId"); // deprecated and ignored (§4.1): the role's tenant is used
    checkRoleIdFormat("roleId", roleId);
    // The same rules as the provider's preview check (one implementation, CONTRACT §4.1).
    const url = parseAzureServiceUrl(serviceUrl);
    if (typeof url === "string") throw errors.invalidAttribute("serviceUrl", `serviceUrl ${url}.`);
    const givenName = optionalString(body, "bucketName");
    const nameProblem = azureBucketNameProblem(givenName, url.container);
    if (nameProblem !== undefined) {
      // Decision: a bucketName contradicting the container in serviceUrl is rejected.
      throw givenName === undefined ? errors.missingAttribute("bucketName") : errors.invalidAttribute("bucketName", `${nameProblem}.`);
    }
    const bucketName = givenName ?? (url.container as string);
    checkBucketName(bucketName);
    const role = checkRole(ctx, roleId, "AZURE");
    return { groupId, id, cloudProvider: "AZURE", bucketName, roleId, serviceUrl, tenantId: role.tenantId! };
  }
  checkAttributes(body, ["cloudProvider", "bucketName", "roleId"], readOnly);
  const bucketName = requiredString(body, "bucketName");
  const roleId = requiredString(body, "roleId");
  checkBucketName(bucketName);
  checkRoleIdFormat("roleId", roleId);
  checkRole(ctx, roleId, "GCP");
  return { groupId, id, cloudProvider: "GCP", bucketName, roleId };
}

/**
 * Whether a bucket exists in the served version's view. 2023-01-01 lists
 * `DiskBackupSnapshotAWSExportBucketResponse` items whose `iamRoleId` is required (CONTRACT §2.2,
 * §3): an Azure/GCP bucket cannot be expressed there, so the 2023-01-01 view is the AWS-only
 * collection — list items, `totalCount` and the pages (`next` links) are all computed over it
 * (the filter runs before pagination), and GET by id of a non-AWS bucket is 404. DELETE, whose
 * only version is 2023-01-01, applies to every bucket.
 */
function visible(b: BucketRecord, version: string): boolean {
  return version !== "2023-01-01" || b.cloudProvider === "AWS";
}

function findBucket(ctx: RouteContext): BucketRecord {
  const { groupId, exportBucketId } = ctx.params as { groupId: string; exportBucketId: string };
  const b = ctx.store.getBucket(groupId, exportBucketId);
  if (!b) throw errors.bucketNotFound(exportBucketId);
  return b;
}

const BASE = "/api/atlas/v2/groups/{groupId}/backup/exportBuckets";

/** Routes of this module. */
export const exportBucketRoutes: Route[] = [
  {
    method: "GET", pattern: BASE, operation: "listExportBuckets", versions: V.bucketsPolymorphic, rateLimit: 1200,
    handler: (ctx) => {
      const groupId = ctx.params["groupId"]!;
      const items = ctx.store.listBuckets(groupId).filter((b) => visible(b, ctx.version));
      return { status: 200, kind: "list", body: paginate(items, ctx.query, `${ctx.baseUrl}/api/atlas/v2/groups/${groupId}/backup/exportBuckets`, (b) => renderBucket(b, "list")) };
    },
  },
  {
    method: "POST", pattern: BASE, operation: "createExportBucket", versions: V.bucketsPolymorphic, rateLimit: 1200,
    handler: (ctx) => {
      const b = ctx.store.addBucket(buildBucket(ctx));
      return { status: 200, kind: "single", body: renderBucket(b, "create") };
    },
  },
  {
    method: "GET", pattern: `${BASE}/{exportBucketId}`, operation: "getExportBucket", versions: V.bucketsPolymorphic, rateLimit: 1200,
    handler: (ctx) => {
      const b = findBucket(ctx);
      if (!visible(b, ctx.version)) throw errors.bucketNotFound(b.id);
      return { status: 200, kind: "single", body: renderBucket(b, "get") };
    },
  },
  {
    method: "DELETE", pattern: `${BASE}/{exportBucketId}`, operation: "deleteExportBucket", versions: V.only20230101, rateLimit: 1200,
    handler: (ctx) => {
      const b = findBucket(ctx);
      const using = ctx.store.schedulesUsingBucket(b.groupId, b.id);
      if (using.length) {
        // CONTRACT §4.3: status not shown on the wire; the docs' EXPORT_BUCKET_DELETE_FAILED is 400.
        throw new EmulatorApiError(400, "EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE",
          `Failed to delete export Bucket with ID ${b.id}: it is used by the backup schedule of cluster ${using.map((s) => s.clusterName).join(", ")}.`,
          [b.id]);
      }
      ctx.store.deleteBucket(b.groupId, b.id);
      return { status: 204 };
    },
  },
  {
    method: "PATCH", pattern: `${BASE}/{exportBucketId}`, operation: "updateExportBucket", versions: V.only20240530, rateLimit: 1200,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      checkAttributes(body, ["requirePrivateNetworking"]);
      const v = body["requirePrivateNetworking"];
      if (v === undefined || v === null) throw errors.missingAttribute("requirePrivateNetworking");
      if (typeof v !== "boolean") throw errors.invalidAttribute("requirePrivateNetworking");
      const b = findBucket(ctx);
      // requirePrivateNetworking is AWS-only (§4.1) and the response is the AWS shape (§3).
      if (b.cloudProvider !== "AWS") throw errors.invalidAttribute("requirePrivateNetworking", "Private networking is only supported for AWS export buckets.");
      b.requirePrivateNetworking = v;
      ctx.store.changed();
      return { status: 200, kind: "single", body: renderBucket(b, "get") };
    },
  },
];
