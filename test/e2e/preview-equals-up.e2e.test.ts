/**
 * Issue 12, points 2–4: what `pulumi preview` announces (e.g. in a PR comment) is what the
 * `pulumi up` that follows does. One emulator and one stack; each row makes one of the changes
 * the README and examples show, then compares the change summary of `preview` with that of the
 * `up` right after it (and with the summary the row expects).
 *
 * The program is the README's: a bucket, the latest snapshot of Cluster0 and jobs exporting it
 * to `bucket.exportBucketId`, chained with `dependsOn`. Rows add an adopted bucket and, for the
 * wait-timeout rows, a job on Cluster1 that exports its own snapshot.
 *
 * No wall-clock dependence: the emulator runs at time scale 0 (jobs finish on their first read)
 * except in the wait-timeout rows. There it runs at time scale 1000 (a job stays Queued for 2000
 * real seconds, so the first `up` times out on a 0.002-minute wait whatever the machine's speed),
 * and for the rerun its clock jumps 4000 s per read of that job: the first read (by the update)
 * sees InProgress, the next (the wait's first poll, which always happens) sees the end state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  addCompletedSnapshots,
  clearAtlasEnv,
  createTestStack,
  failureOf,
  loadPackage,
  nativeRequire,
  type TestStack,
} from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
type RunningEmulator = Awaited<ReturnType<Emulator["startEmulator"]>>;
const { startEmulator, SEED }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

const P = "6a0000000000000000000001";
const AWS_ROLE = "6a00000000000000000000b1";
const SLOW_CLUSTER = "Cluster1";

clearAtlasEnv();

/** What the program declares; rows edit it. */
interface Spec {
  bucket: { bucketName: string; requirePrivateNetworking?: boolean };
  /** Jobs exporting Cluster0's latest snapshot to the bucket, each dependsOn the previous one. */
  jobs: Record<string, { customData?: Record<string, string>; waitTimeoutMinutes?: number }>;
  /** Declare the seeded bucket with adopt: true. */
  adopted?: boolean;
  /** A job exporting one Cluster1 snapshot to the bucket with a tiny wait (the timeout rows). */
  slow?: { name: string; snapshotId: string };
}

type Summary = Record<string, number>;
const tidy = (s: Record<string, number | undefined> | undefined): Summary =>
  Object.fromEntries(Object.entries(s ?? {}).filter((e): e is [string, number] => (e[1] ?? 0) > 0).sort(([a], [b]) => a.localeCompare(b)));

describe("issue 12: the change summary of pulumi preview equals that of the pulumi up after it", () => {
  let emulator: RunningEmulator;
  let t: TestStack;
  /** The emulator's clock; rows replace it (see the file comment). */
  let clock: () => number = () => Date.now();
  const spec: Spec = {
    bucket: { bucketName: "pe-exports" },
    jobs: { nightly: { customData: { team: "data" } }, copy: { customData: { team: "copy" } } },
  };
  const slowSnapshots: string[] = [];
  let snapshotCounter = 0;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: "default", timeScale: 0, now: () => clock(), nonceTtlSeconds: 1e9 });
    slowSnapshots.push(...addCompletedSnapshots(emulator, { groupId: P, clusterName: SLOW_CLUSTER, idPrefix: "6c" }, 3));
    const { ExportBucket, ExportJob, getLatestSnapshotOutput } = loadPackage();
    t = await createTestStack({
      name: "preview-equals-up",
      // Stack config, not env: getLatestSnapshotOutput runs in this process (the inline program).
      config: {
        "mongodbatlas:baseUrl": { value: emulator.url },
        "mongodbatlas:publicKey": { value: emulator.credentials.apiKey.publicKey },
        "mongodbatlas:privateKey": { value: emulator.credentials.apiKey.privateKey, secret: true },
      },
      env: { PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "50" },
      program: async () => {
        const bucket = new ExportBucket("exports", { projectId: P, cloudProvider: "AWS", iamRoleId: AWS_ROLE, ...spec.bucket });
        const snapshot = getLatestSnapshotOutput({ projectId: P, clusterName: "Cluster0" });
        let previous: InstanceType<typeof ExportJob> | undefined;
        for (const [name, args] of Object.entries(spec.jobs)) {
          previous = new ExportJob(
            name,
            { projectId: P, clusterName: "Cluster0", snapshotId: snapshot.snapshotId, exportBucketId: bucket.exportBucketId, ...args },
            previous ? { dependsOn: [previous] } : undefined,
          );
        }
        if (spec.adopted) {
          new ExportBucket("adopted", { projectId: P, cloudProvider: "AWS", bucketName: SEED.bucketName, iamRoleId: AWS_ROLE, adopt: true });
        }
        if (spec.slow) {
          new ExportJob(spec.slow.name, {
            projectId: P, clusterName: SLOW_CLUSTER, snapshotId: spec.slow.snapshotId, exportBucketId: bucket.exportBucketId,
            waitTimeoutMinutes: 0.002,
          });
        }
        return { exportBucketId: bucket.exportBucketId };
      },
    });
  });
  afterAll(async () => {
    await t?.cleanup();
    await emulator?.close();
  });

  const urnOf = async (name: string) => (await t.resources()).find((r) => r.urn.endsWith(`::${name}`))?.urn as string;

  /** The change summary of the last update in the stack's history (also for a failed one). */
  const lastUpSummary = async (): Promise<Summary> => tidy((await t.stack.history(1))[0]?.resourceChanges);

  /**
   * preview, then up, with the same options; returns both change summaries. The summary of an
   * `up` that fails counts only the steps that succeeded, so for those the up side is what the
   * engine started: one count per step event (`same` steps included), taken from the event stream.
   */
  async function previewThenUp(
    label: string,
    opts: { refresh?: boolean; replace?: string[] } = {},
    upShouldFail = false,
  ): Promise<{ preview: Summary; up: Summary; upError?: string }> {
    const pv = await t.stack.preview({ ...opts, onOutput: t.onOutput });
    let upError: string | undefined;
    const started: Record<string, number> = {};
    const onEvent = (e: import("@pulumi/pulumi/automation").EngineEvent) => {
      const meta = e.resourcePreEvent?.metadata;
      // The default provider resource has steps too, but change summaries do not count it.
      if (meta && !meta.type.startsWith("pulumi:providers:")) started[meta.op] = (started[meta.op] ?? 0) + 1;
    };
    if (upShouldFail) upError = await failureOf(t.stack.up({ ...opts, onOutput: t.onOutput, onEvent }));
    else await t.stack.up({ ...opts, onOutput: t.onOutput, onEvent });
    const up = upShouldFail ? tidy(started) : await lastUpSummary();
    const result = { preview: tidy(pv.changeSummary), up, ...(upError ? { upError } : {}) };
    console.log(`[e2e] ${label}: preview ${JSON.stringify(result.preview)} | up ${JSON.stringify(result.up)}${upShouldFail ? " (steps the failed up started)" : ""}`);
    return result;
  }

  it("first up: preview announces every create", async () => {
    const r = await previewThenUp("create");
    expect(r.preview).toEqual({ create: 4 });
    expect(r.up).toEqual(r.preview);
  });

  it("in-place bucket update (requirePrivateNetworking) with dependent jobs: an update, no job replaced", async () => {
    const bucketId = emulator.store.listBuckets(P).find((b) => b.bucketName === "pe-exports")?.id;
    const jobsBefore = emulator.store.listJobs(P, "Cluster0").length;
    spec.bucket.requirePrivateNetworking = true;
    const r = await previewThenUp("in-place bucket update");
    expect(r.preview).toEqual({ same: 3, update: 1 });
    expect(r.up).toEqual(r.preview);
    expect(emulator.store.getBucket(P, bucketId as string)?.requirePrivateNetworking).toBe(true);
    expect(emulator.store.listJobs(P, "Cluster0")).toHaveLength(jobsBefore);
  });

  it("drift in Atlas, preview --refresh and up --refresh: both put the bucket back", async () => {
    const bucket = emulator.store.listBuckets(P).find((b) => b.bucketName === "pe-exports");
    bucket!.requirePrivateNetworking = false;
    const r = await previewThenUp("drift, --refresh", { refresh: true });
    expect(r.preview).toEqual({ same: 3, update: 1 });
    expect(r.up).toEqual(r.preview);
    expect(emulator.store.getBucket(P, bucket!.id)?.requirePrivateNetworking).toBe(true);
  });

  it("drift in Atlas, pulumi refresh, then preview and up", async () => {
    const bucket = emulator.store.listBuckets(P).find((b) => b.bucketName === "pe-exports");
    bucket!.requirePrivateNetworking = false;
    await t.stack.refresh({ onOutput: t.onOutput });
    const r = await previewThenUp("drift, refresh, then");
    expect(r.preview).toEqual({ same: 3, update: 1 });
    expect(r.up).toEqual(r.preview);
  });

  it("a new latest snapshot: both jobs replaced (new exports)", async () => {
    snapshotCounter++;
    emulator.store.addSnapshot({
      groupId: P, clusterName: "Cluster0", id: `6d${String(snapshotCounter).padStart(22, "0")}`, requestedAt: Date.now() - 60_000,
      retentionInDays: 7, snapshotType: "scheduled", frequencyType: "hourly", storageSizeBytes: 1_000_000, seeded: true,
    });
    const r = await previewThenUp("new latest snapshot");
    expect(r.preview).toEqual({ replace: 2, same: 2 });
    expect(r.up).toEqual(r.preview);
  });

  it("waitTimeoutMinutes change: an in-place update, nothing sent to Atlas", async () => {
    spec.jobs["nightly"]!.waitTimeoutMinutes = 30;
    const before = emulator.requestLog.filter((e) => e.method !== "GET").length;
    const r = await previewThenUp("waitTimeoutMinutes");
    expect(r.preview).toEqual({ same: 3, update: 1 });
    expect(r.up).toEqual(r.preview);
    expect(emulator.requestLog.filter((e) => e.method !== "GET").length).toBe(before);
  });

  it("customData change: that job is replaced (a new export)", async () => {
    spec.jobs["copy"]!.customData = { team: "copy", run: "2" };
    const r = await previewThenUp("customData");
    expect(r.preview).toEqual({ replace: 1, same: 3 });
    expect(r.up).toEqual(r.preview);
  });

  it("adopt: true on an existing bucket: a create that takes it over", async () => {
    spec.adopted = true;
    const r = await previewThenUp("adopt");
    expect(r.preview).toEqual({ create: 1, same: 4 });
    expect(r.up).toEqual(r.preview);
    expect((await t.resources("atlas:ExportBucket")).map((b) => b.id)).toContain(SEED.bucketId);
  });

  it("replacing an adopted bucket (up --replace): the bucket stays in Atlas and is in state once", async () => {
    const urn = await urnOf("adopted");
    const r = await previewThenUp("replace the adopted bucket", { replace: [urn] });
    expect(r.preview).toEqual({ replace: 1, same: 4 });
    expect(r.up).toEqual(r.preview);
    expect(emulator.store.getBucket(P, SEED.bucketId), "the adopted bucket is still in Atlas").toBeDefined();
    const inState = (await t.resources("atlas:ExportBucket")).filter((b) => b.id === SEED.bucketId);
    expect(inState).toHaveLength(1);
    expect(t.output.join("")).toContain(`export bucket ${SEED.bucketId}: not deleted in Atlas: another ExportBucket of this update adopted it`);
    await t.stack.refresh({ expectNoChanges: true, onOutput: t.onOutput });
    await t.stack.preview({ expectNoChanges: true, onOutput: t.onOutput });
    spec.adopted = false; // (deletes the seeded bucket: adopted buckets are deleted with the resource)
    await t.stack.up({ onOutput: t.onOutput });
  });

  it("replacement of the bucket (bucketName change): the bucket and the jobs that export to it are replaced", async () => {
    spec.bucket.bucketName = "pe-exports-2";
    const r = await previewThenUp("bucket replacement");
    expect(r.preview).toEqual({ replace: 3, same: 1 });
    expect(r.up).toEqual(r.preview);
    expect(emulator.store.listBuckets(P).map((b) => b.bucketName)).toEqual(["pe-exports-2"]);
  });

  describe("a rerun after a wait timeout keeps waiting (issue 12 point 4)", () => {
    const jobPath = (id: string) => `/api/atlas/v2/groups/${P}/clusters/${SLOW_CLUSTER}/backup/exports/${id}`;
    /** From now on, the emulator's clock jumps 4000 s per answered read of this job (see the file comment). */
    const reads = (id: string) => emulator.requestLog.filter((e) => e.method === "GET" && e.path === jobPath(id) && e.status === 200).length;
    const advancePerRead = (id: string) => {
      const before = reads(id);
      clock = () => Date.now() + 4_000_000 * (1 + reads(id) - before);
    };

    /** Adds a slow job and runs the `up` that times out waiting for it; returns the job id. */
    async function timedOutJob(name: string, snapshotId: string): Promise<string> {
      clock = () => Date.now();
      // Run alone (vitest -t), the rows above did not create the bucket and jobs: do it at time
      // scale 0, or their default 120-minute waits would run at time scale 1000.
      if ((await t.resources("atlas:ExportBucket")).length === 0) {
        emulator.setTimeScale(0);
        await t.stack.up({ onOutput: t.onOutput });
      }
      emulator.setTimeScale(1000);
      spec.slow = { name, snapshotId };
      const message = await failureOf(t.stack.up({ onOutput: t.onOutput }));
      expect(message).toMatch(/is still Queued after 0\.002 minutes \(waitTimeoutMinutes\)/);
      expect(message).toMatch(/the next "pulumi up" waits for it again/);
      const job = (await t.resources("atlas:ExportJob")).find((r) => r.urn.endsWith(`::${name}`));
      expect(job?.initErrors?.length).toBeGreaterThan(0);
      return String(job?.id);
    }

    afterAll(() => {
      clock = () => Date.now();
      emulator.setTimeScale(0);
    });

    /** Every row ends with the slow job removed from the program (and so from state), even when it failed. */
    afterEach(async () => {
      if (!spec.slow) return;
      spec.slow = undefined;
      clock = () => Date.now();
      await t.stack.up({ onOutput: t.onOutput });
    });

    it("the rerun waits, printing progress, until Successful; preview announced the update", async () => {
      const id = await timedOutJob("slow-ok", slowSnapshots[0]!);
      advancePerRead(id);
      const jobsBefore = emulator.store.listJobs(P, SLOW_CLUSTER).length;
      const outputFrom = t.output.length;
      const r = await previewThenUp("rerun after timeout → Successful");
      expect(r.preview).toEqual({ same: 4, update: 1 });
      expect(r.up).toEqual(r.preview);
      const said = t.output.slice(outputFrom).join("");
      expect(said).toMatch(new RegExp(`export job ${id} on ${SLOW_CLUSTER}: still InProgress, .*waiting for it again`));
      expect(said).toMatch(new RegExp(`export job ${id} on ${SLOW_CLUSTER}: Successful, (\\d+)/\\1 collections`));
      const job = (await t.resources("atlas:ExportJob")).find((x) => x.id === id);
      expect(job?.outputs?.["state"]).toBe("Successful");
      expect(job?.initErrors ?? []).toEqual([]);
      expect(emulator.store.listJobs(P, SLOW_CLUSTER)).toHaveLength(jobsBefore); // never exported again
      // Nothing left to do.
      await t.stack.preview({ expectNoChanges: true, onOutput: t.onOutput });
    });

    it("the rerun waits until the job ends Failed and fails with Atlas's stateReason", async () => {
      const reason = "Access Denied: the IAM role cannot write to s3://pe-exports-2";
      emulator.forceNextExportOutcome({ state: "Failed", reason });
      const id = await timedOutJob("slow-failed", slowSnapshots[1]!);
      advancePerRead(id);
      const r = await previewThenUp("rerun after timeout → Failed", {}, true);
      expect(r.preview).toEqual({ same: 4, update: 1 });
      expect(r.up).toEqual(r.preview);
      expect(r.upError).toContain(`export job ${id}`);
      expect(r.upError).toMatch(/ended Failed: EXPORT_FAILED: Access Denied: the IAM role cannot write/);
      const job = (await t.resources("atlas:ExportJob")).find((x) => x.id === id);
      expect(job?.outputs?.["state"]).toBe("Failed");
      expect(JSON.stringify(job?.outputs?.["stateReason"])).toContain(reason);
    });

    it("the rerun waits again and times out again when the job is still running", async () => {
      const id = await timedOutJob("slow-again", slowSnapshots[2]!);
      const readsBefore = reads(id);
      const r = await previewThenUp("rerun after timeout → timeout again", {}, true);
      expect(r.preview).toEqual({ same: 4, update: 1 });
      expect(r.up).toEqual(r.preview);
      expect(r.upError).toMatch(new RegExp(`export job ${id} .* is still Queued after 0\\.002 minutes`));
      // It polled (the update's read plus at least one poll of the new wait).
      expect(reads(id) - readsBefore).toBeGreaterThanOrEqual(2);
    });
  });
});
