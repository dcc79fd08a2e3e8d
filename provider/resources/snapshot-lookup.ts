/**
 * Snapshot lookup for programs: the newest completed Cloud Backup snapshot of a cluster,
 * optionally taking an on-demand snapshot first and waiting for it. Runs in the PROGRAM
 * process (not the provider), so it reads credentials itself (stack config `mongodbatlas:*`,
 * then `MONGODB_ATLAS_*` variables).
 *
 * Preview stays side-effect free: during `pulumi preview` (and the preview phase of `up`) no
 * snapshot is ever taken; where one would be, the result is an unknown value.
 *
 * Cluster kinds (CONTRACT §16): the cluster GET's `clusterType` tells a replica set from a sharded
 * cluster (SHARDED / GEOSHARDED), whose snapshots are read through the sharded-cluster endpoints
 * (members per shard and config server) and exported as a whole by ExportJob (`components`). A
 * flex cluster (the cluster API answers CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API) has no Cloud
 * Backup export at all: the lookup fails saying so.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { AtlasApi, ShardedSnapshotResponse, SnapshotResponse } from "../client/api";
import { AtlasClient } from "../client/index";
import { resolveConfig } from "../config";
import { isAtlasErrorCode } from "../errors";
import { pollPolicy, jitteredDelay } from "./export-job-handlers";
import { CLOCK_SKEW_MS, compact, createOnce, formatElapsed, objectIdTimeMs, withDefaults, type HandlerContext } from "./shared";

/**
 * When to take an on-demand snapshot: `never` (default; fails if the cluster has no completed
 * snapshot), `ifNone` (only when there is no completed snapshot), `always` (a fresh one).
 */
export type TakeSnapshotMode = "never" | "ifNone" | "always";

/** The allowed `take` values, in the order the error message names them. */
export const TAKE_SNAPSHOT_MODES: readonly TakeSnapshotMode[] = ["never", "ifNone", "always"];

/** Arguments of {@link getLatestSnapshot}. */
export interface LatestSnapshotArgs {
  projectId: string;
  clusterName: string;
  /** Default `never`. */
  take?: TakeSnapshotMode;
  /** Description of a snapshot taken by this call (default "pulumi-atlas-export"). */
  description?: string;
  /** Retention of a snapshot taken by this call, in days (default 1). */
  retentionInDays?: number;
  /** How long to wait for a taken snapshot to complete (default 60). */
  waitTimeoutMinutes?: number;
}

/** {@link LatestSnapshotArgs} with every field a `pulumi.Input`. */
export type LatestSnapshotInputArgs = { [K in keyof LatestSnapshotArgs]: pulumi.Input<NonNullable<LatestSnapshotArgs[K]>> };

/** The snapshot found (or taken). */
export interface LatestSnapshot {
  snapshotId: string;
  createdAt?: string;
  status: string;
  description?: string;
  snapshotType?: string;
  frequencyType?: string;
  expiresAt?: string;
  /** `replicaSet` or `shardedCluster` (export either with ExportJob; a sharded export reports `components`). */
  type?: string;
  /** Sharded clusters: the member snapshot of each shard and of the config server. */
  members?: { snapshotId: string; replicaSetName: string }[];
  /**
   * True only when this call took the snapshot: false when it was found, and false when an
   * on-demand snapshot someone else started was already running and this call only waited for it.
   */
  taken: boolean;
}

function summarize(s: SnapshotResponse | ShardedSnapshotResponse, taken: boolean): LatestSnapshot {
  const members = (s as ShardedSnapshotResponse).members;
  return compact({
    snapshotId: s.id,
    createdAt: s.createdAt,
    status: s.status,
    description: s.description,
    snapshotType: s.snapshotType,
    frequencyType: s.frequencyType,
    expiresAt: s.expiresAt,
    type: s.type,
    members: members?.map((m) => ({ snapshotId: m.id, replicaSetName: m.replicaSetName })),
    taken,
  });
}

/**
 * Checks the arguments before any request (so a typo fails at preview and never takes a real
 * snapshot). @throws Error naming the argument, the allowed values and what was given.
 */
export function validateLatestSnapshotArgs(args: LatestSnapshotArgs): void {
  const fail = (rule: string): never => {
    throw new Error(`getLatestSnapshot: ${rule}`);
  };
  for (const key of ["projectId", "clusterName"] as const) {
    const v: unknown = args[key];
    if (typeof v !== "string" || v.trim() === "") fail(`${key} must be a non-empty string; got ${JSON.stringify(v)}.`);
  }
  if (args.take !== undefined && !(TAKE_SNAPSHOT_MODES as readonly unknown[]).includes(args.take)) {
    fail(`take must be one of ${TAKE_SNAPSHOT_MODES.map((m) => `"${m}"`).join(", ")}; got ${JSON.stringify(args.take)}.`);
  }
  if (args.description !== undefined && typeof args.description !== "string") fail(`description must be a string; got ${JSON.stringify(args.description)}.`);
  const r: unknown = args.retentionInDays;
  if (r !== undefined && !(typeof r === "number" && Number.isInteger(r) && r >= 1)) fail(`retentionInDays must be an integer >= 1; got ${JSON.stringify(r)}.`);
  const w: unknown = args.waitTimeoutMinutes;
  if (w !== undefined && !(typeof w === "number" && Number.isFinite(w) && w > 0)) fail(`waitTimeoutMinutes must be a number > 0; got ${JSON.stringify(w)}.`);
}

/** How to read a cluster's snapshots, from its kind. */
interface SnapshotSource {
  list(): Promise<SnapshotResponse[]>;
  get(id: string): Promise<SnapshotResponse>;
}

function isShardedType(clusterType: string | undefined): boolean {
  return clusterType === "SHARDED" || clusterType === "GEOSHARDED";
}

/**
 * Reads the cluster's kind (cluster GET `clusterType`, CONTRACT §16.1) and picks the snapshot
 * endpoints: the sharded-cluster ones for SHARDED / GEOSHARDED. @throws Error for a flex cluster
 * (no export exists for flex, §16.5), AtlasError otherwise.
 */
async function snapshotSource(api: AtlasApi, args: LatestSnapshotArgs): Promise<SnapshotSource> {
  let clusterType: string | undefined;
  try {
    clusterType = (await api.getCluster(args.projectId, args.clusterName)).clusterType;
  } catch (e) {
    if (isAtlasErrorCode(e, "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API")) {
      throw new Error(
        `getLatestSnapshot: cluster ${args.clusterName} in project ${args.projectId} is a flex cluster. ` +
          `Atlas cannot export snapshots of flex clusters (Cloud Backup snapshot export needs a dedicated cluster, M10 or larger), ` +
          `so there is no snapshot to pass to ExportJob. Upgrade the cluster to a dedicated tier, or download flex snapshots with the flex backup API.`,
        { cause: e },
      );
    }
    throw e;
  }
  if (isShardedType(clusterType)) {
    return {
      list: () => api.listShardedSnapshots(args.projectId, args.clusterName),
      get: (id) => api.getShardedSnapshot(args.projectId, args.clusterName, id),
    };
  }
  return {
    list: () => listAll(api, args),
    get: (id) => api.getSnapshot(args.projectId, args.clusterName, id),
  };
}

function createdMs(s: SnapshotResponse): number {
  const parsed = s.createdAt ? Date.parse(s.createdAt) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : objectIdTimeMs(s.id);
}

async function listAll(api: AtlasApi, args: LatestSnapshotArgs): Promise<SnapshotResponse[]> {
  const all: SnapshotResponse[] = [];
  for await (const s of api.listSnapshots(args.projectId, args.clusterName, { itemsPerPage: 500 })) all.push(s);
  return all;
}

/** The newest `completed` snapshot in a list, if any. */
export function newestCompleted(snapshots: readonly SnapshotResponse[]): SnapshotResponse | undefined {
  return snapshots
    .filter((s) => s.status === "completed")
    .sort((a, b) => createdMs(b) - createdMs(a))[0];
}

/**
 * The core lookup over an `AtlasApi` (unit-testable). Returns `undefined` only when `dryRun`
 * is true and a snapshot would have to be taken. Throws when `take` is `never` and there is
 * no completed snapshot, when a taken snapshot fails, or when waiting for it times out.
 */
export async function findLatestSnapshot(
  api: AtlasApi,
  args: LatestSnapshotArgs,
  options: { dryRun?: boolean; context?: Partial<HandlerContext> } = {},
): Promise<LatestSnapshot | undefined> {
  validateLatestSnapshotArgs(args);
  const take = args.take ?? "never";
  const source = await snapshotSource(api, args);
  if (take !== "always") {
    const newest = newestCompleted(await source.list());
    if (newest) return summarize(newest, false);
    if (take === "never") {
      throw new Error(
        `getLatestSnapshot: cluster ${args.clusterName} in project ${args.projectId} has no completed snapshot. ` +
          `Wait for a scheduled one, or pass take: "ifNone" to take an on-demand snapshot.`,
      );
    }
  }
  if (options.dryRun) return undefined;
  const { snapshot, taken } = await takeAndWait(api, args, source, withDefaults(options.context));
  return summarize(snapshot, taken);
}

async function takeAndWait(
  api: AtlasApi,
  args: LatestSnapshotArgs,
  source: SnapshotSource,
  ctx: HandlerContext,
): Promise<{ snapshot: SnapshotResponse; taken: boolean }> {
  const description = args.description ?? "pulumi-atlas-export";
  const startedAt = ctx.now();
  const what = `snapshot of ${args.clusterName}`;
  let snapshot: SnapshotResponse;
  let taken = true;
  try {
    snapshot = await createOnce(
      () =>
        api.takeSnapshot(args.projectId, args.clusterName, { description, retentionInDays: args.retentionInDays ?? 1 }),
      async () =>
        (await source.list())
          .filter((s) => s.description === description && objectIdTimeMs(s.id) >= startedAt - CLOCK_SKEW_MS)
          .sort((a, b) => objectIdTimeMs(a.id) - objectIdTimeMs(b.id))[0],
      ctx.log,
      what,
    );
  } catch (e) {
    // Atlas allows one on-demand snapshot at a time: wait for the one already running.
    if (!isAtlasErrorCode(e, "UNFINISHED_ON_DEMAND_SNAPSHOT")) throw e;
    const running = (await source.list())
      .filter((s) => s.status === "queued" || s.status === "inProgress")
      .sort((a, b) => objectIdTimeMs(b.id) - objectIdTimeMs(a.id))[0];
    if (!running) throw e;
    ctx.log(`${what}: an on-demand snapshot (${running.id}) is already running; waiting for it instead`);
    snapshot = running;
    taken = false;
  }
  if (taken) ctx.log(`${what}: took snapshot ${snapshot.id} (${snapshot.status})`);
  const policy = pollPolicy(ctx.env);
  const deadline = startedAt + (args.waitTimeoutMinutes ?? 60) * 60_000;
  let nominal = policy.initialMs;
  while (snapshot.status !== "completed") {
    if (snapshot.status === "failed") {
      throw new Error(`${what}: snapshot ${snapshot.id} failed in Atlas; no snapshot to export.`);
    }
    const remaining = deadline - ctx.now();
    if (remaining <= 0) {
      throw new Error(
        `${what}: snapshot ${snapshot.id} is still ${snapshot.status} after ${args.waitTimeoutMinutes ?? 60} minutes. ` +
          `It goes on in Atlas; run "pulumi up" again later (take: "ifNone" then finds it once completed).`,
      );
    }
    await ctx.sleep(Math.min(jitteredDelay(nominal, policy, ctx.random), remaining));
    nominal = Math.min(nominal * policy.factor, policy.maxMs);
    snapshot = await source.get(snapshot.id);
    ctx.log(`${what}: ${snapshot.id} ${snapshot.status} (${formatElapsed(ctx.now() - startedAt)})`);
  }
  return { snapshot, taken };
}

const programClients = new Map<string, AtlasApi>();

/** The client for the program's credentials (stack config `mongodbatlas:*`, then env). */
function programApi(): AtlasApi {
  // runtime.getConfig reads the raw value without the "secret read with get()" warning that
  // pulumi.Config#get prints; the value never leaves this process.
  const resolved = resolveConfig({
    get: (key) => pulumi.runtime.getConfig(key.includes(":") ? key : `mongodbatlas:${key}`),
  }, process.env);
  const key = createHash("sha256").update(JSON.stringify([resolved.baseUrl, resolved.credentials])).digest("hex");
  const cached = programClients.get(key);
  if (cached) return cached;
  const created: AtlasApi = AtlasClient.fromConfig(resolved);
  programClients.set(key, created);
  return created;
}

/**
 * The newest completed snapshot of a cluster as an Output (Input arguments). Unknown during
 * preview when a snapshot would have to be taken, or when an argument is unknown. Rejects
 * (fails the program) as {@link findLatestSnapshot} throws. `options.api` replaces the client.
 */
export function getLatestSnapshotOutput(
  args: LatestSnapshotInputArgs,
  options: { api?: AtlasApi } = {},
): pulumi.Output<LatestSnapshot> {
  return pulumi.output(args).apply(async (plain) => {
    const found = await findLatestSnapshot(options.api ?? programApi(), plain as LatestSnapshotArgs, {
      dryRun: pulumi.runtime.isDryRun(),
    });
    // apply() returning pulumi.unknown yields an Output whose isKnown is false (verified on 3.248).
    return (found ?? pulumi.unknown) as unknown as LatestSnapshot;
  });
}

/**
 * Same as {@link getLatestSnapshotOutput} for plain arguments. Returns an Output rather than a
 * Promise because in preview a to-be-taken snapshot can only be represented as unknown.
 */
export function getLatestSnapshot(args: LatestSnapshotArgs, options: { api?: AtlasApi } = {}): pulumi.Output<LatestSnapshot> {
  return getLatestSnapshotOutput(args as LatestSnapshotInputArgs, options);
}
