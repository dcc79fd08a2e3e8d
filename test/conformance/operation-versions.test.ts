/**
 * Every operation of ../shared/atlas-api/openapi-export-subset.json is served at every version it
 * declares (the response's Content-Type names that version), and a version it does not serve is
 * answered 406 INVALID_VERSION_DATE with Atlas's body (CONTRACT §2): a date before its first
 * version always, and any undeclared date with `strictVersions` (without it, a later date resolves
 * to the newest version ≤ it, §2).
 *
 * The operations and versions are read from the spec at test time; how to call each one (path
 * parameters, body) is the data below. COVERED_ELSEWHERE lists operations another piece of work
 * owns: move one into REQUESTS to switch it on here.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED, buildSeed, startEmulator, type RunningEmulator, type SeedState } from "../../emulator/index";
import { digestFetch, type TestResponse } from "../helpers/digest-fetch";
import { whenSharedDataMissing } from "../helpers/shared-data";

const SPEC = resolve(__dirname, "../../../shared/atlas-api/openapi-export-subset.json");
const available = existsSync(SPEC);

const JOB = "6a00000000000000000000f2";

function seed(): SeedState {
  const s = buildSeed("default");
  s.exportJobs.push({
    groupId: SEED.groupId, clusterName: "Cluster0", id: JOB, snapshotId: SEED.snapshotIds.Cluster0[1], exportBucketId: SEED.bucketId,
    customData: [], createdAt: Date.now() - 60_000, outcome: { state: "Successful" }, totalCollections: 1, prefix: "exported_snapshots/x",
  });
  return s;
}

/** A concrete request for an operation: path parameters and, per version, a body. */
interface Request {
  params: Record<string, string>;
  body?: (version: string) => unknown;
}

const C0 = { groupId: SEED.groupId, clusterName: "Cluster0" };
const AWS_BUCKET = { bucketName: "versions-bucket", cloudProvider: "AWS", iamRoleId: SEED.awsRoleId };

/** How to call each operation ("METHOD template"), successfully. */
const REQUESTS: Record<string, Request> = {
  "GET /api/atlas/v2/groups/{groupId}/backup/exportBuckets": { params: { groupId: SEED.groupId } },
  "POST /api/atlas/v2/groups/{groupId}/backup/exportBuckets": { params: { groupId: SEED.groupId }, body: () => AWS_BUCKET },
  "GET /api/atlas/v2/groups/{groupId}/backup/exportBuckets/{exportBucketId}": { params: { groupId: SEED.groupId, exportBucketId: SEED.bucketId } },
  "DELETE /api/atlas/v2/groups/{groupId}/backup/exportBuckets/{exportBucketId}": { params: { groupId: SEED.groupId, exportBucketId: SEED.bucketId } },
  "PATCH /api/atlas/v2/groups/{groupId}/backup/exportBuckets/{exportBucketId}": { params: { groupId: SEED.groupId, exportBucketId: SEED.bucketId }, body: () => ({ requirePrivateNetworking: true }) },
  "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports": { params: C0 },
  "POST /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports": { params: C0, body: () => ({ snapshotId: SEED.snapshotIds.Cluster0[1], exportBucketId: SEED.bucketId }) },
  "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports/{exportId}": { params: { ...C0, exportId: JOB } },
  "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots": { params: C0 },
  "POST /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots": { params: C0, body: () => ({ description: "versions" }) },
  "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/{snapshotId}": { params: { ...C0, snapshotId: SEED.snapshotIds.Cluster0[1] } },
  "GET /api/atlas/v2/groups/{groupId}/cloudProviderAccess": { params: { groupId: SEED.groupId } },
  "POST /api/atlas/v2/groups/{groupId}/cloudProviderAccess": { params: { groupId: SEED.groupId }, body: () => ({ providerName: "AWS" }) },
  "GET /api/atlas/v2/groups/{groupId}/cloudProviderAccess/{roleId}": { params: { groupId: SEED.groupId, roleId: SEED.awsRoleId } },
  "PATCH /api/atlas/v2/groups/{groupId}/cloudProviderAccess/{roleId}": {
    params: { groupId: SEED.groupId, roleId: SEED.unauthorizedAwsRoleId },
    body: () => ({ providerName: "AWS", iamAssumedRoleArn: "arn:aws:iam::123456789012:role/versions" }),
  },
  "DELETE /api/atlas/v2/groups/{groupId}/cloudProviderAccess/{cloudProvider}/{roleId}": { params: { groupId: SEED.groupId, cloudProvider: "AWS", roleId: SEED.unauthorizedAwsRoleId } },
  "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}": { params: C0 },
  "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/shardedClusters": { params: { groupId: SEED.groupId, clusterName: SEED.shardedCluster } },
  "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/shardedCluster/{snapshotId}": { params: { groupId: SEED.groupId, clusterName: SEED.shardedCluster, snapshotId: SEED.shardedSnapshotId } },
  "DELETE /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/shardedCluster/{snapshotId}": { params: { groupId: SEED.groupId, clusterName: SEED.shardedCluster, snapshotId: SEED.shardedSnapshotId } },
  "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/schedule": { params: C0 },
  // the body the Atlas CLI sends (CONTRACT §15.4); the same at both versions (the export fields do not differ, §15.2)
  "PATCH /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/schedule": { params: C0, body: () => ({ clusterName: "Cluster0", useOrgAndGroupNamesInExportPrefix: true }) },
  "DELETE /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/schedule": { params: C0 },
  "GET /api/atlas/v2/groups/{groupId}/flexClusters/{name}": { params: { groupId: SEED.groupId, name: SEED.flexCluster } },
  "GET /api/atlas/v2/groups/{groupId}/flexClusters/{name}/backup/snapshots": { params: { groupId: SEED.groupId, name: SEED.flexCluster } },
  "GET /api/atlas/v2/groups/{groupId}/flexClusters/{name}/backup/snapshots/{snapshotId}": { params: { groupId: SEED.groupId, name: SEED.flexCluster, snapshotId: SEED.flexSnapshotIds[0] } },
};

/** Operations another piece of work owns (move an entry to REQUESTS to switch it on). */
const COVERED_ELSEWHERE: Record<string, string> = {};

/** `METHOD template` → the versions the spec declares for its responses. */
function declaredVersions(): Map<string, string[]> {
  const spec = JSON.parse(readFileSync(SPEC, "utf8")) as { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> };
  const out = new Map<string, string[]>();
  for (const [p, ops] of Object.entries(spec.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      if (!op.responses) continue;
      const versions = new Set<string>();
      for (const r of Object.values(op.responses)) {
        for (const ct of Object.keys(r.content ?? {})) {
          const v = /vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json/.exec(ct)?.[1];
          if (v) versions.add(v);
        }
      }
      out.set(`${m.toUpperCase()} ${p}`, [...versions].sort());
    }
  }
  return out;
}

function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

const ops = available ? declaredVersions() : new Map<string, string[]>();
let emu: RunningEmulator;
let strict: RunningEmulator;

async function send(target: RunningEmulator, op: string, version: string): Promise<TestResponse> {
  target.reset();
  const [method, template] = op.split(" ") as [string, string];
  const req = REQUESTS[op]!;
  const path = template.replace(/\{(\w+)\}/g, (_m, n: string) => req.params[n] ?? `{${n}}`);
  const body = req.body?.(version);
  const { publicKey, privateKey } = target.credentials.apiKey;
  return digestFetch(target.url + path, publicKey, privateKey, {
    method, headers: { Accept: `application/vnd.atlas.${version}+json` }, ...(body !== undefined ? { body } : {}),
  });
}

function expectInvalidVersion(r: TestResponse, what: string): void {
  expect(r.status, what).toBe(406);
  expect(r.headers.get("content-type"), what).toBe("application/json");
  expect(r.json, what).toEqual({ detail: "Invalid accept header or version date.", error: 406, errorCode: "INVALID_VERSION_DATE", parameters: [], reason: "Not Acceptable" });
}

describe.skipIf(!available)("every spec operation at every declared version", () => {
  beforeAll(async () => {
    emu = await startEmulator({ seed: seed(), timeScale: 0 });
    strict = await startEmulator({ seed: seed(), timeScale: 0, strictVersions: true });
  });
  afterAll(async () => {
    await emu?.close();
    await strict?.close();
  });

  it("every operation of the spec is either called here or covered elsewhere", () => {
    expect(ops.size).toBeGreaterThanOrEqual(26);
    const unlisted = [...ops.keys()].filter((op) => !(op in REQUESTS) && !(op in COVERED_ELSEWHERE));
    expect(unlisted).toEqual([]);
    for (const op of [...Object.keys(REQUESTS), ...Object.keys(COVERED_ELSEWHERE)]) expect(ops.has(op), op).toBe(true);
  });

  for (const [op, versions] of ops) {
    if (!(op in REQUESTS)) continue;
    it(`${op} at ${versions.join(", ")}; 406 before ${versions[0]} and, strict, at undeclared dates`, async () => {
      for (const v of versions) {
        for (const target of [emu, strict]) {
          const r = await send(target, op, v);
          expect(r.status, `${op} @${v}: ${r.text}`).toBeLessThan(300);
          expect(r.headers.get("content-type"), `${op} @${v}`).toBe(`application/vnd.atlas.${v}+json;charset=utf-8`);
        }
      }
      expectInvalidVersion(await send(emu, op, dayBefore(versions[0]!)), `${op} before ${versions[0]}`);
      for (const v of versions) {
        const undeclared = dayAfter(v);
        if (versions.includes(undeclared)) continue;
        expectInvalidVersion(await send(strict, op, undeclared), `${op} strict @${undeclared}`);
        // without strict mode a later date resolves to the newest declared version ≤ it (§2)
        const resolved = await send(emu, op, undeclared);
        expect(resolved.headers.get("content-type"), `${op} @${undeclared}`).toBe(`application/vnd.atlas.${v}+json;charset=utf-8`);
      }
    });
  }
});

whenSharedDataMissing(available, SPEC);
