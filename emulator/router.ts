/**
 * A small declarative route table (conventions point 13): method + path pattern + the versions the
 * operation serves (CONTRACT §2.1) + its rate-limit capacity (§10) + a handler. Path parameters are
 * validated against the spec patterns (§3) before the handler runs.
 */
import type { IncomingMessage } from "node:http";
import type { Principal } from "./auth";
import { errors } from "./errors";
import type { EmulatorStore } from "./store";
import type { VersionSpec } from "./versions";

/** What a handler gets. */
export interface RouteContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** parsed JSON body (undefined when empty) */
  body: unknown;
  /** the negotiated version */
  version: string;
  principal: Principal;
  store: EmulatorStore;
  /** e.g. http://127.0.0.1:43121 (for absolute links) */
  baseUrl: string;
  now: () => number;
  timeScale: number;
}

/** What a handler returns. `kind` drives the envelope (§9): single → {status, content}. */
export interface RouteResult {
  status: number;
  body?: unknown;
  kind?: "single" | "list";
}

/** A route of the table. */
export interface Route {
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  /** e.g. `/api/atlas/v2/groups/{groupId}/backup/exportBuckets` */
  pattern: string;
  /** a readable operation name (request log, conformance) */
  operation: string;
  versions: readonly VersionSpec[];
  /** RateLimit-Limit capacity (backup 1200, CPA 2000, clusters 10000 [rec]) */
  rateLimit: number;
  handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

/** Spec patterns for path parameters (CONTRACT §3). */
const PARAM_PATTERNS: Record<string, RegExp> = {
  groupId: /^([a-f0-9]{24})$/,
  exportBucketId: /^([a-f0-9]{24})$/,
  exportId: /^([a-f0-9]{24})$/,
  snapshotId: /^([a-f0-9]{24})$/,
  roleId: /^([a-f0-9]{24})$/,
  clusterName: /^[a-zA-Z0-9][a-zA-Z0-9-]*$/,
  /** flex cluster name (`/flexClusters/{name}`), same pattern as clusterName */
  name: /^[a-zA-Z0-9][a-zA-Z0-9-]*$/,
  cloudProvider: /^(AWS|AZURE|GCP)$/,
};

interface Compiled { route: Route; re: RegExp; names: string[] }

/** Result of matching a path. */
export type MatchResult =
  | { route: Route; params: Record<string, string> }
  | { allowed: string[] }
  | undefined;

/** The compiled table. */
export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const re = new RegExp(
        "^" + route.pattern.replace(/[.+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, n: string) => {
          names.push(n);
          return "([^/]+)";
        }) + "/?$",
      );
      return { route, re, names };
    });
  }

  /** Find the route for method + path (a path known under another method → `allowed`). */
  match(method: string, path: string): MatchResult {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.re.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]!);
      });
      return { route: c.route, params };
    }
    return allowed.length ? { allowed } : undefined;
  }

  /** Validate path parameters against the spec patterns → 400 INVALID_PATH_PARAMETER. */
  static validateParams(params: Record<string, string>): void {
    for (const [k, v] of Object.entries(params)) {
      const re = PARAM_PATTERNS[k];
      if (re && !re.test(v)) throw errors.invalidPathParameter(k, v);
    }
  }
}
