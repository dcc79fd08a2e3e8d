/**
 * The README's quick start, run as written: `npm run demo` from the repository root (the real
 * Pulumi CLI and engine, the examples program, the embedded emulator), then the destroy command
 * the demo itself prints. The README's quick-start block must be exactly the commands this file
 * runs (the `npm ci` half of the first line is what made this test runnable at all; running it
 * here would replace node_modules under the running tests).
 *
 * The demo must be what users get from a Pulumi project: `pulumi up` of the root Pulumi.yaml
 * through the CLI's Node.js language host, not an Automation API inline program. The update
 * history the CLI writes says how each update ran (`exec.kind`: "cli" vs "auto.inline").
 *
 * Speed knobs only (same program, same commands): the emulator runs 10× faster than demo speed,
 * export waits poll every 200 ms, and the state goes to a throwaway directory under .e2e/ and a
 * stack of its own so a developer's .demo/ and demo stack are left alone. A service account in
 * the caller's environment is set to nonsense to show the demo does not pick it up.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { languageHostBinDir } from "../helpers/cli";
import { ensurePulumiBinDir, repoRoot } from "../helpers/pulumi";

const DEMO = "npm run demo";
const QUICK_START = [`npm ci && ${DEMO}`, "npm test"];

/** The first fenced block under "## Quick start" in README.md, as command lines. */
function quickStartCommands(): string[] {
  const md = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = /\n## Quick start\n([\s\S]*?)(?=\n## )/.exec(md)?.[1] ?? "";
  const block = /```(?:sh|bash|shell)?\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => l.length > 0);
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

interface Run {
  code: number | null;
  output: string;
}

function run(commandLine: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const [cmd, ...args] = commandLine.split(/\s+/);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (process.env["E2E_VERBOSE"]) process.stdout.write(chunk);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output: stripAnsi(output) }));
  });
}

const tail = (s: string) => s.split("\n").slice(-60).join("\n");

const STACK = `quickstart-${process.pid}`;

/** `exec.kind` of every update in the demo's file backend ("cli" when the CLI ran the project). */
function execKinds(demoDir: string): string[] {
  const dir = path.join(demoDir, "state", ".pulumi", "history", "atlas-export-examples", STACK);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".history.json"))
    .map((f) => (JSON.parse(readFileSync(path.join(dir, f), "utf8")) as { environment?: Record<string, string> }).environment?.["exec.kind"] ?? "?");
}

describe("README quick start", () => {
  let demoDir = "";
  let env: NodeJS.ProcessEnv = {};
  // With ../shared/pulumi-language-nodejs present (development and CI) the language host must be there.
  const withLanguageHost = languageHostBinDir() !== undefined;

  beforeAll(() => {
    const binDir = ensurePulumiBinDir();
    mkdirSync(path.join(repoRoot, ".e2e"), { recursive: true });
    demoDir = mkdtempSync(path.join(repoRoot, ".e2e", "quickstart-"));
    env = {
      ...process.env,
      PATH: `${binDir}${path.delimiter}${process.env["PATH"] ?? ""}`,
      PULUMI_ATLAS_EXPORT_DEMO_DIR: path.relative(repoRoot, demoDir),
      PULUMI_ATLAS_EXPORT_DEMO_STACK: STACK,
      ATLAS_EMULATOR_TIME_SCALE: "0.1",
      PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "200",
      MONGODB_ATLAS_CLIENT_ID: "mdb_sa_id_not0the0emulator0000000000",
      MONGODB_ATLAS_CLIENT_SECRET: "not-the-emulator-secret",
      MONGODB_ATLAS_BASE_URL: "https://cloud.mongodb.com",
    };
  });

  afterAll(() => {
    if (demoDir) rmSync(demoDir, { recursive: true, force: true });
    rmSync(path.join(repoRoot, `Pulumi.${STACK}.yaml`), { force: true });
  });

  it("the README's quick start is exactly the two commands this test and `npm test` run", () => {
    expect(quickStartCommands()).toEqual(QUICK_START);
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts["demo"]).toBe("npm run build --silent && node scripts/demo.js");
    expect(pkg.scripts["test"]).toBe("bash scripts/test.sh");
  });

  let destroyCommand = "";

  it(`\`${DEMO}\` builds, applies the examples against the emulator, prints the outputs and how to destroy`, async () => {
    const r = await run(DEMO, env);
    expect(r.code, tail(r.output)).toBe(0);
    const out = r.output;
    console.log(`[e2e] ${DEMO}: ...\n${out.slice(out.indexOf("[demo] outputs:"))}`);

    // The outputs the demo prints: a bucket id per cloud and a Successful job into each.
    for (const cloud of ["aws", "azure", "gcp"]) {
      expect(out, cloud).toMatch(new RegExp(`^  ${cloud}BucketId: "[0-9a-f]{24}"$`, "m"));
      const line = new RegExp(`^  ${cloud}ExportJob: (\\{.*\\})$`, "m").exec(out)?.[1];
      expect(line, `${cloud}ExportJob`).toBeDefined();
      const job = JSON.parse(line as string) as { id: string; state: string; prefix: string };
      expect(job.id).toMatch(/^[0-9a-f]{24}$/);
      expect(job.state).toBe("Successful");
      expect(job.prefix).toMatch(/^exported_snapshots\/.+\/Cluster0\//);
    }
    expect(out).toMatch(/^  snapshotId: "[0-9a-f]{24}"$/m);
    expect(out).toContain("+ 8 created");

    // The CLI ran the Pulumi.yaml project through its language host: no inline program.
    if (withLanguageHost) {
      expect(out).toMatch(/\[demo\] pulumi up --yes --stack \S+ +\(the Pulumi\.yaml project in .*; language host \S+pulumi-language-nodejs\)/);
      expect(out).not.toContain("Automation API inline program");
      expect(execKinds(demoDir)).toEqual(["cli"]);
    }

    // Export waits print progress lines.
    expect(out).toMatch(/export job [0-9a-f]{24} on Cluster0: started \(snapshot [0-9a-f]{24} → bucket [0-9a-f]{24}\)/);
    expect(out).toMatch(/export job [0-9a-f]{24} on Cluster0: Successful, 12\/12 collections \(\d+s elapsed\)/);

    // The destroy hint, as a command to run next.
    destroyCommand = /to delete it all again: (npm run demo -- destroy)\s*$/m.exec(out)?.[1] ?? "";
    expect(destroyCommand).toBe("npm run demo -- destroy");
    expect(existsSync(path.join(demoDir, "emulator.json"))).toBe(true);
  });

  it("the printed destroy command deletes everything", async () => {
    expect(destroyCommand).not.toBe("");
    const r = await run(destroyCommand, env);
    expect(r.code, tail(r.output)).toBe(0);
    console.log(`[e2e] ${destroyCommand}: ...\n${tail(r.output).split("\n").slice(-8).join("\n")}`);
    expect(r.output).toContain("- 8 deleted");
    expect(r.output).toContain("destroyed; the emulator holds no export bucket any more.");
    expect(r.output).toContain("removed from the stack's state only");
    if (withLanguageHost) expect(execKinds(demoDir)).toEqual(["cli", "cli"]);
  });

  it("the README's Usage example type-checks against the built package", () => {
    // Runs after `npm run demo` built dist/ (the package's types resolve through its exports).
    const md = readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const usage = md.slice(md.indexOf("\n## Usage\n"));
    const code = /```ts\n([\s\S]*?)```/.exec(usage)?.[1];
    expect(code).toContain('from "pulumi-atlas-export"');
    const dir = mkdtempSync(path.join(repoRoot, ".e2e", "usage-"));
    try {
      writeFileSync(path.join(dir, "index.ts"), code as string);
      writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ extends: "../../tsconfig.json", compilerOptions: { noEmit: true, rootDir: "../.." }, include: ["index.ts"], exclude: [] }),
      );
      const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
      execFileSync(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json")], { cwd: repoRoot, encoding: "utf8", stdio: "pipe" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
