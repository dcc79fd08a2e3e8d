/**
 * Snapshot lookup for programs: the newest completed Cloud Backup snapshot of a cluster,
 * optionally taking an on-demand snapshot first and waiting for it. Runs in the PROGRAM
 * process (not the provider), so it reads credentials itself (stack config `mongodbatlas:*`,
 * then `MONGODB_ATLAS_*` variables).
 *
 * Preview stays side-effect free: during `pulumi preview` (and the preview phase of `up`) no
 * snapshot is ever taken; where one would be, the result is an unknown value.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { AtlasApi, SnapshotResponse } from "../client/api";
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
  /** True when this call took it. */
  taken: boolean;
}

function summarize(s: SnapshotResponse, taken: boolean): LatestSnapshot {
  return compact({
    snapshotId: s.id,
    createdAt: s.createdAt,
    status: s.status,
    description: s.description,
    snapshotType: s.snapshotType,
    frequencyType: s.frequencyType,
    expiresAt: s.expiresAt,
    taken,
  });
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
  const take = args.take ?? "never";
  if (take !== "always") {
    const newest = newestCompleted(await listAll(api, args));
    if (newest) return summarize(newest, false);
    if (take === "never") {
      throw new Error(
        `getLatestSnapshot: cluster ${args.clusterName} in project ${args.projectId} has no completed snapshot. ` +
          `Wait for a scheduled one, or pass take: "ifNone" to take an on-demand snapshot.`,
      );
    }
  }
  if (options.dryRun) return undefined;
  return summarize(await takeAndWait(api, args, withDefaults(options.context)), true);
}

async function takeAndWait(api: AtlasApi, args: LatestSnapshotArgs, ctx: HandlerContext): Promise<SnapshotResponse> {
  const description = args.description ?? "pulumi-atlas-export";
  const startedAt = ctx.now();
  const what = `snapshot of ${args.clusterName}`;
  let snapshot: SnapshotResponse;
  try {
    snapshot = await createOnce(
      () =>
        api.takeSnapshot(args.projectId, args.clusterName, { description, retentionInDays: args.retentionInDays ?? 1 }),
      async () =>
        (await listAll(api, args))
          .filter((s) => s.description === description && objectIdTimeMs(s.id) >= startedAt - CLOCK_SKEW_MS)
          .sort((a, b) => objectIdTimeMs(a.id) - objectIdTimeMs(b.id))[0],
      ctx.log,
      what,
    );
  } catch (e) {
    // Atlas allows one on-demand snapshot at a time: wait for the one already running.
    if (!isAtlasErrorCode(e, "UNFINISHED_ON_DEMAND_SNAPSHOT")) throw e;
    const running = (await listAll(api, args))
      .filter((s) => s.status === "queued" || s.status === "inProgress")
      .sort((a, b) => objectIdTimeMs(b.id) - objectIdTimeMs(a.id))[0];
    if (!running) throw e;
    ctx.log(`${what}: an on-demand snapshot (${running.id}) is already running; waiting for it instead`);
    snapshot = running;
  }
  ctx.log(`${what}: took snapshot ${snapshot.id} (${snapshot.status})`);
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
    snapshot = await api.getSnapshot(args.projectId, args.clusterName, snapshot.id);
    ctx.log(`${what}: ${snapshot.id} ${snapshot.status} (${formatElapsed(ctx.now() - startedAt)})`);
  }
  return snapshot;
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
