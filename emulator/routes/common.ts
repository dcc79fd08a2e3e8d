/** Helpers shared by the route modules: body checks, cluster lookup, timestamps. */
import { errors } from "../errors";
import type { RouteContext } from "../router";
import type { ClusterRecord } from "../store";

/** 24-hex id pattern of the spec. */
export const HEX24 = /^([a-f0-9]{24})$/;

/** The JSON body as an object, or 400 INVALID_JSON (a body is required on these operations). */
export function bodyObject(ctx: RouteContext): Record<string, unknown> {
  const b = ctx.body;
  if (b === undefined || b === null || typeof b !== "object" || Array.isArray(b)) throw errors.invalidJson();
  return b as Record<string, unknown>;
}

/** Reject attributes not in `allowed` (INVALID_ATTRIBUTE) and read-only ones (ATTRIBUTE_READ_ONLY). */
export function checkAttributes(body: Record<string, unknown>, allowed: readonly string[], readOnly: readonly string[] = []): void {
  for (const k of Object.keys(body)) {
    if (readOnly.includes(k)) throw errors.readOnlyAttribute(k);
    if (!allowed.includes(k)) throw errors.invalidAttribute(k);
  }
}

/** A required string attribute. */
export function requiredString(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (v === undefined || v === null || v === "") throw errors.missingAttribute(name);
  if (typeof v !== "string") throw errors.invalidAttribute(name);
  return v;
}

/** An optional string attribute. */
export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw errors.invalidAttribute(name);
  return v;
}

/**
 * The dedicated cluster of the path (cluster API), or 404 CLUSTER_NOT_FOUND; a flex cluster is
 * 400 CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API, as Atlas answers every `/clusters/{name}/**` call
 * for one (CONTRACT §16.1 [rec] for GET/DELETE, inferred for the rest, §16.5).
 */
export function requireCluster(ctx: RouteContext): ClusterRecord {
  const { groupId, clusterName } = ctx.params as { groupId: string; clusterName: string };
  const c = ctx.store.cluster(groupId, clusterName);
  if (!c) throw errors.clusterNotFound(clusterName, groupId);
  if (c.flex) throw errors.flexClusterInClusterApi(c.name);
  return c;
}

/**
 * The flex cluster of the path (flex API, `{name}`), or 404 CLUSTER_NOT_FOUND; a dedicated
 * cluster is 400 CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API (CONTRACT §16.1 [rec]).
 */
export function requireFlexCluster(ctx: RouteContext): ClusterRecord {
  const { groupId, name } = ctx.params as { groupId: string; name: string };
  const c = ctx.store.cluster(groupId, name);
  if (!c) throw errors.clusterNotFound(name, groupId);
  if (!c.flex) throw errors.nonFlexClusterInFlexApi(c.name);
  return c;
}

/** ISO-8601 without milliseconds, like Atlas (`2026-08-10T03:28:25Z`). */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Absolute URL of an API path. */
export function abs(ctx: RouteContext, path: string): string {
  return ctx.baseUrl + path;
}
