/**
 * The HTTP front door (node:http, loopback only). Order of checks, chosen to mirror a real API
 * gateway: control endpoints (no auth, not logged) → OAuth endpoints (Basic auth) → API auth
 * (Digest / Bearer, 401) → faults (so a digest challenge round-trip never counts as a matching
 * request) → route (404/405) → path parameters (400) → version (406/410) → project access
 * (404 GROUP_NOT_FOUND / 401 NOT_IN_GROUP) → handler.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { AuthKind, Authenticator, Principal } from "./auth";
import { EmulatorApiError, errorBody, errors } from "./errors";
import type { FaultInjector, FaultKind, FaultRule } from "./faults";
import { queryFlag } from "./pagination";
import { captureRequest, captureResponse, type CapturedMessage } from "./request-capture";
import { Router, type RouteContext, type RouteResult } from "./router";
import type { EmulatorStore } from "./store";
import { mediaType, negotiate } from "./versions";

/** One entry of the request log (control endpoints are not logged). */
export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** HTTP status sent; 0 when the connection was dropped without a response */
  status: number;
  durationMs: number;
  /** the injected fault, if any */
  fault?: FaultKind;
  /** how the request authenticated ("none" when it did not) */
  auth?: AuthKind;
  /** operation name of the matched route (e.g. "createExportBucket") */
  operation?: string;
  /** negotiated API version */
  version?: string;
  /** errorCode of an error response */
  errorCode?: string;
  /** for commit-then-drop: the status the applied request would have answered */
  appliedStatus?: number;
  /** with `logBodies`: request headers and body, credentials redacted */
  request?: CapturedMessage;
  /** with `logBodies`: response headers and body as sent (absent when the socket was dropped) */
  response?: CapturedMessage;
}

/** Everything the request handler needs. */
export interface ServerDeps {
  store: EmulatorStore;
  auth: Authenticator;
  faults: FaultInjector;
  router: Router;
  requestLog: RequestLogEntry[];
  /** add request/response headers and bodies (redacted) to each log entry */
  logBodies: boolean;
  timeScale: () => number;
  strictVersions: boolean;
  now: () => number;
  baseUrl: () => string;
  control: (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer) => Promise<void>;
  /** timers of slow faults, cleared on close */
  timers: Set<NodeJS.Timeout>;
}

/** Recursively sort object keys: Atlas bodies are alphabetical (recordings, §8.2). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** Send a JSON body with an explicit Content-Length. */
export function sendJson(res: ServerResponse, status: number, contentType: string, body: unknown, headers: Record<string, string> = {}, pretty = false): void {
  const text = JSON.stringify(sortKeys(body), null, pretty ? 2 : undefined);
  res.writeHead(status, { ...headers, "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Rate-limit header bookkeeping: a fixed 60 s window per principal × capacity (§10). */
class RateCounter {
  private windows = new Map<string, { start: number; count: number }>();
  headers(key: string, limit: number, now: number): Record<string, string> {
    let w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return { "RateLimit-Limit": String(limit), "RateLimit-Remaining": String(Math.max(0, limit - w.count)) };
  }
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Build the request listener. */
export function createRequestListener(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const rates = new RateCounter();
  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      process.stderr.write(`[atlas-emulator] internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      if (!res.headersSent) sendJson(res, 500, "application/json", errorBody(500, "UNEXPECTED_ERROR", "Unexpected error."), { "X-Error-Code": "UNEXPECTED_ERROR" });
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const path = url.pathname;
    const method = (req.method ?? "GET").toUpperCase();
    const body = await readBody(req);

    if (path.startsWith("/__emulator/") || path === "/__emulator") {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) {
        sendJson(res, 403, "application/json", errorBody(403, "FORBIDDEN", "Control endpoints are loopback-only."), { "X-Error-Code": "FORBIDDEN" });
        return;
      }
      await deps.control(req, res, path, body);
      return;
    }

    const entry: RequestLogEntry = {
      method, path, query: Object.fromEntries(url.searchParams), status: 0, durationMs: 0, auth: "none",
    };
    const captured = deps.logBodies ? captureResponse(res) : undefined;
    if (deps.logBodies) entry.request = captureRequest(req.headers, body);
    const finish = (status: number) => {
      entry.status = status;
      entry.durationMs = Math.round((performance.now() - started) * 100) / 100;
      const response = captured?.();
      if (response) entry.response = response;
      deps.requestLog.push(entry);
    };
    let fault: FaultRule | undefined;
    let extraHeaders: Record<string, string> = {};

    const sendError = (e: EmulatorApiError) => {
      entry.errorCode = e.errorCode;
      if (fault?.kind === "commit-then-drop") return dropAfterCommit(e.status);
      sendJson(res, e.status, "application/json", errorBody(e.status, e.errorCode, e.detail, e.parameters),
        { ...extraHeaders, ...e.headers, "X-Error-Code": e.errorCode });
      finish(e.status);
    };
    const dropAfterCommit = (status: number) => {
      entry.appliedStatus = status;
      req.socket.destroy();
      finish(0);
    };

    /** For hold faults: no response until the client goes away (or the emulator closes its sockets). */
    const holdUntilClientGone = async (): Promise<void> => {
      const id = fault?.id;
      deps.faults.countHeld(id, 1);
      try {
        if (!req.socket.destroyed) await new Promise<void>((resolve) => req.socket.once("close", () => resolve()));
      } finally {
        deps.faults.countHeld(id, -1);
      }
      finish(0);
    };

    /** Apply a fault decision; returns true when the request is finished. */
    const applyFault = async (): Promise<boolean> => {
      fault = deps.faults.decide(method, path);
      if (!fault) return false;
      entry.fault = fault.kind;
      switch (fault.kind) {
        case "drop":
          req.socket.destroy();
          finish(0);
          return true;
        case "slow":
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => { deps.timers.delete(t); resolve(); }, fault?.delayMs ?? 1000);
            deps.timers.add(t);
          });
          return res.destroyed || req.socket.destroyed ? (finish(0), true) : false;
        case "rate-limit": {
          const after = fault.retryAfterSeconds ?? 1;
          const e = new EmulatorApiError(429, "RATE_LIMITED_TOKEN_BUCKET",
            `Rate limit exceeded for ${path.replace(/^\//, "")}. Please retry after ${after} seconds. Request capacity: 100. Refill rate: 10 per 60 seconds.`,
            [path.replace(/^\//, ""), after, 100, 10, 60], { "Retry-After": String(after) });
          sendError(e);
          return true;
        }
        case "error": {
          const status = fault.status === 503 ? 503 : 500;
          const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
          sendError(status === 503
            ? new EmulatorApiError(503, "SERVICE_UNAVAILABLE", "Service Unavailable.", [], headers)
            : new EmulatorApiError(500, "UNEXPECTED_ERROR", "Unexpected error.", [], headers));
          return true;
        }
        case "hold":
          await holdUntilClientGone();
          return true;
        case "commit-then-drop":
        case "commit-then-hold":
          return false;
      }
    };

    try {
      // OAuth 2.0 client credentials (§11.2): form body, HTTP Basic client authentication.
      if (path === "/api/oauth/token" || path === "/api/oauth/revoke") {
        if (method !== "POST") throw new EmulatorApiError(405, "METHOD_NOT_ALLOWED", `Method ${method} is not allowed.`, [method], { Allow: "POST" });
        const clientId = deps.auth.basicClient(req);
        entry.auth = "basic";
        entry.operation = path.endsWith("token") ? "oauthToken" : "oauthRevoke";
        if (await applyFault()) return;
        const form = new URLSearchParams(body.toString("utf8"));
        if (path.endsWith("token")) {
          const grant = form.get("grant_type");
          if (grant === null) throw errors.missingAttribute("grant_type");
          if (grant !== "client_credentials") throw errors.invalidEnum("grant_type", grant);
          const token = deps.auth.issueToken(clientId);
          if (fault?.kind === "commit-then-drop") return dropAfterCommit(200);
          sendJson(res, 200, "application/json", token, { "Cache-Control": "no-store" });
          finish(200);
        } else {
          const token = form.get("token");
          if (!token) throw errors.missingAttribute("token");
          deps.auth.revoke(clientId, token);
          if (fault?.kind === "commit-then-drop") return dropAfterCommit(200);
          res.writeHead(200, { "Content-Length": 0 });
          res.end();
          finish(200);
        }
        return;
      }

      let principal: Principal;
      try {
        principal = deps.auth.authenticate(req);
      } finally {
        const scheme = (req.headers.authorization ?? "").split(" ", 1)[0]!.toLowerCase();
        entry.auth = scheme === "digest" ? "digest" : scheme === "bearer" ? "bearer" : "none";
      }
      if (await applyFault()) return;

      const m = deps.router.match(method, path);
      if (!m) throw errors.resourceNotFound(path);
      if ("allowed" in m) {
        throw new EmulatorApiError(405, "METHOD_NOT_ALLOWED", `Method ${method} is not allowed for ${path}.`, [method], { Allow: m.allowed.join(", ") });
      }
      const { route, params } = m;
      entry.operation = route.operation;
      Router.validateParams(params);
      const neg = negotiate(req.headers.accept, route.versions, { strict: deps.strictVersions, now: deps.now() });
      entry.version = neg.version;

      // Project access: unknown project → 404 GROUP_NOT_FOUND [rec]; existing project the key /
      // service account does not belong to → 401 NOT_IN_GROUP (docs error table; never leaks data).
      const groupId = params["groupId"];
      if (groupId !== undefined) {
        if (!deps.store.project(groupId)) throw errors.groupNotFound(groupId);
        if (!principal.projectIds.includes(groupId)) throw errors.notInGroup(groupId);
      }
      extraHeaders = { ...neg.headers, ...rates.headers(`${principal.id}:${route.rateLimit}`, route.rateLimit, deps.now()) };

      let parsed: unknown;
      const text = body.toString("utf8");
      if (text.trim() !== "") {
        try {
          parsed = JSON.parse(text);
        } catch {
          throw errors.invalidJson();
        }
      }
      const envelope = queryFlag(url.searchParams, "envelope");
      const pretty = queryFlag(url.searchParams, "pretty");
      const ctx: RouteContext = {
        req, params, query: url.searchParams, body: parsed, version: neg.version, principal, store: deps.store,
        baseUrl: deps.baseUrl(), now: deps.now, timeScale: deps.timeScale(),
      };
      const result: RouteResult = await route.handler(ctx);
      if (fault?.kind === "commit-then-drop") return dropAfterCommit(result.status);
      if (fault?.kind === "commit-then-hold") {
        entry.appliedStatus = result.status;
        return holdUntilClientGone();
      }
      if (result.status === 204 || result.body === undefined) {
        // DELETE: 204, versioned content type, empty body [rec].
        res.writeHead(result.status, { ...extraHeaders, "Content-Type": mediaType(neg.version) });
        res.end();
        finish(result.status);
        return;
      }
      let out = result.body;
      if (envelope) {
        // §9: single resources → {status, content}; lists keep their shape and gain `status`.
        out = result.kind === "list" ? { ...(result.body as object), status: result.status } : { content: result.body, status: result.status };
      }
      sendJson(res, result.status, mediaType(neg.version), out, extraHeaders, pretty);
      finish(result.status);
    } catch (e) {
      if (e instanceof EmulatorApiError) {
        sendError(e);
        return;
      }
      throw e;
    }
  }
}
