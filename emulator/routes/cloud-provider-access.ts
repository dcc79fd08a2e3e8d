/**
 * Cloud provider access roles (CONTRACT.md §7): list / create / get / authorize (PATCH) /
 * deauthorize (DELETE). AWS roles are created unauthorized (`authorizedDate` and
 * `iamAssumedRoleArn` null, as recorded) and authorized by PATCH with an `iamAssumedRoleArn`;
 * Azure service principals are authorized by PATCH too; GCP service accounts need no authorization:
 * they go IN_PROGRESS → COMPLETE by themselves (3 s × timeScale).
 *
 * Decisions: re-authorizing an authorized role overwrites it (no 409); deauthorizing a role that an
 * export bucket still uses → 400 `CLOUD_PROVIDER_ACCESS_ROLE_IN_USE` (the role's featureUsages
 * list the buckets, and Atlas would otherwise strand them).
 */
import { randomUUID } from "node:crypto";
import { EmulatorApiError, errors } from "../errors";
import type { Route, RouteContext } from "../router";
import { GCP_ROLE_COMPLETE_AFTER } from "../state-machines";
import { newObjectId, type RoleRecord } from "../store";
import { V } from "../versions";
import { bodyObject, checkAttributes, iso, requiredString } from "./common";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const PROVIDERS = ["AWS", "AZURE", "GCP"] as const;

/** GCP roles complete asynchronously; seeded/authorized ones are COMPLETE. */
function gcpStatus(r: RoleRecord, ctx: RouteContext): "IN_PROGRESS" | "COMPLETE" {
  if (r.authorized) return "COMPLETE";
  if (ctx.now() - r.createdDate >= GCP_ROLE_COMPLETE_AFTER * ctx.timeScale) {
    r.authorized = true; // lazily settle so later bucket checks see it authorized
    ctx.store.changed();
    return "COMPLETE";
  }
  return "IN_PROGRESS";
}

function featureUsages(ctx: RouteContext, r: RoleRecord) {
  return ctx.store.listBuckets(r.groupId)
    .filter((b) => b.iamRoleId === r.id || b.roleId === r.id)
    .map((b) => ({ featureId: { exportBucketId: b.id, groupId: b.groupId }, featureType: "EXPORT_SNAPSHOT" }));
}

/** Render a role in its provider's shape (§7). */
export function renderRole(ctx: RouteContext, r: RoleRecord): Record<string, unknown> {
  if (r.providerName === "AWS") {
    return {
      atlasAWSAccountArn: r.atlasAWSAccountArn, atlasAssumedRoleExternalId: r.atlasAssumedRoleExternalId,
      authorizedDate: r.authorizedDate !== undefined ? iso(r.authorizedDate) : null, createdDate: iso(r.createdDate),
      featureUsages: featureUsages(ctx, r), iamAssumedRoleArn: r.iamAssumedRoleArn ?? null, providerName: "AWS", roleId: r.id,
    };
  }
  if (r.providerName === "AZURE") {
    return {
      _id: r.id, atlasAzureAppId: r.atlasAzureAppId, createdDate: iso(r.createdDate), featureUsages: featureUsages(ctx, r),
      lastUpdatedDate: iso(r.lastUpdatedDate ?? r.createdDate), providerName: "AZURE", servicePrincipalId: r.servicePrincipalId, tenantId: r.tenantId,
    };
  }
  return {
    createdDate: iso(r.createdDate), featureUsages: featureUsages(ctx, r), gcpServiceAccountForAtlas: r.gcpServiceAccountForAtlas,
    providerName: "GCP", roleId: r.id, status: gcpStatus(r, ctx),
  };
}

function findRole(ctx: RouteContext): RoleRecord {
  const roleId = ctx.params["roleId"]!;
  const r = ctx.store.role(ctx.params["groupId"]!, roleId);
  if (!r) throw errors.roleNotFound(roleId);
  return r;
}

function uuidAttr(body: Record<string, unknown>, name: string): string {
  const v = requiredString(body, name);
  if (!UUID.test(v)) throw errors.invalidAttribute(name, "It must be a UUID.");
  return v;
}

function providerOf(body: Record<string, unknown>): RoleRecord["providerName"] {
  const p = body["providerName"];
  if (p === undefined || p === null) throw errors.missingAttribute("providerName");
  if (!PROVIDERS.includes(p as RoleRecord["providerName"])) throw errors.invalidEnum("providerName", p);
  return p as RoleRecord["providerName"];
}

const rand36 = (n: number) => Array.from({ length: n }, () => "0123456789abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 36)]).join("");

const BASE = "/api/atlas/v2/groups/{groupId}/cloudProviderAccess";

/** Routes of this module. */
export const cloudProviderAccessRoutes: Route[] = [
  {
    method: "GET", pattern: BASE, operation: "listCloudProviderAccessRoles", versions: V.only20230101, rateLimit: 2000,
    handler: (ctx) => {
      const roles = ctx.store.listRoles(ctx.params["groupId"]!);
      // Not paginated (§7): three arrays by provider.
      return {
        status: 200, kind: "single",
        body: {
          awsIamRoles: roles.filter((r) => r.providerName === "AWS").map((r) => renderRole(ctx, r)),
          azureServicePrincipals: roles.filter((r) => r.providerName === "AZURE").map((r) => renderRole(ctx, r)),
          gcpServiceAccounts: roles.filter((r) => r.providerName === "GCP").map((r) => renderRole(ctx, r)),
        },
      };
    },
  },
  {
    method: "POST", pattern: BASE, operation: "createCloudProviderAccessRole", versions: V.only20230101, rateLimit: 2000,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      const provider = providerOf(body);
      const now = ctx.now();
      const base = { groupId: ctx.params["groupId"]!, id: newObjectId(now), createdDate: now };
      let role: RoleRecord;
      if (provider === "AWS") {
        checkAttributes(body, ["providerName"], ["roleId", "atlasAWSAccountArn", "atlasAssumedRoleExternalId", "authorizedDate", "createdDate", "featureUsages", "iamAssumedRoleArn"]);
        role = { ...base, providerName: "AWS", authorized: false, atlasAWSAccountArn: "arn:aws:iam::299602853325:root", atlasAssumedRoleExternalId: randomUUID() };
      } else if (provider === "AZURE") {
        checkAttributes(body, ["providerName", "atlasAzureAppId", "servicePrincipalId", "tenantId"], ["_id", "createdDate", "featureUsages", "lastUpdatedDate"]);
        role = {
          ...base, providerName: "AZURE", authorized: false, lastUpdatedDate: now,
          atlasAzureAppId: uuidAttr(body, "atlasAzureAppId"), servicePrincipalId: uuidAttr(body, "servicePrincipalId"), tenantId: uuidAttr(body, "tenantId"),
        };
      } else {
        checkAttributes(body, ["providerName"], ["roleId", "createdDate", "featureUsages", "gcpServiceAccountForAtlas", "status"]);
        role = { ...base, providerName: "GCP", authorized: false, gcpServiceAccountForAtlas: `mongodb-atlas-${rand36(16)}@p-${rand36(24)}.iam.gserviceaccount.com` };
      }
      ctx.store.addRole(role);
      return { status: 200, kind: "single", body: renderRole(ctx, role) };
    },
  },
  {
    method: "GET", pattern: `${BASE}/{roleId}`, operation: "getCloudProviderAccessRole", versions: V.only20230101, rateLimit: 2000,
    handler: (ctx) => ({ status: 200, kind: "single", body: renderRole(ctx, findRole(ctx)) }),
  },
  {
    method: "PATCH", pattern: `${BASE}/{roleId}`, operation: "authorizeCloudProviderAccessRole", versions: V.only20230101, rateLimit: 2000,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      const provider = providerOf(body);
      const r = findRole(ctx);
      if (r.providerName !== provider) throw errors.invalidAttribute("providerName", `Role ${r.id} is a ${r.providerName} role.`);
      const now = ctx.now();
      if (provider === "AWS") {
        checkAttributes(body, ["providerName", "iamAssumedRoleArn"]);
        const arn = requiredString(body, "iamAssumedRoleArn");
        if (!ARN.test(arn) || arn.length > 2048) throw errors.invalidAttribute("iamAssumedRoleArn", "It must be an IAM role ARN.");
        r.iamAssumedRoleArn = arn;
        r.authorizedDate = now;
      } else if (provider === "AZURE") {
        checkAttributes(body, ["providerName", "atlasAzureAppId", "servicePrincipalId", "tenantId"]);
        for (const k of ["atlasAzureAppId", "servicePrincipalId", "tenantId"] as const) {
          if (body[k] !== undefined) r[k] = uuidAttr(body, k);
        }
        r.lastUpdatedDate = now;
      } else {
        checkAttributes(body, ["providerName"]);
      }
      r.authorized = true;
      ctx.store.changed();
      return { status: 200, kind: "single", body: renderRole(ctx, r) };
    },
  },
  {
    method: "DELETE", pattern: `${BASE}/{cloudProvider}/{roleId}`, operation: "deauthorizeCloudProviderAccessRole", versions: V.only20230101, rateLimit: 2000,
    handler: (ctx) => {
      const r = findRole(ctx);
      if (r.providerName !== ctx.params["cloudProvider"]) throw errors.roleNotFound(r.id);
      if (featureUsages(ctx, r).length) {
        throw new EmulatorApiError(400, "CLOUD_PROVIDER_ACCESS_ROLE_IN_USE", `Cloud Provider Access role ${r.id} is in use by export buckets and cannot be deauthorized.`, [r.id]);
      }
      ctx.store.deleteRole(r.groupId, r.id);
      return { status: 204 };
    },
  },
];
