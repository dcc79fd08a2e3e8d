/**
 * Issue 6: ExportJob through the real Pulumi engine, against the emulator. An AWS bucket and
 * jobs that depend on it, exporting the snapshot found by getLatestSnapshotOutput (Cluster0).
 * Credentials come from stack config (the snapshot lookup runs in the program, the jobs in the
 * provider process; both read it).
 *
 * Main stack (emulator timeScale 0.2: a job is Queued 0.4 s, then InProgress until 1.4 s; the
 * provider polls from 200 ms, ×1.5 each time, so the wait sees both phases):
 *   preview (only the lookup's read) → up waits until Successful (progress in the engine
 *   output) → a forced failure fails `up` with Atlas's reason, the job stays in state, the next
 *   `up` fails again without exporting again → customData replaces (new export; Atlas keeps both
 *   jobs; the old one leaves state) → waitForCompletion: false is Queued/InProgress after up and
 *   Successful after refresh → destroy forgets the jobs (the emulator keeps them; the output
 *   says so) and deletes the bucket.
 * 409 stack (separate emulator, timeScale 10, so the first export keeps running): a second job
 *   on the same snapshot fails with an error naming the running job.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearAtlasEnv, createTestStack, failureOf, loadPackage, nativeRequire, providerBytes, type StateResource, type TestStack } from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
type RunningEmulator = Awaited<ReturnType<Emulator["startEmulator"]>>;
type JobArgs = import("../../provider/index").ExportJobArgs;
const { startEmulator }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

const projectId = "6a0000000000000000000001";
const AWS_ROLE = "6a00000000000000000000b1";

// The provider and the CLI must only see the credentials each stack is given.
clearAtlasEnv();

/** Per job: the optional args the test varies (the rest is wired by the program). */
type JobSpec = Pick<JobArgs, "customData" | "waitForCompletion" | "waitTimeoutMinutes"> & { dependsOnJob?: string };

/**
 * A bucket plus one ExportJob per entry of `jobs()` (read at run time, so tests mutate it), each
 * exporting the newest completed snapshot of `clusterName` to the bucket.
 */
function jobProgram(clusterName: string, bucketName: string, jobs: () => Record<string, JobSpec>) {
  const { ExportBucket, ExportJob, getLatestSnapshotOutput } = loadPackage();
  return async () => {
    const bucket = new ExportBucket("bucket", { projectId, cloudProvider: "AWS", bucketName, iamRoleId: AWS_ROLE });
    const snapshot = getLatestSnapshotOutput({ projectId, clusterName });
    const created: Record<string, InstanceType<typeof ExportJob>> = {};
    const out: Record<string, unknown> = { exportBucketId: bucket.exportBucketId, snapshotId: snapshot.snapshotId };
    for (const [name, spec] of Object.entries(jobs())) {
      const { dependsOnJob, ...args } = spec;
      const dep = dependsOnJob ? created[dependsOnJob] : undefined;
      const job = new ExportJob(
        name,
        { projectId, clusterName, snapshotId: snapshot.snapshotId, exportBucketId: bucket.exportBucketId, ...args },
        dep ? { dependsOn: [dep] } : undefined,
      );
      created[name] = job;
      out[name] = { exportJobId: job.exportJobId, state: job.state, prefix: job.prefix, stateReason: job.stateReason };
    }
    return out;
  };
}

type JobOut = { exportJobId: string; state: string; prefix?: string; stateReason?: { errorCode?: string; message?: string } };
const jobOut = (outputs: Record<string, { value: unknown }>, name: string) => outputs[name]?.value as JobOut;
const jobsInState = async (t: TestStack): Promise<StateResource[]> => t.resources("atlas:ExportJob");
const configFor = (e: RunningEmulator) => ({
  "mongodbatlas:baseUrl": { value: e.url },
  "mongodbatlas:publicKey": { value: e.credentials.apiKey.publicKey },
  "mongodbatlas:privateKey": { value: e.credentials.apiKey.privateKey, secret: true },
});

describe("issue 6: ExportJob through the real Pulumi engine", () => {
  describe("lifecycle on Cluster0's latest snapshot", () => {
    let emulator: RunningEmulator;
    let t: TestStack;
    let jobs: Record<string, JobSpec> = {};
    const cluster = "Cluster0";
    let snapshotId = "";
    let bucketId = "";
    const jobsOfSnapshot = () => emulator.store.listJobs(projectId, cluster).filter((j) => j.snapshotId === snapshotId);

    beforeAll(async () => {
      emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0.2 });
      t = await createTestStack({
        name: "job-lifecycle",
        config: configFor(emulator),
        program: jobProgram(cluster, "e2e-job-exports", () => jobs),
      });
    });
    afterAll(async () => {
      await t?.cleanup();
      await emulator?.close();
    });

    it("preview plans the bucket and the job; the only Atlas call is the snapshot lookup's read", async () => {
      jobs = { main: { customData: { run: "1" } } };
      const before = emulator.requestLog.length;
      const pv = await t.stack.preview({ onOutput: t.onOutput });
      const calls = emulator.requestLog.slice(before);
      console.log("[e2e] preview:", JSON.stringify(pv.changeSummary));
      console.log("[e2e] preview called Atlas:", calls.map((e) => `${e.method} ${e.path} ${e.status}`).join(" | "));
      expect(pv.changeSummary["create"]).toBe(3); // the stack, the bucket, the job
      // getLatestSnapshotOutput reads Cluster0's clusterType and lists its snapshots (a digest
      // session starts with one unauthenticated 401 challenge). Nothing else: no bucket, no job,
      // no snapshot taken.
      expect(calls.length).toBeGreaterThan(0);
      const reads = [`GET /api/atlas/v2/groups/${projectId}/clusters/${cluster}`, `GET /api/atlas/v2/groups/${projectId}/clusters/${cluster}/backup/snapshots`];
      for (const c of calls) expect(reads).toContain(`${c.method} ${c.path}`);
      expect(calls.filter((c) => c.status === 200).map((c) => `${c.method} ${c.path}`)).toEqual(reads);
      expect(emulator.store.listBuckets(projectId)).toEqual([]);
      expect(emulator.store.listJobs(projectId, cluster)).toEqual([]);
    });

    it("up exports the latest snapshot and waits until Successful, showing progress", async () => {
      const started = Date.now();
      const up = await t.stack.up({ onOutput: t.onOutput });
      console.log("[e2e] up:", JSON.stringify(up.summary.resourceChanges), `${Date.now() - started} ms`);
      expect(up.summary.resourceChanges?.["create"]).toBe(3);
      snapshotId = String(up.outputs["snapshotId"]?.value);
      bucketId = String(up.outputs["exportBucketId"]?.value);
      // The newest completed snapshot of Cluster0 in the seed.
      const newest = emulator.store
        .listSnapshots(projectId, cluster)
        .sort((a, b) => b.requestedAt - a.requestedAt)[0];
      expect(snapshotId).toBe(newest?.id);
      const main = jobOut(up.outputs, "main");
      console.log("[e2e] main job:", JSON.stringify(main));
      expect(main.exportJobId).toMatch(/^[a-f0-9]{24}$/);
      expect(main.state).toBe("Successful");
      expect(main.prefix).toBeTruthy();
      const record = emulator.store.getJob(projectId, cluster, main.exportJobId);
      expect(record).toMatchObject({ snapshotId, exportBucketId: bucketId, customData: [{ key: "run", value: "1" }] });
      expect(main.prefix).toBe(record?.prefix);

      // The wait really went through the job's phases, printed by the provider as it polled.
      const lines = t.output.join("").split("\n");
      const progress = lines.filter((l) => l.includes(`export job ${main.exportJobId} on ${cluster}:`));
      console.log("[e2e] progress lines:\n" + progress.map((l) => `    ${l.trim()}`).join("\n"));
      expect(progress.some((l) => /started \(snapshot .*\), Queued/.test(l))).toBe(true);
      expect(progress.some((l) => /: InProgress, \d+\/\d+ collections/.test(l))).toBe(true);
      expect(progress.some((l) => /: Successful, (\d+)\/\1 collections/.test(l))).toBe(true);
    });

    it("a second preview shows no changes", async () => {
      const pv = await t.stack.preview({ expectNoChanges: true, onOutput: t.onOutput });
      console.log("[e2e] second preview:", JSON.stringify(pv.changeSummary));
      expect(pv.changeSummary["same"]).toBe(3);
    });

    let failedId = "";
    it("a job Atlas fails makes up fail with the reason; the job stays in state", async () => {
      const reason = "Access Denied: the IAM role cannot write to s3://e2e-job-exports";
      emulator.forceNextExportOutcome({ state: "Failed", reason });
      jobs["failing"] = { customData: { run: "fail" } };
      const before = jobsOfSnapshot().length;
      const message = await failureOf(t.stack.up({ onOutput: t.onOutput }));
      console.log("[e2e] up with a failing export failed:", message.split("\n").find((l) => l.includes(reason))?.trim());
      expect(message).toContain(reason);
      expect(jobsOfSnapshot()).toHaveLength(before + 1);
      const failing = (await jobsInState(t)).find((r) => r.urn.endsWith("::failing"));
      expect(failing, "the failed job is recorded in state").toBeDefined();
      failedId = String(failing?.id);
      console.log("[e2e] failed job in state:", failedId, JSON.stringify({ state: failing?.outputs?.["state"], initErrors: failing?.initErrors }));
      expect(failedId).toMatch(/^[a-f0-9]{24}$/);
      expect(failing?.outputs?.["exportJobId"]).toBe(failedId);
      expect(failing?.outputs?.["state"]).toBe("Failed");
      expect(JSON.stringify(failing?.outputs?.["stateReason"])).toContain(reason);
      expect(emulator.store.getJob(projectId, cluster, failedId)).toBeDefined();
    });

    it("the next up fails again with the reason and does not export again", async () => {
      const before = jobsOfSnapshot().length;
      const message = await failureOf(t.stack.up({ onOutput: t.onOutput }));
      console.log("[e2e] second up failed again:", message.split("\n").find((l) => l.includes("Access Denied"))?.trim());
      expect(message).toContain("Access Denied: the IAM role cannot write to s3://e2e-job-exports");
      expect(message).toMatch(/pulumi up --replace/);
      expect(jobsOfSnapshot()).toHaveLength(before);
      const failing = (await jobsInState(t)).filter((r) => r.urn.endsWith("::failing"));
      expect(failing.map((r) => r.id)).toEqual([failedId]);
    });

    let mainId = "";
    it("changing customData replaces the job: a new export; Atlas keeps both; the old one leaves state", async () => {
      delete jobs["failing"]; // forgotten (state only); Atlas keeps it
      const stateBefore = await jobsInState(t);
      mainId = String(stateBefore.find((r) => r.urn.endsWith("::main"))?.id);
      jobs["main"] = { customData: { run: "2" } };
      const pv = await t.stack.preview({ onOutput: t.onOutput });
      console.log("[e2e] preview (customData changed, failing job removed):", JSON.stringify(pv.changeSummary));
      expect(pv.changeSummary["replace"]).toBe(1);
      const up = await t.stack.up({ onOutput: t.onOutput });
      console.log("[e2e] up (customData changed):", JSON.stringify(up.summary.resourceChanges));
      expect(up.summary.resourceChanges?.["replace"]).toBe(1);
      expect(up.summary.resourceChanges?.["delete"]).toBe(1); // the failing job, from state only
      const main = jobOut(up.outputs, "main");
      expect(main.exportJobId).not.toBe(mainId);
      expect(main.state).toBe("Successful");
      const ids = emulator.store.listJobs(projectId, cluster).map((j) => j.id);
      expect(ids).toEqual(expect.arrayContaining([mainId, main.exportJobId, failedId]));
      expect(emulator.store.getJob(projectId, cluster, main.exportJobId)?.customData).toEqual([{ key: "run", value: "2" }]);
      const inState = (await jobsInState(t)).map((r) => r.id);
      expect(inState).toEqual([main.exportJobId]);
      const said = t.output.join("");
      expect(said).toContain(`export job ${mainId}: removed from the stack's state only`);
      console.log("[e2e] main job replaced:", mainId, "→", main.exportJobId, "; Atlas holds", ids.length, "jobs");
      mainId = main.exportJobId;
    });

    let nowaitId = "";
    it("waitForCompletion: false returns while the job is Queued/InProgress; refresh shows it Successful", async () => {
      jobs["nowait"] = { customData: { run: "nowait" }, waitForCompletion: false };
      const up = await t.stack.up({ onOutput: t.onOutput });
      const nowait = jobOut(up.outputs, "nowait");
      nowaitId = nowait.exportJobId;
      console.log("[e2e] up (waitForCompletion false):", JSON.stringify(up.summary.resourceChanges), nowaitId, nowait.state);
      expect(up.summary.resourceChanges?.["create"]).toBe(1);
      expect(["Queued", "InProgress"]).toContain(nowait.state);
      // Let the emulator finish it (7 s × timeScale 0.2 after its creation), then refresh.
      const createdAt = emulator.store.getJob(projectId, cluster, nowaitId)?.createdAt ?? Date.now();
      await new Promise((r) => setTimeout(r, Math.max(0, createdAt + 1_400 + 200 - Date.now())));
      const r = await t.stack.refresh({ onOutput: t.onOutput });
      console.log("[e2e] refresh:", JSON.stringify(r.summary.resourceChanges));
      const state = (await jobsInState(t)).find((x) => x.id === nowaitId);
      expect(state?.outputs?.["state"]).toBe("Successful");
      expect(state?.outputs?.["prefix"]).toBeTruthy();
      expect(state?.outputs?.["finishedAt"]).toBeTruthy();
      // (The stack outputs are the program's; refresh does not run the program, so they change
      // on the next up. The resource's state above is what refresh updates.)
    });

    it("__provider stays ≤ 2048 bytes per resource", async () => {
      // One export of the state (each is a CLI run), both types.
      const resources = (await t.resources()).filter((r) => /atlas:Export(Bucket|Job)$/.test(r.type));
      expect(resources).toHaveLength(3);
      const sizes = providerBytes(resources);
      console.log("[e2e] __provider bytes:", resources.map((r, i) => `${r.urn.split("::").pop()}=${sizes[i]}`).join(", "));
      expect(sizes).toHaveLength(3);
      for (const s of sizes) expect(s).toBeLessThanOrEqual(2048);
    });

    it("destroy forgets the jobs (Atlas keeps them; the output says so) and deletes the bucket", async () => {
      const jobsBefore = emulator.store.listJobs(projectId, cluster).map((j) => j.id).sort();
      const outputBefore = t.output.length;
      const d = await t.stack.destroy({ onOutput: t.onOutput });
      console.log("[e2e] destroy:", JSON.stringify(d.summary.resourceChanges));
      expect(d.summary.resourceChanges?.["delete"]).toBe(4); // stack, bucket, 2 jobs
      expect(emulator.store.listJobs(projectId, cluster).map((j) => j.id).sort()).toEqual(jobsBefore);
      expect(jobsBefore).toEqual(expect.arrayContaining([mainId, nowaitId]));
      const said = t.output.slice(outputBefore).join("");
      for (const id of [mainId, nowaitId]) {
        expect(said).toContain(`export job ${id}: removed from the stack's state only. Atlas cannot delete or cancel export jobs`);
      }
      expect(emulator.store.listBuckets(projectId)).toEqual([]);
      expect(await t.resources()).toEqual([]);
      const privateKey = emulator.credentials.apiKey.privateKey;
      expect(privateKey.length).toBeGreaterThan(10);
      expect(t.output.join("")).not.toContain(privateKey);
    });
  });

  describe("409: a second export of a snapshot while one is running", () => {
    let emulator: RunningEmulator;
    let t: TestStack;
    const cluster = "Cluster1";

    beforeAll(async () => {
      // timeScale 10: an export takes 70 s, so the first one is still running when the second starts.
      emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 10 });
      t = await createTestStack({
        name: "job-409",
        config: configFor(emulator),
        program: jobProgram(cluster, "e2e-job-409", () => ({
          first: { waitForCompletion: false },
          // After the first (deterministic order), same snapshot, different labels.
          second: { waitForCompletion: false, customData: { attempt: "2" }, dependsOnJob: "first" },
        })),
      });
    });
    afterAll(async () => {
      await t?.cleanup();
      await emulator?.close();
    });

    it("up fails with an error naming the running job; no second job is created", async () => {
      const message = await failureOf(t.stack.up({ onOutput: t.onOutput }));
      const running = emulator.store.listJobs(projectId, cluster);
      expect(running).toHaveLength(1);
      const runningId = running[0]!.id;
      const line = message.split("\n").find((l) => l.includes("already running")) ?? message;
      console.log("[e2e] second export on the same snapshot failed:", line.trim());
      expect(message).toMatch(/EXPORT_ALREADY_IN_PROGRESS|409/);
      expect(message).toContain(`An export of this snapshot is already running: export job ${runningId} (`);
      expect(message).toMatch(/Wait until it finishes, then run "pulumi up" again/);
      const inState = await jobsInState(t);
      expect(inState.map((r) => r.id)).toEqual([runningId]);
      expect(inState[0]?.urn.endsWith("::first")).toBe(true);
    });

    it("destroy forgets the running job and deletes the bucket", async () => {
      const d = await t.stack.destroy({ onOutput: t.onOutput });
      console.log("[e2e] destroy:", JSON.stringify(d.summary.resourceChanges));
      expect(emulator.store.listJobs(projectId, cluster)).toHaveLength(1);
      expect(emulator.store.listBuckets(projectId)).toEqual([]);
    });
  });
});
