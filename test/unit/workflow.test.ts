/**
 * The GitHub Actions workflow users copy (examples/github-actions/pulumi-atlas-export.yml):
 * valid YAML, valid shell, and it references only scripts, bins, options and files that exist.
 * Its emulator job needs no secret and uses the emulator's real seed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SEED } from "../../emulator/seed";
import type { WorkflowStep } from "../helpers/workflow";

const root = path.resolve(__dirname, "..", "..");
const WORKFLOW = "examples/github-actions/pulumi-atlas-export.yml";
const text = readFileSync(path.join(root, WORKFLOW), "utf8");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};

type Step = WorkflowStep;
interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  "timeout-minutes"?: number;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, { branches?: string[] } | null>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const wf = parse(text) as Workflow;
const allSteps = Object.values(wf.jobs).flatMap((j) => j.steps);
const runs = allSteps.flatMap((s) => (s.run ? [s.run] : []));

/** The inputs pulumi/actions v6 documents (its README, "Configuration" and "Extra options"). */
const PULUMI_ACTION_INPUTS = new Set([
  "command", "stack-name", "work-dir", "cloud-url", "comment-on-pr", "comment-on-summary", "github-token",
  "refresh", "secrets-provider", "color", "log-verbosity", "log-flow", "debug", "config-map", "diff",
  "comment-on-pr-number", "edit-pr-comment", "expect-no-changes", "message", "parallel", "policyPacks",
  "policyPackConfigs", "pulumi-version", "pulumi-version-file", "remove", "replace", "target",
  "target-dependents", "upsert", "exclude-protected", "suppress-outputs", "suppress-progress", "omit-stdout",
  "plan", "always-include-summary", "continue-on-error",
]);

function pulumiSteps(job: Job): Step[] {
  return job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
}

describe("the workflow users copy", () => {
  it("parses as a workflow: name, triggers on pull requests and pushes to main, jobs with steps", () => {
    expect(wf.name).toBeTruthy();
    expect(wf.on.pull_request?.branches).toEqual(["main"]);
    expect(wf.on.push?.branches).toEqual(["main"]);
    expect(Object.keys(wf.jobs).sort()).toEqual(["emulator", "preview", "up"]);
    for (const job of Object.values(wf.jobs)) expect(job.steps.length).toBeGreaterThan(0);
  });

  it("every `run` block is valid bash", () => {
    for (const script of runs) {
      // ${{ ... }} expressions are substituted by Actions before the shell sees the script.
      const shell = script.replace(/\$\{\{[^}]*\}\}/g, "x");
      const r = spawnSync("bash", ["-n"], { input: shell, encoding: "utf8" });
      expect(r.status, `${r.stderr}\n${script}`).toBe(0);
    }
  });

  it("every `npm run <script>` is a package.json script; the emulator starts from this package's bin link, never through npx", () => {
    const npmRun = runs.flatMap((r) => [...r.matchAll(/\bnpm run ([\w:.-]+)/g)].map((m) => m[1] as string));
    expect(npmRun).toContain("build");
    for (const name of npmRun) expect(pkg.scripts, `npm run ${name}`).toHaveProperty([name]);
    // npx without --no-install may fetch an unrelated registry package, and its $! is npx, not the emulator.
    const commands = runs.join("\n").replace(/#.*$/gm, "");
    expect(commands).not.toMatch(/\bnpx\b/);
    const bins = runs.flatMap((r) => [...r.matchAll(/\.\/node_modules\/\.bin\/([\w@.-]+)/g)].map((m) => m[1] as string));
    expect(bins).toEqual(["atlas-export-emulator"]);
    for (const bin of bins) expect(Object.keys(pkg.bin)).toContain(bin);
    // The bin's target is what `npm run build` produces from emulator/cli.ts.
    expect(pkg.bin["atlas-export-emulator"]).toBe("dist/emulator/cli.js");
    expect(existsSync(path.join(root, "emulator", "cli.ts"))).toBe(true);
  });

  it("PULUMI_STACK (which the CLI reads) names the throwaway stack only, in the emulator step; the real stack has its own variable", () => {
    // A workflow-level PULUMI_STACK made `pulumi config set` in the emulator job target the real stack.
    expect(Object.keys(wf.env ?? {})).not.toContain("PULUMI_STACK");
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(Object.keys((job as { env?: Record<string, string> }).env ?? {}), name).not.toContain("PULUMI_STACK");
    }
    const step = (wf.jobs["emulator"] as Job).steps.find((s) => s.run?.includes("pulumi stack init"));
    const init = /pulumi stack init (\S+)/.exec(step?.run ?? "")?.[1];
    expect(step?.env?.["PULUMI_STACK"]).toBe(init);
    expect(wf.env?.["REAL_STACK"]).toBeTruthy();
  });

  it("the stop step waits until the emulator process has exited", () => {
    const job = wf.jobs["emulator"] as Job;
    const start = job.steps.find((s) => s.name === "Start the Atlas emulator")?.run ?? "";
    const stop = job.steps.find((s) => s.name === "Stop the Atlas emulator");
    expect(stop?.if).toBe("always()");
    expect(start).toMatch(/emulator\.pid/);
    expect(stop?.run).toMatch(/kill "\$pid"/);
    expect(stop?.run).toMatch(/kill -0 "\$pid"/);
  });

  it("every emulator option it passes is one the emulator CLI accepts", () => {
    const cli = readFileSync(path.join(root, "emulator", "cli.ts"), "utf8");
    const line = runs.join("\n").split("\n").find((l) => l.includes("atlas-export-emulator")) ?? "";
    const flags = [...line.matchAll(/(--[a-z-]+)/g)].map((m) => m[1] as string);
    expect(flags).toEqual(expect.arrayContaining(["--port", "--seed", "--time-scale"]));
    for (const flag of flags) expect(cli, flag).toContain(`case "${flag}"`);
    expect(line).toMatch(/--port 0\b/);
  });

  it("references only repository files that exist (paths under the repo's top-level folders)", () => {
    const candidates = [...text.matchAll(/(?:^|[\s"'(])((?:provider|emulator|examples|scripts|test|docs|\.ci)\/[\w./-]+)/gm)].map(
      (m) => m[1] as string,
    );
    for (const p of candidates) expect(existsSync(path.join(root, p)), p).toBe(true);
  });

  it("uses only released, version-pinned actions and documented pulumi/actions inputs", () => {
    for (const step of allSteps) {
      if (!step.uses) continue;
      expect(step.uses).toMatch(/^(actions\/checkout@v4|actions\/setup-node@v4|pulumi\/actions@v6)$/);
      if (step.uses.startsWith("pulumi/actions@")) {
        for (const key of Object.keys(step.with ?? {})) expect(PULUMI_ACTION_INPUTS.has(key), key).toBe(true);
      }
    }
  });

  it("on pull requests: previews the real stack and posts the diff as a PR comment, with write permission", () => {
    const job = wf.jobs["preview"] as Job;
    expect(job.if).toContain("github.event_name == 'pull_request'");
    expect(job.permissions?.["pull-requests"]).toBe("write");
    const [step, ...others] = pulumiSteps(job);
    expect(others).toHaveLength(0);
    expect(step?.with).toMatchObject({ command: "preview", "comment-on-pr": true, diff: true });
    expect(String(step?.with?.["github-token"])).toContain("secrets.GITHUB_TOKEN");
    expect(String(step?.with?.["stack-name"])).toContain("env.REAL_STACK");
  });

  it("on merge to main: applies the real stack, one update at a time", () => {
    const job = wf.jobs["up"] as Job;
    expect(job.if).toContain("github.event_name == 'push'");
    expect(job.if).toContain("refs/heads/main");
    const steps = pulumiSteps(job);
    expect(steps).toHaveLength(1);
    expect(steps[0]?.with).toMatchObject({ command: "up" });
    expect(job["timeout-minutes"]).toBeGreaterThanOrEqual(120);
  });

  it("real-stack jobs take Atlas and backend credentials from repository secrets", () => {
    for (const name of ["preview", "up"]) {
      const env = pulumiSteps(wf.jobs[name] as Job)[0]?.env ?? {};
      for (const key of [
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_CONFIG_PASSPHRASE",
        "MONGODB_ATLAS_CLIENT_ID",
        "MONGODB_ATLAS_CLIENT_SECRET",
        "MONGODB_ATLAS_PUBLIC_API_KEY",
        "MONGODB_ATLAS_PRIVATE_API_KEY",
      ]) {
        expect(env[key], `${name}: ${key}`).toBe(`\${{ secrets.${key} }}`);
      }
    }
  });

  it("the emulator job needs no secret: it starts the emulator, exports its URL and the seeded key, and runs up and destroy", () => {
    const job = wf.jobs["emulator"] as Job;
    expect(JSON.stringify(job)).not.toContain("secrets.");
    const script = job.steps.map((s) => s.run ?? "").join("\n");
    expect(script).toContain("./node_modules/.bin/atlas-export-emulator --port 0");
    expect(script).toContain('echo "MONGODB_ATLAS_BASE_URL=$url" >> "$GITHUB_ENV"');
    for (const cmd of ["pulumi stack init", "pulumi preview", "pulumi up --yes", "pulumi preview --expect-no-changes", "pulumi destroy --yes"]) {
      expect(script, cmd).toContain(cmd);
    }
    expect(script.indexOf("pulumi up --yes")).toBeLessThan(script.indexOf("pulumi destroy --yes"));
    const env = Object.assign({}, ...job.steps.map((s) => s.env ?? {})) as Record<string, string>;
    expect(env["MONGODB_ATLAS_PUBLIC_API_KEY"]).toBe(SEED.apiKey.publicKey);
    expect(env["MONGODB_ATLAS_PRIVATE_API_KEY"]).toBe(SEED.apiKey.privateKey);
    expect(env["PULUMI_BACKEND_URL"]).toMatch(/^file:\/\//);
    expect(env["PULUMI_CONFIG_PASSPHRASE"]).toBeTruthy();
    // The real stacks wait for it.
    expect(wf.jobs["preview"]?.needs).toBe("emulator");
    expect(wf.jobs["up"]?.needs).toBe("emulator");
  });

  it("the emulator job's config points at the seed, with keys the examples program reads", () => {
    const program = readFileSync(path.join(root, "examples", "index.ts"), "utf8");
    const script = (wf.jobs["emulator"] as Job).steps.map((s) => s.run ?? "").join("\n");
    const sets = [...script.matchAll(/pulumi config set (\w+) (\S+)/g)].map((m) => [m[1] as string, m[2] as string] as const);
    expect(sets.length).toBeGreaterThan(3);
    const seed: Record<string, string> = {
      projectId: SEED.groupId,
      clusterName: SEED.clusters[0],
      awsRoleId: SEED.awsRoleId,
      azureRoleId: SEED.azureRoleId,
      gcpRoleId: SEED.gcpRoleId,
    };
    for (const [key, value] of sets) {
      expect(program, key).toContain(`config.get(key)`);
      expect(program, key).toMatch(new RegExp(`\\b${key}: "`));
      if (seed[key] !== undefined) expect(value, key).toBe(seed[key]);
      else expect(program, key).toContain(`${key}: "${value}"`);
    }
  });
});
