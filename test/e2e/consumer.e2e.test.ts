/**
 * The package as a user gets it: `npm pack`, installed from the tarball into a TypeScript
 * project OUTSIDE the repository (its own package.json with `typescript` and `@types/node`, the
 * tsconfig.json `pulumi new typescript` writes, with `skipLibCheck: false`), whose program is
 * examples/index.ts. That project then runs the shipped GitHub Actions workflow's emulator job,
 * step by step (test/helpers/workflow.ts): `npm ci`, start the emulator from the installed bin,
 * `pulumi preview`, `pulumi up`, a no-change preview and `pulumi destroy` run by the real CLI
 * directly from the `.ts` files, then the stop step. One install serves every step.
 *
 * The consumer's @pulumi/pulumi is the version this CI leg runs (the repo's installed one), and
 * its typescript/@types/node are the repo's, so npm's warm cache serves the install.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, createProjectDir, languageHostBinDir, runCommand } from "../helpers/cli";
import { repoRoot } from "../helpers/pulumi";
import { describeSteps, GITHUB_ONLY_STEPS, isAlive, runWorkflowJob, type JobOutcome } from "../helpers/workflow";

const binDir = languageHostBinDir();
if (!binDir) console.warn("[e2e] consumer: skipped, no pulumi-language-nodejs and no ../shared/pulumi-language-nodejs to build it from");

const WORKFLOW = path.join(repoRoot, "examples", "github-actions", "pulumi-atlas-export.yml");
const installed = (pkg: string): string =>
  (JSON.parse(readFileSync(path.join(repoRoot, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

/** The tsconfig.json of `pulumi new typescript`, with skipLibCheck explicitly off. */
const PULUMI_NEW_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
    skipLibCheck: false,
  },
  files: ["index.ts"],
};

/** Runs a phase and logs how long it took (the e2e budget is tight: see the report in the log). */
async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    console.log(`[e2e] consumer: ${what}: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
}

/** npm settings of the test's runner: use the warm cache, no audit or fund requests. */
const NPM_QUIET = { npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

describe.skipIf(!binDir)("a TypeScript project that installs the packed package", () => {
  let dir = "";
  let tarball = "";
  let packedFiles: string[] = [];
  let job: JobOutcome | undefined;
  let emulatorPid = 0;

  beforeAll(async () => {
    const env = cleanEnv(NPM_QUIET);
    dir = createProjectDir("atlas-exports-consumer", {});
    // `npm pack` runs the prepare script (the build) itself, as on a fresh clone.
    const pack = await timed("npm pack", () => runCommand("npm", ["pack", "--json", "--pack-destination", dir], { cwd: repoRoot, env }));
    const info = (JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
    tarball = info.filename;
    packedFiles = info.files.map((f) => f.path);
    const files: Record<string, string> = {
      "package.json": JSON.stringify(
        {
          name: "atlas-exports-consumer",
          private: true,
          main: "index.ts",
          dependencies: { "@pulumi/pulumi": installed("@pulumi/pulumi"), "pulumi-atlas-export": `file:${tarball}` },
          devDependencies: { typescript: installed("typescript"), "@types/node": installed("@types/node") },
        },
        null,
        2,
      ),
      "Pulumi.yaml": "name: atlas-exports-consumer\nruntime:\n  name: nodejs\n  options:\n    packagemanager: npm\ndescription: Atlas snapshot exports\n",
      "tsconfig.json": JSON.stringify(PULUMI_NEW_TSCONFIG, null, 4),
      // The CLI calls the module's export when it is a function; examples/index.ts default-exports one.
      "index.ts": 'import main from "./program";\n\nexport = main;\n',
      "program.ts": readFileSync(path.join(repoRoot, "examples", "index.ts"), "utf8"),
      "auto-export.ts": readFileSync(path.join(repoRoot, "examples", "auto-export.ts"), "utf8"),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    // The lock file a repository commits; the workflow's `npm ci` installs from it.
    await timed("npm install --package-lock-only", () => runCommand("npm", ["install", "--package-lock-only"], { cwd: dir, env }));

    job = await timed("workflow emulator job", () => runWorkflowJob({
      workflowFile: WORKFLOW,
      job: "emulator",
      cwd: dir,
      runnerEnv: cleanEnv({ ...NPM_QUIET, PULUMI_HOME: path.join(dir, ".runner-pulumi-home") }, binDir),
      skip: GITHUB_ONLY_STEPS,
    }));
    emulatorPid = Number(readFileSync(path.join(job.runnerTemp, "emulator.pid"), "utf8").trim() || 0);
  });

  afterAll(() => {
    if (emulatorPid && isAlive(emulatorPid)) process.kill(emulatorPid, "SIGKILL");
    if (job) rmSync(job.runnerTemp, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the tarball ships the built package: JavaScript, declarations and the emulator bin; no sources, maps or tests", () => {
    for (const f of ["package.json", "README.md", "dist/provider/index.js", "dist/provider/index.d.ts", "dist/provider/resources/runtime.js", "dist/emulator/index.js", "dist/emulator/cli.js"]) {
      expect(packedFiles, f).toContain(f);
    }
    expect(packedFiles.filter((f) => f.endsWith(".map") || f.endsWith(".ts") && !f.endsWith(".d.ts") || /^(test|examples|provider|emulator|dist\/examples)\//.test(f))).toEqual([]);
  });

  it("the workflow's emulator job passes in the consumer's layout, each `run:` step in order (only GitHub actions skipped)", () => {
    const report = describeSteps(job!);
    console.log(`[e2e] workflow emulator job, consumer layout:\n${report}`);
    const failed = job!.steps.find((s) => s.code !== undefined && s.code !== 0);
    expect(failed?.output?.split("\n").slice(-60).join("\n") ?? "", report).toBe("");
    expect(job!.ok).toBe(true);
    const ran = job!.steps.filter((s) => s.skipped === undefined).map((s) => s.label);
    expect(ran).toEqual([
      "npm ci",
      "npm run build --if-present",
      "Start the Atlas emulator",
      "pulumi preview, up, preview (no changes) and destroy on a throwaway stack",
      "Stop the Atlas emulator",
    ]);
    expect(job!.steps.filter((s) => s.skipped !== undefined).map((s) => s.label).sort()).toEqual(Object.keys(GITHUB_ONLY_STEPS).sort());
    expect(existsSync(path.join(dir, "node_modules", "pulumi-atlas-export", "dist", "provider", "index.js"))).toBe(true);
  });

  it("`pulumi up` ran the .ts program through the language host: 8 created, no-change preview, 8 deleted, no warnings", () => {
    const out = job!.steps.find((s) => s.label.startsWith("pulumi preview, up"))?.output ?? "";
    expect(out).toContain("+ 8 created");
    expect(out).toMatch(/Resources:\n\s+8 unchanged/);
    expect(out).toContain("- 8 deleted");
    expect(out).toContain("Stack 'emulator-ci' has been removed");
    expect(out).toMatch(/export job [0-9a-f]{24} on Cluster0: Successful/);
    expect(out).not.toMatch(/warning: using pulumi-[\w-]+ from \$PATH/);
    expect(out).not.toContain("Undefined value");
  });

  it("the stop step ended the emulator", () => {
    expect(emulatorPid).toBeGreaterThan(0);
    expect(isAlive(emulatorPid)).toBe(false);
    expect(job!.steps.at(-1)?.output).toContain("[atlas-emulator] SIGTERM: stopping");
  });

  it("the program and the package's declarations type-check with the pulumi-new tsconfig and skipLibCheck false", async () => {
    const tsc = await timed("tsc --noEmit", () =>
      runCommand(process.execPath, [path.join(dir, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "."], {
        cwd: dir,
        env: cleanEnv(),
        allowFailure: true,
      }),
    );
    expect(tsc.output).toBe("");
    expect(tsc.code).toBe(0);
  });

  it("`npm publish --dry-run` has nothing to correct in package.json", async () => {
    const r = await runCommand("npm", ["publish", "--dry-run", "--ignore-scripts"], { cwd: repoRoot, env: cleanEnv(NPM_QUIET) });
    const warnings = r.stderr.split("\n").filter((l) => /npm warn/i.test(l) && !/requires you to be logged in/.test(l));
    expect(warnings).toEqual([]);
    expect(r.output).toContain(`pulumi-atlas-export@`);
  });
});
