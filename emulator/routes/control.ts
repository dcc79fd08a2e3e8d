/**
 * Control endpoints under `/__emulator/` for out-of-process use (CLI, demo, e2e tests). No auth,
 * loopback only (checked in server.ts), never in the request log. Documented in emulator/README.md.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultInjector, FaultRule } from "../faults";
import { validateRule } from "../faults";
import type { RequestLogEntry } from "../server";
import { sendJson } from "../server";
import type { ExportOutcome } from "../state-machines";
import type { EmulatorStore } from "../store";

/** What the control endpoints act on. */
export interface ControlDeps {
  store: EmulatorStore;
  faults: FaultInjector;
  requestLog: RequestLogEntry[];
  timeScale: () => number;
  now: () => number;
  reset: (seed?: "default" | "empty-buckets") => void;
  forceNextExportOutcome: (o: ExportOutcome) => void;
}

const JSON_CT = "application/json";

function fail(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, JSON_CT, { error: status, message });
}

function parse(body: Buffer): unknown {
  const t = body.toString("utf8").trim();
  return t === "" ? undefined : JSON.parse(t);
}

/** Validate a forced export outcome. */
export function validateOutcome(o: unknown): ExportOutcome | string {
  if (!o || typeof o !== "object") return "body must be {state, reason?, errorCode?}";
  const x = o as Record<string, unknown>;
  if (!["Successful", "Failed", "Cancelled"].includes(x["state"] as string)) return "state must be Successful, Failed or Cancelled";
  if (x["reason"] !== undefined && typeof x["reason"] !== "string") return "reason must be a string";
  if (x["errorCode"] !== undefined && typeof x["errorCode"] !== "string") return "errorCode must be a string";
  const out: ExportOutcome = { state: x["state"] as ExportOutcome["state"] };
  if (typeof x["reason"] === "string") out.reason = x["reason"];
  if (typeof x["errorCode"] === "string") out.errorCode = x["errorCode"];
  return out;
}

/** Build the control handler. */
export function createControlHandler(deps: ControlDeps) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, raw: Buffer): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    let body: unknown;
    try {
      body = parse(raw);
    } catch {
      return fail(res, 400, "body is not valid JSON");
    }
    const route = `${method} ${path.replace(/\/$/, "")}`;
    const noContent = () => { res.writeHead(204); res.end(); };

    if (route === "GET /__emulator/state") {
      return sendJson(res, 200, JSON_CT, {
        now: new Date(deps.now()).toISOString(), timeScale: deps.timeScale(), state: deps.store.snapshot(),
        faults: deps.faults.list(), nextExportOutcome: deps.store.nextExportOutcome ?? null,
      });
    }
    if (route === "GET /__emulator/requests") return sendJson(res, 200, JSON_CT, deps.requestLog);
    if (route === "DELETE /__emulator/requests") { deps.requestLog.length = 0; return noContent(); }
    if (route === "GET /__emulator/faults") return sendJson(res, 200, JSON_CT, deps.faults.list());
    if (route === "POST /__emulator/faults") {
      const rules = (Array.isArray(body) ? body : [body]) as FaultRule[];
      for (const r of rules) {
        const err = validateRule(r);
        if (err) return fail(res, 400, err);
      }
      return sendJson(res, 201, JSON_CT, { ids: rules.map((r) => deps.faults.add(r)) });
    }
    if (route === "DELETE /__emulator/faults") { deps.faults.clear(); return noContent(); }
    if (route === "POST /__emulator/next-export-outcome") {
      const o = validateOutcome(body);
      if (typeof o === "string") return fail(res, 400, o);
      deps.forceNextExportOutcome(o);
      return noContent();
    }
    if (route === "POST /__emulator/reset") {
      const seed = (body as { seed?: unknown } | undefined)?.seed;
      if (seed !== undefined && seed !== "default" && seed !== "empty-buckets") return fail(res, 400, "seed must be default or empty-buckets");
      deps.reset(seed);
      return noContent();
    }
    const bucket = /^DELETE \/__emulator\/buckets\/([a-f0-9]{24})$/.exec(route);
    if (bucket) {
      const b = deps.store.state.buckets.find((x) => x.id === bucket[1]);
      if (!b) return fail(res, 404, `no bucket ${bucket[1]}`);
      deps.store.deleteBucket(b.groupId, b.id);
      return noContent();
    }
    if (route === "PUT /__emulator/schedule") {
      const x = (body ?? {}) as Record<string, unknown>;
      const groupId = typeof x["groupId"] === "string" ? x["groupId"] : deps.store.state.projects[0]?.id;
      const clusterName = x["clusterName"];
      const bucketId = x["exportBucketId"];
      if (typeof groupId !== "string" || typeof clusterName !== "string") return fail(res, 400, "clusterName (and optionally groupId) required");
      if (!deps.store.cluster(groupId, clusterName)) return fail(res, 404, `no cluster ${clusterName} in ${groupId}`);
      if (bucketId !== null && typeof bucketId !== "string") return fail(res, 400, "exportBucketId must be a string or null");
      const freq = typeof x["frequencyType"] === "string" ? x["frequencyType"] : undefined;
      return sendJson(res, 200, JSON_CT, deps.store.setAutoExport(groupId, clusterName, bucketId, freq));
    }
    return fail(res, 404, `unknown control endpoint ${route}`);
  };
}
