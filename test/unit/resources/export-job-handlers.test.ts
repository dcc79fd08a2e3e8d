import { describe, expect, it } from "vitest";
import {
  ExportJobIncompleteError,
  createExportJob,
  deleteExportJob,
  jitteredDelay,
  pollPolicy,
  readExportJob,
  updateExportJob,
  type ExportJobInputs,
} from "../../../provider/resources/export-job-handlers";
import { LOOKUP_RETRY } from "../../../provider/resources/shared";
import { FakeAtlas, PROJECT, fakeClock } from "../../fixtures/resources/fake-atlas";

const inputs: ExportJobInputs = {
  projectId: PROJECT,
  clusterName: "Cluster0",
  snapshotId: "6a00000000000000000000d1",
  exportBucketId: "6a00000000000000000000c1",
  customData: { team: "data", env: "prod" },
  __provider: "exports.handler = __f0; /* serialized */",
};

/** The job advances one state per poll: InProgress with growing counts, then `final`. */
function scripted(api: FakeAtlas, final: "Successful" | "Failed" | "Cancelled", afterPolls = 3) {
  api.onGetJob = (job, n) => {
    if (n < afterPolls) {
      job.state = "InProgress";
      job.exportStatus = { exportedCollections: n * 10, totalCollections: 40 };
    } else {
      job.state = final;
      job.exportStatus = { exportedCollections: final === "Successful" ? 40 : 30, totalCollections: 40 };
      job.finishedAt = "2026-08-10T03:20:00Z";
      if (final === "Failed") job.stateReason = { errorCode: "EXPORT_FAILED", message: "Access denied to bucket" };
    }
  };
}

function setup() {
  const api = new FakeAtlas();
  const clock = fakeClock(api, api.nowMs);
  return { api, ...clock };
}

describe("poll policy", () => {
  it("defaults: 5s first, ×1.5, capped at 60s, ±20% jitter", () => {
    const p = pollPolicy({});
    expect(p).toEqual({ initialMs: 5000, factor: 1.5, maxMs: 60_000, jitter: 0.2 });
    expect(jitteredDelay(10_000, p, () => 0)).toBe(8000);
    expect(jitteredDelay(10_000, p, () => 0.999999)).toBe(12_000);
    expect(jitteredDelay(60_000, p, () => 0.999999)).toBe(60_000); // the cap holds after jitter
  });
  it("PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS overrides the first interval; junk is ignored", () => {
    expect(pollPolicy({ PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "50" }).initialMs).toBe(50);
    expect(pollPolicy({ PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "abc" }).initialMs).toBe(5000);
    expect(pollPolicy({ PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "-1" }).initialMs).toBe(5000);
    expect(pollPolicy({ PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "120000" }).maxMs).toBe(120_000);
  });
});

describe("ExportJob create", () => {
  it("one POST with customData as sorted labels, then polls to Successful, logging progress", async () => {
    const { api, ctx, state } = setup();
    scripted(api, "Successful", 4);
    let body: unknown;
    const post = api.createExportJob.bind(api);
    api.createExportJob = (g, c, b) => ((body = b), post(g, c, b));
    const { id, outs } = await createExportJob(api, inputs, ctx);
    expect(body).toEqual({ snapshotId: inputs.snapshotId, exportBucketId: inputs.exportBucketId, customData: [{ key: "env", value: "prod" }, { key: "team", value: "data" }] });
    expect(api.count("createExportJob")).toBe(1);
    expect(api.count("getExportJob")).toBe(4);
    expect(outs).toMatchObject({ exportJobId: id, state: "Successful", exportStatus: { exportedCollections: 40, totalCollections: 40 }, finishedAt: "2026-08-10T03:20:00Z", schemaVersion: 1, customData: inputs.customData });
    expect(outs).not.toHaveProperty("__provider");
    expect(state.logs).toContain(`export job ${id} on Cluster0: InProgress, 20/40 collections (13s elapsed)`);
  });

  it("backoff grows ×1.5 from the first interval and caps at a minute (no real sleeping)", async () => {
    const { api, ctx, state } = setup();
    scripted(api, "Successful", 12);
    await createExportJob(api, inputs, ctx);
    expect(state.sleeps).toEqual([5000, 7500, 11250, 16875, 25313, 37969, 56953, 60000, 60000, 60000, 60000, 60000]);
  });

  it("jitter varies each delay within ±20%", async () => {
    const { api, ctx, state } = setup();
    scripted(api, "Successful", 3);
    let i = 0;
    ctx.random = () => [0, 1 - 1e-9, 0.25][i++ % 3] as number;
    await createExportJob(api, inputs, ctx);
    expect(state.sleeps).toEqual([4000, 9000, 10125]);
  });

  it("the env knob sets the first poll interval at call time", async () => {
    const { api, ctx, state } = setup();
    scripted(api, "Successful", 2);
    ctx.env = { PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "100" };
    await createExportJob(api, inputs, ctx);
    expect(state.sleeps).toEqual([100, 150]);
  });

  it("waitForCompletion: false returns right after the POST", async () => {
    const { api, ctx } = setup();
    const { outs } = await createExportJob(api, { ...inputs, waitForCompletion: false }, ctx);
    expect(outs.state).toBe("Queued");
    expect(api.count("getExportJob")).toBe(0);
  });

  it("429, 503 and network errors during the wait do not end it", async () => {
    const { api, ctx, state } = setup();
    scripted(api, "Successful", 2);
    api.fail(
      "getExportJob",
      { kind: "api", status: 429, errorCode: "RATE_LIMITED" },
      { kind: "api", status: 503, errorCode: "SERVICE_UNAVAILABLE" },
      { kind: "network" },
    );
    const { outs } = await createExportJob(api, inputs, ctx);
    expect(outs.state).toBe("Successful");
    expect(api.count("getExportJob")).toBe(5);
    expect(state.logs.filter((l) => /polling failed .*still waiting/.test(l))).toHaveLength(3);
  });

  it("Failed → partial failure: id, full properties with __provider, Atlas's reason and how to export again", async () => {
    const { api, ctx } = setup();
    scripted(api, "Failed", 2);
    const error = await createExportJob(api, inputs, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportJobIncompleteError);
    const e = error as ExportJobIncompleteError;
    const jobId = api.jobs[0]?.id;
    expect(e.id).toBe(jobId);
    expect(e.properties).toMatchObject({
      __provider: inputs.__provider,
      exportJobId: jobId,
      state: "Failed",
      stateReason: { errorCode: "EXPORT_FAILED", message: "Access denied to bucket" },
      projectId: PROJECT,
      snapshotId: inputs.snapshotId,
      customData: inputs.customData,
      schemaVersion: 1,
    });
    expect(e.message).toMatch(/ended Failed: EXPORT_FAILED: Access denied to bucket/);
    expect(e.message).toMatch(/pulumi up --replace/);
    expect(e.reasons).toEqual([e.message]);
    expect(Object.values(e.properties)).not.toContain(undefined);
  });

  it("Cancelled → partial failure too", async () => {
    const { api, ctx } = setup();
    scripted(api, "Cancelled", 1);
    await expect(createExportJob(api, inputs, ctx)).rejects.toMatchObject({ message: expect.stringMatching(/ended Cancelled: Atlas gave no reason/) });
  });

  it("deadline (injected clock): partial failure saying the job goes on and how to pick it up", async () => {
    const { api, ctx, state } = setup();
    api.onGetJob = (job) => void (job.state = "InProgress");
    const error = (await createExportJob(api, { ...inputs, waitTimeoutMinutes: 10 }, ctx).catch((e: unknown) => e)) as ExportJobIncompleteError;
    expect(error).toBeInstanceOf(ExportJobIncompleteError);
    expect(error.message).toMatch(/still InProgress after 10 minutes.*goes on in Atlas.*pulumi refresh/);
    expect(error.id).toBe(api.jobs[0]?.id);
    expect(error.properties.__provider).toBe(inputs.__provider);
    // Slept exactly up to the deadline, never past it.
    expect(state.sleeps.reduce((a, b) => a + b, 0)).toBe(10 * 60_000);
  });

  it("a non-transient error while waiting: partial failure (the job is still recorded)", async () => {
    const { api, ctx } = setup();
    api.fail("getExportJob", { kind: "api", status: 401, errorCode: "UNAUTHORIZED" });
    const error = (await createExportJob(api, inputs, ctx).catch((e: unknown) => e)) as ExportJobIncompleteError;
    expect(error).toBeInstanceOf(ExportJobIncompleteError);
    expect(error.message).toMatch(/waiting for it failed: .*UNAUTHORIZED/);
  });

  it("lost response: finds the created job; no second POST", async () => {
    const { api, ctx } = setup();
    scripted(api, "Successful", 1);
    api.jobs.push({ id: "5f00000000000000000000e9", clusterName: "Cluster0", exportBucketId: inputs.exportBucketId, snapshotId: inputs.snapshotId, customData: [{ key: "env", value: "prod" }, { key: "team", value: "data" }], state: "Successful", createdAt: "2020-07-01T00:00:00Z" });
    api.fail("createExportJob", { kind: "lostResponse" });
    const { id } = await createExportJob(api, inputs, ctx);
    expect(api.count("createExportJob")).toBe(1);
    expect(api.jobs).toHaveLength(2);
    expect(id).toBe(api.jobs[1]?.id); // not the old identical export
  });

  it("lost request: no matching job, so the POST is resent exactly once", async () => {
    const { api, ctx } = setup();
    scripted(api, "Successful", 1);
    // Same snapshot and bucket but other customData: not the job this POST would have made.
    api.jobs.push({ id: "6a00000000000000000000e8", clusterName: "Cluster0", exportBucketId: inputs.exportBucketId, snapshotId: inputs.snapshotId, customData: [{ key: "other", value: "x" }], state: "InProgress", createdAt: new Date(api.nowMs).toISOString() });
    api.fail("createExportJob", { kind: "lostRequest" });
    await createExportJob(api, inputs, ctx);
    expect(api.count("createExportJob")).toBe(2);
    expect(api.count("listExportJobs")).toBe(1);
  });

  it("lost request and only an older identical export: ambiguous, fails naming it, exports nothing", async () => {
    const { api, ctx } = setup();
    api.jobs.push({ id: "5f00000000000000000000e9", clusterName: "Cluster0", exportBucketId: inputs.exportBucketId, snapshotId: inputs.snapshotId, customData: [{ key: "env", value: "prod" }, { key: "team", value: "data" }], state: "Successful", createdAt: "2020-07-01T00:00:00Z" });
    api.fail("createExportJob", { kind: "lostRequest" });
    const error = (await createExportJob(api, inputs, ctx).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/cannot tell which object it created: .*older matching object\(s\).*: 5f00000000000000000000e9\. Nothing more was created\./);
    expect(api.count("createExportJob")).toBe(1);
    expect(api.jobs).toHaveLength(1);
  });

  it("a job of the same snapshot and bucket listed without snapshotId is no candidate (every identity field must be equal)", async () => {
    const { api, ctx } = setup();
    scripted(api, "Successful", 1);
    api.fail("createExportJob", { kind: "lostResponse" });
    const original = api.listExportJobs.bind(api);
    api.listExportJobs = (g, c) => (async function* () {
      for await (const j of original(g, c)) yield { ...j, snapshotId: undefined };
    })();
    await createExportJob(api, inputs, ctx);
    // The POST landed but the list does not prove it was this export: resent once.
    expect(api.count("createExportJob")).toBe(2);
  });

  it("lost response and the lookup keeps failing: says the export may have started and which list to check; no re-POST", async () => {
    const { api, ctx, state } = setup();
    api.fail("createExportJob", { kind: "lostResponse" });
    api.fail("listExportJobs", ...Array.from({ length: 10 }, () => ({ kind: "api", status: 503, errorCode: "SERVICE_UNAVAILABLE" }) as const));
    const error = (await createExportJob(api, inputs, ctx).catch((e: unknown) => e)) as Error;
    expect(api.count("createExportJob")).toBe(1);
    expect(api.count("listExportJobs")).toBe(LOOKUP_RETRY.attempts);
    expect(state.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(LOOKUP_RETRY.deadlineMs);
    expect(error.message).toMatch(/Atlas may have processed it and created the object; looking it up failed after 4 attempt\(s\): .*SERVICE_UNAVAILABLE/);
    expect(error.message).toContain(`GET /api/atlas/v2/groups/${PROJECT}/clusters/Cluster0/backup/exports`);
    expect(error.message).toContain(`snapshot ${inputs.snapshotId} to bucket ${inputs.exportBucketId}`);
    expect(error.message).toMatch(/would export the snapshot once more .*If there is none, run "pulumi up" again/);
  });

  it("409: names the running export of that snapshot and what to do", async () => {
    const { api, ctx } = setup();
    api.jobs.push({ id: "6a00000000000000000000e7", clusterName: "Cluster0", exportBucketId: "6a00000000000000000000c2", snapshotId: inputs.snapshotId, state: "InProgress", createdAt: "2026-08-10T02:50:00Z" });
    api.jobs.push({ id: "6a00000000000000000000e6", clusterName: "Cluster0", exportBucketId: "6a00000000000000000000c2", snapshotId: inputs.snapshotId, state: "Successful" });
    api.fail("createExportJob", { kind: "api", status: 409, errorCode: "EXPORT_ALREADY_IN_PROGRESS" });
    const error = (await createExportJob(api, inputs, ctx).catch((e: unknown) => e)) as Error;
    expect(error).not.toBeInstanceOf(ExportJobIncompleteError);
    expect(error.message).toMatch(/already running: export job 6a00000000000000000000e7 \(InProgress, to bucket 6a00000000000000000000c2, started 2026-08-10T02:50:00Z\)/);
    expect(error.message).not.toMatch(/e6/);
    expect(error.message).toMatch(/Wait until it finishes, then run "pulumi up" again/);
    expect(api.count("createExportJob")).toBe(1);
  });

  it("409 and the lookup fails: still a useful message", async () => {
    const { api, ctx } = setup();
    api.fail("createExportJob", { kind: "api", status: 409, errorCode: "CONFLICT" });
    api.fail("listExportJobs", { kind: "network" });
    await expect(createExportJob(api, inputs, ctx)).rejects.toThrow(/probably already running .*listing the cluster's export jobs to name it failed/);
  });
});

describe("ExportJob update", () => {
  it("Successful job + waitTimeoutMinutes change: no API call, every output returned", async () => {
    const { api } = setup();
    const olds = { ...inputs, exportJobId: "6a00000000000000000000e1", state: "Successful", prefix: "p/x", exportStatus: { exportedCollections: 1, totalCollections: 1 }, createdAt: "c", finishedAt: "f", schemaVersion: 1 };
    const { outs } = await updateExportJob(api, "6a00000000000000000000e1", olds, { ...inputs, waitTimeoutMinutes: 30 });
    expect(api.calls).toEqual([]);
    const { __provider: _p, ...expected } = { ...olds, waitTimeoutMinutes: 30 };
    expect(outs).toEqual(expected);
  });

  it("retry of a Failed job: re-reads, never exports again, fails again with the reason and how to export again", async () => {
    const { api, ctx } = setup();
    scripted(api, "Failed", 1);
    const first = (await createExportJob(api, inputs, ctx).catch((e: unknown) => e)) as ExportJobIncompleteError;
    api.calls.length = 0;
    const again = (await updateExportJob(api, first.id, first.properties, inputs).catch((e: unknown) => e)) as ExportJobIncompleteError;
    expect(api.calls).toEqual(["getExportJob"]);
    expect(again).toBeInstanceOf(ExportJobIncompleteError);
    expect(again.message).toMatch(/ended Failed: EXPORT_FAILED: Access denied to bucket\. It was not exported again\. To export again, run "pulumi up --replace/);
    expect(again.properties.__provider).toBe(inputs.__provider);
  });

  it("retry after a timeout: job now Successful → outputs", async () => {
    const { api, ctx } = setup();
    api.onGetJob = (job) => void (job.state = "InProgress");
    const first = (await createExportJob(api, { ...inputs, waitTimeoutMinutes: 1 }, ctx).catch((e: unknown) => e)) as ExportJobIncompleteError;
    api.onGetJob = (job) => void (job.state = "Successful");
    const { outs } = await updateExportJob(api, first.id, first.properties, inputs);
    expect(outs.state).toBe("Successful");
    expect(api.count("createExportJob")).toBe(1);
  });

  /** A job whose first wait timed out while InProgress; returns the recorded properties. */
  async function timedOut(api: FakeAtlas, ctx: ReturnType<typeof setup>["ctx"]) {
    api.onGetJob = (job) => void (job.state = "InProgress");
    const first = (await createExportJob(api, { ...inputs, waitTimeoutMinutes: 1 }, ctx).catch((e: unknown) => e)) as ExportJobIncompleteError;
    expect(first.message).toMatch(/still InProgress after 1 minutes/);
    expect(first.message).toMatch(/the next "pulumi up" waits for it again/);
    return first;
  }

  it("retry after a timeout, job still running: waits again with progress lines until Successful (never exports again)", async () => {
    const { api, ctx, state } = setup();
    const first = await timedOut(api, ctx);
    api.calls.length = 0;
    state.sleeps.length = 0;
    state.logs.length = 0;
    let polls = 0;
    api.onGetJob = (job) => {
      polls++;
      job.state = polls < 4 ? "InProgress" : "Successful";
      job.exportStatus = { exportedCollections: polls < 4 ? polls * 10 : 40, totalCollections: 40 };
    };
    const { outs } = await updateExportJob(api, first.id, first.properties, { ...inputs, waitTimeoutMinutes: 1 }, ctx);
    expect(outs.state).toBe("Successful");
    expect(api.count("createExportJob")).toBe(0);
    expect(api.count("getExportJob")).toBe(4);
    expect(state.sleeps.length).toBe(3);
    expect(state.logs[0]).toMatch(new RegExp(`export job ${first.id} on Cluster0: still InProgress, .*waiting for it again \\(up to 1 minutes`));
    expect(state.logs.filter((l) => /InProgress, \d+\/40 collections \(\d+s elapsed\)/.test(l)).length).toBeGreaterThan(0);
    expect(state.logs.at(-1)).toMatch(/Successful, 40\/40 collections/);
  });

  it("retry after a timeout, job then Failed: fails with Atlas's stateReason, job kept", async () => {
    const { api, ctx } = setup();
    const first = await timedOut(api, ctx);
    scripted(api, "Failed", 3);
    const again = (await updateExportJob(api, first.id, first.properties, inputs, ctx).catch((e: unknown) => e)) as ExportJobIncompleteError;
    expect(again).toBeInstanceOf(ExportJobIncompleteError);
    expect(again.message).toMatch(/ended Failed: EXPORT_FAILED: Access denied to bucket\. It was not exported again\./);
    expect(again.properties).toMatchObject({ state: "Failed", stateReason: { errorCode: "EXPORT_FAILED", message: "Access denied to bucket" } });
    expect(api.count("createExportJob")).toBe(1);
  });

  it("retry after a timeout, job still running past the new deadline: times out again (a fresh waitTimeoutMinutes)", async () => {
    const { api, ctx, state } = setup();
    const first = await timedOut(api, ctx);
    state.sleeps.length = 0;
    const again = (await updateExportJob(api, first.id, first.properties, { ...inputs, waitTimeoutMinutes: 2 }, ctx).catch((e: unknown) => e)) as ExportJobIncompleteError;
    expect(again).toBeInstanceOf(ExportJobIncompleteError);
    expect(again.message).toMatch(/still InProgress after 2 minutes/);
    expect(state.sleeps.reduce((a, b) => a + b, 0)).toBe(2 * 60_000);
  });

  it("retry after a timeout with waitForCompletion: false: no wait, outputs as Atlas reports them", async () => {
    const { api, ctx, state } = setup();
    const first = await timedOut(api, ctx);
    state.sleeps.length = 0;
    const { outs } = await updateExportJob(api, first.id, first.properties, { ...inputs, waitForCompletion: false }, ctx);
    expect(outs.state).toBe("InProgress");
    expect(state.sleeps).toEqual([]);
  });
});

describe("ExportJob read", () => {
  it("refresh: InProgress becomes Successful; inputs returned (customData from Atlas)", async () => {
    const { api, ctx } = setup();
    const { id, outs } = await createExportJob(api, { ...inputs, waitForCompletion: false }, ctx);
    (api.jobs[0] as { state: string }).state = "Successful";
    api.onGetJob = undefined;
    const result = await readExportJob(api, id, outs as unknown as Record<string, unknown>);
    expect(result.id).toBe(id);
    expect(result.props?.state).toBe("Successful");
    const { __provider: _p, ...args } = inputs;
    expect(result.inputs).toEqual({ ...args, waitForCompletion: false });
  });
  it("no customData: Atlas's [] keeps it absent in inputs", async () => {
    const { api, ctx } = setup();
    const { customData: _c, ...noData } = inputs;
    const { id, outs } = await createExportJob(api, { ...noData, waitForCompletion: false }, ctx);
    const result = await readExportJob(api, id, outs as unknown as Record<string, unknown>);
    expect(result.inputs).not.toHaveProperty("customData");
  });
  it("404 → {}", async () => {
    const { api } = setup();
    expect(await readExportJob(api, "6a00000000000000000000e9", { ...inputs })).toEqual({});
  });
  it("old outputs without schemaVersion are accepted", async () => {
    const { api, ctx } = setup();
    const { id } = await createExportJob(api, { ...inputs, waitForCompletion: false }, ctx);
    const result = await readExportJob(api, id, { projectId: PROJECT, clusterName: "Cluster0" });
    expect(result.props).toMatchObject({ snapshotId: inputs.snapshotId, exportBucketId: inputs.exportBucketId, schemaVersion: 1 });
  });
});

describe("ExportJob delete", () => {
  it("makes no API call and says the job only leaves the state", async () => {
    const lines: string[] = [];
    await deleteExportJob("6a00000000000000000000e1", { prefix: "exported_snapshots/x" }, (l) => lines.push(l));
    expect(lines.join("\n")).toMatch(/removed from the stack's state only\. Atlas cannot delete or cancel export jobs.*exported_snapshots\/x/);
  });
});
