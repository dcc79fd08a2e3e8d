/**
 * AtlasClient over real HTTP against the emulator: digest and OAuth, pagination, a 404, a wrong
 * key, retry on an injected 429, and a POST whose response is lost (never resent).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { AtlasClient, type AtlasClientEvent } from "../../provider/client";
import { TokenCache } from "../../provider/auth/service-account";
import { AtlasApiError, isAtlasApiError, mayHaveBeenProcessed } from "../../provider/errors";

let emu: RunningEmulator;
const AWS_ROLE = "6a00000000000000000000b1";

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0 });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.reset("default");
});

function client(kind: "apiKey" | "serviceAccount", extra: { privateKey?: string; events?: AtlasClientEvent[]; sleeps?: number[] } = {}) {
  const c = emu.credentials;
  const credentials =
    kind === "apiKey"
      ? { kind, publicKey: c.apiKey.publicKey, privateKey: extra.privateKey ?? c.apiKey.privateKey }
      : { kind, ...c.serviceAccount };
  return new AtlasClient({
    baseUrl: emu.url,
    credentials,
    tokenCache: new TokenCache(),
    sleep: async (ms) => {
      extra.sleeps?.push(ms);
    },
    onEvent: (e) => extra.events?.push(e),
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const i of items) out.push(i);
  return out;
}

describe("AtlasClient against the emulator", () => {
  it("authenticates with an API key (digest) and reads the seed", async () => {
    const c = client("apiKey");
    try {
      const group = emu.credentials.groupId;
      const buckets = await collect(c.listExportBuckets(group));
      expect(buckets.map((b) => b._id)).toContain("6a00000000000000000000c1");
      const cluster = await c.getCluster(group, "Cluster0");
      expect(cluster).toMatchObject({ name: "Cluster0", backupEnabled: true });
      const snaps = await collect(c.listSnapshots(group, "Cluster0"));
      expect(snaps.some((s) => s.status === "completed")).toBe(true);
      const roles = await c.listCloudProviderAccessRoles(group);
      expect(roles.awsIamRoles?.some((r) => r.roleId === AWS_ROLE)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("authenticates with a service account (one token for many requests)", async () => {
    const events: AtlasClientEvent[] = [];
    const c = client("serviceAccount", { events });
    try {
      const group = emu.credentials.groupId;
      await Promise.all([c.getCluster(group, "Cluster0"), c.getCluster(group, "Cluster1"), c.listCloudProviderAccessRoles(group)]);
      await c.getBackupSchedule(group, "Cluster0");
      expect(events.filter((e) => e.type === "token")).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it("walks every page of a list", async () => {
    const c = client("apiKey");
    try {
      const group = emu.credentials.groupId;
      for (let i = 0; i < 4; i++) {
        await c.createExportBucket(group, { cloudProvider: "AWS", bucketName: `page-test-${i}`, iamRoleId: AWS_ROLE });
      }
      const all = await collect(c.listExportBuckets(group, { itemsPerPage: 2 }));
      expect(all.length).toBeGreaterThanOrEqual(5);
      expect(new Set(all.map((b) => b._id)).size).toBe(all.length);
      const listCalls = emu.requestLog.filter((r) => r.method === "GET" && r.path.endsWith("/backup/exportBuckets") && r.status === 200);
      expect(listCalls.length).toBe(Math.ceil(all.length / 2));
    } finally {
      await c.close();
    }
  });

  it("maps a 404 to AtlasApiError with Atlas's errorCode", async () => {
    const c = client("serviceAccount");
    try {
      const err = (await c.getExportBucket(emu.credentials.groupId, "6a0000000000000000000fff").catch((e: unknown) => e)) as AtlasApiError;
      expect(isAtlasApiError(err, 404)).toBe(true);
      expect(err.errorCode).toMatch(/NOT_FOUND/);
      expect(err.message).toContain("/backup/exportBuckets/6a0000000000000000000fff");
    } finally {
      await c.close();
    }
  });

  it("a wrong private key is a 401 naming the public key only", async () => {
    const wrong = "00000000-0000-0000-0000-000000000000";
    const c = client("apiKey", { privateKey: wrong });
    try {
      const err = (await c.getCluster(emu.credentials.groupId, "Cluster0").catch((e: unknown) => e)) as AtlasApiError;
      expect(isAtlasApiError(err, 401)).toBe(true);
      expect(err.message).toContain(emu.credentials.apiKey.publicKey);
      expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain(wrong);
    } finally {
      await c.close();
    }
  });

  it("waits out an injected 429 and succeeds", async () => {
    const sleeps: number[] = [];
    const c = client("apiKey", { sleeps });
    try {
      emu.faults.add({ kind: "rate-limit", method: "GET", path: "/api/atlas/v2/groups/*/clusters/*", nth: 1, retryAfterSeconds: 2 });
      await expect(c.getCluster(emu.credentials.groupId, "Cluster0")).resolves.toMatchObject({ name: "Cluster0" });
      expect(sleeps).toEqual([2000]);
    } finally {
      await c.close();
    }
  });

  it("a POST whose response is lost after Atlas committed it is not resent", async () => {
    const c = client("serviceAccount");
    try {
      const group = emu.credentials.groupId;
      emu.faults.add({ kind: "commit-then-drop", method: "POST", path: "/api/atlas/v2/groups/*/backup/exportBuckets", times: 1 });
      const err = await c
        .createExportBucket(group, { cloudProvider: "AWS", bucketName: "lost-response", iamRoleId: AWS_ROLE })
        .catch((e: unknown) => e);
      expect(mayHaveBeenProcessed(err)).toBe(true);
      const posts = emu.requestLog.filter((r) => r.method === "POST" && r.path.endsWith("/backup/exportBuckets"));
      expect(posts).toHaveLength(1);
      const buckets = await collect(c.listExportBuckets(group));
      expect(buckets.filter((b) => b.bucketName === "lost-response")).toHaveLength(1);
    } finally {
      await c.close();
    }
  });
});

describe("AtlasClient sharded-snapshot and flex calls (exact per-operation versions, CONTRACT §2)", () => {
  it("lists and gets sharded snapshots and gets a flex cluster against a strict-versions emulator", async () => {
    const strict = await startEmulator({ timeScale: 0, strictVersions: true });
    const c = emu.credentials;
    const atlas = new AtlasClient({ baseUrl: strict.url, credentials: { kind: "apiKey", ...c.apiKey }, tokenCache: new TokenCache(), sleep: async () => {} });
    try {
      const cluster = await atlas.getCluster(c.groupId, "ShardedCluster0");
      expect(cluster.clusterType).toBe("SHARDED");
      const list = await atlas.listShardedSnapshots(c.groupId, "ShardedCluster0");
      expect(list.map((s) => s.id)).toEqual(["6a00000000000000000000d4"]);
      expect(list[0]!.members?.map((m) => m.replicaSetName)).toEqual(["shardedcluster0-shard-0", "shardedcluster0-shard-1", "shardedcluster0-config-0"]);
      const one = await atlas.getShardedSnapshot(c.groupId, "ShardedCluster0", "6a00000000000000000000d4");
      expect(one.snapshotIds).toEqual(["6a00000000000000000000d5", "6a00000000000000000000d6", "6a00000000000000000000d7"]);
      const flex = await atlas.getFlexCluster(c.groupId, "FlexCluster0");
      expect(flex.providerSettings?.providerName).toBe("FLEX");
      const err = await atlas.getCluster(c.groupId, "FlexCluster0").catch((e: unknown) => e);
      expect(isAtlasApiError(err) && err.status === 400 && err.errorCode === "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API").toBe(true);
      const err2 = await atlas.getFlexCluster(c.groupId, "Cluster0").catch((e: unknown) => e);
      expect(isAtlasApiError(err2) && err2.errorCode === "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API").toBe(true);
      const versions = strict.requestLog.filter((e) => e.status !== 401).map((e) => `${e.operation} ${e.version}`);
      expect(versions).toEqual([
        "getCluster 2024-08-05", "listBackupShardedClusters 2023-01-01", "getBackupShardedCluster 2023-01-01",
        "getFlexCluster 2024-11-13", "getCluster 2024-08-05", "getFlexCluster 2024-11-13",
      ]);
    } finally {
      await atlas.close();
      await strict.close();
    }
  });
});
