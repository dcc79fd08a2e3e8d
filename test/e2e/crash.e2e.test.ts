/**
 * `pulumi up` killed in the middle of a create, then `pulumi-atlas-export recover --yes`, then
 * `pulumi up`: it converges with no duplicate and no orphan in Atlas (the emulator's state), and
 * nobody edits the state by hand.
 *
 * One leg per kill point, each on a fresh emulator and stack. The program has an ExportBucket and
 * an ExportJob (exporting a seeded snapshot to the seeded bucket, so both creates run at once and
 * both resource types are interrupted at the same point). The kill points are deterministic, not
 * timed:
 * - **before the POST**: the emulator's `hold` fault keeps both create requests unprocessed;
 * - **after the POST, before the response**: `commit-then-hold` applies them and keeps the answers;
 * - **after the response, before the checkpoint**: the provider's test hook
 *   (`PULUMI_ATLAS_EXPORT_TEST_HOLD_AFTER_CREATE`) has Atlas's answer and never hands it to the engine.
 * The test polls the emulator's control endpoint (`held`) or the hook's marker files until both
 * creates are at that point, then SIGKILLs the `pulumi` CLI and the provider's process group, like a
 * cancelled CI runner. What follows is what docs/RECOVERY.md tells a user to run, with the real CLI:
 * `recover` (refuses: the dead CLI's lock) → `pulumi cancel` → `recover` (plan only) → `recover --yes`
 * → `pulumi up` → preview with no changes → `pulumi refresh` and `pulumi destroy` (the recorded
 * resources' `__provider` works).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  clearAtlasEnv,
  createTestStack,
  emulatorApiKeyEnv,
  loadPackage,
  nativeRequire,
  repoRoot,
  stackProcesses,
  type StateResource,
  type TestStack,
} from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
const { startEmulator }: Emulator = nativeRequire("pulumi-atlas-export/emulator");
type Running = Awaited<ReturnType<Emulator["startEmulator"]>>;

const P = "6a0000000000000000000001";
const CLUSTER = "Cluster0";
const AWS_ROLE = "6a00000000000000000000b1";
const SEEDED_BUCKET = "6a00000000000000000000c1";
const SNAPSHOT = "6a00000000000000000000d2";
const BUCKET_POST = "/api/atlas/v2/groups/*/backup/exportBuckets";
const JOB_POST = "/api/atlas/v2/groups/*/clusters/*/backup/exports";
const RECOVER_CLI = path.join(repoRoot, "dist", "provider", "recover", "cli.js");
const HOOK_ENV = "PULUMI_ATLAS_EXPORT_TEST_HOLD_AFTER_CREATE";

type KillPoint = "before the POST" | "after the POST, before the response" | "after the response, before the checkpoint";

interface PendingOp {
  type: string;
  resource: StateResource;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls `cond` (a safety deadline only; nothing here depends on how long a step takes). */
async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function processGroup(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}

/** SIGKILL the stack's `pulumi` CLI and its provider process group(s), never this test's own group. */
function killEngine(workDir: string): { cli: number[]; providerGroups: number[] } {
  const own = processGroup(process.pid);
  const { cli, providers } = stackProcesses(workDir);
  const groups = [...new Set(providers.map((p) => processGroup(p.pid)).filter((g): g is number => g !== undefined && g !== own))];
  for (const p of cli) process.kill(p.pid, "SIGKILL");
  for (const g of groups) process.kill(-g, "SIGKILL");
  for (const p of providers) if (processGroup(p.pid) === own) process.kill(p.pid, "SIGKILL");
  return { cli: cli.map((p) => p.pid), providerGroups: groups };
}

interface CommandResult {
  code: number;
  output: string;
}

/** Runs a command as a user would, in the stack's project directory with the stack's environment. */
function run(t: TestStack, file: string, args: string[]): Promise<CommandResult> {
  const ws = t.stack.workspace as import("@pulumi/pulumi/automation").LocalWorkspace;
  const env = { ...process.env, ...ws.envVars, ...(ws.pulumiHome ? { PULUMI_HOME: ws.pulumiHome } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: t.workDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const workspace = (t: TestStack) => t.stack.workspace as import("@pulumi/pulumi/automation").LocalWorkspace;

const recoverCmd = (t: TestStack, ...args: string[]) => run(t, process.execPath, [RECOVER_CLI, "recover", "--stack", "test", ...args]);

describe("crash: pulumi up killed mid-create, recovered with pulumi-atlas-export recover", () => {
  let emulator: Running | undefined;
  let t: TestStack | undefined;

  afterEach(async () => {
    if (t) killEngine(t.workDir);
    await t?.cleanup();
    await emulator?.close();
    t = undefined;
    emulator = undefined;
  });

  const legs: [KillPoint, "record" | "clear"][] = [
    ["before the POST", "clear"],
    ["after the POST, before the response", "record"],
    ["after the response, before the checkpoint", "record"],
  ];

  it.each(legs)("killed %s: recover --yes, then up converges with 0 duplicates and 0 orphans", async (point, expected) => {
    clearAtlasEnv();
    const emu = await startEmulator({ port: 0, seed: "default", timeScale: 0 });
    emulator = emu;
    const { ExportBucket, ExportJob } = loadPackage();
    const stack = await createTestStack({
      name: "crash",
      env: { ...emulatorApiKeyEnv(emu), PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "50" },
      program: async () => {
        const bucket = new ExportBucket("bucket", { projectId: P, cloudProvider: "AWS", bucketName: "crash-bucket", iamRoleId: AWS_ROLE });
        const job = new ExportJob("job", { projectId: P, clusterName: CLUSTER, snapshotId: SNAPSHOT, exportBucketId: SEEDED_BUCKET });
        return { bucketId: bucket.exportBucketId, jobId: job.exportJobId };
      },
    });
    t = stack;
    const markers = path.join(stack.workDir, "hook-markers");

    // 1. The interrupted `pulumi up`.
    let released: () => Promise<boolean>;
    if (point === "after the response, before the checkpoint") {
      mkdirSync(markers);
      workspace(stack).envVars[HOOK_ENV] = markers;
      released = async () => readdirSync(markers).length === 2;
    } else {
      const kind = point === "before the POST" ? "hold" : "commit-then-hold";
      emu.faults.add({ id: "bucket-post", kind, method: "POST", path: BUCKET_POST, times: 1 });
      emu.faults.add({ id: "job-post", kind, method: "POST", path: JOB_POST, times: 1 });
      released = async () => {
        const faults = (await (await fetch(`${emu.url}/__emulator/faults`)).json()) as { id: string; held: number }[];
        return faults.filter((f) => f.held === 1).length === 2;
      };
    }
    const up = stack.stack.up({ onOutput: stack.onOutput }).then(() => "finished", (e: unknown) => `failed: ${String(e).split("\n")[0]}`);
    await until(`both creates ${point}`, released);
    const killed = killEngine(stack.workDir);
    console.log(`[e2e] ${point}: SIGKILL pulumi ${killed.cli.join(",")} and provider group(s) ${killed.providerGroups.join(",")}`);
    expect(killed.cli.length).toBeGreaterThan(0);
    expect(killed.providerGroups.length).toBeGreaterThan(0);
    console.log(`[e2e] up: ${await up}`);
    await until("no process of the stack left", () => {
      const { cli, providers } = stackProcesses(stack.workDir);
      return cli.length === 0 && providers.length === 0;
    });
    if (point !== "after the response, before the checkpoint") {
      await until("the held requests to end with their client", () => emu.faults.list().every((f) => f.held === 0));
    }
    emu.faults.clear();
    delete workspace(stack).envVars[HOOK_ENV];

    const atlasBuckets = () => emu.store.listBuckets(P).filter((b) => b.id !== SEEDED_BUCKET);
    const atlasJobs = () => emu.store.listJobs(P, CLUSTER);
    const pendingOps = async () => ((await stack.stack.exportStack()).deployment as { pending_operations?: PendingOp[] }).pending_operations ?? [];
    const before = await pendingOps();
    console.log(`[e2e] after the kill: Atlas ${atlasBuckets().length} bucket(s), ${atlasJobs().length} job(s); pending: ${before.map((o) => `${o.type} ${o.resource.urn.split("::").pop()}`).join(", ")}`);
    expect(before.map((o) => `${o.type} ${o.resource.type.split(":").pop()}`).sort()).toEqual(["creating ExportBucket", "creating ExportJob"]);
    expect((await stack.resources("atlas:ExportBucket")).length + (await stack.resources("atlas:ExportJob")).length).toBe(0);
    const landed = expected === "record" ? 1 : 0;
    expect(atlasBuckets()).toHaveLength(landed);
    expect(atlasJobs()).toHaveLength(landed);

    // 2. recover refuses while the dead CLI's lock is there, and says how to clear it.
    const locked = await recoverCmd(stack);
    console.log(`[e2e] recover (locked): exit ${locked.code}\n${locked.output}`);
    expect(locked.code).toBe(4);
    expect(locked.output).toContain("update in progress");
    expect(locked.output).toContain("pulumi cancel --stack test");
    const cancel = await run(stack, "pulumi", ["cancel", "--yes", "--stack", "test"]);
    expect(cancel.code, cancel.output).toBe(0);

    // 3. The plan, changing nothing.
    const dry = await recoverCmd(stack);
    console.log(`[e2e] recover (plan): exit ${dry.code}\n${dry.output}`);
    expect(dry.code).toBe(0);
    const verb = expected === "record" ? "RECORD" : "CLEAR";
    expect(dry.output).toMatch(new RegExp(`${verb} ExportBucket "bucket" \\(pending creating\\)`));
    expect(dry.output).toMatch(new RegExp(`${verb} ExportJob "job" \\(pending creating\\)`));
    expect(dry.output).toContain("No changes made");
    expect(dry.output).not.toContain(emu.credentials.apiKey.privateKey);
    expect(await pendingOps()).toHaveLength(2);

    // 4. Applied.
    const applied = await recoverCmd(stack, "--yes");
    console.log(`[e2e] recover --yes: exit ${applied.code}\n${applied.output}`);
    expect(applied.code).toBe(0);
    const backup = /Saved the exported state to (\S+) /.exec(applied.output)?.[1];
    expect(backup && existsSync(backup)).toBe(true);
    expect(applied.output).not.toContain(emu.credentials.apiKey.privateKey);
    expect(await pendingOps()).toEqual([]);
    const recorded = [...(await stack.resources("atlas:ExportBucket")), ...(await stack.resources("atlas:ExportJob"))];
    expect(recorded.map((r) => r.id).sort()).toEqual([...atlasBuckets(), ...atlasJobs()].map((o) => o.id).sort());
    for (const r of recorded) expect(typeof r.outputs?.["__provider"]).toBe("string");

    // 5. `pulumi up` converges: only what never reached Atlas is created.
    const upAgain = await stack.stack.up({ onOutput: stack.onOutput });
    console.log(`[e2e] up after recover: ${JSON.stringify(upAgain.summary.resourceChanges)}`);
    expect(upAgain.summary.resourceChanges?.["create"] ?? 0).toBe(expected === "record" ? 0 : 2);
    const compare = async (when: string) => {
      const sb = (await stack.resources("atlas:ExportBucket")).map((r) => r.id).sort();
      const sj = (await stack.resources("atlas:ExportJob")).map((r) => r.id).sort();
      expect(atlasBuckets().map((b) => b.id).sort(), `${when}: buckets in Atlas = in state`).toEqual(sb);
      expect(atlasJobs().map((j) => j.id).sort(), `${when}: jobs in Atlas = in state`).toEqual(sj);
      expect(sb, when).toHaveLength(1);
      expect(sj, when).toHaveLength(1);
    };
    await compare("after up");
    await stack.stack.preview({ expectNoChanges: true, onOutput: stack.onOutput });

    // 6. The recorded resources work for refresh and destroy (their __provider is there).
    await stack.stack.refresh({ onOutput: stack.onOutput });
    await compare("after refresh");
    await stack.stack.destroy({ onOutput: stack.onOutput });
    expect(atlasBuckets(), "destroy deleted the bucket").toEqual([]);
    expect(await stack.resources()).toEqual([]);
  });
});
