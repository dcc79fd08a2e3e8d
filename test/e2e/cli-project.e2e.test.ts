/**
 * The root Pulumi.yaml project (the examples program) run by the real `pulumi` CLI and its
 * Node.js language host, against the emulator, as a user runs it: stack init, preview, up,
 * refresh, preview --expect-no-changes, an in-place update, destroy. Nothing of the program runs
 * in this process (see test/helpers/cli.ts). (The no-change preview right after `up` is in the
 * shipped workflow, which workflow-repo.e2e.test.ts runs on this same project.)
 *
 * Also checked here, because only the CLI path shows them: no "using <plugin> from $PATH"
 * warnings (the CLI, the language host and the dynamic-provider plugin sit in one directory),
 * and no "Undefined value" warning for a stack output.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { ensureBuilt } from "../helpers/build";
import { changeSummary, cliProject, languageHostBinDir, stackOutputs, type CliProject } from "../helpers/cli";
import { emulatorApiKeyEnv, repoRoot } from "../helpers/pulumi";

const binDir = languageHostBinDir();
if (!binDir) console.warn("[e2e] cli-project: skipped, no pulumi-language-nodejs and no ../shared/pulumi-language-nodejs to build it from");

/** Successful calls of an emulator operation (digest challenges, 401s, are not calls that did anything). */
function calls(emulator: RunningEmulator, operation: string): number {
  return emulator.requestLog.filter((r) => r.operation === operation && r.status < 400).length;
}

/** Warnings every command must be free of. */
function expectNoPluginOrOutputWarnings(output: string): void {
  expect(output).not.toMatch(/warning: using pulumi-[\w-]+ from \$PATH/);
  expect(output).not.toContain("Undefined value");
}

describe.skipIf(!binDir)("root Pulumi.yaml project through the real CLI and language host", () => {
  let emulator: RunningEmulator;
  let project: CliProject;
  const stack = `e2e-cli-${process.pid}`;

  beforeAll(async () => {
    ensureBuilt(["dist/examples/main.js", "dist/provider/resources/runtime.js"]);
    emulator = await startEmulator({ timeScale: 0, seed: "empty-buckets" });
    project = cliProject({ dir: repoRoot, stack, binDir: binDir!, env: emulatorApiKeyEnv(emulator) });
    await project.pulumi(["stack", "init", stack]);
  });

  afterAll(async () => {
    await project?.cleanup();
    await emulator?.close();
  });

  it("preview: 8 creates, nothing sent to Atlas but reads", async () => {
    const r = await project.pulumi(["preview", "--json"]);
    expect(changeSummary(r.stdout)).toEqual({ create: 8 });
    expectNoPluginOrOutputWarnings(r.stderr);
    expect(emulator.requestLog.filter((e) => e.method !== "GET")).toEqual([]);
  });

  it("up: three buckets (one API call each), three Successful export jobs and the auto-export; outputs without warnings", async () => {
    const r = await project.pulumi(["up", "--yes", "--skip-preview", "--json"]);
    expect(changeSummary(r.stdout)).toEqual({ create: 8 });
    expectNoPluginOrOutputWarnings(r.output);
    expect(calls(emulator, "createExportBucket")).toBe(3);
    expect(calls(emulator, "getExportBucket")).toBe(0);
    expect(emulator.store.listBuckets(emulator.credentials.groupId)).toHaveLength(3);
    // The example's AutoExport points Cluster0's backup schedule at the AWS bucket.
    const schedule = emulator.store.schedule(emulator.credentials.groupId, "Cluster0");
    expect(schedule).toMatchObject({ autoExportEnabled: true, export: { frequencyType: "monthly" } });

    const out = await stackOutputs(project);
    for (const cloud of ["aws", "azure", "gcp"]) {
      expect(out[`${cloud}BucketId`], cloud).toMatch(/^[0-9a-f]{24}$/);
      expect(out[`${cloud}ExportJob`], cloud).toMatchObject({ state: "Successful", id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    }
  });

  it("refresh reads every resource back (the AWS bucket's region arrives) and the next preview still shows no change", async () => {
    const r = await project.pulumi(["refresh", "--yes", "--skip-preview", "--json"]);
    expect(changeSummary(r.stdout)).toEqual({ same: 8 });
    expect(calls(emulator, "getExportBucket")).toBeGreaterThanOrEqual(3);
    const state = JSON.parse((await project.pulumi(["stack", "export"])).stdout) as {
      deployment: { resources: { urn: string; outputs?: Record<string, unknown> }[] };
    };
    const aws = state.deployment.resources.find((r) => r.urn.endsWith("ExportBucket::aws"));
    expect(aws?.outputs?.["region"]).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    const p = await project.pulumi(["preview", "--expect-no-changes", "--json"]);
    expect(changeSummary(p.stdout)).toEqual({ same: 8 });
    expectNoPluginOrOutputWarnings(p.output);
  });

  it("an in-place update (waitTimeoutMinutes from stack config) changes the three jobs and sends nothing to Atlas", async () => {
    await project.pulumi(["config", "set", "waitTimeoutMinutes", "60"]);
    const before = emulator.requestLog.filter((e) => e.method !== "GET").length;
    const r = await project.pulumi(["up", "--yes", "--skip-preview", "--json"]);
    expect(changeSummary(r.stdout)).toEqual({ same: 5, update: 3 });
    expect(emulator.requestLog.filter((e) => e.method !== "GET").length).toBe(before);
  });

  it("destroy removes everything from Atlas and the state", async () => {
    const r = await project.pulumi(["destroy", "--yes", "--skip-preview", "--json"]);
    expect(changeSummary(r.stdout)).toEqual({ delete: 8 });
    expect(emulator.store.listBuckets(emulator.credentials.groupId)).toEqual([]);
    // One destroy: auto-export was turned off before its bucket was deleted.
    expect(emulator.store.schedule(emulator.credentials.groupId, "Cluster0").autoExportEnabled).toBe(false);
  });
});
