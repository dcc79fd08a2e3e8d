/**
 * Replays the request of every real Atlas recording in ../shared/atlas-api/recordings (parsed at
 * test time, never copied) against a seeded emulator and compares what Atlas answered with what
 * the emulator answers: status, errorCode (body and X-Error-Code), Content-Type, the
 * Deprecation/Sunset headers, and body shape (field names and JSON types, not ids, dates or other
 * values).
 *
 * The recording's ids and names are mapped onto seeded objects in the same state (see MAP and
 * `state` below). Which recordings are replayed is data: IN_SCOPE (replayed), COVERED_ELSEWHERE
 * (another piece of work owns them: move an entry to IN_SCOPE to switch it on) and OUT_OF_SCOPE
 * (with the reason). Every recording must be in exactly one of them.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED, buildSeed, startEmulator, type RunningEmulator, type SeedState } from "../../emulator/index";
import { digestFetch, type TestResponse } from "../helpers/digest-fetch";
import { whenSharedDataMissing } from "../helpers/shared-data";

const DIR = resolve(__dirname, "../../../shared/atlas-api/recordings");
const available = existsSync(DIR);

/** A parsed recording: the request from the file name, the response from the content. */
interface Recording {
  file: string;
  method: string;
  /** path as recorded (`/api/...`) */
  path: string;
  status: number;
  headers: Map<string, string>;
  json: unknown;
}

function load(file: string): Recording | undefined {
  const m = /__(GET|POST|PATCH|DELETE)_(api_.+)_\d+\.snaphost$/.exec(file);
  if (!m) return undefined;
  const text = readFileSync(join(DIR, file), "utf8").replace(/\r\n/g, "\n");
  const split = text.indexOf("\n\n");
  const [statusLine, ...headerLines] = (split === -1 ? text : text.slice(0, split)).split("\n");
  const headers = new Map<string, string>();
  for (const l of headerLines) headers.set(l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim());
  const body = split === -1 ? "" : text.slice(split + 2).trim();
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = body;
  }
  return { file, method: m[1]!, path: "/" + m[2]!.replace(/_/g, "/"), status: Number(statusLine!.split(" ")[1]), headers, json };
}

// ---- the replay's seed and the mapping of recorded ids/names onto it ----------------------------

/** Fixed clock: states are set relative to it (timeScale 1, state-machines.ts timings). */
const NOW = Date.parse("2026-08-10T03:30:00Z");
/** An on-demand snapshot of Cluster0 and an export job of it (the recordings' cluster-989/209 objects). */
const REPLAY_SNAPSHOT = "6a00000000000000000000f1";
const REPLAY_JOB = "6a00000000000000000000f2";

function replaySeed(): SeedState {
  const s = buildSeed("default", NOW);
  s.snapshots.push({
    groupId: SEED.groupId, clusterName: "Cluster0", id: REPLAY_SNAPSHOT, requestedAt: NOW - 60_000, description: "test-snapshot",
    retentionInDays: 1, snapshotType: "onDemand", frequencyType: "ondemand", storageSizeBytes: 1_574_477_824,
  });
  s.exportJobs.push({
    groupId: SEED.groupId, clusterName: "Cluster0", id: REPLAY_JOB, snapshotId: REPLAY_SNAPSHOT, exportBucketId: SEED.bucketId,
    customData: [], createdAt: NOW - 60_000, outcome: { state: "Successful" }, totalCollections: 0, prefix: "exported_snapshots/x/y/Cluster0/2026-08-10T0327/1786332505",
  });
  return s;
}

/** Recorded ids and names → seeded ones (group ids are all mapped to the seeded project). */
const MAP: Record<string, string> = {
  "cluster-989": "Cluster0",
  "cluster-209": "Cluster0",
  "backupSchedule-600": "Cluster0",
  "cluster-703": SEED.shardedCluster,
  "cluster-83": SEED.flexCluster,
  snapshotCluster0: SEED.flexCluster,
  "6a793f752c88faeba59bba56": SEED.bucketId,
  "6a7943462c88faeba59ccf5f": REPLAY_SNAPSHOT,
  "6a7944f22c88faeba59d3572": REPLAY_SNAPSHOT,
  "6a7945592c88faeba59d5e8e": REPLAY_JOB,
  "6a6f78e0cab84da5c4476b25": SEED.flexSnapshotIds[0],
};

function mapPath(path: string, extra: Record<string, string> = {}): string {
  return path
    .split("/")
    .map((seg, i, all) => (all[i - 1] === "groups" ? SEED.groupId : extra[seg] ?? MAP[seg] ?? seg))
    .join("/");
}

/** How one in-scope recording is replayed. */
interface Replay {
  /** Accept version; default: the version of the recorded Content-Type */
  version?: string;
  /** request body (bodies are not recorded; these are what the recorded clients send) */
  body?: unknown;
  /** state of the replay snapshot / job before the request */
  state?: { snapshot?: "inProgress" | "completed"; job?: "Queued" | "InProgress" | "Successful" };
  /** per-recording mapping overrides */
  map?: Record<string, string>;
  /** body paths whose presence may differ, each with the reason (state timing Atlas does not document) */
  tolerate?: Record<string, string>;
  /** bring the seeded state closer to the recorded one (stated in `why`) */
  setup?: { why: string; apply: (state: SeedState) => void };
}

const AWS_BUCKET = { bucketName: "test-bucket", cloudProvider: "AWS", iamRoleId: SEED.awsRoleId };
const CREATING = "the recorded cluster is CREATING (no connection strings yet); the emulator's clusters are always IDLE";
const CREATING_TOLERANCE = { "connectionStrings.standard": CREATING, "connectionStrings.standardSrv": CREATING };
const TIMING = "Atlas adds mongodVersion / cloudProvider at undocumented moments of inProgress; the emulator adds mongodVersion at inProgress and cloudProvider at completed";

/** Replayed recordings, by the distinctive part of their file name. */
const IN_SCOPE: Record<string, Replay> = {
  "TestExportBuckets__Create__POST": { body: AWS_BUCKET },
  "TestExportBuckets__Delete__DELETE": {},
  "TestExportBuckets__Describe__GET": {},
  "TestExportBuckets__List__GET": {},
  "TestExportJobs__Create_bucket__POST": { body: AWS_BUCKET },
  "TestExportJobs__Create_job__POST": { body: { snapshotId: SEED.snapshotIds.Cluster0[1], exportBucketId: SEED.bucketId } },
  "TestExportJobs__Create_snapshot__POST": { body: { description: "test-snapshot", retentionInDays: 1 } },
  "TestExportJobs__Delete_snapshot__DELETE": { state: { snapshot: "completed" } },
  "TestExportJobs__Describe_job__GET": { state: { job: "Successful" } },
  "TestExportJobs__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_1": { tolerate: CREATING_TOLERANCE },
  "TestExportJobs__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_2": { tolerate: CREATING_TOLERANCE },
  "TestExportJobs__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_3": {},
  "TestExportJobs__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_4": {},
  // after the test deleted the cluster: a name that does not exist
  "TestExportJobs__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_5": { version: "2024-08-05", map: { "cluster-989": "DeletedCluster" } },
  "TestExportJobs__List_jobs__GET": { state: { job: "Successful" } },
  "TestExportJobs__Watch_create_job__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_backup_exports_6a7945592c88faeba59d5e8e_1": { state: { job: "Queued" } },
  "TestExportJobs__Watch_create_job__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_backup_exports_6a7945592c88faeba59d5e8e_2": { state: { job: "InProgress" } },
  "TestExportJobs__Watch_create_job__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_backup_exports_6a7945592c88faeba59d5e8e_3": { state: { job: "Successful" } },
  "TestExportJobs__Watch_snapshot_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_1": { state: { snapshot: "inProgress" }, tolerate: { mongodVersion: TIMING } },
  "TestExportJobs__Watch_snapshot_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_2": { state: { snapshot: "inProgress" } },
  "TestExportJobs__Watch_snapshot_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_3": { state: { snapshot: "inProgress" }, tolerate: { cloudProvider: TIMING } },
  "TestExportJobs__Watch_snapshot_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_4": { state: { snapshot: "completed" } },
  "TestExportJobs__Watch_snapshot_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_flexClusters": { version: "2024-11-13" },
  "TestFlexBackup__Restores_Create_-_Automated__GET": { version: "2024-08-05" },
  "TestFlexBackup__Snapshot_Describe__GET": {},
  "TestFlexBackup__Snapshot_List__GET": {},
  "TestSnapshots__Create_snapshot__POST": { body: { description: "test-snapshot", retentionInDays: 1 } },
  "TestSnapshots__Delete__DELETE": { state: { snapshot: "completed" } },
  "TestSnapshots__Describe__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters": { state: { snapshot: "completed" } },
  "TestSnapshots__Describe__GET_api_atlas_v2_groups_b0123456789abcdef012345b_flexClusters": { version: "2024-11-13" },
  "TestSnapshots__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_1": { tolerate: CREATING_TOLERANCE },
  "TestSnapshots__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_2": { tolerate: CREATING_TOLERANCE },
  "TestSnapshots__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_3": {},
  "TestSnapshots__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_4": {},
  "TestSnapshots__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_5": { version: "2024-08-05", map: { "cluster-209": "DeletedCluster" } },
  "TestSnapshots__List__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters": { state: { snapshot: "completed" } },
  "TestSnapshots__List__GET_api_atlas_v2_groups_b0123456789abcdef012345b_flexClusters": { version: "2024-11-13" },
  "TestSnapshots__Watch_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_1": { state: { snapshot: "inProgress" }, tolerate: { mongodVersion: TIMING } },
  "TestSnapshots__Watch_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_2": { state: { snapshot: "inProgress" } },
  "TestSnapshots__Watch_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_3": { state: { snapshot: "inProgress" }, tolerate: { cloudProvider: TIMING } },
  "TestSnapshots__Watch_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_4": { state: { snapshot: "completed" } },
  "TestSnapshots__Watch_creation__GET_api_atlas_v2_groups_b0123456789abcdef012345b_flexClusters": { version: "2024-11-13" },
  "TestFlexCluster__Get_flex_cluster__GET_api_atlas_v2_groups_b0123456789abcdef012345b_clusters": { version: "2023-02-01" },
  "TestFlexCluster__Get_flex_cluster__GET_api_atlas_v2_groups_b0123456789abcdef012345b_flexClusters": {},
  "TestShardedCluster__Connect_to_cluster__GET": {},
  "TestShardedCluster__GET_api_atlas_v2_groups_6a793f53c0eb9e7a177137bd_clusters_cluster-703_1": { tolerate: CREATING_TOLERANCE },
  "TestShardedCluster__GET_api_atlas_v2_groups_6a793f53c0eb9e7a177137bd_clusters_cluster-703_3": {},
  // backupSchedule-600 → Cluster0: a fresh schedule with Atlas's default policy, auto-export off (§15.4).
  "backup__schedule__backupschedule__TestSchedule__Describe__GET": {},
  // the CLI's body (§15.4): only the prefix flag and the readOnly clusterName, no policies
  "backup__schedule__backupschedule__TestSchedule__Update__PATCH": { body: { clusterName: "Cluster0", useOrgAndGroupNamesInExportPrefix: true } },
  "backup__schedule__backupschedule__TestSchedule__Delete__DELETE": {},
  "TestAccessRoles__Create__POST": { body: { providerName: "AWS" } },
  "TestAccessRoles__List__GET": {
    setup: {
      why: "the recorded project had only AWS roles, none used by a bucket",
      apply: (st) => {
        st.roles = st.roles.filter((r) => r.providerName === "AWS");
        st.buckets = [];
      },
    },
  },
};

/** Recordings another piece of work covers; move an entry to IN_SCOPE to replay it here. */
const COVERED_ELSEWHERE: Record<string, string> = {};

/** Recordings outside the emulator's scope, with the reason. */
const OUT_OF_SCOPE: Record<string, string> = {
  "TestExportJobs__Create_cluster__POST": "cluster creation: the emulator's clusters are seeded, it has no cluster lifecycle",
  "TestSnapshots__Create_cluster__POST": "cluster creation: the emulator's clusters are seeded, it has no cluster lifecycle",
  "TestExportJobs__DELETE_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-989_1": "cluster deletion: no cluster lifecycle in the emulator",
  "TestSnapshots__DELETE_api_atlas_v2_groups_b0123456789abcdef012345b_clusters_cluster-209_1": "cluster deletion: no cluster lifecycle in the emulator",
  "TestFlexCluster__Delete_flex_cluster__DELETE": "cluster deletion (here refused for a flex cluster): no cluster lifecycle in the emulator",
  "TestExportJobs__GET_api_private_unauth_nds_defaultMongoDBMajorVersion": "private unauthenticated UI endpoint, not the Admin API",
  "TestSnapshots__GET_api_private_unauth_nds_defaultMongoDBMajorVersion": "private unauthenticated UI endpoint, not the Admin API",
  "TestAccessRoles__POST_api_atlas_v2_groups_1": "project creation: the emulator's projects are seeded",
  "TestSetupFailureFlow__Invalid_Project_ID__POST": "database users: not an export/backup operation",
  "TestOnlineArchives__Watch__GET": "online archives: not an export/backup operation",
};

function classify(file: string): { kind: "in"; key: string; replay: Replay } | { kind: "elsewhere" | "out"; key: string; why: string } | undefined {
  const hits = [
    ...Object.entries(IN_SCOPE).filter(([k]) => file.includes(k)).map(([key, replay]) => ({ kind: "in" as const, key, replay })),
    ...Object.entries(COVERED_ELSEWHERE).filter(([k]) => file.includes(k)).map(([key, why]) => ({ kind: "elsewhere" as const, key, why })),
    ...Object.entries(OUT_OF_SCOPE).filter(([k]) => file.includes(k)).map(([key, why]) => ({ kind: "out" as const, key, why })),
  ];
  return hits.length === 1 ? hits[0] : undefined;
}

// ---- comparison -------------------------------------------------------------------------------

/** Body shape: JSON path (array items as `[]`) → JSON type; arrays merge the shapes of their items. */
export function shapeOf(v: unknown, path = "", out = new Map<string, string>()): Map<string, string> {
  const type = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  out.set(path || "$", type);
  if (Array.isArray(v)) for (const x of v) shapeOf(x, `${path}[]`, out);
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) shapeOf(x, path ? `${path}.${k}` : k, out);
  return out;
}

/** Differences between two shapes; paths below `tolerate` keys are ignored. */
function shapeDiff(recorded: Map<string, string>, mine: Map<string, string>, tolerate: string[]): string[] {
  const ignored = (p: string) => tolerate.some((t) => p === t || p.startsWith(`${t}.`) || p.startsWith(`${t}[]`));
  const diffs: string[] = [];
  for (const [p, t] of recorded) {
    if (ignored(p)) continue;
    if (!mine.has(p)) diffs.push(`missing ${p} (${t})`);
    else if (mine.get(p) !== t) diffs.push(`${p}: ${mine.get(p)} instead of ${t}`);
  }
  for (const [p, t] of mine) if (!recorded.has(p) && !ignored(p)) diffs.push(`extra ${p} (${t})`);
  return diffs;
}

const recordings = available ? readdirSync(DIR).filter((f) => f.endsWith(".snaphost")).sort() : [];

let emu: RunningEmulator;

function setState(state: Replay["state"]): void {
  const snap = emu.store.state.snapshots.find((s) => s.id === REPLAY_SNAPSHOT)!;
  // timeScale 1: inProgress from 1 s, completed from 4 s; jobs InProgress from 2 s, terminal from 7 s.
  if (state?.snapshot) snap.requestedAt = NOW - (state.snapshot === "inProgress" ? 2_000 : 60_000);
  const job = emu.store.state.exportJobs.find((j) => j.id === REPLAY_JOB)!;
  if (state?.job) job.createdAt = NOW - (state.job === "Queued" ? 0 : state.job === "InProgress" ? 3_000 : 60_000);
}

async function replay(r: Recording, how: Replay): Promise<TestResponse> {
  emu.reset();
  how.setup?.apply(emu.store.state);
  setState(how.state);
  const version = how.version ?? /vnd\.atlas\.(\d{4}-\d{2}-\d{2})/.exec(r.headers.get("content-type") ?? "")?.[1];
  if (!version) throw new Error(`${r.file}: no version recorded; state it in IN_SCOPE`);
  const headers: Record<string, string> = { Accept: `application/vnd.atlas.${version}+json` };
  const req: { method: string; headers: Record<string, string>; body?: unknown } = { method: r.method, headers };
  if (how.body !== undefined) req.body = how.body;
  const { publicKey, privateKey } = emu.credentials.apiKey;
  return digestFetch(emu.url + mapPath(r.path, how.map), publicKey, privateKey, req);
}

describe.skipIf(!available)("replay of the real Atlas recordings against the emulator", () => {
  beforeAll(async () => {
    emu = await startEmulator({ seed: replaySeed(), timeScale: 1, now: () => NOW });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("classifies every recording exactly once (in scope, covered elsewhere, or out of scope with a reason)", () => {
    expect(recordings.length).toBeGreaterThanOrEqual(62);
    const unclassified = recordings.filter((f) => !classify(f));
    expect(unclassified).toEqual([]);
    // every table entry names at least one recording (no stale entries)
    for (const key of [...Object.keys(IN_SCOPE), ...Object.keys(COVERED_ELSEWHERE), ...Object.keys(OUT_OF_SCOPE)]) {
      expect(recordings.some((f) => f.includes(key)), key).toBe(true);
    }
    expect(recordings.filter((f) => classify(f)?.kind === "in").length).toBeGreaterThanOrEqual(45);
  });

  for (const file of recordings) {
    const c = available ? classify(file) : undefined;
    if (c?.kind !== "in") continue;
    it(`${file.replace(/\.snaphost$/, "")}`, async () => {
      const r = load(file)!;
      const res = await replay(r, c.replay);
      const recordedCt = r.headers.get("content-type");
      expect({ status: res.status, contentType: res.headers.get("content-type") }).toEqual({ status: r.status, contentType: recordedCt ?? null });
      // a deprecated version is announced as Atlas announces it (§2), and a current one is not
      for (const h of ["deprecation", "sunset"]) expect(res.headers.get(h), h).toBe(r.headers.get(h) ?? null);
      const recordedCode = r.headers.get("x-error-code");
      expect(res.headers.get("x-error-code")).toBe(recordedCode ?? null);
      if (r.status >= 400) expect((res.json as { errorCode?: string }).errorCode).toBe((r.json as { errorCode?: string }).errorCode);
      if (r.json === undefined) {
        expect(res.text).toBe("");
        return;
      }
      expect(shapeDiff(shapeOf(r.json), shapeOf(res.json), Object.keys(c.replay.tolerate ?? {}))).toEqual([]);
    });
  }
});

whenSharedDataMissing(available, DIR);
