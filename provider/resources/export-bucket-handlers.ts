/**
 * The ExportBucket provider logic as pure functions over an `AtlasApi`. The runtime module
 * (`pulumi-atlas-export/runtime`) binds them to a real client; unit tests pass a fake.
 */
import type { AtlasApi, CloudProvider, CreateExportBucketRequest, ExportBucketResponse } from "../client/api";
import { isAtlasApiError, isAtlasErrorCode } from "../errors";
import {
  CLOUD_PROVIDERS,
  EXPORT_BUCKET_ARG_NAMES,
  azureBucketNameProblem,
  exportBucketArgsSchema,
  parseAzureServiceUrl,
} from "../schemas/export-bucket-args";
import { pickCreated } from "./created-lookup";
import {
  SCHEMA_VERSION,
  compact,
  createExactlyOnce,
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
import { EXPORT_BUCKET_NOT_FOUND, isExportBucketGone, unexpectedNotFound } from "./not-found";

/** Checked ExportBucket inputs, as the engine passes them to create/update/diff. */
export interface ExportBucketInputs {
  projectId: string;
  cloudProvider: CloudProvider;
  bucketName: string;
  iamRoleId?: string;
  roleId?: string;
  serviceUrl?: string;
  requirePrivateNetworking?: boolean;
  adopt?: boolean;
  /** The serialized provider; present in engine calls, copied into partial-failure properties. */
  __provider?: string;
}

/** Everything stored in state for an ExportBucket. */
export interface ExportBucketState extends ExportBucketInputs {
  /** Atlas's id of the bucket (`_id`); also the resource id. Pass it to ExportJob. */
  exportBucketId: string;
  /** AWS: the bucket's region, set by Atlas (returned by GET one only, so known after a refresh). */
  region?: string;
  /** Azure: the tenant of the service principal, set by Atlas. */
  tenantId?: string;
  /** Version of the stored outputs' layout. */
  schemaVersion: number;
}

/** Names of the outputs that are not inputs (the class passes them as `undefined`). */
export const EXPORT_BUCKET_COMPUTED_OUTPUTS = ["exportBucketId", "region", "tenantId", "schemaVersion"] as const;

const roleField: Record<CloudProvider, "iamRoleId" | "roleId"> = { AWS: "iamRoleId", AZURE: "roleId", GCP: "roleId" };

/**
 * `check`: validates the arguments with no API call. Values unknown in preview pass. Returns
 * the inputs to store (for Azure, `bucketName` derived from the `serviceUrl` container when
 * omitted, as Atlas does) and one failure per broken rule. Never throws.
 */
export function checkExportBucket(news: PropertyBag, olds?: PropertyBag): { inputs: PropertyBag; failures: CheckFailure[] } {
  const { known, unknownKeys, inputs, failures } = startCheck(
    news,
    EXPORT_BUCKET_COMPUTED_OUTPUTS,
    exportBucketArgsSchema,
    EXPORT_BUCKET_ARG_NAMES,
    olds,
  );
  const has = (key: string) => key in known || unknownKeys.has(key);
  const failed = (key: string) => failures.some((f) => f.property === key);

  for (const key of ["projectId", "cloudProvider"]) {
    if (!has(key)) failures.push({ property: key, reason: `${key} is required` });
  }

  let container: string | undefined;
  if (typeof known.serviceUrl === "string") {
    const url = parseAzureServiceUrl(known.serviceUrl);
    if (typeof url === "string") failures.push({ property: "serviceUrl", reason: `serviceUrl ${url}` });
    else container = url.container;
  }

  const cloud = known.cloudProvider;
  if (typeof cloud === "string" && (CLOUD_PROVIDERS as readonly string[]).includes(cloud)) {
    const provider = cloud as CloudProvider;
    const required: string[] = provider === "AZURE" ? ["roleId", "serviceUrl"] : ["bucketName", roleField[provider]];
    for (const key of required) {
      if (!has(key) && !failed(key)) {
        failures.push({ property: key, reason: `${key} is required when cloudProvider is "${provider}"` });
      }
    }
    const forbidden: Record<CloudProvider, [string, string][]> = {
      AWS: [
        ["roleId", `roleId is only valid when cloudProvider is "AZURE" or "GCP"; for "AWS" use iamRoleId`],
        ["serviceUrl", `serviceUrl is only valid when cloudProvider is "AZURE"`],
      ],
      AZURE: [
        ["iamRoleId", `iamRoleId is only valid when cloudProvider is "AWS"; for "AZURE" use roleId`],
        ["requirePrivateNetworking", `requirePrivateNetworking is only valid when cloudProvider is "AWS"`],
      ],
      GCP: [
        ["iamRoleId", `iamRoleId is only valid when cloudProvider is "AWS"; for "GCP" use roleId`],
        ["serviceUrl", `serviceUrl is only valid when cloudProvider is "AZURE"`],
        ["requirePrivateNetworking", `requirePrivateNetworking is only valid when cloudProvider is "AWS"`],
      ],
    };
    for (const [key, reason] of forbidden[provider]) if (has(key)) failures.push({ property: key, reason });

    // Atlas derives bucketName from the container, and rejects one that contradicts it.
    if (provider === "AZURE" && typeof known.serviceUrl === "string" && !failed("serviceUrl") && !unknownKeys.has("bucketName") && !failed("bucketName")) {
      const bucketName = typeof known.bucketName === "string" ? known.bucketName : undefined;
      const problem = azureBucketNameProblem(bucketName, container);
      if (problem !== undefined) failures.push({ property: "bucketName", reason: problem });
      else if (bucketName === undefined) inputs.bucketName = container;
    }
  }
  return { inputs, failures };
}

const requirePrivateNetworkingField: DiffField = {
  name: "requirePrivateNetworking",
  replaces: false,
  // Atlas defaults it to false; absent and false are the same bucket.
  normalize: (v) => (v === undefined || v === null ? false : v),
};

/** The input fields the diff looks at. `adopt` only matters at create time. */
export const EXPORT_BUCKET_DIFF_FIELDS: readonly DiffField[] = [
  { name: "projectId", replaces: true },
  { name: "cloudProvider", replaces: true },
  { name: "bucketName", replaces: true },
  { name: "iamRoleId", replaces: true },
  { name: "roleId", replaces: true },
  { name: "serviceUrl", replaces: true },
  requirePrivateNetworkingField,
];

/**
 * `diff` (olds = stored outputs, news = checked inputs). Only `requirePrivateNetworking`
 * updates in place; any other argument change replaces the bucket. Never throws.
 */
export function diffExportBucket(olds: PropertyBag, news: PropertyBag): ExplicitDiff {
  return diffFields(olds, news, EXPORT_BUCKET_DIFF_FIELDS);
}

function createRequest(inputs: ExportBucketInputs): CreateExportBucketRequest {
  switch (inputs.cloudProvider) {
    case "AWS":
      return compact({
        cloudProvider: "AWS",
        bucketName: inputs.bucketName,
        iamRoleId: inputs.iamRoleId,
        requirePrivateNetworking: inputs.requirePrivateNetworking,
      });
    case "AZURE":
      return compact({
        cloudProvider: "AZURE",
        bucketName: inputs.bucketName,
        roleId: inputs.roleId,
        serviceUrl: inputs.serviceUrl,
      });
    case "GCP":
      return { cloudProvider: "GCP", bucketName: inputs.bucketName, roleId: inputs.roleId as string };
  }
}

/** True if an Atlas bucket is the one these inputs describe (cloud, name, role, URL). */
export function bucketMatches(bucket: ExportBucketResponse, inputs: ExportBucketInputs): boolean {
  if (bucket.cloudProvider !== inputs.cloudProvider || bucket.bucketName !== inputs.bucketName) return false;
  const role = roleField[inputs.cloudProvider];
  if (bucket[role] !== inputs[role]) return false;
  if (inputs.cloudProvider === "AZURE" && bucket.serviceUrl !== inputs.serviceUrl) return false;
  return true;
}

/** The inputs (only argument fields) from raw engine props. */
function argsOf(props: PropertyBag): ExportBucketInputs {
  const out: PropertyBag = {};
  for (const key of EXPORT_BUCKET_ARG_NAMES) if (props[key] !== undefined) out[key] = props[key];
  return out as unknown as ExportBucketInputs;
}

/** Builds the full stored outputs: the inputs plus what Atlas says about the bucket. */
export function bucketOutputs(inputs: ExportBucketInputs, bucket: ExportBucketResponse, previous?: PropertyBag): ExportBucketState {
  const args = argsOf(inputs as unknown as PropertyBag);
  const aws = bucket.cloudProvider === "AWS";
  return compact({
    ...args,
    // Atlas is the truth for updatable fields; AWS defaults requirePrivateNetworking to false.
    requirePrivateNetworking: aws
      ? (bucket.requirePrivateNetworking ?? args.requirePrivateNetworking ?? false)
      : undefined,
    exportBucketId: bucket._id,
    // region is only on GET-one responses: keep the previous value when this one lacks it.
    region: bucket.region ?? (typeof previous?.region === "string" ? previous.region : undefined),
    tenantId: bucket.tenantId ?? (typeof previous?.tenantId === "string" ? previous.tenantId : undefined),
    schemaVersion: SCHEMA_VERSION,
  });
}

async function listMatching(api: AtlasApi, inputs: ExportBucketInputs): Promise<ExportBucketResponse[]> {
  const matches: ExportBucketResponse[] = [];
  for await (const bucket of api.listExportBuckets(inputs.projectId, { itemsPerPage: 500 })) {
    if (bucketMatches(bucket, inputs)) matches.push(bucket);
  }
  return matches;
}

function describe(inputs: ExportBucketInputs): string {
  const role = roleField[inputs.cloudProvider];
  return `${inputs.cloudProvider} bucket "${inputs.bucketName}" (${role} ${inputs[role]}${inputs.serviceUrl ? `, ${inputs.serviceUrl}` : ""}) in project ${inputs.projectId}`;
}

/**
 * Ids of buckets an `adopt: true` create took over in this provider process. The engine runs
 * one provider process per deployment, so when a replacement (create-before-delete) adopts the
 * very bucket the old resource holds, the old resource's delete in the same run finds its id
 * here and leaves the bucket alone (it is the new resource's now).
 */
const adoptedInThisProcess = new Set<string>();

/** True if a create in this process adopted the bucket `id` (see `deleteExportBucket`). */
export function adoptedByAnotherResource(id: string): boolean {
  return adoptedInThisProcess.has(id);
}

/** @internal Tests: forget what this process adopted. */
export function forgetAdoptedForTesting(): void {
  adoptedInThisProcess.clear();
}

/** The lost-response lookup of a create: the one identical bucket created after the request. */
function lostBucketLookup(api: AtlasApi, inputs: ExportBucketInputs) {
  return {
    find: async (sentAtMs: number) =>
      pickCreated(await listMatching(api, inputs), { sentAtMs, idOf: (b) => b._id, sameIdentity: (b) => bucketMatches(b, inputs) }),
    howToCheck: (sentAtMs: number) =>
      `Look at GET /api/atlas/v2/groups/${inputs.projectId}/backup/exportBuckets (the project's export buckets) for the ` +
      `${describe(inputs)}, created at or after ${new Date(sentAtMs).toISOString()}. If there is exactly one, add ` +
      `adopt: true to this ExportBucket so the next "pulumi up" takes it over (or delete it in Atlas); if there is none, ` +
      `run "pulumi up" again.`,
  };
}

/**
 * `create`. With `adopt: true`, takes over the one existing bucket matching the inputs
 * (throws if there is none or more than one). Otherwise sends one POST; if its response is
 * lost, takes the one identical bucket created after the request was sent (`pickCreated`),
 * sends the POST once more if there is none, and fails naming the candidates, creating
 * nothing, if that is ambiguous (see `createExactlyOnce`). Throws the Atlas error otherwise.
 */
export async function createExportBucket(
  api: AtlasApi,
  inputs: ExportBucketInputs,
  context?: Partial<HandlerContext>,
): Promise<{ id: string; outs: ExportBucketState }> {
  const ctx = withDefaults(context);
  if (inputs.adopt === true) return adoptExportBucket(api, inputs, ctx);
  const created = await createExactlyOnce(
    () => api.createExportBucket(inputs.projectId, createRequest(inputs)),
    lostBucketLookup(api, inputs),
    ctx,
    `export bucket ${inputs.bucketName}`,
  );
  return { id: created._id, outs: bucketOutputs(inputs, created) };
}

async function adoptExportBucket(
  api: AtlasApi,
  inputs: ExportBucketInputs,
  ctx: HandlerContext,
): Promise<{ id: string; outs: ExportBucketState }> {
  const matches = await listMatching(api, inputs);
  if (matches.length === 0) {
    throw new Error(
      `adopt: no existing ${describe(inputs)} was found, so there is nothing to adopt. ` +
        `Check the arguments against the bucket in Atlas, or remove "adopt: true" to create it.`,
    );
  }
  if (matches.length > 1) {
    throw new Error(
      `adopt: ${matches.length} existing buckets match ${describe(inputs)}: ${matches.map((b) => b._id).join(", ")}. ` +
        `Delete the extra ones in Atlas so exactly one is left, then run "pulumi up" again.`,
    );
  }
  const match = matches[0] as ExportBucketResponse;
  let bucket = await api.getExportBucket(inputs.projectId, match._id);
  const wanted = inputs.requirePrivateNetworking ?? false;
  if (inputs.cloudProvider === "AWS" && (bucket.requirePrivateNetworking ?? false) !== wanted) {
    bucket = await api.updateExportBucket(inputs.projectId, bucket._id, { requirePrivateNetworking: wanted });
  }
  adoptedInThisProcess.add(bucket._id);
  ctx.log(`export bucket ${inputs.bucketName}: adopted existing bucket ${bucket._id}`);
  return { id: bucket._id, outs: bucketOutputs(inputs, bucket) };
}

/**
 * `read` (refresh). Returns Atlas's view as props and the matching inputs (so refresh leaves
 * no permanent diff), or `{}` when Atlas answers that the bucket does not exist
 * (`EXPORT_BUCKET_NOT_FOUND`) so it leaves the state. Any other 404 (wrong base URL, deleted
 * project) is an error and the state is kept (see not-found.ts). Accepts outputs written by
 * older versions. Throws other Atlas errors.
 */
export async function readExportBucket(
  api: AtlasApi,
  id: string,
  props: PropertyBag,
): Promise<{ id?: string; props?: ExportBucketState; inputs?: ExportBucketInputs }> {
  const projectId = storedString(props, "projectId", `export bucket ${id}`);
  let bucket: ExportBucketResponse;
  try {
    bucket = await api.getExportBucket(projectId, id);
  } catch (e) {
    if (isExportBucketGone(e)) return {};
    if (isAtlasApiError(e, 404)) throw unexpectedNotFound(e, api, `refresh of export bucket ${id}`, EXPORT_BUCKET_NOT_FOUND);
    throw e;
  }
  const old = argsOf(props);
  const inputs: ExportBucketInputs = compact({
    projectId,
    cloudProvider: bucket.cloudProvider,
    bucketName: bucket.bucketName,
    iamRoleId: bucket.cloudProvider === "AWS" ? bucket.iamRoleId : undefined,
    roleId: bucket.cloudProvider === "AWS" ? undefined : bucket.roleId,
    serviceUrl: bucket.cloudProvider === "AZURE" ? bucket.serviceUrl : undefined,
    // Keep "absent" when Atlas says false and the program never set it: no spurious diff.
    requirePrivateNetworking:
      bucket.cloudProvider !== "AWS"
        ? undefined
        : old.requirePrivateNetworking === undefined && bucket.requirePrivateNetworking !== true
          ? undefined
          : (bucket.requirePrivateNetworking ?? false),
    adopt: old.adopt,
  });
  return { id: bucket._id, props: bucketOutputs(inputs, bucket, props), inputs };
}

/**
 * `update`: the only in-place change is `requirePrivateNetworking` (AWS), sent as one PATCH.
 * Returns every output so nothing is wiped (pulumi #9982). Throws Atlas errors.
 */
export async function updateExportBucket(
  api: AtlasApi,
  id: string,
  olds: PropertyBag,
  news: ExportBucketInputs,
): Promise<{ outs: ExportBucketState }> {
  const projectId = news.projectId ?? storedString(olds, "projectId", `export bucket ${id}`);
  const bucket =
    news.cloudProvider === "AWS"
      ? await api.updateExportBucket(projectId, id, { requirePrivateNetworking: news.requirePrivateNetworking ?? false })
      : await api.getExportBucket(projectId, id);
  return { outs: bucketOutputs(news, bucket, olds) };
}

/**
 * `delete`. Leaves the bucket alone when a create in this run adopted it (a replacement with
 * `adopt: true`). Atlas's answer that the bucket does not exist (`EXPORT_BUCKET_NOT_FOUND`)
 * counts as deleted; any other 404 is an error, so destroy never reports a deletion that did
 * not happen. When Atlas refuses because a backup schedule
 * auto-exports to the bucket, throws an error naming those clusters and saying what to change.
 */
export async function deleteExportBucket(
  api: AtlasApi,
  id: string,
  props: PropertyBag,
  log: (line: string) => void = console.log,
): Promise<void> {
  if (adoptedByAnotherResource(id)) {
    log(`export bucket ${id}: not deleted in Atlas: another ExportBucket of this update adopted it (adopt: true), so it stays managed by that one`);
    return;
  }
  const projectId = storedString(props, "projectId", `export bucket ${id}`);
  try {
    await api.deleteExportBucket(projectId, id);
  } catch (e) {
    if (isExportBucketGone(e)) return;
    if (isAtlasApiError(e, 404)) throw unexpectedNotFound(e, api, `delete of export bucket ${id}`, EXPORT_BUCKET_NOT_FOUND);
    if (isAtlasErrorCode(e, "EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE")) {
      throw new Error(await bucketInUseMessage(api, projectId, id), { cause: e });
    }
    throw e;
  }
}

/** Builds the "bucket in use" explanation; never throws (falls back to a generic hint). */
export async function bucketInUseMessage(api: AtlasApi, projectId: string, bucketId: string): Promise<string> {
  const head = `Atlas refused to delete export bucket ${bucketId} (EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE): a cluster's backup schedule exports snapshots to it automatically.`;
  const fix =
    `Disable auto-export, or point export.exportBucketId at another bucket, in the backup schedule of ` +
    `those clusters (for example through this package's AutoExport resource, the mongodbatlas CloudBackupSchedule resource or the Atlas UI), then run "pulumi destroy"/"pulumi up" again.`;
  try {
    const users: string[] = [];
    for await (const cluster of api.listClusters(projectId, { itemsPerPage: 500 })) {
      try {
        const schedule = await api.getBackupSchedule(projectId, cluster.name);
        if (schedule.export?.exportBucketId === bucketId) users.push(cluster.name);
      } catch {
        // A cluster without backup has no schedule (404): it cannot be the one.
      }
    }
    if (users.length > 0) return `${head} Clusters exporting to it: ${users.join(", ")}. ${fix}`;
    return `${head} No cluster's schedule names it any more, so the change may still be propagating; wait a minute and retry. Otherwise: ${fix}`;
  } catch (lookupError) {
    const why = lookupError instanceof Error ? lookupError.message : String(lookupError);
    return `${head} (Listing the project's clusters to name them failed: ${why}.) ${fix}`;
  }
}
