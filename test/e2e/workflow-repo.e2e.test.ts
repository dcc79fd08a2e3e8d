/**
 * The shipped GitHub Actions workflow (examples/github-actions/pulumi-atlas-export.yml), its
 * `emulator` job run step by step in THIS repository's layout (test/helpers/workflow.ts): build,
 * start the emulator from its bin link, preview/up/no-change preview/destroy of the root
 * Pulumi.yaml project with the real CLI, stop the emulator. consumer.e2e.test.ts runs the same
 * job in a consumer repository's layout.
 *
 * Not run: the GitHub actions (GITHUB_ONLY_STEPS); `npm ci`, which .ci/run already ran in this
 * checkout (running it again would replace node_modules under the running tests); and the
 * `preview` and `up` jobs, which need a real Atlas project and Pulumi Cloud credentials.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build";
import { cleanEnv, languageHostBinDir } from "../helpers/cli";
import { repoRoot } from "../helpers/pulumi";
import { describeSteps, GITHUB_ONLY_STEPS, isAlive, runWorkflowJob, type JobOutcome } from "../helpers/workflow";

const binDir = languageHostBinDir();
if (!binDir) console.warn("[e2e] workflow-repo: skipped, no pulumi-language-nodejs and no ../shared/pulumi-language-nodejs to build it from");

const WORKFLOW = path.join(repoRoot, "examples", "github-actions", "pulumi-atlas-export.yml");
const STACK_FILE = path.join(repoRoot, "Pulumi.emulator-ci.yaml");

describe.skipIf(!binDir)("the workflow's emulator job in this repository", () => {
  let job: JobOutcome | undefined;
  let emulatorPid = 0;

  beforeAll(async () => {
    // The bin link `npm ci` makes points into dist/ (an `npm ci` after a build has it).
    ensureBuilt(["dist/emulator/cli.js", "dist/examples/main.js"]);
    expect(existsSync(path.join(repoRoot, "node_modules", ".bin", "atlas-export-emulator")), "node_modules/.bin/atlas-export-emulator (run npm ci)").toBe(true);
    job = await runWorkflowJob({
      workflowFile: WORKFLOW,
      job: "emulator",
      cwd: repoRoot,
      runnerEnv: cleanEnv({ PULUMI_HOME: path.join(repoRoot, ".e2e", `runner-pulumi-home-${process.pid}`) }, binDir),
      skip: {
        ...GITHUB_ONLY_STEPS,
        "npm ci": ".ci/run ran it in this checkout; again, it would replace node_modules under the running tests",
      },
    });
    emulatorPid = Number(readFileSync(path.join(job.runnerTemp, "emulator.pid"), "utf8").trim() || 0);
  });

  afterAll(() => {
    if (emulatorPid && isAlive(emulatorPid)) process.kill(emulatorPid, "SIGKILL");
    if (job) rmSync(job.runnerTemp, { recursive: true, force: true });
    rmSync(path.join(repoRoot, ".e2e", `runner-pulumi-home-${process.pid}`), { recursive: true, force: true });
    // `pulumi stack rm` in the job removes it; this is for a job that failed half-way.
    rmSync(STACK_FILE, { force: true });
  });

  it("every `run:` step passes, in order", () => {
    const report = describeSteps(job!);
    console.log(`[e2e] workflow emulator job, this repository:\n${report}`);
    const failed = job!.steps.find((s) => s.code !== undefined && s.code !== 0);
    expect(failed?.output?.split("\n").slice(-60).join("\n") ?? "", report).toBe("");
    expect(job!.steps.filter((s) => s.skipped === undefined).map((s) => s.label)).toEqual([
      "npm run build --if-present",
      "Start the Atlas emulator",
      "pulumi preview, up, preview (no changes) and destroy on a throwaway stack",
      "Stop the Atlas emulator",
    ]);
  });

  it("the root project was applied and destroyed on the throwaway stack, not the real one", () => {
    const out = job!.steps.find((s) => s.label.startsWith("pulumi preview, up"))?.output ?? "";
    expect(out).toContain("Created stack 'emulator-ci'");
    expect(out).toContain("+ 8 created");
    expect(out).toContain("- 8 deleted");
    expect(out).toContain("Stack 'emulator-ci' has been removed");
    expect(out).not.toContain("organization name must be");
    expect(out).not.toMatch(/warning: using pulumi-[\w-]+ from \$PATH/);
    expect(existsSync(STACK_FILE)).toBe(false);
  });

  it("the stop step ended the emulator itself", () => {
    expect(emulatorPid).toBeGreaterThan(0);
    expect(isAlive(emulatorPid)).toBe(false);
  });
});
