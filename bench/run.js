#!/usr/bin/env node
/*
 * npm run bench [-- --sizes 10,100,300]
 *
 * Cost per resource, measured through the real Pulumi engine (Automation API inline programs,
 * the same harness as test/helpers/pulumi.ts, re-implemented here in plain JS) against the
 * Atlas emulator. For each size N: N/2 ExportBuckets + N/2 ExportJobs (job i exports its own
 * snapshot to bucket i, waitForCompletion, emulator timeScale 0 so the first poll sees it done),
 * and, as the engine's floor, the same shape with a no-op in-memory dynamic provider.
 * By default the emulator runs in its own process (dist/emulator/cli.js), so its CPU is not
 * charged to the bench process, which also hosts the inline program's language server;
 * --in-process-emulator restores the old in-process emulator.
 * See bench/README.md for what each column means.
 */
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const automation = require("@pulumi/pulumi/automation");
const pulumi = require("@pulumi/pulumi");
const { ExportBucket, ExportJob } = require("pulumi-atlas-export");
const { startEmulator, SEED } = require("pulumi-atlas-export/emulator");
const { procStat, systemCpu, startSampler } = require("./processes");

const P = "6a0000000000000000000001";
const CLUSTER = "Cluster0";
const AWS_ROLE = "6a00000000000000000000b1";

function parseArgs(argv) {
  const out = { sizes: [10, 100, 300], inProcessEmulator: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--in-process-emulator") {
      out.inProcessEmulator = true;
      continue;
    }
    const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[i + 1];
    if (a.startsWith("--sizes")) {
      out.sizes = v.split(",").map((s) => Number(s.trim())).filter((n) => n > 0);
      if (!a.includes("=")) i++;
    } else {
      throw new Error(`unknown option ${a} (known: --sizes a,b,c, --in-process-emulator)`);
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

/**
 * One operation, measured: wall time, the request log of the operation (the emulator's log is
 * cleared first), CPU time per process kind (engine, language host, provider, other; this
 * bench process, which hosts the inline program; the emulator process when out of process),
 * the machine's busy share, the provider processes (peak RSS, start) and the first request.
 */
async function measuredOp(s, emulator, fn) {
  if (emulator) await emulator.clearLog();
  const watch = emulator ? emulator.watchFirstRequest() : undefined;
  const emu0 = emulator ? emulator.cpuMs() : undefined;
  const sys0 = systemCpu();
  const self0 = process.cpuUsage();
  const sampler = startSampler(s.workDir);
  const t = await timed(fn);
  const procs = sampler.stop();
  const self = process.cpuUsage(self0);
  const sys1 = systemCpu();
  const emu1 = emulator ? emulator.cpuMs() : undefined;
  const firstRequestMs = watch ? await watch.stop() : undefined;
  const cpu = { engine: 0, language: 0, program: 0, provider: 0, other: 0 };
  for (const p of procs) cpu[p.kind] += p.cpuMs;
  cpu.bench = (self.user + self.system) / 1000;
  cpu.emulator = emu0 !== undefined && emu1 !== undefined ? emu1 - emu0 : undefined;
  const busy = sys0 && sys1 ? (sys1.busyMs - sys0.busyMs) / (sys1.totalMs - sys0.totalMs) : undefined;
  return {
    ms: t.ms,
    result: t.result,
    calls: emulator ? await emulator.log() : [],
    cpu,
    machineBusy: busy,
    providers: procs.filter((p) => p.kind === "provider"),
    firstRequestMs,
  };
}

/** Runs preview, up, refresh, destroy on one stack; returns times, CPU, memory, cold start, state size. */
async function runLifecycle(s, n, emulator) {
  const out = { cpu: {}, machineBusy: {} };
  const record = (op, m) => {
    out[op] = m.ms;
    out[`${op}Calls`] = m.calls;
    out.cpu[op] = m.cpu;
    out.machineBusy[op] = m.machineBusy;
  };

  record("preview", await measuredOp(s, emulator, () => s.stack.preview()));

  const up = await measuredOp(s, emulator, () => s.stack.up());
  record("up", up);
  out.upChanges = up.result.summary.resourceChanges;
  out.providerProcesses = up.providers.length;
  out.peakRssMb = up.providers.length ? Math.max(...up.providers.map((p) => p.peakKb)) / 1024 : undefined;
  if (up.providers.length && up.firstRequestMs !== undefined) {
    out.coldStartMs = up.firstRequestMs - Math.min(...up.providers.map((p) => p.startMs));
  }
  if (emulator) out.upRequestTiming = requestTiming(up.calls);

  const dep = (await s.stack.exportStack()).deployment;
  const resources = (dep.resources || []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
  const sizes = providerBytes(resources);
  out.resourcesInState = resources.length;
  out.providerBytesMax = sizes.length ? Math.max(...sizes) : 0;
  out.providerBytesMean = sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0;
  out.stateBytesPerResource = Buffer.byteLength(JSON.stringify(dep)) / n;

  record("refresh", await measuredOp(s, emulator, () => s.stack.refresh()));
  record("destroy", await measuredOp(s, emulator, () => s.stack.destroy()));
  return out;
}

/** Server-side time of the requests of an operation: sum and mean of durationMs, by kind. */
function requestTiming(entries) {
  const by = {};
  for (const e of entries) {
    const k = `${e.method} ${e.operation || e.path}`;
    const x = by[k] || (by[k] = { count: 0, totalMs: 0 });
    x.count++;
    x.totalMs += e.durationMs || 0;
  }
  for (const x of Object.values(by)) x.meanMs = x.totalMs / x.count;
  return by;
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

// ---------------------------------------------------------------------------------------------
// The emulator, in its own process (default) or in this one (--in-process-emulator). Both give:
// url, credentials, clearLog(), log(), cpuMs() (its own process only), watchFirstRequest(),
// addSnapshots(k) → ids, leftInAtlas(), close().

const snapshotId = (i) => `6d${String(i).padStart(22, "0")}`;

/** The old behaviour: the emulator inside this process (its CPU is charged to this process). */
async function inProcessEmulator() {
  const emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
  // Stamp each log entry with its start time (the log has durations, not timestamps).
  const log = emulator.requestLog;
  const push = log.push.bind(log);
  log.push = (...entries) => {
    const now = Date.now();
    for (const e of entries) e.startedAt = now - (e.durationMs || 0);
    return push(...entries);
  };
  return {
    mode: "in-process",
    url: emulator.url,
    credentials: emulator.credentials,
    async clearLog() {
      log.length = 0;
    },
    async log() {
      return log.slice();
    },
    cpuMs: () => undefined,
    watchFirstRequest() {
      return { stop: async () => (log.length ? Math.min(...log.map((e) => e.startedAt)) : undefined) };
    },
    async addSnapshots(k) {
      const now = Date.now();
      const ids = [];
      for (let i = 0; i < k; i++) {
        const id = snapshotId(i);
        emulator.store.addSnapshot({
          groupId: P, clusterName: CLUSTER, id, requestedAt: now - 3_600_000 - i * 1000, retentionInDays: 7,
          snapshotType: "scheduled", frequencyType: "hourly", storageSizeBytes: 1_000_000, seeded: true,
        });
        ids.push(id);
      }
      return ids;
    },
    async leftInAtlas() {
      return { buckets: emulator.store.listBuckets(P).length, jobs: emulator.store.listJobs(P, CLUSTER).length };
    },
    close: () => emulator.close(),
  };
}

/**
 * The emulator as users run it: `node dist/emulator/cli.js --port 0 --seed empty-buckets
 * --time-scale 0`, the URL read from its one stdout line, everything else over HTTP (control
 * endpoints for the request log and the state; snapshots through the public API).
 */
async function outOfProcessEmulator() {
  const cli = path.join(repoRoot, "dist", "emulator", "cli.js");
  const child = spawn(process.execPath, [cli, "--port", "0", "--seed", "empty-buckets", "--time-scale", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-16_384);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d) => {
      buf += d;
      const i = buf.indexOf("\n");
      if (i < 0) return;
      child.stdout.off("data", onData);
      child.stdout.resume(); // nothing else comes on stdout, but never let it block
      resolve(buf.slice(0, i).trim());
    };
    child.stdout.on("data", onData);
    child.once("error", reject);
    exited.then((code) => reject(new Error(`emulator exited (${code}) before printing its URL:\n${stderr}`)));
  });
  const control = async (p, method = "GET") => {
    const r = await fetch(`${url}/__emulator/${p}`, { method });
    if (!r.ok) throw new Error(`${method} /__emulator/${p}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? undefined : r.json();
  };
  const credentials = { serviceAccount: { ...SEED.serviceAccount } };
  return {
    mode: "process",
    pid: child.pid,
    url,
    credentials,
    clearLog: () => control("requests", "DELETE"),
    log: () => control("requests"),
    cpuMs: () => (procStat(child.pid) || {}).cpuMs,
    /** The log has durations, not timestamps: poll it every 20 ms until the first entry shows. */
    watchFirstRequest() {
      let first;
      let stopped = false;
      const loop = (async () => {
        while (!stopped && first === undefined) {
          const seenAt = Date.now();
          const log = await control("requests").catch(() => []);
          if (log.length) first = Math.min(...log.map((e) => seenAt - (e.durationMs || 0)));
          else await new Promise((r) => setTimeout(r, 20));
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
          return first;
        },
      };
    },
    /**
     * Snapshots through the public API (take snapshot, 2023-01-01): on-demand, and completed at
     * the first read because timeScale is 0. One token request; the log is cleared per op anyway.
     */
    async addSnapshots(k) {
      const { clientId, clientSecret } = credentials.serviceAccount;
      const tr = await fetch(`${url}/api/oauth/token`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
      if (!tr.ok) throw new Error(`token: ${tr.status} ${await tr.text()}`);
      const token = (await tr.json()).access_token;
      const ids = [];
      for (let i = 0; i < k; i++) {
        const r = await fetch(`${url}/api/atlas/v2/groups/${P}/clusters/${CLUSTER}/backup/snapshots`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, accept: "application/vnd.atlas.2023-01-01+json", "content-type": "application/json" },
          body: JSON.stringify({ description: `bench ${i}`, retentionInDays: 7 }),
        });
        if (!r.ok) throw new Error(`take snapshot ${i}: ${r.status} ${await r.text()}`);
        ids.push((await r.json()).id);
      }
      return ids;
    },
    async leftInAtlas() {
      const st = (await control("state")).state;
      return {
        buckets: st.buckets.filter((b) => b.groupId === P).length,
        jobs: st.exportJobs.filter((j) => j.groupId === P && j.clusterName === CLUSTER).length,
      };
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function benchSize(n, binDir, inProcess) {
  const half = n / 2;
  // Floor first.
  const floor = await createStack({ name: `floor-${n}`, binDir, env: {}, program: noopProgram(n) });
  let floorRes;
  try {
    floorRes = await runLifecycle(floor, n, undefined);
  } finally {
    await floor.cleanup();
  }

  const emulator = inProcess ? await inProcessEmulator() : await outOfProcessEmulator();
  let atlasRes;
  try {
    const snapshotIds = await emulator.addSnapshots(half);
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
    try {
      atlasRes = await runLifecycle(atlas, n, emulator);
      atlasRes.leftInAtlas = await emulator.leftInAtlas();
    } finally {
      await atlas.cleanup();
    }
  } finally {
    await emulator.close();
  }
  return { n, buckets: half, jobs: half, emulator: emulator.mode, floor: floorRes, atlas: atlasRes };
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
  const ops = ["preview", "up", "refresh", "destroy"];
  row(
    "emulator CPU per op (preview/up/refresh/destroy)",
    r.emulator === "process" ? `${ops.map((op) => Math.round(a.cpu[op].emulator)).join("/")} ms` : "in bench process",
    "",
    undefined,
  );
  row("left in Atlas after destroy (buckets/jobs)", `${a.leftInAtlas.buckets}/${a.leftInAtlas.jobs}`, "0 / N/2 (jobs can't be deleted)", a.leftInAtlas.buckets === 0);
  return { rows, calls: { preview: pv, up, refresh: rf, destroy: de } };
}

/** CPU time (ms) per operation and process kind, floor and ours; busy = machine-wide share. */
function cpuRows(r) {
  const rows = [];
  for (const op of ["preview", "up", "refresh", "destroy"]) {
    for (const [side, x] of [["floor", r.floor], ["ours", r.atlas]]) {
      const c = x.cpu[op];
      const total = c.engine + c.language + c.provider + c.other + c.bench + (c.emulator || 0);
      rows.push({
        op: side === "floor" ? op : "",
        side,
        wall: fmtMs(x[op]),
        engine: Math.round(c.engine),
        language: Math.round(c.language),
        bench: Math.round(c.bench),
        provider: Math.round(c.provider),
        other: Math.round(c.other),
        emulator: c.emulator === undefined ? (side === "floor" ? "-" : "in bench") : Math.round(c.emulator),
        total: Math.round(total),
        busy: x.machineBusy[op] === undefined ? "-" : `${Math.round(x.machineBusy[op] * 100)} %`,
      });
    }
  }
  return rows;
}

function printCpuTable(title, rows) {
  const cols = [
    ["op", "op"], ["side", "side"], ["wall", "wall"], ["engine", "engine"], ["language", "lang host"], ["bench", "program (bench)"],
    ["provider", "provider"], ["other", "other"], ["emulator", "emulator"], ["total", "sum"], ["busy", "machine busy"],
  ];
  const w = cols.map(([k, h]) => Math.max(h.length, ...rows.map((r) => String(r[k]).length)));
  const line = (vals) => `  ${vals.map((v, i) => (i < 2 ? String(v).padEnd(w[i]) : String(v).padStart(w[i]))).join("  ")}`;
  console.log(`\n${title}`);
  console.log(line(cols.map(([, h]) => h)));
  console.log(line(w.map((x) => "-".repeat(x))));
  for (const r of rows) console.log(line(cols.map(([k]) => r[k])));
}

function printTable(title, rows) {
  const w = [Math.max(...rows.map((r) => r.metric.length), 6), Math.max(...rows.map((r) => r.value.length), 5), Math.max(...rows.map((r) => r.target.length), 6)];
  const line = (a, b, c, d) => `  ${a.padEnd(w[0])}  ${b.padStart(w[1])}  ${c.padEnd(w[2])}  ${d}`;
  console.log(`\n${title}`);
  console.log(line("metric", "value", "target", "status"));
  console.log(line("-".repeat(w[0]), "-".repeat(w[1]), "-".repeat(w[2]), "------"));
  for (const r of rows) console.log(line(r.metric, r.value, r.target, r.status));
}

async function main(argv) {
  const { sizes, inProcessEmulator: inProcess } = parseArgs(argv);
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
    emulator: inProcess ? "in the bench process (--in-process-emulator)" : "own process (dist/emulator/cli.js)",
  };
  console.log(`pulumi-atlas-export bench: sizes ${sizes.join(", ")} (half ExportBuckets, half ExportJobs)`);
  console.log(`machine: ${env.cores} cores (${env.cpu}), load ${env.loadavg.join(" ")}; Node ${env.node}; Pulumi CLI ${env.pulumiCli}, SDK ${env.pulumiSdk}`);
  console.log(`emulator: ${env.emulator}`);
  const results = [];
  for (const n of sizes) {
    console.log(`\n… N=${n}: floor (no-op provider), then Atlas (emulator)`);
    const r = await benchSize(n, binDir, inProcess);
    const s = summarize(r);
    r.summary = s;
    printTable(`N=${n} resources (${r.buckets} buckets + ${r.jobs} jobs)`, s.rows);
    printCpuTable(`N=${n} CPU time per operation (ms; /proc utime+stime, sampled every 20 ms)`, cpuRows(r));
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

module.exports = { startSampler, outOfProcessEmulator, countCalls, requestTiming, pulumiBinDir, systemCpu, fmtMs, fmt, printTable, P, CLUSTER, AWS_ROLE };

if (require.main === module) {
  const argv = process.argv.slice(2);
  // Default: the real CLI path (bench/cli.js). --inline: the Automation API inline-program bench.
  const run = argv.includes("--inline") ? main(argv.filter((a) => a !== "--inline")) : require("./cli").main(argv);
  run.catch((e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  });
}
