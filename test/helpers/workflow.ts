/**
 * Runs one job of a GitHub Actions workflow on this machine, the way a runner would for its
 * `run:` steps: in order, each with `bash --noprofile --norc -eo pipefail`, in the checkout
 * directory, with the workflow's, the job's and the step's `env:`, `$RUNNER_TEMP`, and
 * `$GITHUB_ENV` (lines a step appends there are in the environment of the later steps). After a
 * failed step only `if: always()` steps run, and the job fails.
 *
 * Steps that need GitHub itself (`uses:` actions) cannot run here; the caller names each one it
 * skips, with the reason, and an unnamed `uses:` step is an error, so a new step in the
 * workflow is never skipped silently. `${{ runner.temp }}` and `${{ env.NAME }}` are
 * substituted; any other expression in a step that runs is an error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { runCommand } from "./cli";

/** A step of a workflow job, as parsed. */
export interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}

/** A workflow, as parsed (only what the runner uses). */
export interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { env?: Record<string, string>; steps: WorkflowStep[] }>;
}

/** The label a step is known by: its name, else its `uses`, else its first `run` line. */
export function stepLabel(step: WorkflowStep): string {
  return step.name ?? step.uses ?? (step.run ?? "").split("\n")[0]!.trim();
}

/** What happened to one step. */
export interface StepOutcome {
  label: string;
  /** why it did not run, when it did not */
  skipped?: string;
  /** exit code, when it ran */
  code?: number | null;
  /** stdout and stderr, when it ran */
  output?: string;
  /** how long it ran */
  seconds?: number;
}

/** Options of {@link runWorkflowJob}. */
export interface RunJobOptions {
  /** path of the workflow file */
  workflowFile: string;
  /** job id, e.g. "emulator" */
  job: string;
  /** the checkout: every step runs here */
  cwd: string;
  /** the runner's own environment (PATH with the tools the skipped setup steps would install, HOME, ...) */
  runnerEnv: Record<string, string>;
  /** step label → why this test does not run it; every `uses:` step must be listed */
  skip: Record<string, string>;
}

/** The outcome of a job. */
export interface JobOutcome {
  steps: StepOutcome[];
  /** the job's $RUNNER_TEMP */
  runnerTemp: string;
  /** true when every step that ran succeeded */
  ok: boolean;
}

/** Runs the job's steps as described above; never rejects for a failing step (see `ok`). */
export async function runWorkflowJob(opts: RunJobOptions): Promise<JobOutcome> {
  const wf = parse(readFileSync(opts.workflowFile, "utf8")) as Workflow;
  const job = wf.jobs[opts.job];
  if (!job) throw new Error(`no job "${opts.job}" in ${opts.workflowFile}`);
  const runnerTemp = mkdtempSync(path.join(tmpdir(), "runner-temp-"));
  const githubEnvFile = path.join(runnerTemp, "_github_env");
  writeFileSync(githubEnvFile, "");
  const base: Record<string, string> = {
    ...opts.runnerEnv,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: opts.cwd,
    RUNNER_TEMP: runnerTemp,
    GITHUB_ENV: githubEnvFile,
  };
  const steps: StepOutcome[] = [];
  let ok = true;
  for (const step of job.steps) {
    const label = stepLabel(step);
    const reason = opts.skip[label];
    if (reason !== undefined) {
      steps.push({ label, skipped: reason });
      continue;
    }
    if (step.uses) throw new Error(`step "${label}" uses a GitHub action; name it in \`skip\` with the reason`);
    if (!ok && step.if !== "always()") {
      steps.push({ label, skipped: "an earlier step failed" });
      continue;
    }
    if (step.if !== undefined && step.if !== "always()") throw new Error(`step "${label}": condition "${step.if}" is not supported here`);
    const envSoFar = { ...base, ...readGithubEnv(githubEnvFile) };
    const scoped: Record<string, string> = {};
    for (const layer of [wf.env, job.env, step.env]) {
      for (const [k, v] of Object.entries(layer ?? {})) scoped[k] = substitute(String(v), { ...envSoFar, ...scoped }, runnerTemp);
    }
    const env = { ...envSoFar, ...scoped };
    const script = path.join(runnerTemp, `_step_${steps.length}.sh`);
    writeFileSync(script, substitute(step.run ?? "", env, runnerTemp));
    const t0 = Date.now();
    const r = await runCommand("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd: opts.cwd, env, allowFailure: true });
    steps.push({ label, code: r.code, output: r.output, seconds: (Date.now() - t0) / 1000 });
    if (r.code !== 0) ok = false;
  }
  return { steps, runnerTemp, ok };
}

/** `${{ runner.temp }}` and `${{ env.NAME }}`; anything else is an error. */
function substitute(text: string, env: Record<string, string>, runnerTemp: string): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_m, expr: string) => {
    if (expr === "runner.temp") return runnerTemp;
    const e = /^env\.(\w+)$/.exec(expr);
    if (e) return env[e[1]!] ?? "";
    throw new Error(`expression \${{ ${expr} }} is not supported by this runner`);
  });
}

/** NAME=value lines of $GITHUB_ENV (the multi-line `<<` form is an error: not used by our workflow). */
function readGithubEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    if (line.includes("<<")) throw new Error(`multi-line $GITHUB_ENV entries are not supported: ${line}`);
    const i = line.indexOf("=");
    if (i <= 0) throw new Error(`malformed $GITHUB_ENV line: ${line}`);
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A report of the steps for failure messages and logs: label, and skip reason or exit code. */
export function describeSteps(outcome: JobOutcome): string {
  return outcome.steps
    .map((s) => (s.skipped !== undefined ? `- ${s.label}: skipped (${s.skipped})` : `- ${s.label}: exit ${s.code} (${s.seconds?.toFixed(1)}s)`))
    .join("\n");
}

/**
 * The `uses:` steps of the shipped workflow's emulator job, and why a test on this machine skips
 * them: each needs GitHub's infrastructure. What they provide is here already (the test's
 * directory is the checkout, the leg's Node.js runs, the CLI from scripts/ensure-pulumi.sh is on PATH).
 */
export const GITHUB_ONLY_STEPS: Record<string, string> = {
  "actions/checkout@v4": "a GitHub action; the test's directory is the checkout",
  "actions/setup-node@v4": "a GitHub action; the CI leg's Node.js runs the steps",
  "pulumi/actions@v6": "a GitHub action that downloads the CLI; the CLI and language host from scripts/ensure-pulumi.sh are first on PATH",
};

/** Whether a process id is alive (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
