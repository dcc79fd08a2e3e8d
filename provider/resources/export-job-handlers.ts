/**
 * The ExportJob provider logic as pure functions over an `AtlasApi`, with an injectable clock
 * and sleep. Atlas can neither update, cancel nor delete an export job: every change to what
 * is exported replaces the resource (a new export), and delete only forgets it.
 */
import type { AtlasApi, BackupLabel, ExportJobResponse } from "../client/api";
import { isAtlasApiError } from "../errors";
import {
  DEFAULT_WAIT_TIMEOUT_MINUTES,
  EXPORT_JOB_ARG_NAMES,
  EXPORT_JOB_REQUIRED_ARGS,
  exportJobArgsSchema,
} from "../schemas/export-job-args";
import { objectIdTimeMs, pickCreated } from "./created-lookup";
import {
  SCHEMA_VERSION,
  compact,
  createExactlyOnce,
  diffFields,
  formatElapsed,
  isTransient,
  stableJson,
  withDefaults,
  type CheckFailure,
  type DiffField,
  type ExplicitDiff,
  type HandlerContext,
  type PropertyBag,
  startCheck,
  storedString,
} from "./shared";
import { EXPORT_JOB_NOT_FOUND_CODES, isExportJobGone, unexpectedNotFound } from "./not-found";

/** Checked ExportJob inputs, as the engine passes them to create/update/diff. */
export interface ExportJobInputs {
  projectId: string;
  clusterName: string;
  snapshotId: string;
  exportBucketId: string;
  customData?: Record<string, string>;
  waitForCompletion?: boolean;
  waitTimeoutMinutes?: number;
  /** The serialized provider; copied into partial-failure properties. */
  __provider?: string;
}

/** Everything stored in state for an ExportJob. */
export interface ExportJobState extends ExportJobInputs {
  /** Atlas's id of the job; also the resource id. */
  exportJobId: string;
  /** `Queued`, `InProgress`, `Successful`, `Failed` or `Cancelled` (as of the last create/update/refresh). */
  state: string;
  /** Set by Atlas when the job failed. */
  stateReason?: { errorCode?: string; message?: string };
  exportStatus?: { exportedCollections?: number; totalCollections?: number };
  /** Where the files are in the bucket (no leading slash). */
  prefix?: string;
  createdAt?: string;
  finishedAt?: string;
  /** Sharded clusters only: one export per shard. */
  components?: { exportId?: string; replicaSetName?: string }[];
  /** Version of the stored outputs' layout. */
  schemaVersion: number;
}

/** Outputs that are not inputs (the class passes them as `undefined`). */
export const EXPORT_JOB_COMPUTED_OUTPUTS = [
  "exportJobId",
  "state",
  "stateReason",
  "exportStatus",
  "prefix",
  "createdAt",
  "finishedAt",
  "components",
  "schemaVersion",
] as const;

/** States after which a job never changes. */
export const TERMINAL_STATES: ReadonlySet<string> = new Set(["Successful", "Failed", "Cancelled"]);

/** Environment knob (testing/demos): the first poll interval in ms, read at call time. */
export const POLL_INTERVAL_ENV = "PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS";

/** How the wait polls: first after `initialMs`, then ×`factor` up to `maxMs`, ±`jitter`. */
export interface PollPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** Fraction of the delay randomly added or removed (0.2 → ±20%). */
  jitter: number;
}

/** The poll policy, honouring `PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS` when it is a positive number. */
export function pollPolicy(env: NodeJS.ProcessEnv): PollPolicy {
  const raw = Number(env[POLL_INTERVAL_ENV]);
  const initialMs = Number.isFinite(raw) && raw > 0 ? raw : 5_000;
  return { initialMs, factor: 1.5, maxMs: Math.max(60_000, initialMs), jitter: 0.2 };
}

/** The delay to sleep for a nominal delay: jittered, never above the cap. */
export function jitteredDelay(nominalMs: number, policy: PollPolicy, random: () => number): number {
  const factor = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.max(1, Math.min(policy.maxMs, Math.round(nominalMs * factor)));
}

/**
 * A rejection the dynamic-provider host turns into "created but failed to initialize"
 * (`grpcResponseFromError`): the engine records the job with these `properties` (which carry
 * `__provider`, so refresh/destroy can load the provider) and `up` fails with `message`.
 */
export class ExportJobIncompleteError extends Error {
  /** The job id (resource id). */
  readonly id: string;
  /** The full outputs, including `__provider`. */
  readonly properties: PropertyBag;
  /** Why initialization failed; the engine prints them. */
  readonly reasons: string[];

  constructor(message: string, id: string, properties: PropertyBag, reasons: string[]) {
    super(message);
    this.name = "ExportJobIncompleteError";
    this.id = id;
    this.properties = properties;
    this.reasons = reasons;
  }
}

/** `check`: validates arguments with no API call; unknown preview values pass. Never throws. */
export function checkExportJob(news: PropertyBag, olds?: PropertyBag): { inputs: PropertyBag; failures: CheckFailure[] } {
  const { known, unknownKeys, inputs, failures } = startCheck(news, EXPORT_JOB_COMPUTED_OUTPUTS, exportJobArgsSchema, EXPORT_JOB_ARG_NAMES, olds);
  for (const key of EXPORT_JOB_REQUIRED_ARGS) {
    if (!(key in known) && !unknownKeys.has(key)) failures.push({ property: key, reason: `${key} is required` });
  }
  return { inputs, failures };
}

/** The input fields the diff looks at. */
export const EXPORT_JOB_DIFF_FIELDS: readonly DiffField[] = [
  { name: "projectId", replaces: true },
  { name: "clusterName", replaces: true },
  { name: "snapshotId", replaces: true },
  { name: "exportBucketId", replaces: true },
  { name: "customData", replaces: true, normalize: (v) => v ?? {} },
  { name: "waitForCompletion", replaces: false, normalize: (v) => v ?? true },
  { name: "waitTimeoutMinutes", replaces: false, normalize: (v) => v ?? DEFAULT_WAIT_TIMEOUT_MINUTES },
];

/**
 * `diff`: a change to what is exported replaces the job (a new export); changing only
 * `waitForCompletion`/`waitTimeoutMinutes` is an in-place update. Never throws.
 */
export function diffExportJob(olds: PropertyBag, news: PropertyBag): ExplicitDiff {
  return diffFields(olds, news, EXPORT_JOB_DIFF_FIELDS);
}

/** customData as Atlas wants it: `[{key, value}]` sorted by key. */
export function toLabels(customData: Record<string, string> | undefined): BackupLabel[] {
  return Object.keys(customData ?? {})
    .sort()
    .map((key) => ({ key, value: (customData as Record<string, string>)[key] as string }));
}

/** Atlas labels back to a map (the last value wins on duplicate keys). */
export function fromLabels(labels: BackupLabel[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of labels ?? []) out[label.key] = label.value;
  return out;
}

function inputsOf(props: PropertyBag): ExportJobInputs {
  const out: PropertyBag = {};
  for (const key of EXPORT_JOB_ARG_NAMES) if (props[key] !== undefined) out[key] = props[key];
  return out as unknown as ExportJobInputs;
}

/** The full outputs: the inputs plus Atlas's view of the job. */
export function jobOutputs(inputs: ExportJobInputs, job: ExportJobResponse): ExportJobState {
  return compact({
    ...inputsOf(inputs as unknown as PropertyBag),
    exportJobId: job.id,
    state: job.state,
    stateReason: job.stateReason ? compact({ errorCode: job.stateReason.errorCode, message: job.stateReason.message }) : undefined,
    exportStatus: job.exportStatus
      ? compact({
          exportedCollections: job.exportStatus.exportedCollections,
          totalCollections: job.exportStatus.totalCollections,
        })
      : undefined,
    prefix: job.prefix,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    components: job.components,
    schemaVersion: SCHEMA_VERSION,
  });
}

function reasonText(job: ExportJobResponse | ExportJobState): string {
  const r = job.stateReason;
  if (!r || (!r.errorCode && !r.message)) return "Atlas gave no reason";
  return [r.errorCode, r.message].filter(Boolean).join(": ");
}

function progressText(job: ExportJobResponse): string {
  const s = job.exportStatus;
  return s && s.totalCollections !== undefined
    ? `${s.exportedCollections ?? 0}/${s.totalCollections} collections`
    : "collections not counted yet";
}

const RETRY_HINT =
  `To export again, run "pulumi up --replace <urn of this ExportJob>" (see "pulumi stack --show-urns"), ` +
  `or change its customData or snapshotId.`;

/** True for errors worth polling through: network, timeouts, 408, 429 and 5xx. */
export { isTransient };

/** What a wait ended with. */
export interface WaitOutcome {
  job: ExportJobResponse;
  /** The deadline passed before a terminal state. */
  timedOut: boolean;
  /** A non-transient error that ended the wait. */
  error?: unknown;
}

/**
 * Polls `getExportJob` until a terminal state or the deadline, with growing jittered delays.
 * Transient errors (429, 5xx, network, timeouts) do not end the wait. Never throws.
 */
export async function waitForExportJob(
  api: AtlasApi,
  inputs: ExportJobInputs,
  first: ExportJobResponse,
  ctx: HandlerContext,
): Promise<WaitOutcome> {
  const policy = pollPolicy(ctx.env);
  const startedAt = ctx.now();
  const deadline = startedAt + (inputs.waitTimeoutMinutes ?? DEFAULT_WAIT_TIMEOUT_MINUTES) * 60_000;
  let nominal = policy.initialMs;
  let job = first;
  let polls = 0;
  while (!TERMINAL_STATES.has(job.state)) {
    const remaining = deadline - ctx.now();
    // At least one poll per wait, so a wait never ends on a state read before it started.
    if (remaining <= 0 && polls > 0) return { job, timedOut: true };
    await ctx.sleep(Math.max(0, Math.min(jitteredDelay(nominal, policy, ctx.random), remaining)));
    polls++;
    nominal = Math.min(nominal * policy.factor, policy.maxMs);
    try {
      job = await api.getExportJob(inputs.projectId, inputs.clusterName, job.id);
    } catch (e) {
      if (!isTransient(e)) return { job, timedOut: false, error: e };
      ctx.log(
        `export job ${job.id} on ${inputs.clusterName}: polling failed (${e instanceof Error ? e.message : String(e)}); still waiting`,
      );
      continue;
    }
    ctx.log(
      `export job ${job.id} on ${inputs.clusterName}: ${job.state}, ${progressText(job)} (${formatElapsed(ctx.now() - startedAt)})`,
    );
  }
  return { job, timedOut: false };
}

function withProvider(outs: ExportJobState, inputs: ExportJobInputs): PropertyBag {
  // Without __provider in the recorded properties, refresh/destroy cannot load the provider.
  return compact({ ...outs, __provider: inputs.__provider });
}

/** Turns a finished-but-unsuccessful wait into the partial failure, or returns the outputs. */
function settle(inputs: ExportJobInputs, outcome: WaitOutcome, retried: boolean): ExportJobState {
  const outs = jobOutputs(inputs, outcome.job);
  const job = outcome.job;
  const where = `export job ${job.id} (snapshot ${inputs.snapshotId} of ${inputs.clusterName} to bucket ${inputs.exportBucketId})`;
  if (outcome.error !== undefined) {
    const why = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    const message =
      `${where} was created but waiting for it failed: ${why}. The job goes on in Atlas and stays in the stack's state; ` +
      `run "pulumi refresh" to update its state.`;
    throw new ExportJobIncompleteError(message, job.id, withProvider(outs, inputs), [message]);
  }
  if (outcome.timedOut) {
    const minutes = inputs.waitTimeoutMinutes ?? DEFAULT_WAIT_TIMEOUT_MINUTES;
    const message =
      `${where} is still ${job.state} after ${minutes} minutes (waitTimeoutMinutes). The job goes on in Atlas and stays in the stack's state; ` +
      `the next "pulumi up" waits for it again, and "pulumi refresh" picks up its state without waiting. ` +
      `To wait longer at once, raise waitTimeoutMinutes; to never wait, set waitForCompletion: false.`;
    throw new ExportJobIncompleteError(message, job.id, withProvider(outs, inputs), [message]);
  }
  if (job.state === "Failed" || job.state === "Cancelled") {
    const message =
      `${where} ended ${job.state}: ${reasonText(job)}. ` +
      (retried ? "It was not exported again. " : "The job is kept in the stack's state so the next \"pulumi up\" does not export again silently. ") +
      RETRY_HINT;
    throw new ExportJobIncompleteError(message, job.id, withProvider(outs, inputs), [message]);
  }
  return outs;
}

/**
 * True if an Atlas export job is the one these inputs asked for: same snapshot, bucket and
 * customData. The identity rule of the lost-response lookup and of `pulumi-atlas-export recover`.
 */
export function jobMatches(job: ExportJobResponse, inputs: ExportJobInputs): boolean {
  return (
    job.exportBucketId === inputs.exportBucketId &&
    job.snapshotId === inputs.snapshotId &&
    stableJson(fromLabels(job.customData)) === stableJson(inputs.customData ?? {})
  );
}

/** When Atlas created a job: `createdAt`, else the ObjectId time of its id (NaN if neither). */
export function jobCreatedAtMs(job: ExportJobResponse): number {
  const t = job.createdAt ? Date.parse(job.createdAt) : Number.NaN;
  return Number.isFinite(t) ? t : objectIdTimeMs(job.id);
}

function exportsPath(inputs: ExportJobInputs): string {
  return `/api/atlas/v2/groups/${inputs.projectId}/clusters/${inputs.clusterName}/backup/exports`;
}

/** The lost-response lookup of a create: the one identical job created after the request. */
function lostJobLookup(api: AtlasApi, inputs: ExportJobInputs) {
  return {
    find: async (sentAtMs: number) => {
      const jobs: ExportJobResponse[] = [];
      for await (const j of api.listExportJobs(inputs.projectId, inputs.clusterName, { itemsPerPage: 500 })) jobs.push(j);
      return pickCreated(jobs, {
        sentAtMs,
        idOf: (j) => j.id,
        createdAtMs: jobCreatedAtMs,
        sameIdentity: (j) => jobMatches(j, inputs),
      });
    },
    howToCheck: (sentAtMs: number) =>
      `Look at GET ${exportsPath(inputs)} (the cluster's export jobs) for an export of snapshot ${inputs.snapshotId} ` +
      `to bucket ${inputs.exportBucketId} with customData ${stableJson(inputs.customData ?? {})}, created at or after ` +
      `${new Date(sentAtMs).toISOString()}. If there is one, that export ran (or is running), and "pulumi up" would ` +
      `export the snapshot once more (Atlas answers 409 while the first is still running); to avoid a second export, ` +
      `export another snapshot or change customData. If there is none, run "pulumi up" again.`,
  };
}

/**
 * `create`: one POST (never resent blindly: a lost response is looked up first), then, unless
 * `waitForCompletion: false`, polls until the job finishes. Throws a plain error when Atlas
 * refuses the POST (409 names the export already running); rejects with
 * {@link ExportJobIncompleteError} when the job ends Failed/Cancelled or the wait ends early,
 * so the job is still recorded in state.
 */
export async function createExportJob(
  api: AtlasApi,
  inputs: ExportJobInputs,
  context?: Partial<HandlerContext>,
): Promise<{ id: string; outs: ExportJobState }> {
  const ctx = withDefaults(context);
  const { projectId, clusterName } = inputs;
  let job: ExportJobResponse;
  try {
    job = await createExactlyOnce(
      () =>
        api.createExportJob(projectId, clusterName, {
          snapshotId: inputs.snapshotId,
          exportBucketId: inputs.exportBucketId,
          ...(inputs.customData && Object.keys(inputs.customData).length > 0 ? { customData: toLabels(inputs.customData) } : {}),
        }),
      lostJobLookup(api, inputs),
      ctx,
      `export job of snapshot ${inputs.snapshotId} on ${clusterName}`,
    );
  } catch (e) {
    if (isAtlasApiError(e, 409)) throw new Error(await conflictMessage(api, inputs, e.message), { cause: e });
    throw e;
  }
  ctx.log(`export job ${job.id} on ${clusterName}: started (snapshot ${inputs.snapshotId} → bucket ${inputs.exportBucketId}), ${job.state}`);
  if (inputs.waitForCompletion === false) return { id: job.id, outs: jobOutputs(inputs, job) };
  const outcome = await waitForExportJob(api, inputs, job, ctx);
  return { id: outcome.job.id, outs: settle(inputs, outcome, false) };
}

/** Explains a 409 on create: names the export of that snapshot already running. Never throws. */
export async function conflictMessage(api: AtlasApi, inputs: ExportJobInputs, atlasMessage: string): Promise<string> {
  const head = `Atlas refused to export snapshot ${inputs.snapshotId} of ${inputs.clusterName} (${atlasMessage}).`;
  try {
    const running: ExportJobResponse[] = [];
    for await (const j of api.listExportJobs(inputs.projectId, inputs.clusterName, { itemsPerPage: 500 })) {
      if (!TERMINAL_STATES.has(j.state) && (j.snapshotId === undefined || j.snapshotId === inputs.snapshotId)) running.push(j);
    }
    if (running.length > 0) {
      const list = running
        .map((j) => `${j.id} (${j.state}, to bucket ${j.exportBucketId}${j.createdAt ? `, started ${j.createdAt}` : ""})`)
        .join(", ");
      return (
        `${head} An export of this snapshot is already running: export job ${list}. Atlas cannot cancel it. ` +
        `Wait until it finishes, then run "pulumi up" again; or export a different snapshot.`
      );
    }
    return `${head} No running export of this snapshot was found; it may have just finished. Run "pulumi up" again.`;
  } catch (lookupError) {
    const why = lookupError instanceof Error ? lookupError.message : String(lookupError);
    return `${head} An export of this snapshot is probably already running (listing the cluster's export jobs to name it failed: ${why}). Wait until it finishes, then run "pulumi up" again.`;
  }
}

/**
 * `read` (refresh): Atlas's view of the job plus matching inputs; `{}` when Atlas answers that
 * the job does not exist (see not-found.ts) so it leaves the state. Any other 404 (wrong base
 * URL, deleted cluster or project) is an error and the state is kept. Throws other Atlas errors.
 */
export async function readExportJob(
  api: AtlasApi,
  id: string,
  props: PropertyBag,
): Promise<{ id?: string; props?: ExportJobState; inputs?: ExportJobInputs }> {
  const projectId = storedString(props, "projectId", `export job ${id}`);
  const clusterName = storedString(props, "clusterName", `export job ${id}`);
  let job: ExportJobResponse;
  try {
    job = await api.getExportJob(projectId, clusterName, id);
  } catch (e) {
    if (isExportJobGone(e, id)) return {};
    if (isAtlasApiError(e, 404)) {
      throw unexpectedNotFound(e, api, `refresh of export job ${id}`, EXPORT_JOB_NOT_FOUND_CODES.join(" or "));
    }
    throw e;
  }
  const old = inputsOf(props);
  const customData = fromLabels(job.customData);
  const inputs: ExportJobInputs = compact({
    ...old,
    projectId,
    clusterName,
    snapshotId: job.snapshotId ?? old.snapshotId,
    exportBucketId: job.exportBucketId ?? old.exportBucketId,
    // Atlas returns [] when none was sent: keep "absent" so refresh shows no change.
    customData: old.customData === undefined && Object.keys(customData).length === 0 ? undefined : customData,
  });
  return { id: job.id, props: jobOutputs(inputs, job), inputs };
}

/**
 * `update`. Called for `waitForCompletion`/`waitTimeoutMinutes` changes (no API call when the
 * job already succeeded) and by the engine to retry a job recorded with init errors (a failed
 * or timed-out wait). Never exports again: it re-reads the job; if the job is still running and
 * `waitForCompletion` is not false, it waits again (a fresh `waitTimeoutMinutes`, with progress
 * lines) exactly as create does; if it is Failed/Cancelled, or the wait times out again, it
 * rejects again with the reason and what to do. Returns every output.
 */
export async function updateExportJob(
  api: AtlasApi,
  id: string,
  olds: PropertyBag,
  news: ExportJobInputs,
  context?: Partial<HandlerContext>,
): Promise<{ outs: ExportJobState }> {
  if (olds?.state === "Successful") {
    const computed: PropertyBag = {};
    for (const key of EXPORT_JOB_COMPUTED_OUTPUTS) computed[key] = olds[key];
    return {
      outs: compact({ ...inputsOf(news as unknown as PropertyBag), ...computed, exportJobId: typeof olds.exportJobId === "string" ? olds.exportJobId : id, schemaVersion: SCHEMA_VERSION } as ExportJobState),
    };
  }
  const ctx = withDefaults(context);
  let job: ExportJobResponse;
  try {
    job = await api.getExportJob(news.projectId, news.clusterName, id);
  } catch (e) {
    if (isAtlasApiError(e, 404)) {
      throw new Error(`export job ${id}: Atlas no longer knows this job. Run "pulumi refresh" to drop it from the stack, then "pulumi up" to export again.`, { cause: e });
    }
    throw e;
  }
  if (TERMINAL_STATES.has(job.state) || news.waitForCompletion === false) {
    return { outs: settle(news, { job, timedOut: false }, true) };
  }
  const minutes = news.waitTimeoutMinutes ?? DEFAULT_WAIT_TIMEOUT_MINUTES;
  ctx.log(`export job ${job.id} on ${news.clusterName}: still ${job.state}, ${progressText(job)}; waiting for it again (up to ${minutes} minutes, waitTimeoutMinutes)`);
  return { outs: settle(news, await waitForExportJob(api, news, job, ctx), true) };
}

/**
 * `delete`: Atlas has no API to delete or cancel an export job, so this only removes the job
 * from the stack's state (the exported files stay in the bucket). Makes no API call.
 */
export async function deleteExportJob(id: string, props: PropertyBag, log: (line: string) => void = console.log): Promise<void> {
  const prefix = typeof props?.prefix === "string" ? ` under "${props.prefix}"` : "";
  log(
    `export job ${id}: removed from the stack's state only. Atlas cannot delete or cancel export jobs; ` +
      `the exported files stay in the bucket${prefix}.`,
  );
}
