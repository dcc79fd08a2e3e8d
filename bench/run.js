#!/usr/bin/env node
/*
 * npm run bench [-- --sizes 10,100,300]
 *
 * Cost per resource, measured through the real Pulumi engine (Automation API inline programs,
 * the same harness as test/helpers/pulumi.ts, re-implemented here in plain JS) against the
 * Atlas emulator. For each size N: N/2 ExportBuckets + N/2 ExportJobs (job i exports its own
 * snapshot to bucket i, waitForCompletion, emulator timeScale 0 so the first poll sees it done),
 * and, as the engine's floor, the same shape with a no-op in-memory dynamic provider.
 * See bench/README.md for what each column means.
 */
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const automation = require("@pulumi/pulumi/automation");
const pulumi = require("@pulumi/pulumi");
const { ExportBucket, ExportJob } = require("pulumi-atlas-export");
const { startEmulator } = require("pulumi-atlas-export/emulator");

const P = "6a0000000000000000000001";
const CLUSTER = "Cluster0";
const AWS_ROLE = "6a00000000000000000000b1";

function parseArgs(argv) {
  const out = { sizes: [10, 100, 300] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[i + 1];
    if (a.startsWith("--sizes")) {
      out.sizes = v.split(",").map((s) => Number(s.trim())).filter((n) => n > 0);
      if (!a.includes("=")) i++;
    }
  }
  for (const n of out.sizes) if (n % 2 !== 0) throw new Error(`--sizes: ${n} must be even (half buckets, half jobs)`);
  return out;
}

function pulumiBinDir() {
  if (process.env.PULUMI_BIN_DIR) return process.env.PULUMI_BIN_DIR;
  const out = execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return out.trim().split("\n").pop();
}

// ---------------------------------------------------------------------------------------------
// /proc sampling: the dynamic-provider process of a stack (cwd = the stack's work dir).

const CLK_TCK = 100; // USER_HZ on Linux; /proc/<pid>/stat start times are in these ticks
const BOOT_MS = (() => {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith("btime "));
    return Number(line.split(" ")[1]) * 1000;
  } catch {
    return NaN;
  }
})();

function providerProcesses(workDir) {
  const out = [];
  let names = [];
  try {
    names = fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  for (const n of names) {
    try {
      const argv = fs.readFileSync(`/proc/${n}/cmdline`, "utf8").split("\0");
      if (!argv.some((a) => a.includes("cmd/dynamic-provider"))) continue;
      if (fs.readlinkSync(`/proc/${n}/cwd`) !== workDir) continue;
      // node is argv[0]; the sh wrapper's `node -e require.resolve(...)` is not the provider
      if (argv.includes("-e")) continue;
      const stat = fs.readFileSync(`/proc/${n}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const startMs = BOOT_MS + (Number(fields[19]) / CLK_TCK) * 1000; // field 22 overall
      out.push({ pid: Number(n), startMs });
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

function memoryKb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const get = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status) || [])[1] || 0);
    return { hwm: get("VmHWM"), rss: get("VmRSS") };
  } catch {
    return undefined;
  }
}

/** Samples the provider processes of `workDir` every 20 ms until stopped. */
function startSampler(workDir) {
  const seen = new Map(); // pid -> { startMs, peakKb }
  const tick = () => {
    for (const p of providerProcesses(workDir)) {
      const m = memoryKb(p.pid);
      const prev = seen.get(p.pid) || { startMs: p.startMs, peakKb: 0 };
      if (m) prev.peakKb = Math.max(prev.peakKb, m.hwm, m.rss);
      seen.set(p.pid, prev);
    }
  };
  const timer = setInterval(tick, 20);
  tick();
  return {
    stop() {
      clearInterval(timer);
      tick();
      return [...seen.entries()].map(([pid, v]) => ({ pid, ...v }));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Stacks

async function createStack({ name, binDir, env, program }) {
  const base = path.join(repoRoot, ".e2e");
  fs.mkdirSync(base, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(base, `bench-${name}-`));
  const backendDir = path.join(workDir, "backend");
  fs.mkdirSync(backendDir);
  const projectName = `bench-${name}`;
  const cmd = await automation.PulumiCommand.get({ root: path.dirname(binDir) });
  const stack = await automation.LocalWorkspace.createOrSelectStack(
    { stackName: "bench", projectName, program },
    {
      workDir,
      pulumiCommand: cmd,
      pulumiHome: path.join(workDir, "pulumi-home"),
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
      envVars: {
        PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        ...env,
      },
    },
  );
  return {
    stack,
    workDir,
    async cleanup() {
      try {
        await stack.workspace.removeStack("bench", { force: true });
      } catch {
        // already gone
      }
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** The engine's floor: a trivial in-memory provider (serialized like ours, no API, no require). */
const noopProvider = {
  async create(inputs) {
    return { id: inputs.key, outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
  async diff() {
    return { changes: false };
  },
  async delete() {},
};

class Noop extends pulumi.dynamic.Resource {
  constructor(name, props) {
    super(noopProvider, name, { ...props, out: undefined }, undefined, "bench", "Noop");
  }
}

function noopProgram(n) {
  return async () => {
    for (let i = 0; i < n / 2; i++) {
      const b = new Noop(`bucket-${i}`, { key: `b${i}`, bucketName: `bench-bucket-${i}` });
      new Noop(`job-${i}`, { key: `j${i}`, bucket: b.id });
    }
  };
}

function atlasProgram(n, snapshotIds) {
  return async () => {
    for (let i = 0; i < n / 2; i++) {
      const b = new ExportBucket(`bucket-${i}`, { projectId: P, cloudProvider: "AWS", bucketName: `bench-bucket-${i}`, iamRoleId: AWS_ROLE });
      new ExportJob(`job-${i}`, { projectId: P, clusterName: CLUSTER, snapshotId: snapshotIds[i], exportBucketId: b.exportBucketId, waitForCompletion: true });
    }
  };
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

function providerBytes(resources) {
  return resources
    .map((r) => (r.outputs && r.outputs.__provider) || (r.inputs && r.inputs.__provider))
    .filter((p) => p !== undefined)
    .map((p) => Buffer.byteLength(typeof p === "string" ? p : JSON.stringify(p)));
}

/** Runs preview, up, refresh, destroy on one stack; returns times, memory, cold start, state size. */
async function runLifecycle(s, n, emulator) {
  const out = {};
  const log = emulator ? emulator.requestLog : undefined;
  const mark = () => (log ? log.length : 0);
  const calls = (from) => (log ? log.slice(from) : []);

  let from = mark();
  out.preview = (await timed(() => s.stack.preview())).ms;
  out.previewCalls = calls(from);

  from = mark();
  const sampler = startSampler(s.workDir);
  const up = await timed(() => s.stack.up());
  const procs = sampler.stop();
  out.up = up.ms;
  out.upCalls = calls(from);
  out.upChanges = up.result.summary.resourceChanges;
  out.providerProcesses = procs.length;
  out.peakRssMb = procs.length ? Math.max(...procs.map((p) => p.peakKb)) / 1024 : undefined;
  if (emulator && procs.length && out.upCalls.length) {
    const firstStart = Math.min(...procs.map((p) => p.startMs));
    const firstReq = Math.min(...out.upCalls.map((e) => e.startedAt));
    out.coldStartMs = firstReq - firstStart;
  }

  const dep = (await s.stack.exportStack()).deployment;
  const resources = (dep.resources || []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
  const sizes = providerBytes(resources);
  out.resourcesInState = resources.length;
  out.providerBytesMax = sizes.length ? Math.max(...sizes) : 0;
  out.providerBytesMean = sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0;
  out.stateBytesPerResource = Buffer.byteLength(JSON.stringify(dep)) / n;

  from = mark();
  out.refresh = (await timed(() => s.stack.refresh())).ms;
  out.refreshCalls = calls(from);

  from = mark();
  out.destroy = (await timed(() => s.stack.destroy())).ms;
  out.destroyCalls = calls(from);
  return out;
}

/** API calls of one operation, split by what they were for. */
function countCalls(entries) {
  const c = { total: entries.length, challenges: 0, tokens: 0, bucket: 0, job: 0, other: 0, byOperation: {} };
  for (const e of entries) {
    if (e.status === 401 && e.auth !== "bearer") c.challenges++;
    else if (e.path === "/api/oauth/token") c.tokens++;
    else if (/exportBuckets/.test(e.path)) c.bucket++;
    else if (/exports/.test(e.path)) c.job++;
    else c.other++;
    const k = `${e.method} ${e.operation || e.path}`;
    c.byOperation[k] = (c.byOperation[k] || 0) + 1;
  }
  return c;
}

async function benchSize(n, binDir) {
  const half = n / 2;
  // Floor first.
  const floor = await createStack({ name: `floor-${n}`, binDir, env: {}, program: noopProgram(n) });
  let floorRes;
  try {
    floorRes = await runLifecycle(floor, n, undefined);
  } finally {
    await floor.cleanup();
  }

  const emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
  // Stamp each log entry with its start time (the log has durations, not timestamps).
  const push = emulator.requestLog.push.bind(emulator.requestLog);
  emulator.requestLog.push = (...entries) => {
    const now = Date.now();
    for (const e of entries) e.startedAt = now - (e.durationMs || 0);
    return push(...entries);
  };
  const now = Date.now();
  const snapshotIds = [];
  for (let i = 0; i < half; i++) {
    const id = `6d${String(i).padStart(22, "0")}`;
    emulator.store.addSnapshot({
      groupId: P, clusterName: CLUSTER, id, requestedAt: now - 3_600_000 - i * 1000, retentionInDays: 7,
      snapshotType: "scheduled", frequencyType: "hourly", storageSizeBytes: 1_000_000, seeded: true,
    });
    snapshotIds.push(id);
  }
  const atlas = await createStack({
    name: `atlas-${n}`,
    binDir,
    env: {
      MONGODB_ATLAS_BASE_URL: emulator.url,
      // OAuth service account: one token request per provider process, no digest challenges.
      MONGODB_ATLAS_CLIENT_ID: emulator.credentials.serviceAccount.clientId,
      MONGODB_ATLAS_CLIENT_SECRET: emulator.credentials.serviceAccount.clientSecret,
      PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "10",
    },
    program: atlasProgram(n, snapshotIds),
  });
  let atlasRes;
  try {
    atlasRes = await runLifecycle(atlas, n, emulator);
    atlasRes.leftInAtlas = { buckets: emulator.store.listBuckets(P).length, jobs: emulator.store.listJobs(P, CLUSTER).length };
  } finally {
    await atlas.cleanup();
    await emulator.close();
  }
  return { n, buckets: half, jobs: half, floor: floorRes, atlas: atlasRes };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtMs = (ms) => (ms === undefined ? "-" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? "-" : Number(x).toFixed(d));

function summarize(r) {
  const a = r.atlas;
  const half = r.buckets;
  const pv = countCalls(a.previewCalls);
  const up = countCalls(a.upCalls);
  const rf = countCalls(a.refreshCalls);
  const de = countCalls(a.destroyCalls);
  const ratio = (op) => a[op] / r.floor[op];
  const rows = [];
  const row = (metric, value, target, pass) => rows.push({ metric, value, target, status: pass === undefined ? "" : pass ? "PASS" : "MISS" });
  for (const op of ["preview", "up", "refresh", "destroy"]) {
    row(`${op} wall time (floor ${fmtMs(r.floor[op])})`, `${fmtMs(a[op])}  ×${fmt(ratio(op))}`, op === "up" ? "≤ 1.2× floor" : "", op === "up" ? ratio(op) <= 1.2 : undefined);
  }
  row("API calls in preview", String(pv.total), "0", pv.total === 0);
  row("create: calls per bucket (POST)", fmt(up.bucket / half), "1", up.bucket / half <= 1);
  row("create: calls per job (POST + polls)", fmt(up.job / half), "1 (2 with wait: POST + 1 poll)", up.job / half <= 1);
  row("create: calls per resource (all)", fmt((up.bucket + up.job) / r.n), "1", (up.bucket + up.job) / r.n <= 1);
  row("refresh: reads per resource", fmt((rf.bucket + rf.job) / r.n), "1", (rf.bucket + rf.job) / r.n <= 1);
  row("destroy: calls per bucket (DELETE)", fmt(de.bucket / half), "1", de.bucket / half <= 1);
  row("destroy: calls per job (none: Atlas can't delete)", fmt(de.job / half), "0", de.job === 0);
  const tokens = [up.tokens, rf.tokens, de.tokens];
  row("token requests per op (up/refresh/destroy)", tokens.join("/"), "≤ 1 per provider process", tokens.every((t) => t <= 1));
  row("digest 401 challenges", String(pv.challenges + up.challenges + rf.challenges + de.challenges), "0 (OAuth)", undefined);
  row("__provider bytes per resource (mean/max)", `${Math.round(a.providerBytesMean)}/${a.providerBytesMax}`, "≤ 2048", a.providerBytesMax <= 2048);
  row("state bytes per resource (ours / floor)", `${Math.round(a.stateBytesPerResource)} / ${Math.round(r.floor.stateBytesPerResource)}`, "", undefined);
  row("provider process peak RSS (ours / floor)", `${fmt(a.peakRssMb, 1)} MB / ${fmt(r.floor.peakRssMb, 1)} MB`, "", undefined);
  row("provider cold start (process start → 1st request)", fmtMs(a.coldStartMs), "", undefined);
  row("left in Atlas after destroy (buckets/jobs)", `${a.leftInAtlas.buckets}/${a.leftInAtlas.jobs}`, "0 / N/2 (jobs can't be deleted)", a.leftInAtlas.buckets === 0);
  return { rows, calls: { preview: pv, up, refresh: rf, destroy: de } };
}

function printTable(title, rows) {
  const w = [Math.max(...rows.map((r) => r.metric.length), 6), Math.max(...rows.map((r) => r.value.length), 5), Math.max(...rows.map((r) => r.target.length), 6)];
  const line = (a, b, c, d) => `  ${a.padEnd(w[0])}  ${b.padStart(w[1])}  ${c.padEnd(w[2])}  ${d}`;
  console.log(`\n${title}`);
  console.log(line("metric", "value", "target", "status"));
  console.log(line("-".repeat(w[0]), "-".repeat(w[1]), "-".repeat(w[2]), "------"));
  for (const r of rows) console.log(line(r.metric, r.value, r.target, r.status));
}

async function main() {
  const { sizes } = parseArgs(process.argv.slice(2));
  const binDir = pulumiBinDir();
  process.env.PATH = `${binDir}${path.delimiter}${process.env.PATH || ""}`;
  const pulumiVersion = execFileSync(path.join(binDir, "pulumi"), ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }).trim();
  const env = {
    cores: os.cpus().length,
    cpu: (os.cpus()[0] || {}).model,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    pulumiCli: pulumiVersion,
    pulumiSdk: require("@pulumi/pulumi/package.json").version,
    package: require("pulumi-atlas-export/package.json").version,
    parallel: "engine default",
  };
  console.log(`pulumi-atlas-export bench: sizes ${sizes.join(", ")} (half ExportBuckets, half ExportJobs)`);
  console.log(`machine: ${env.cores} cores (${env.cpu}), load ${env.loadavg.join(" ")}; Node ${env.node}; Pulumi CLI ${env.pulumiCli}, SDK ${env.pulumiSdk}`);
  const results = [];
  for (const n of sizes) {
    console.log(`\n… N=${n}: floor (no-op provider), then Atlas (emulator)`);
    const r = await benchSize(n, binDir);
    const s = summarize(r);
    r.summary = s;
    printTable(`N=${n} resources (${r.buckets} buckets + ${r.jobs} jobs)`, s.rows);
    // Drop the raw log entries from the JSON but keep the counts.
    for (const k of ["previewCalls", "upCalls", "refreshCalls", "destroyCalls"]) {
      delete r.atlas[k];
      delete r.floor[k];
    }
    results.push(r);
  }
  const dir = path.join(__dirname, "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ env, sizes, results }, null, 2)}\n`);
  console.log(`\nJSON: ${path.relative(repoRoot, file)}`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
