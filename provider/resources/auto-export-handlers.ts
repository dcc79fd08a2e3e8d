/**
 * The AutoExport provider logic as pure functions over an `AtlasApi`. An AutoExport is the
 * auto-export part of one cluster's backup schedule (CONTRACT §15): `autoExportEnabled` plus
 * `export {exportBucketId, frequencyType}`. It never touches the rest of the schedule
 * (policies, reference times, restore window, copy settings): every write is a PATCH carrying
 * only the auto-export fields, which Atlas merges into the schedule (§15.5).
 */
import type { AtlasApi, BackupScheduleResponse, UpdateAutoExportRequest } from "../client/api";
import { isAtlasApiError } from "../errors";
import { CLUSTER_NOT_FOUND, isClusterGone, unexpectedNotFound } from "./not-found";
import {
  AUTO_EXPORT_ARG_NAMES,
  AUTO_EXPORT_REQUIRED_ARGS,
  autoExportArgsSchema,
} from "../schemas/auto-export-args";
import {
  SCHEMA_VERSION,
  compact,
  diffFields,
  withDefaults,
  type CheckFailure,
  type DiffField,
  type ExplicitDiff,
  type HandlerContext,
  type PropertyBag,
  startCheck,
  storedString,
} from "./shared";

/** Checked AutoExport inputs, as the engine passes them to create/update/diff. */
export interface AutoExportInputs {
  projectId: string;
  clusterName: string;
  exportBucketId: string;
  frequencyType: string;
  useOrgAndGroupNamesInExportPrefix?: boolean;
  /** The serialized provider; present in engine calls. */
  __provider?: string;
}

/**
 * Everything stored in state for an AutoExport. After a refresh that found auto-export turned
 * off, `autoExportEnabled` is false and `exportBucketId`/`frequencyType` are absent (Atlas
 * drops `export` then), so the next `pulumi up` turns it on again.
 */
export interface AutoExportState extends Omit<AutoExportInputs, "exportBucketId" | "frequencyType"> {
  exportBucketId?: string;
  frequencyType?: string;
  /** Whether the schedule auto-exports, as of the last up or refresh. */
  autoExportEnabled: boolean;
  /** Version of the stored outputs' layout. */
  schemaVersion: number;
}

/** Outputs that are not arguments (the class passes them as `undefined`). */
export const AUTO_EXPORT_COMPUTED_OUTPUTS = ["autoExportEnabled", "schemaVersion"] as const;

/** The resource id: `<projectId>-<clusterName>`, as Terraform's schedule import id (one schedule per cluster). */
export function autoExportId(projectId: string, clusterName: string): string {
  return `${projectId}-${clusterName}`;
}

/**
 * `check`: validates the arguments with no API call. Values unknown in preview pass. An output
 * name given as an argument (e.g. `autoExportEnabled`) fails naming it. Never throws.
 */
export function checkAutoExport(news: PropertyBag, olds?: PropertyBag): { inputs: PropertyBag; failures: CheckFailure[] } {
  // startCheck names an output given as an argument (shared rule for every resource).
  const { known, unknownKeys, inputs, failures } = startCheck(news, AUTO_EXPORT_COMPUTED_OUTPUTS, autoExportArgsSchema, AUTO_EXPORT_ARG_NAMES, olds);
  for (const key of AUTO_EXPORT_REQUIRED_ARGS) {
    if (!(key in known) && !unknownKeys.has(key)) failures.push({ property: key, reason: `${key} is required` });
  }
  return { inputs, failures };
}

/** The input fields the diff compares; `useOrgAndGroupNamesInExportPrefix` is handled apart. */
export const AUTO_EXPORT_DIFF_FIELDS: readonly DiffField[] = [
  { name: "projectId", replaces: true },
  { name: "clusterName", replaces: true },
  { name: "exportBucketId", replaces: false },
  { name: "frequencyType", replaces: false },
];

/**
 * `diff` (olds = stored outputs, news = checked inputs). A new project or cluster is another
 * schedule, so it replaces; bucket and frequency update in place (one PATCH). Auto-export found
 * off by a refresh is a change. `useOrgAndGroupNamesInExportPrefix` only counts when the
 * program sets it (left out, the schedule's value is not managed). Never throws.
 */
export function diffAutoExport(olds: PropertyBag, news: PropertyBag): ExplicitDiff {
  const diff = diffFields(olds, news, AUTO_EXPORT_DIFF_FIELDS);
  const prefix = news?.["useOrgAndGroupNamesInExportPrefix"];
  const prefixChanged = prefix !== undefined && diffFields(olds, news, [{ name: "useOrgAndGroupNamesInExportPrefix", replaces: false }]).changes;
  const turnedOff = olds?.["autoExportEnabled"] === false;
  return { changes: diff.changes || prefixChanged || turnedOff, replaces: diff.replaces };
}

/** The one PATCH body that turns auto-export on: `autoExportEnabled` and `export` together (§15.5). */
export function enableRequest(inputs: AutoExportInputs): UpdateAutoExportRequest {
  return compact({
    autoExportEnabled: true as const,
    export: { exportBucketId: inputs.exportBucketId, frequencyType: inputs.frequencyType },
    useOrgAndGroupNamesInExportPrefix: inputs.useOrgAndGroupNamesInExportPrefix,
  });
}

/**
 * True when the schedule already does what {@link enableRequest} asks for: auto-export on, into
 * exactly this bucket at exactly this frequency, and with this prefix flag when the inputs set
 * it (left out, the flag is not managed). `recover` uses it to tell whether an interrupted
 * create/update PATCH landed.
 */
export function autoExportMatches(schedule: BackupScheduleResponse, inputs: AutoExportInputs): boolean {
  if (schedule.autoExportEnabled !== true) return false;
  if (schedule.export?.exportBucketId !== inputs.exportBucketId || schedule.export?.frequencyType !== inputs.frequencyType) return false;
  const prefix = inputs.useOrgAndGroupNamesInExportPrefix;
  return prefix === undefined || (schedule.useOrgAndGroupNamesInExportPrefix ?? false) === prefix;
}

/** Stored outputs from Atlas's schedule; `managesPrefix` says whether the program sets the prefix flag. */
export function autoExportOutputs(
  projectId: string,
  clusterName: string,
  schedule: BackupScheduleResponse,
  managesPrefix: boolean,
): AutoExportState {
  const on = schedule.autoExportEnabled === true;
  return compact({
    projectId,
    clusterName,
    exportBucketId: on ? schedule.export?.exportBucketId : undefined,
    frequencyType: on ? schedule.export?.frequencyType : undefined,
    useOrgAndGroupNamesInExportPrefix: managesPrefix ? (schedule.useOrgAndGroupNamesInExportPrefix ?? false) : undefined,
    autoExportEnabled: on,
    schemaVersion: SCHEMA_VERSION,
  });
}

/** The argument fields of stored outputs (what `read` reports as inputs). */
function argsOf(state: AutoExportState): PropertyBag {
  const out: PropertyBag = {};
  for (const key of AUTO_EXPORT_ARG_NAMES) if (state[key] !== undefined) out[key] = state[key];
  return out;
}

/** The outputs create/update store for `inputs`, given the schedule Atlas answered their PATCH with. */
export function enabledOutputs(inputs: AutoExportInputs, schedule: BackupScheduleResponse): AutoExportState {
  return autoExportOutputs(inputs.projectId, inputs.clusterName, schedule, inputs.useOrgAndGroupNamesInExportPrefix !== undefined);
}

async function enable(api: AtlasApi, inputs: AutoExportInputs): Promise<AutoExportState> {
  return enabledOutputs(inputs, await api.updateBackupSchedule(inputs.projectId, inputs.clusterName, enableRequest(inputs)));
}

/** `create`: one PATCH turning auto-export on into the bucket. Throws the Atlas error. */
export async function createAutoExport(api: AtlasApi, inputs: AutoExportInputs): Promise<{ id: string; outs: AutoExportState }> {
  return { id: autoExportId(inputs.projectId, inputs.clusterName), outs: await enable(api, inputs) };
}

/**
 * `update` (bucket, frequency or prefix flag changed, or auto-export found off): the same one
 * PATCH as create. Returns every output so nothing is wiped (pulumi #9982).
 */
export async function updateAutoExport(
  api: AtlasApi,
  _id: string,
  _olds: PropertyBag,
  news: AutoExportInputs,
): Promise<{ outs: AutoExportState }> {
  return { outs: await enable(api, news) };
}

/**
 * The schedule of the cluster named in stored state; `schedule` undefined when Atlas answers
 * that the cluster does not exist (`CLUSTER_NOT_FOUND`); any other 404 is an error. Throws other Atlas errors, and when state lacks the names.
 */
export async function storedSchedule(
  api: AtlasApi,
  id: string,
  props: PropertyBag,
): Promise<{ projectId: string; clusterName: string; schedule?: BackupScheduleResponse }> {
  const projectId = storedString(props, "projectId", `auto-export ${id}`);
  const clusterName = storedString(props, "clusterName", `auto-export ${id}`);
  try {
    return { projectId, clusterName, schedule: await api.getBackupSchedule(projectId, clusterName) };
  } catch (e) {
    // Only Atlas's answer that the cluster does not exist means "gone" (see not-found.ts); any
    // other 404 (wrong base URL, deleted project) must not drop the resource from state.
    if (isClusterGone(e)) return { projectId, clusterName };
    if (isAtlasApiError(e, 404)) throw unexpectedNotFound(e, api, `auto-export ${id}`, CLUSTER_NOT_FOUND);
    throw e;
  }
}

/**
 * `read` (refresh): Atlas's view. Auto-export turned off, or pointed at another bucket or
 * frequency in the UI, shows up as changed outputs (and inputs, so the next `pulumi up`
 * restores what the program says). A cluster that no longer exists (404) leaves the state.
 */
export async function readAutoExport(
  api: AtlasApi,
  id: string,
  props: PropertyBag,
): Promise<{ id?: string; props?: AutoExportState; inputs?: PropertyBag }> {
  const { projectId, clusterName, schedule } = await storedSchedule(api, id, props);
  if (!schedule) return {};
  const state = autoExportOutputs(projectId, clusterName, schedule, props["useOrgAndGroupNamesInExportPrefix"] !== undefined);
  return { id, props: state, inputs: argsOf(state) };
}

/**
 * `delete`: turns auto-export off with `{autoExportEnabled: false}` and nothing else, so the
 * rest of the schedule stays. Only when the schedule still exports to this resource's bucket:
 * if it is already off, or someone pointed it at another bucket, it is not ours any more and
 * is left alone (logged). A missing cluster (404) counts as done.
 */
export async function deleteAutoExport(
  api: AtlasApi,
  id: string,
  props: PropertyBag,
  context?: Partial<HandlerContext>,
): Promise<void> {
  const ctx = withDefaults(context);
  const { projectId, clusterName, schedule } = await storedSchedule(api, id, props);
  if (!schedule) return;
  const ours = props["exportBucketId"];
  if (schedule.autoExportEnabled !== true) {
    ctx.log(`auto-export of cluster ${clusterName}: already off; nothing to change`);
    return;
  }
  const current = schedule.export?.exportBucketId;
  if (typeof ours !== "string" || current !== ours) {
    ctx.log(
      `auto-export of cluster ${clusterName}: left on, because it now exports to bucket ${current ?? "(none)"}, ` +
        `not to ${typeof ours === "string" ? ours : "a bucket this resource set"} (changed outside Pulumi)`,
    );
    return;
  }
  try {
    await api.updateBackupSchedule(projectId, clusterName, { autoExportEnabled: false });
  } catch (e) {
    if (isClusterGone(e)) return;
    if (isAtlasApiError(e, 404)) throw unexpectedNotFound(e, api, `delete of auto-export ${id}`, CLUSTER_NOT_FOUND);
    throw e;
  }
}
