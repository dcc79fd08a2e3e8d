#!/usr/bin/env node
/**
 * The quick start: runs the examples project (the root Pulumi.yaml; its program is
 * examples/index.ts, compiled to dist/examples) with `pulumi up` against an Atlas emulator
 * started here, exactly as a user runs a Pulumi project: the real CLI, its Node.js language
 * host and the engine's dynamic-provider plugin.
 *
 *   npm run demo                 # up: buckets on AWS, Azure and GCP, and export jobs into them
 *   npm run demo -- preview      # what up would do
 *   npm run demo -- refresh      # compare state with the emulator
 *   npm run demo -- destroy      # delete everything and stop
 *
 * State lives in .demo/ (a local file backend, PULUMI_HOME and the emulator's persisted data) and
 * the stack's settings in Pulumi.<stack>.yaml at the repository root (git-ignored), so a later
 * `destroy` finds what `up` made. Environment knobs (tests use them; nobody needs them to run the
 * demo):
 *   PULUMI_ATLAS_EXPORT_DEMO_DIR   state directory instead of .demo/ (inside the repo)
 *   PULUMI_ATLAS_EXPORT_DEMO_STACK stack name instead of "demo"
 *   ATLAS_EMULATOR_TIME_SCALE      emulator speed: 1 (default) = a job takes ~7 s, 0 = instant
 *   PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS  first poll interval of export waits (default here 1000)
 * The Pulumi CLI and its language host come from scripts/ensure-pulumi.sh (built once and cached).
 * Only when no language host can be built (no ../shared/pulumi-language-nodejs) does the demo
 * fall back to running the same program as an Automation API inline program, and says so.
 */
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const demoDir = path.resolve(repoRoot, process.env.PULUMI_ATLAS_EXPORT_DEMO_DIR || ".demo");
const demoDirLabel = path.relative(repoRoot, demoDir) || ".";
const stackName = process.env.PULUMI_ATLAS_EXPORT_DEMO_STACK || "demo";
const timeScale = parseTimeScale(process.env.ATLAS_EMULATOR_TIME_SCALE);
const command = process.argv[2] ?? "up";
const known = ["up", "preview", "refresh", "destroy"];

function parseTimeScale(raw) {
  if (raw === undefined || raw.trim() === "") return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`ATLAS_EMULATOR_TIME_SCALE must be a number >= 0, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

function say(msg) {
  process.stdout.write(`\x1b[1m[demo]\x1b[0m ${msg}\n`);
}

/** Runs a command with the terminal's stdout/stderr; resolves with its exit code. */
function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the emulator serves the CLI's requests from this process.
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** Like run, but returns stdout (for `pulumi stack output --json`). */
function capture(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`))));
  });
}

/** The environment of the pulumi commands: only this demo's backend, stack and Atlas settings. */
function pulumiEnv(binDir, atlasEnv) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // The caller's Pulumi login, selected stack, backend, or Atlas credentials must not leak in.
    if (!/^(PULUMI_|MONGODB_ATLAS_)/.test(k)) env[k] = v;
  }
  return {
    ...env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${path.join(demoDir, "state")}`,
    PULUMI_HOME: path.join(demoDir, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "demo-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: process.env.PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS ?? "1000",
    ...atlasEnv,
  };
}

/** `pulumi <command>` on the root Pulumi.yaml project, through the CLI and its language host. */
async function runWithCli(binDir, atlasEnv, emulator) {
  const env = pulumiEnv(binDir, atlasEnv);
  const pulumi = (args) => run("pulumi", [...args, "--non-interactive"], env);
  if ((await pulumi(["stack", "select", "--create", stackName])) !== 0) return 1;
  const stackArgs = ["--stack", stackName];
  const line = {
    up: ["up", "--yes", ...stackArgs],
    preview: ["preview", "--diff", ...stackArgs],
    refresh: ["refresh", "--yes", ...stackArgs],
    destroy: ["destroy", "--yes", ...stackArgs],
  }[command];
  const languageHost = path.join(binDir.split(path.delimiter)[0], "pulumi-language-nodejs");
  say(`pulumi ${line.join(" ")}   (the Pulumi.yaml project in ${repoRoot}; language host ${languageHost})`);
  const code = await pulumi(line);
  if (code !== 0) return code;
  if (command === "up") {
    const outputs = JSON.parse(await capture("pulumi", ["stack", "output", "--json", ...stackArgs], env));
    say("outputs:");
    for (const [k, v] of Object.entries(outputs)) process.stdout.write(`  ${k}: ${JSON.stringify(v)}\n`);
    say("to delete it all again: npm run demo -- destroy");
  } else if (command === "destroy") {
    reportLeftovers(emulator);
  }
  return 0;
}

function reportLeftovers(emulator) {
  const left = emulator.store.listBuckets(emulator.credentials.groupId);
  say(
    left.length === 0
      ? `destroyed; the emulator holds no export bucket any more. Remove ${demoDirLabel}/ to start afresh.`
      : `destroyed the stack; the emulator still holds ${left.length} export bucket(s) not managed by it: ${left.map((b) => b.id).join(", ")}`,
  );
}

/**
 * Fallback without a language host: the same program as an Automation API inline program (the
 * CLI and engine are real; the program runs in this process).
 */
async function runInline(binDir, atlasEnv, emulator) {
  say(`no pulumi-language-nodejs beside pulumi in ${binDir}: running the program as an Automation API inline program`);
  const auto = require("@pulumi/pulumi/automation");
  // getLatestSnapshotOutput runs in this process here: it needs the emulator's settings too.
  Object.assign(process.env, atlasEnv);
  const program = async () => require(path.join(repoRoot, "dist", "examples", "index.js")).default();
  const cmd = await auto.PulumiCommand.get({ root: path.dirname(binDir) });
  const env = pulumiEnv(binDir, atlasEnv);
  const stack = await auto.LocalWorkspace.createOrSelectStack(
    { stackName, projectName: "atlas-export-examples", program },
    {
      workDir: demoDir,
      pulumiCommand: cmd,
      pulumiHome: env.PULUMI_HOME,
      projectSettings: { name: "atlas-export-examples", runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL } },
      envVars: Object.fromEntries(Object.entries(env).filter(([k]) => /^(PULUMI_|MONGODB_ATLAS_)/.test(k))),
    },
  );
  const onOutput = (l) => process.stdout.write(l);
  if (command === "preview") await stack.preview({ onOutput, diff: true });
  else if (command === "refresh") await stack.refresh({ onOutput });
  else if (command === "destroy") {
    await stack.destroy({ onOutput });
    reportLeftovers(emulator);
  } else {
    const res = await stack.up({ onOutput });
    say("outputs:");
    for (const [k, v] of Object.entries(res.outputs)) process.stdout.write(`  ${k}: ${JSON.stringify(v.value)}\n`);
    say("to delete it all again: npm run demo -- destroy");
  }
  return 0;
}

async function main() {
  if (!known.includes(command)) {
    console.error(`unknown command "${command}"; use one of: ${known.join(", ")}`);
    process.exit(2);
  }
  if (path.relative(repoRoot, demoDir).startsWith("..") || path.isAbsolute(path.relative(repoRoot, demoDir))) {
    console.error(
      `PULUMI_ATLAS_EXPORT_DEMO_DIR must be inside ${repoRoot}: the engine's provider process runs there and ` +
        `loads pulumi-atlas-export from the repo's node_modules`,
    );
    process.exit(2);
  }
  say("making the Pulumi CLI and its Node.js language host available (the first run builds them with Go: 10+ minutes, once)");
  const binDir = execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .pop();

  const { startEmulator } = require("pulumi-atlas-export/emulator");
  fs.mkdirSync(path.join(demoDir, "state"), { recursive: true });
  const emulator = await startEmulator({
    port: 0,
    seed: "empty-buckets",
    timeScale,
    persistPath: path.join(demoDir, "emulator.json"),
  });
  say(`Atlas emulator listening at ${emulator.url} (state in ${path.join(demoDirLabel, "emulator.json")})`);

  // The emulator's seeded API key. A service account in the caller's environment would win over
  // API keys, so it is cleared for this run.
  const atlasEnv = {
    MONGODB_ATLAS_BASE_URL: emulator.url,
    MONGODB_ATLAS_PUBLIC_API_KEY: emulator.credentials.apiKey.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: emulator.credentials.apiKey.privateKey,
    MONGODB_ATLAS_CLIENT_ID: "",
    MONGODB_ATLAS_CLIENT_SECRET: "",
  };
  try {
    // ensure-pulumi.sh may print "<pulumi's dir>:<plugin dir>"; the language host sits beside pulumi.
    const hasLanguageHost = fs.existsSync(path.join(binDir.split(path.delimiter)[0], "pulumi-language-nodejs"));
    return await (hasLanguageHost ? runWithCli : runInline)(binDir, atlasEnv, emulator);
  } finally {
    await emulator.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[demo] failed: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
