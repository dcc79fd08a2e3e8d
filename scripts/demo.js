#!/usr/bin/env node
/**
 * The quick start: runs the examples program (examples/index.ts, compiled to dist/examples)
 * end to end against the embedded Atlas emulator with the real Pulumi CLI and engine.
 *
 *   npm run demo                 # up: buckets on AWS, Azure and GCP, and export jobs into them
 *   npm run demo -- preview      # what up would do
 *   npm run demo -- refresh      # compare state with the emulator
 *   npm run demo -- destroy      # delete everything and stop
 *
 * State lives in .demo/ (a local file backend and the emulator's persisted data), so a later
 * `destroy` finds what `up` made. Environment knobs (tests use them; nobody needs them to run
 * the demo):
 *   PULUMI_ATLAS_EXPORT_DEMO_DIR   state directory instead of .demo/ (inside the repo: the engine's
 *                                  provider process resolves pulumi-atlas-export from there)
 *   ATLAS_EMULATOR_TIME_SCALE      emulator speed: 1 (default) = a job takes ~7 s, 0 = instant
 *   PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS  first poll interval of export waits (default here 1000)
 * The Pulumi CLI comes from scripts/ensure-pulumi.sh (built from
 * the Go module proxy once and cached when no `pulumi` is on PATH). The program runs as an
 * Automation API inline program, which needs no Node.js language host.
 */
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const demoDir = path.resolve(repoRoot, process.env.PULUMI_ATLAS_EXPORT_DEMO_DIR || ".demo");
const demoDirLabel = path.relative(repoRoot, demoDir) || ".";
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
  say("making the Pulumi CLI available (the first run builds it from the Go module proxy: a few minutes)");
  const binDir = execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .pop();
  process.env.PATH = `${binDir}${path.delimiter}${process.env.PATH}`;

  const auto = require("@pulumi/pulumi/automation");
  const { startEmulator } = require("pulumi-atlas-export/emulator");
  fs.mkdirSync(path.join(demoDir, "state"), { recursive: true });

  const emulator = await startEmulator({
    port: 0,
    seed: "empty-buckets",
    timeScale,
    persistPath: path.join(demoDir, "emulator.json"),
  });
  say(`Atlas emulator listening at ${emulator.url} (state in ${path.join(demoDirLabel, "emulator.json")})`);

  // The emulator's seeded API key, for both the provider (in the CLI's plugin process, envVars
  // below) and getLatestSnapshotOutput (runs in this process: inline program). A service account
  // in the caller's environment would win over API keys, so it is cleared for this run.
  const atlasEnv = {
    MONGODB_ATLAS_BASE_URL: emulator.url,
    MONGODB_ATLAS_PUBLIC_API_KEY: emulator.credentials.apiKey.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: emulator.credentials.apiKey.privateKey,
    MONGODB_ATLAS_CLIENT_ID: "",
    MONGODB_ATLAS_CLIENT_SECRET: "",
  };
  Object.assign(process.env, atlasEnv);

  const program = async () => require(path.join(repoRoot, "dist", "examples", "index.js")).default();
  const cmd = await auto.PulumiCommand.get({ root: path.dirname(binDir) });
  const stack = await auto.LocalWorkspace.createOrSelectStack(
    { stackName: "demo", projectName: "atlas-export-examples", program },
    {
      workDir: demoDir,
      pulumiCommand: cmd,
      pulumiHome: path.join(demoDir, "pulumi-home"),
      projectSettings: {
        name: "atlas-export-examples",
        runtime: "nodejs",
        backend: { url: `file://${path.join(demoDir, "state")}` },
      },
      envVars: {
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "demo-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        ...atlasEnv,
        PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: process.env.PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS ?? "1000",
      },
    },
  );
  const onOutput = (line) => process.stdout.write(line);
  try {
    if (command === "preview") {
      say("pulumi preview");
      await stack.preview({ onOutput, diff: true });
    } else if (command === "refresh") {
      say("pulumi refresh");
      await stack.refresh({ onOutput });
    } else if (command === "destroy") {
      say("pulumi destroy");
      await stack.destroy({ onOutput });
      const left = emulator.store.listBuckets(emulator.credentials.groupId);
      say(
        left.length === 0
          ? `destroyed; the emulator holds no export bucket any more. Remove ${demoDirLabel}/ to start afresh.`
          : `destroyed the stack; the emulator still holds ${left.length} export bucket(s) not managed by it: ${left.map((b) => b.id).join(", ")}`,
      );
    } else {
      say("pulumi up");
      const res = await stack.up({ onOutput });
      say("outputs:");
      for (const [k, v] of Object.entries(res.outputs)) {
        process.stdout.write(`  ${k}: ${JSON.stringify(v.value)}\n`);
      }
      say("to delete it all again: npm run demo -- destroy");
    }
  } finally {
    await emulator.close();
  }
}

main().catch((err) => {
  console.error(`[demo] failed: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
