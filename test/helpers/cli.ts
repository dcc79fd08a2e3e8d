/**
 * Drives the real `pulumi` CLI on a Pulumi.yaml project, the way users run it: the CLI starts
 * the Node.js language host, which runs the project's program (compiled JavaScript, or
 * TypeScript through ts-node). Unlike test/helpers/pulumi.ts (Automation API inline programs),
 * nothing of the program runs in the test's process.
 *
 * Each {@link CliProject} gets its own `file://` backend and PULUMI_HOME in a temp dir, and an
 * environment stripped of the caller's Pulumi, Atlas and npm variables, so a developer's login,
 * credentials or `npm test` context never leak in.
 *
 * ```ts
 * const bin = requireLanguageHostBinDir();
 * const p = cliProject({ dir: repoRoot, stack: "e2e", env: emulatorApiKeyEnv(emulator) });
 * await p.pulumi(["stack", "init", "e2e"]);
 * const up = await p.pulumi(["up", "--yes", "--json"]);
 * expect(changeSummary(up.stdout)).toEqual({ create: 8 });
 * await p.cleanup();
 * ```
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ensurePulumiBinDir, repoRoot } from "./pulumi";

/** Where scripts/ensure-pulumi.sh builds the language host from (absent in a user's clone). */
export const LANGUAGE_HOST_SOURCE = path.resolve(repoRoot, "..", "shared", "pulumi-language-nodejs");

/**
 * The bin directory of `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`
 * (scripts/ensure-pulumi.sh), or undefined when there is no language host and none can be built
 * (its source folder is absent: a user's clone without ../shared). Throws when the source is
 * there but the language host is not: that is a broken build, not a reason to skip.
 */
export function languageHostBinDir(): string | undefined {
  const bin = ensurePulumiBinDir();
  // ensure-pulumi.sh may answer "<pulumi's dir>:<plugin dir>"; the language host sits beside pulumi.
  if (existsSync(path.join(bin.split(path.delimiter)[0]!, "pulumi-language-nodejs"))) return bin;
  if (existsSync(LANGUAGE_HOST_SOURCE)) {
    throw new Error(
      `scripts/ensure-pulumi.sh returned ${bin}, which has no pulumi-language-nodejs although its source is at ${LANGUAGE_HOST_SOURCE}`,
    );
  }
  return undefined;
}

/**
 * The environment of a child process with nothing inherited that could change what it does:
 * no `PULUMI_*` (backend, stack, token), no `MONGODB_ATLAS_*` (credentials), no `npm_*` (an
 * `npm test` parent's npm settings, e.g. its prefix, would make a child `npm ci` act on the
 * repo), then `extra` on top and `binDir` first on PATH.
 */
export function cleanEnv(extra: Record<string, string> = {}, binDir?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(PULUMI_|MONGODB_ATLAS_|npm_|VITEST)/i.test(k) || k === "INIT_CWD" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  Object.assign(env, extra);
  if (binDir) env["PATH"] = `${binDir}${path.delimiter}${env["PATH"] ?? ""}`;
  return env;
}

/** What a finished command printed. `output` is stdout and stderr interleaved as they came. */
export interface CommandResult {
  /** the command line, for messages */
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

/** Options of {@link runCommand}. */
export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Resolve on a non-zero exit instead of rejecting (for commands that must fail). */
  allowFailure?: boolean;
}

/**
 * Runs a command to completion (no shell). Rejects on a non-zero exit unless `allowFailure`,
 * with the command and the last 80 lines of its output. With E2E_VERBOSE set, output is echoed.
 */
export function runCommand(cmd: string, args: string[], opts: RunOptions): Promise<CommandResult> {
  const command = [cmd, ...args].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
      output += c.toString("utf8");
      if (process.env["E2E_VERBOSE"]) process.stdout.write(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
      output += c.toString("utf8");
      if (process.env["E2E_VERBOSE"]) process.stderr.write(c);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const result = { command, code, stdout, stderr, output };
      if (code === 0 || opts.allowFailure) resolve(result);
      else reject(new Error(`\`${command}\` (in ${opts.cwd}) exited with ${code}:\n${output.split("\n").slice(-80).join("\n")}`));
    });
  });
}

/** A Pulumi project directory with its own backend, run by the real CLI. */
export interface CliProject {
  /** the directory holding Pulumi.yaml */
  dir: string;
  /** the stack every command targets (`--stack` is added unless the arguments name one) */
  stack: string;
  /** temp dir holding this project's `backend/` and `pulumi-home/` */
  stateDir: string;
  /** the environment every command gets */
  env: Record<string, string>;
  /**
   * Runs `pulumi <args> --stack <stack> --non-interactive` in `dir`. Rejects on a non-zero
   * exit unless `allowFailure`. `stack init`/`stack rm` take the stack name from the arguments.
   */
  pulumi(args: string[], opts?: { allowFailure?: boolean; env?: Record<string, string> }): Promise<CommandResult>;
  /** Removes the stack (if still there), its `Pulumi.<stack>.yaml` and the state dir. */
  cleanup(): Promise<void>;
}

/** Options of {@link cliProject}. */
export interface CliProjectOptions {
  /** an existing directory with a Pulumi.yaml */
  dir: string;
  stack: string;
  /** bin dir from {@link languageHostBinDir}; put first on PATH */
  binDir: string;
  /** extra environment (Atlas base URL and credentials, knobs) */
  env?: Record<string, string>;
}

/** Wraps a project directory for the real CLI, with a fresh `file://` backend and PULUMI_HOME. */
export function cliProject(opts: CliProjectOptions): CliProject {
  if (!existsSync(path.join(opts.dir, "Pulumi.yaml"))) throw new Error(`${opts.dir} has no Pulumi.yaml`);
  const stateDir = mkdtempSync(path.join(tmpdir(), "pulumi-cli-"));
  mkdirSync(path.join(stateDir, "backend"));
  const env = cleanEnv(
    {
      PULUMI_BACKEND_URL: `file://${path.join(stateDir, "backend")}`,
      PULUMI_HOME: path.join(stateDir, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "200",
      NO_COLOR: "1",
      ...opts.env,
    },
    opts.binDir,
  );
  const project: CliProject = {
    dir: opts.dir,
    stack: opts.stack,
    stateDir,
    env,
    pulumi(args, runOpts = {}) {
      const names = args[0] === "stack" && (args[1] === "init" || args[1] === "rm" || args[1] === "select");
      const full = [...args, ...(names || args.includes("--stack") ? [] : ["--stack", opts.stack]), "--non-interactive"];
      return runCommand("pulumi", full, {
        cwd: opts.dir,
        env: { ...env, ...runOpts.env },
        allowFailure: runOpts.allowFailure ?? false,
      });
    },
    async cleanup() {
      await project.pulumi(["stack", "rm", "--yes", "--force", opts.stack], { allowFailure: true });
      rmSync(path.join(opts.dir, `Pulumi.${opts.stack}.yaml`), { force: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return project;
}

/**
 * Writes a new project directory OUTSIDE the repository (under the OS temp dir, so nothing of
 * the repo's node_modules is visible to it) with the given files, e.g. `Pulumi.yaml`,
 * `package.json`, `index.ts`. Returns its path; remove it with `rmSync(dir, { recursive: true })`.
 */
export function createProjectDir(name: string, files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Resource counts per operation, e.g. `{ create: 8 }` or `{ same: 4, update: 3 }`. */
export type ChangeSummary = Partial<Record<"create" | "update" | "delete" | "replace" | "same" | "read" | "refresh" | string, number>>;

/**
 * The change summary of a `pulumi preview|up|refresh|destroy --json` run, from its stdout.
 * `preview --json` prints one JSON document with `changeSummary`; `up/refresh/destroy --json`
 * print engine events, one JSON object per line, the last `summaryEvent` holding
 * `resourceChanges`. Zero counts are dropped, so `{ create: 8 }` compares exactly.
 */
export function changeSummary(jsonStdout: string): ChangeSummary {
  const text = jsonStdout.trim();
  let summary: Record<string, number> | undefined;
  // Engine events (`up`/`refresh`/`destroy --json`): one object per line, after the preview document.
  const events = text
    .split("\n")
    .filter((l) => l.startsWith('{"sequence"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  if (events.length > 0) {
    summary = lastSummary(events);
  } else {
    const doc = JSON.parse(text) as { changeSummary?: Record<string, number> };
    summary = doc.changeSummary;
  }
  if (!summary) throw new Error(`no change summary in the --json output:\n${text.slice(-2000)}`);
  return Object.fromEntries(Object.entries(summary).filter(([, n]) => n !== 0));
}

function lastSummary(events: Array<Record<string, unknown>>): Record<string, number> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const s = events[i]?.["summaryEvent"] as { resourceChanges?: Record<string, number> } | undefined;
    if (s) return s.resourceChanges ?? {};
  }
  return undefined;
}

/** The stack's outputs (`pulumi stack output --json --show-secrets`). */
export async function stackOutputs(project: CliProject): Promise<Record<string, unknown>> {
  const r = await project.pulumi(["stack", "output", "--json", "--show-secrets"]);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
