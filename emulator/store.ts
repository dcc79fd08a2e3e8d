/**
 * The emulator's in-memory state. Everything is plain JSON (times are epoch ms) so the whole
 * state can be persisted to a file and reloaded (`persistPath`). Tests get direct access through
 * `RunningEmulator.store`. Computed fields (snapshot status, job state) live in state-machines.ts.
 */
import { randomBytes } from "node:crypto";
import type { ExportOutcome } from "./state-machines";

/** A project. */
export interface ProjectRecord {
  id: string;
  name: string;
  orgId: string;
  /**
   * Auto-export frequencies beyond the spec's `monthly`/`yearly` that MongoDB Support enabled
   * for this project (`daily`, `weekly`; CONTRACT §15.3). Absent: only the spec's values.
   */
  supportEnabledExportFrequencies?: string[];
}
/** A programmatic API key (digest auth, CONTRACT §11.1). */
export interface ApiKeyRecord { publicKey: string; privateKey: string; projectIds: string[] }
/** A service account (OAuth client credentials, CONTRACT §11.2). */
export interface ServiceAccountRecord { clientId: string; clientSecret: string; projectIds: string[] }

/** A cluster: a dedicated replica set (default), a dedicated sharded cluster, or a flex cluster. */
export interface ClusterRecord {
  groupId: string;
  id: string;
  name: string;
  createDate: number;
  providerName: "AWS" | "AZURE" | "GCP";
  regionName: string;
  instanceSize: string;
  mongoDBVersion: string;
  backupEnabled: boolean;
  /** collections an export of this cluster reports in `exportStatus.totalCollections` */
  collections: number;
  /** cluster GET `clusterType` (CONTRACT §16.1); absent = REPLICASET (older persisted states) */
  clusterType?: "REPLICASET" | "SHARDED" | "GEOSHARDED";
  /** shards of a SHARDED/GEOSHARDED cluster (default 2) */
  numShards?: number;
  /**
   * A flex cluster: only the flex API (`/flexClusters/{name}`, 2024-11-13) serves it; every
   * `/clusters/{name}/**` call answers 400 CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API (§16.1 [rec]).
   */
  flex?: boolean;
}

/** A cloud provider access role (CONTRACT §7). `authorized` is internal. */
export interface RoleRecord {
  groupId: string;
  /** roleId for AWS/GCP, `_id` for Azure service principals */
  id: string;
  providerName: "AWS" | "AZURE" | "GCP";
  createdDate: number;
  authorized: boolean;
  authorizedDate?: number;
  // AWS
  atlasAWSAccountArn?: string;
  atlasAssumedRoleExternalId?: string;
  iamAssumedRoleArn?: string;
  // Azure
  atlasAzureAppId?: string;
  servicePrincipalId?: string;
  tenantId?: string;
  lastUpdatedDate?: number;
  // GCP
  gcpServiceAccountForAtlas?: string;
}

/** An export bucket (CONTRACT §4). */
export interface BucketRecord {
  groupId: string;
  id: string;
  cloudProvider: "AWS" | "AZURE" | "GCP";
  bucketName: string;
  iamRoleId?: string;
  roleId?: string;
  serviceUrl?: string;
  tenantId?: string;
  requirePrivateNetworking?: boolean;
  region?: string;
}

/** A snapshot; its status is computed from `requestedAt` (state-machines.ts). */
export interface SnapshotRecord {
  groupId: string;
  clusterName: string;
  id: string;
  requestedAt: number;
  description?: string;
  retentionInDays: number;
  snapshotType: "onDemand" | "scheduled";
  frequencyType: string;
  storageSizeBytes: number;
  /** seeded snapshots are completed whatever the timeScale */
  seeded?: boolean;
  /**
   * Sharded clusters only: ids of the member snapshots (one per shard, then the config server),
   * in the order of `shardedMembers()` (CONTRACT §16.2 `members` / `snapshotIds`).
   */
  memberIds?: string[];
}

/** An export job; its state is computed from `createdAt` and `outcome`. */
export interface ExportJobRecord {
  groupId: string;
  clusterName: string;
  id: string;
  snapshotId: string;
  exportBucketId: string;
  customData: { key: string; value: string }[];
  createdAt: number;
  outcome: ExportOutcome;
  totalCollections: number;
  prefix: string;
  /** Sharded clusters only: one sub-export per replica set of the cluster (CONTRACT §16.4). */
  components?: { exportId: string; replicaSetName: string }[];
}

/** One item of a backup schedule's policy (CONTRACT §15.2 `DiskBackupApiPolicyItem`). */
export interface SchedulePolicyItem {
  id: string;
  frequencyType: string;
  frequencyInterval: number;
  retentionUnit: string;
  retentionValue: number;
}

/**
 * A cluster's backup schedule (CONTRACT §15). The policy fields are optional only so that
 * states persisted by older emulators still load: `EmulatorStore.schedule` fills them in.
 */
export interface ScheduleRecord {
  groupId: string;
  clusterName: string;
  autoExportEnabled: boolean;
  export?: { exportBucketId: string; frequencyType: string };
  useOrgAndGroupNamesInExportPrefix: boolean;
  /** id of the one policy (`policies[0].id`); kept by DELETE */
  policyId?: string;
  policyItems?: SchedulePolicyItem[];
  referenceHourOfDay?: number;
  referenceMinuteOfHour?: number;
  restoreWindowDays?: number;
}

/** Adds `n` to the last 6 hex digits of an ObjectId (Atlas's policy item ids are sequential, §15.4). */
function nextId(id: string, n: number): string {
  const tail = ((parseInt(id.slice(-6), 16) + n) % 0x1000000).toString(16).padStart(6, "0");
  return id.slice(0, -6) + tail;
}

/**
 * Atlas's default policy for a new dedicated cluster (CONTRACT §15.4 [rec]): one policy with
 * five items (hourly 6/7 days, daily 1/7 days, weekly 6/4 weeks, monthly 40/12 months,
 * yearly 12/1 year), item ids following the policy id.
 */
export function defaultPolicyItems(policyId: string): SchedulePolicyItem[] {
  const items: Omit<SchedulePolicyItem, "id">[] = [
    { frequencyInterval: 6, frequencyType: "hourly", retentionUnit: "days", retentionValue: 7 },
    { frequencyInterval: 1, frequencyType: "daily", retentionUnit: "days", retentionValue: 7 },
    { frequencyInterval: 6, frequencyType: "weekly", retentionUnit: "weeks", retentionValue: 4 },
    { frequencyInterval: 40, frequencyType: "monthly", retentionUnit: "months", retentionValue: 12 },
    { frequencyInterval: 12, frequencyType: "yearly", retentionUnit: "years", retentionValue: 1 },
  ];
  return items.map((item, i) => ({ id: nextId(policyId, i + 1), ...item }));
}

/** The whole emulator state (also the persisted file format and a custom `seed`). */
export interface SeedState {
  version: 1;
  orgId: string;
  projects: ProjectRecord[];
  apiKeys: ApiKeyRecord[];
  serviceAccounts: ServiceAccountRecord[];
  clusters: ClusterRecord[];
  roles: RoleRecord[];
  buckets: BucketRecord[];
  snapshots: SnapshotRecord[];
  exportJobs: ExportJobRecord[];
  schedules: ScheduleRecord[];
}

let counter = 0;
/** A fresh 24-hex ObjectId-like id (timestamp + random + counter, like MongoDB ObjectIds). */
export function newObjectId(now = Date.now()): string {
  const ts = Math.floor(now / 1000).toString(16).padStart(8, "0").slice(-8);
  counter = (counter + 1) % 0xffffff;
  return ts + randomBytes(5).toString("hex") + counter.toString(16).padStart(6, "0");
}

/**
 * State plus small helpers for tests. Mutating helpers call `onChange` (used for persistence).
 */
export class EmulatorStore {
  /** The raw state; prefer the helpers, but tests may read it directly. */
  state: SeedState;
  /** Export outcome applied to the next created export job (forceNextExportOutcome). */
  nextExportOutcome: ExportOutcome | undefined;

  constructor(state: SeedState, private readonly onChange: () => void = () => {}) {
    this.state = state;
  }

  /** Call after a mutation made through `state` directly (persists when persistence is on). */
  changed(): void {
    this.onChange();
  }

  /** Replace the whole state (reset). */
  replace(state: SeedState): void {
    this.state = state;
    this.nextExportOutcome = undefined;
    this.onChange();
  }

  project(groupId: string): ProjectRecord | undefined {
    return this.state.projects.find((p) => p.id === groupId);
  }
  /** A cluster by name, of any kind (dedicated or flex). */
  cluster(groupId: string, name: string): ClusterRecord | undefined {
    return this.state.clusters.find((c) => c.groupId === groupId && c.name === name);
  }
  /** The dedicated clusters of a project (the cluster API's list: flex clusters are not in it). */
  listClusters(groupId: string): ClusterRecord[] {
    return this.state.clusters.filter((c) => c.groupId === groupId && !c.flex);
  }
  role(groupId: string, id: string): RoleRecord | undefined {
    return this.state.roles.find((r) => r.groupId === groupId && r.id === id);
  }
  listRoles(groupId: string): RoleRecord[] {
    return this.state.roles.filter((r) => r.groupId === groupId);
  }
  addRole(role: RoleRecord): RoleRecord {
    this.state.roles.push(role);
    this.onChange();
    return role;
  }
  deleteRole(groupId: string, id: string): boolean {
    const before = this.state.roles.length;
    this.state.roles = this.state.roles.filter((r) => !(r.groupId === groupId && r.id === id));
    const removed = this.state.roles.length !== before;
    if (removed) this.onChange();
    return removed;
  }

  /** Buckets of a project, in creation order. */
  listBuckets(groupId: string): BucketRecord[] {
    return this.state.buckets.filter((b) => b.groupId === groupId);
  }
  getBucket(groupId: string, id: string): BucketRecord | undefined {
    return this.state.buckets.find((b) => b.groupId === groupId && b.id === id);
  }
  addBucket(bucket: BucketRecord): BucketRecord {
    this.state.buckets.push(bucket);
    this.onChange();
    return bucket;
  }
  /** Remove a bucket (no in-use check: this is "behind Atlas's API"). Returns false if absent. */
  deleteBucket(groupId: string, id: string): boolean {
    const before = this.state.buckets.length;
    this.state.buckets = this.state.buckets.filter((b) => !(b.groupId === groupId && b.id === id));
    const removed = this.state.buckets.length !== before;
    if (removed) this.onChange();
    return removed;
  }

  listSnapshots(groupId: string, clusterName: string): SnapshotRecord[] {
    return this.state.snapshots.filter((s) => s.groupId === groupId && s.clusterName === clusterName);
  }
  getSnapshot(groupId: string, clusterName: string, id: string): SnapshotRecord | undefined {
    return this.state.snapshots.find((s) => s.groupId === groupId && s.clusterName === clusterName && s.id === id);
  }
  addSnapshot(s: SnapshotRecord): SnapshotRecord {
    this.state.snapshots.push(s);
    this.onChange();
    return s;
  }
  /** Remove a snapshot. Returns false if absent. */
  deleteSnapshot(groupId: string, clusterName: string, id: string): boolean {
    const before = this.state.snapshots.length;
    this.state.snapshots = this.state.snapshots.filter((s) => !(s.groupId === groupId && s.clusterName === clusterName && s.id === id));
    const removed = this.state.snapshots.length !== before;
    if (removed) this.onChange();
    return removed;
  }

  listJobs(groupId: string, clusterName: string): ExportJobRecord[] {
    return this.state.exportJobs.filter((j) => j.groupId === groupId && j.clusterName === clusterName);
  }
  getJob(groupId: string, clusterName: string, id: string): ExportJobRecord | undefined {
    return this.state.exportJobs.find((j) => j.groupId === groupId && j.clusterName === clusterName && j.id === id);
  }
  addJob(j: ExportJobRecord): ExportJobRecord {
    this.state.exportJobs.push(j);
    this.onChange();
    return j;
  }

  /**
   * The backup schedule of a cluster, created on first access as Atlas creates it with the
   * cluster: the default policy (§15.4), auto-export off. Fills in the policy of a schedule
   * persisted by an older emulator.
   */
  schedule(groupId: string, clusterName: string): ScheduleRecord {
    let s = this.state.schedules.find((x) => x.groupId === groupId && x.clusterName === clusterName);
    if (!s) {
      s = { groupId, clusterName, autoExportEnabled: false, useOrgAndGroupNamesInExportPrefix: false };
      this.state.schedules.push(s);
    }
    if (s.policyId === undefined) {
      this.onChange();
      s.policyId = newObjectId();
      s.policyItems ??= defaultPolicyItems(s.policyId);
      s.referenceHourOfDay ??= 3;
      // Atlas picks the minute per cluster; a stable one derived from the name keeps tests reproducible.
      s.referenceMinuteOfHour ??= [...clusterName].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % 60;
      s.restoreWindowDays ??= 7;
    }
    return s;
  }
  /** Point a cluster's auto-export at a bucket, or turn auto-export off with `null`. */
  setAutoExport(groupId: string, clusterName: string, bucketId: string | null, frequencyType = "monthly"): ScheduleRecord {
    const s = this.schedule(groupId, clusterName);
    if (bucketId) {
      s.autoExportEnabled = true;
      s.export = { exportBucketId: bucketId, frequencyType };
    } else {
      s.autoExportEnabled = false;
      delete s.export;
    }
    this.onChange();
    return s;
  }
  /** Clusters whose schedule auto-exports to the bucket (blocks DELETE, CONTRACT §15.6). */
  schedulesUsingBucket(groupId: string, bucketId: string): ScheduleRecord[] {
    return this.state.schedules.filter((s) => s.groupId === groupId && s.autoExportEnabled && s.export?.exportBucketId === bucketId);
  }

  /** Deep copy of the state (GET /__emulator/state, persistence). */
  snapshot(): SeedState {
    return JSON.parse(JSON.stringify(this.state)) as SeedState;
  }
}
