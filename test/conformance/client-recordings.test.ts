/**
 * Parses every recorded real Atlas 2xx body of the operations this client calls with the
 * client's own response schemas, and every recorded error with the client's error-body parser.
 * Reads ../shared/atlas-api/recordings (never copied into the repo); skipped, with a clear test
 * name, when that folder is absent.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type * as z from "zod";
import { AtlasErrorBody } from "../../provider/schemas/common";
import { ExportBucketPage, ExportBucketResponse } from "../../provider/schemas/export-bucket-response";
import { ExportJobPage, ExportJobResponse } from "../../provider/schemas/export-job-response";
import { SnapshotPage, SnapshotResponse } from "../../provider/schemas/snapshot-response";
import {
  CloudProviderAccessRoleResponse,
  CloudProviderAccessRolesResponse,
} from "../../provider/schemas/cloud-provider-access-response";
import { ClusterPage, ClusterResponse } from "../../provider/schemas/cluster-response";
import { BackupScheduleResponse } from "../../provider/schemas/backup-schedule-response";
import { isJsonContentType } from "../../provider/client/media-types";
import { whenSharedDataMissing } from "../helpers/shared-data";

const repoRoot = path.resolve(__dirname, "../..");
const sharedDir = path.resolve(repoRoot, "../shared/atlas-api");
const recordingsDir = path.join(sharedDir, "recordings");
const present = existsSync(recordingsDir);

interface Recording {
  file: string;
  method: string;
  /** Path segments after api/atlas/v2, from the file name. */
  segments: string[];
  status: number;
  headers: Map<string, string>;
  body: string;
}

function load(file: string): Recording | undefined {
  const m = /__(GET|POST|PATCH|DELETE)_api_atlas_v2_(.+)_\d+\.snaphost$/.exec(file);
  if (!m) return undefined;
  const text = readFileSync(path.join(recordingsDir, file), "utf8").replace(/\r\n/g, "\n");
  const split = text.indexOf("\n\n");
  const head = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? "" : text.slice(split + 2);
  const [statusLine, ...headerLines] = head.split("\n");
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine ?? "")?.[1]);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { file, method: m[1]!, segments: m[2]!.split("_"), status, headers, body };
}

/** Which of our schemas a recorded operation's 2xx body must satisfy (undefined: not our operation). */
function schemaFor(r: Recording): { op: string; schema: z.ZodType } | undefined {
  const s = r.segments;
  const is = (...pattern: (string | null)[]) => s.length === pattern.length && pattern.every((p, i) => p === null || p === s[i]);
  if (is("groups", null, "backup", "exportBuckets")) {
    return r.method === "GET" ? { op: "list buckets", schema: ExportBucketPage } : r.method === "POST" ? { op: "create bucket", schema: ExportBucketResponse } : undefined;
  }
  if (is("groups", null, "backup", "exportBuckets", null) && (r.method === "GET" || r.method === "PATCH")) return { op: "get bucket", schema: ExportBucketResponse };
  if (is("groups", null, "clusters", null, "backup", "exports")) {
    return r.method === "GET" ? { op: "list jobs", schema: ExportJobPage } : r.method === "POST" ? { op: "create job", schema: ExportJobResponse } : undefined;
  }
  if (is("groups", null, "clusters", null, "backup", "exports", null) && r.method === "GET") return { op: "get job", schema: ExportJobResponse };
  if (is("groups", null, "clusters", null, "backup", "snapshots")) {
    return r.method === "GET" ? { op: "list snapshots", schema: SnapshotPage } : r.method === "POST" ? { op: "take snapshot", schema: SnapshotResponse } : undefined;
  }
  if (is("groups", null, "clusters", null, "backup", "snapshots", null) && r.method === "GET") return { op: "get snapshot", schema: SnapshotResponse };
  if (is("groups", null, "clusters", null, "backup", "schedule") && r.method === "GET") return { op: "backup schedule", schema: BackupScheduleResponse };
  if (is("groups", null, "cloudProviderAccess")) {
    // POST (create role) returns the same CloudProviderAccessRole shape our GET one parses.
    return r.method === "GET" ? { op: "list roles", schema: CloudProviderAccessRolesResponse } : r.method === "POST" ? { op: "role", schema: CloudProviderAccessRoleResponse } : undefined;
  }
  if (is("groups", null, "cloudProviderAccess", null) && r.method === "GET") return { op: "get role", schema: CloudProviderAccessRoleResponse };
  if (is("groups", null, "clusters", null) && r.method === "GET") return { op: "get cluster", schema: ClusterResponse };
  if (is("groups", null, "clusters") && r.method === "GET") return { op: "list clusters", schema: ClusterPage };
  return undefined;
}

const recordings = present ? readdirSync(recordingsDir).map(load).filter((r): r is Recording => r !== undefined) : [];
const ours = recordings.filter((r) => r.status >= 200 && r.status < 300 && r.body.trim() !== "" && schemaFor(r) !== undefined);
const errors = recordings.filter((r) => r.status >= 400);

describe("client schemas against real Atlas recordings", () => {
  it.skipIf(!present)(`recordings folder present at ${recordingsDir}`, () => {
    expect(recordings.length).toBeGreaterThan(0);
  });
  whenSharedDataMissing(present, recordingsDir);

  it.skipIf(!present)("covers the operations we call", () => {
    const ops = new Set(ours.map((r) => schemaFor(r)!.op));
    for (const op of ["create bucket", "get bucket", "list buckets", "create job", "get job", "list jobs", "take snapshot", "get snapshot", "list snapshots", "list roles", "get cluster"]) {
      expect(ops, op).toContain(op);
    }
  });

  for (const r of ours) {
    it(`${schemaFor(r)!.op}: ${r.file}`, () => {
      expect(isJsonContentType(r.headers.get("content-type"))).toBe(true);
      const parsed = schemaFor(r)!.schema.safeParse(JSON.parse(r.body));
      expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues)).toBe(true);
    });
  }

  for (const r of errors) {
    it(`error body ${r.status}: ${r.file}`, () => {
      expect(isJsonContentType(r.headers.get("content-type"))).toBe(true);
      const parsed = AtlasErrorBody.safeParse(JSON.parse(r.body));
      expect(parsed.success).toBe(true);
      if (parsed.success) expect(parsed.data.errorCode ?? r.headers.get("x-error-code")).toBe(r.headers.get("x-error-code"));
    });
  }
});
