/**
 * AtlasClient: the AtlasApi (api.ts) over undici. Each method pins its operation's API version,
 * validates the response with a zod schema, and throws only AtlasError subclasses.
 */
import type { Agent, Dispatcher } from "undici";
import { undiciCore } from "./undici-core";
import type * as z from "zod";
import { AtlasConfigError, AtlasResponseValidationError } from "../errors";
import type { ResolvedConfig } from "../config";
import { DigestAuthenticator } from "../auth/digest";
import { ServiceAccountAuthenticator, basicAuthorization, type FetchedToken } from "../auth/service-account";
import type { Authenticator } from "../auth/authenticator";
import { formatIssues, OAuthTokenResponse, type Page } from "../schemas/common";
import { ExportBucketPage, ExportBucketResponse as ExportBucketSchema } from "../schemas/export-bucket-response";
import { ExportJobPage, ExportJobResponse as ExportJobSchema } from "../schemas/export-job-response";
import {
  ShardedSnapshotPage,
  ShardedSnapshotResponse as ShardedSnapshotSchema,
  SnapshotPage,
  SnapshotResponse as SnapshotSchema,
} from "../schemas/snapshot-response";
import {
  CloudProviderAccessRoleResponse as RoleSchema,
  CloudProviderAccessRolesResponse as RolesSchema,
} from "../schemas/cloud-provider-access-response";
import { ClusterPage, ClusterResponse as ClusterSchema, FlexClusterResponse as FlexClusterSchema } from "../schemas/cluster-response";
import { BackupScheduleResponse as BackupScheduleSchema } from "../schemas/backup-schedule-response";
import type {
  AtlasApi,
  BackupScheduleResponse,
  CloudProviderAccessRoleResponse,
  CloudProviderAccessRolesResponse,
  ClusterResponse,
  CreateExportBucketRequest,
  CreateExportJobRequest,
  ExportBucketResponse,
  ExportJobResponse,
  FlexClusterResponse,
  ListOptions,
  ShardedSnapshotResponse,
  SnapshotResponse,
  TakeSnapshotRequest,
  UpdateAutoExportRequest,
} from "./api";
import { checkBaseUrl } from "./base-url";
import type { AtlasClientEventHandler } from "./events";
import { DEFAULT_TIMEOUTS, HttpTransport, type HttpMethod, type HttpRequest, type Timeouts } from "./http";
import { ATLAS_VERSIONS, atlasMediaType } from "./media-types";
import { checkClientOptions, type AtlasClientOptions } from "./options";
import { paginate, type PageQuery } from "./paginate";
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry";

export type { AtlasClientOptions } from "./options";
export type { AtlasClientEvent, AtlasClientEventHandler } from "./events";
export type * from "./api";

/** Path of the OAuth token endpoint, relative to the base URL. */
export const OAUTH_TOKEN_PATH = "/api/oauth/token";
const V2 = "/api/atlas/v2";

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Percent-encodes one path parameter. @throws AtlasConfigError when it is empty or not a string. */
function seg(name: string, value: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new AtlasConfigError(`${name} must be a non-empty string`);
  return encodeURIComponent(value);
}

/** The Atlas Admin API client. Implements every AtlasApi operation; see api.ts for semantics. */
export class AtlasClient implements AtlasApi {
  /** The normalised base URL requests go to. */
  readonly baseUrl: string;
  /** `baseUrl` and where it was set, for error messages (see `AtlasApi.baseUrlSetting`). */
  readonly baseUrlSetting: string;
  /** `serviceAccount` or `apiKey`. */
  readonly authKind: "serviceAccount" | "apiKey";
  private readonly transport: HttpTransport;
  private readonly auth: Authenticator;
  private readonly ownedAgent: Agent | undefined;
  private readonly onEvent: AtlasClientEventHandler | undefined;

  /**
   * @throws AtlasConfigError immediately when an option is missing or malformed, or the base URL
   *   is not https (http is allowed for loopback hosts only). The message never contains a secret.
   */
  constructor(options: AtlasClientOptions) {
    checkClientOptions(options);
    this.baseUrl = checkBaseUrl(options.baseUrl, options.baseUrlSource ?? "baseUrl");
    this.baseUrlSetting = `${this.baseUrl} (from ${options.baseUrlSource ?? "the AtlasClient baseUrl option"})`;
    const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...definedOnly(options.timeouts ?? {}) };
    const retry: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...definedOnly(options.retry ?? {}) };
    const now = options.now ?? Date.now;
    this.onEvent = options.onEvent;

    let dispatcher: Dispatcher;
    if (options.dispatcher) {
      dispatcher = options.dispatcher;
    } else {
      const { Agent } = undiciCore();
      this.ownedAgent = new Agent({
        connect: { timeout: timeouts.connectMs },
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.bodyMs,
      });
      dispatcher = this.ownedAgent;
    }

    const creds = options.credentials;
    this.authKind = creds.kind;
    if (creds.kind === "apiKey") {
      this.auth = new DigestAuthenticator(creds, options.digestCnonce);
    } else {
      this.auth = new ServiceAccountAuthenticator(creds, this.baseUrl, () => this.fetchToken(creds), now, options.tokenCache);
    }

    this.transport = new HttpTransport({
      baseUrl: this.baseUrl,
      dispatcher,
      timeouts,
      retry,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now,
      onEvent: options.onEvent,
      secrets: () => this.auth.secrets(),
    });
  }

  /**
   * Builds a client from `resolveConfig()` output plus test/tuning overrides.
   * @throws AtlasConfigError as the constructor does.
   */
  static fromConfig(
    resolved: ResolvedConfig,
    overrides: Omit<AtlasClientOptions, "baseUrl" | "baseUrlSource" | "credentials"> = {},
  ): AtlasClient {
    return new AtlasClient({
      ...overrides,
      baseUrl: resolved.baseUrl,
      baseUrlSource: resolved.baseUrlSource,
      credentials: resolved.credentials,
    });
  }

  /** Closes the connection pool the client created (not a dispatcher passed in). Never throws. */
  async close(): Promise<void> {
    await this.ownedAgent?.close().catch(() => undefined);
  }

  // ---- export buckets (2024-05-30; delete 2023-01-01) ----

  /** Every export bucket of the project. Iteration throws AtlasError. */
  listExportBuckets(groupId: string, opts?: ListOptions): AsyncIterable<ExportBucketResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/backup/exportBuckets`;
    return this.list(path, ATLAS_VERSIONS.exportBuckets, ExportBucketPage, opts);
  }

  /** POST (never resent after it may have reached Atlas). @throws AtlasError */
  createExportBucket(groupId: string, body: CreateExportBucketRequest): Promise<ExportBucketResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/backup/exportBuckets`;
    return this.call({ method: "POST", path, version: ATLAS_VERSIONS.exportBuckets, json: body }, ExportBucketSchema);
  }

  /** @throws AtlasApiError 404 (`EXPORT_BUCKET_NOT_FOUND`) when it does not exist, other AtlasErrors. */
  getExportBucket(groupId: string, exportBucketId: string): Promise<ExportBucketResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/backup/exportBuckets/${seg("exportBucketId", exportBucketId)}`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.exportBuckets }, ExportBucketSchema);
  }

  /**
   * PATCH requirePrivateNetworking. Retried like an idempotent request: it sets a fixed value,
   * so sending it twice has the same effect as once. @throws AtlasError
   */
  updateExportBucket(
    groupId: string,
    exportBucketId: string,
    body: { requirePrivateNetworking: boolean },
  ): Promise<ExportBucketResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/backup/exportBuckets/${seg("exportBucketId", exportBucketId)}`;
    return this.call(
      {
        method: "PATCH",
        path,
        version: ATLAS_VERSIONS.exportBuckets,
        json: { requirePrivateNetworking: body.requirePrivateNetworking },
        idempotent: true,
      },
      ExportBucketSchema,
    );
  }

  /** DELETE (204). @throws AtlasApiError (404 when already gone; 400 while a backup schedule exports to it). */
  async deleteExportBucket(groupId: string, exportBucketId: string): Promise<void> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/backup/exportBuckets/${seg("exportBucketId", exportBucketId)}`;
    await this.transport.send(this.request("DELETE", path, ATLAS_VERSIONS.exportBucketDelete));
  }

  // ---- export jobs (2023-01-01) ----

  /** Every export job of the cluster. Iteration throws AtlasError. */
  listExportJobs(groupId: string, clusterName: string, opts?: ListOptions): AsyncIterable<ExportJobResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}/backup/exports`;
    return this.list(path, ATLAS_VERSIONS.backup, ExportJobPage, opts);
  }

  /** POST (never resent after it may have reached Atlas). @throws AtlasError */
  createExportJob(groupId: string, clusterName: string, body: CreateExportJobRequest): Promise<ExportJobResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}/backup/exports`;
    return this.call({ method: "POST", path, version: ATLAS_VERSIONS.backup, json: body }, ExportJobSchema);
  }

  /** @throws AtlasApiError 404 when the job (or cluster) does not exist, other AtlasErrors. */
  getExportJob(groupId: string, clusterName: string, exportJobId: string): Promise<ExportJobResponse> {
    const path =
      `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}` +
      `/backup/exports/${seg("exportJobId", exportJobId)}`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.backup }, ExportJobSchema);
  }

  // ---- snapshots (2023-01-01) ----

  /** Every snapshot of the cluster. Iteration throws AtlasError. */
  listSnapshots(groupId: string, clusterName: string, opts?: ListOptions): AsyncIterable<SnapshotResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}/backup/snapshots`;
    return this.list(path, ATLAS_VERSIONS.backup, SnapshotPage, opts);
  }

  /** @throws AtlasApiError 404 when the snapshot does not exist, other AtlasErrors. */
  getSnapshot(groupId: string, clusterName: string, snapshotId: string): Promise<SnapshotResponse> {
    const path =
      `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}` +
      `/backup/snapshots/${seg("snapshotId", snapshotId)}`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.backup }, SnapshotSchema);
  }

  /** Every snapshot of a sharded cluster with its members (2023-01-01; one page, no paging parameters). @throws AtlasError */
  async listShardedSnapshots(groupId: string, clusterName: string): Promise<ShardedSnapshotResponse[]> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}/backup/snapshots/shardedClusters`;
    const page = await this.call({ method: "GET", path, version: ATLAS_VERSIONS.backup }, ShardedSnapshotPage);
    return page.results as ShardedSnapshotResponse[];
  }

  /** A sharded cluster's snapshot with its members (2023-01-01). @throws AtlasApiError 404 when absent, other AtlasErrors. */
  getShardedSnapshot(groupId: string, clusterName: string, snapshotId: string): Promise<ShardedSnapshotResponse> {
    const path =
      `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}` +
      `/backup/snapshots/shardedCluster/${seg("snapshotId", snapshotId)}`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.backup }, ShardedSnapshotSchema) as Promise<ShardedSnapshotResponse>;
  }

  /** POST an on-demand snapshot (never resent after it may have reached Atlas). @throws AtlasError */
  takeSnapshot(groupId: string, clusterName: string, body: TakeSnapshotRequest): Promise<SnapshotResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}/backup/snapshots`;
    return this.call({ method: "POST", path, version: ATLAS_VERSIONS.backup, json: body }, SnapshotSchema);
  }

  // ---- cloud provider access (2023-01-01) ----

  /** All roles of the project (not paginated). @throws AtlasError */
  listCloudProviderAccessRoles(groupId: string): Promise<CloudProviderAccessRolesResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/cloudProviderAccess`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.backup }, RolesSchema);
  }

  /** @throws AtlasApiError 404 when the role does not exist, other AtlasErrors. */
  getCloudProviderAccessRole(groupId: string, roleId: string): Promise<CloudProviderAccessRoleResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/cloudProviderAccess/${seg("roleId", roleId)}`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.backup }, RoleSchema);
  }

  // ---- clusters and backup schedule (2024-08-05) ----

  /** @throws AtlasApiError 404 `CLUSTER_NOT_FOUND`, other AtlasErrors. */
  getCluster(groupId: string, clusterName: string): Promise<ClusterResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.clusters }, ClusterSchema);
  }

  /** A flex cluster (flex API, 2024-11-13). @throws AtlasApiError 400 for a dedicated cluster, 404, other AtlasErrors. */
  getFlexCluster(groupId: string, name: string): Promise<FlexClusterResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/flexClusters/${seg("name", name)}`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.flexClusters }, FlexClusterSchema);
  }

  /** Every cluster of the project. Iteration throws AtlasError. */
  listClusters(groupId: string, opts?: ListOptions): AsyncIterable<ClusterResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters`;
    return this.list(path, ATLAS_VERSIONS.clusters, ClusterPage, opts);
  }

  /** @throws AtlasApiError 404 when the cluster does not exist, other AtlasErrors. */
  getBackupSchedule(groupId: string, clusterName: string): Promise<BackupScheduleResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}/backup/schedule`;
    return this.call({ method: "GET", path, version: ATLAS_VERSIONS.backupSchedule }, BackupScheduleSchema);
  }

  /**
   * PATCH the auto-export fields of the backup schedule (only the fields in `body` are sent, so
   * the rest of the schedule is left as it is). Retried like an idempotent request: it sets
   * fixed values. @throws AtlasApiError (400 INVALID_BACKUP_POLICY / INVALID_ENUM_VALUE,
   * 404 CLUSTER_NOT_FOUND / EXPORT_BUCKET_NOT_FOUND), other AtlasErrors.
   */
  updateBackupSchedule(groupId: string, clusterName: string, body: UpdateAutoExportRequest): Promise<BackupScheduleResponse> {
    const path = `${V2}/groups/${seg("groupId", groupId)}/clusters/${seg("clusterName", clusterName)}/backup/schedule`;
    return this.call({ method: "PATCH", path, version: ATLAS_VERSIONS.backupSchedule, json: body, idempotent: true }, BackupScheduleSchema);
  }

  // ---- plumbing ----

  private request(
    method: HttpMethod,
    path: string,
    version: string,
    extra: Partial<Pick<HttpRequest, "json" | "query" | "idempotent">> = {},
  ): HttpRequest {
    const mediaType = atlasMediaType(version);
    return { method, path, accept: mediaType, contentType: mediaType, auth: this.auth, ...extra };
  }

  /** Sends one request and validates the 2xx body. */
  private async call<S extends z.ZodType>(
    spec: {
      method: HttpMethod;
      path: string;
      version: string;
      json?: unknown;
      query?: HttpRequest["query"];
      idempotent?: boolean;
    },
    schema: S,
  ): Promise<z.output<S>> {
    const extra: Partial<Pick<HttpRequest, "json" | "query" | "idempotent">> = {};
    if (spec.json !== undefined) extra.json = spec.json;
    if (spec.query !== undefined) extra.query = spec.query;
    if (spec.idempotent !== undefined) extra.idempotent = spec.idempotent;
    const res = await this.transport.send(this.request(spec.method, spec.path, spec.version, extra));
    return validate(spec.method, spec.path, res, schema);
  }

  private list<T, S extends z.ZodType<Page<T>>>(
    path: string,
    version: string,
    pageSchema: S,
    opts: ListOptions | undefined,
  ): AsyncIterable<T> {
    return paginate<T>(
      (q: PageQuery) =>
        this.call({ method: "GET", path, version, query: { ...q } }, pageSchema) as Promise<Page<T>>,
      { itemsPerPage: opts?.itemsPerPage },
    );
  }

  /** POST /api/oauth/token with Basic client credentials; safe to retry (it creates nothing). */
  private async fetchToken(creds: { clientId: string; clientSecret: string }): Promise<FetchedToken> {
    const res = await this.transport.send({
      method: "POST",
      path: OAUTH_TOKEN_PATH,
      accept: "application/json",
      rawBody: { contentType: "application/x-www-form-urlencoded", text: "grant_type=client_credentials" },
      idempotent: true,
      auth: {
        fixedHeader: basicAuthorization(creds.clientId, creds.clientSecret),
        describeRejection: this.auth.describeRejection(),
        secrets: this.auth.secrets(),
      },
    });
    const token = validate("POST", OAUTH_TOKEN_PATH, res, OAuthTokenResponse);
    try {
      this.onEvent?.({ type: "token", method: "POST", path: OAUTH_TOKEN_PATH, status: res.status });
    } catch {
      // A logging hook must not break authentication.
    }
    return { accessToken: token.access_token, expiresInSeconds: token.expires_in ?? 3600 };
  }
}

/**
 * Checks a 2xx body against its schema.
 * @throws AtlasResponseValidationError for a non-JSON body or a shape mismatch.
 */
function validate<S extends z.ZodType>(
  method: string,
  path: string,
  res: { status: number; json: unknown; nonJsonBody: boolean; contentType: string | undefined },
  schema: S,
): z.output<S> {
  if (res.nonJsonBody) {
    throw new AtlasResponseValidationError({
      method,
      path,
      status: res.status,
      issues: [`expected a JSON body, got ${res.contentType ?? "no content type"} (or invalid JSON)`],
    });
  }
  const parsed = schema.safeParse(res.json);
  if (!parsed.success) {
    throw new AtlasResponseValidationError(
      { method, path, status: res.status, issues: formatIssues(parsed.error) },
    );
  }
  return parsed.data;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
