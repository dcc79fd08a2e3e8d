/*
 * npm run bench [-- --n 10,100,300 --runs 3 --shapes buckets,mixed --quick --install copy|link
 *                    --samples 3 --floor noop|http --cpu-prof dir]
 *
 * The path users take: a Pulumi.yaml project in a temp dir, with pulumi-atlas-export installed in
 * its own node_modules (a copy, as npm installs it: bench/install-package.js), run by the real
 * `pulumi` CLI and its Node.js language host, one fresh program process per operation
 * (`pulumi preview`, `up --yes --skip-preview`, `refresh --yes --skip-preview`,
 * `destroy --yes --skip-preview`; preview and refresh, which change nothing, are sampled
 * --samples times in a row and the median sample kept). Against it, the floor: the same project shape with a no-op
 * dynamic provider defined in the program (create echoes its inputs; no package to load, no API).
 * Floor and ours alternate (ABBA per run) so drift on a busy machine hits both alike; the ratio
 * ours/floor is taken per run and printed as min/median/max. The emulator runs in its own
 * process at time scale 0, a fresh one per lifecycle of ours. See bench/README.md.
 */
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { installPackage, repoRoot } = require("./install-package");
const common = require("./run");
const { REPEATABLE, combineSamples } = require("./samples");

const OPS = ["preview", "up", "refresh", "destroy"];
const TARGETS = { preview: 1.05, up: 1.1, refresh: 1.1, destroy: 1.1 };

function parseArgs(argv) {
  const out = { sizes: [10, 100, 300], runs: 3, shapes: ["buckets", "mixed"], install: "copy", quick: false, cpuProf: undefined, floor: "noop", samples: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") {
      out.quick = true;
      continue;
    }
    const eq = a.indexOf("=");
    const flag = eq >= 0 ? a.slice(0, eq) : a;
    const value = () => (eq >= 0 ? a.slice(eq + 1) : argv[++i]);
    if (flag === "--n" || flag === "--sizes") out.sizes = value().split(",").map(Number).filter((n) => n > 0);
    else if (flag === "--runs") out.runs = Math.max(1, Number(value()));
    else if (flag === "--shapes") out.shapes = value().split(",").map((s) => s.trim());
    else if (flag === "--install") out.install = value();
    else if (flag === "--cpu-prof") out.cpuProf = path.resolve(value());
    else if (flag === "--floor") out.floor = value();
    else if (flag === "--samples") out.samples = Math.max(1, Number(value()));
    else throw new Error(`unknown option ${a} (known: --n a,b,c, --runs k, --shapes buckets,mixed, --quick, --install copy|link, --cpu-prof dir, --floor noop|http, --samples k, --inline)`);
  }
  // --quick: buckets+jobs only (the shape with every code path), for a run of a few minutes.
  if (out.quick) out.shapes = ["mixed"];
  for (const s of out.shapes) if (s !== "buckets" && s !== "mixed") throw new Error(`--shapes: ${s} (buckets or mixed)`);
  for (const n of out.sizes) if (n % 2 !== 0) throw new Error(`--n: ${n} must be even (mixed: half buckets, half jobs)`);
  if (out.install !== "copy" && out.install !== "link") throw new Error(`--install: copy or link, not ${out.install}`);
  if (out.floor !== "noop" && out.floor !== "http") throw new Error(`--floor: noop or http, not ${out.floor}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The programs. Both read bench-input.json from the project dir and append how long their
// requires took to import-times.jsonl (the program process measures itself: the language host
// has already loaded @pulumi/pulumi, so the second number is the package's own import cost).

const PROGRAM_HEAD = `"use strict";
const fs = require("fs");
const path = require("path");
const t0 = process.hrtime.bigint();
const pulumi = require("@pulumi/pulumi");
const t1 = process.hrtime.bigint();
const input = JSON.parse(fs.readFileSync(path.join(__dirname, "bench-input.json"), "utf8"));
`;
const PROGRAM_TAIL = `
fs.appendFileSync(path.join(__dirname, "import-times.jsonl"), JSON.stringify({ pulumiMs: Number(t1 - t0) / 1e6, packageMs: Number(t2 - t1) / 1e6 }) + "\\n");
`;

// The floor's provider. Its functions are serialized by value into every resource's state, so
// the plain no-op floor must not carry the --floor http code: that would inflate the floor's
// state bytes (~0.5 KB per resource) that ours is compared with.
const FLOOR_NOOP_PROVIDER = `const noop = {
  async create(inputs) { return { id: inputs.key, outs: inputs }; },
  async read(id, props) { return { id, props }; },
  async diff() { return { changes: false }; },
  async delete() {},
};
`;
// --floor http: create, read and delete each make the one API round trip the targets allow
// (an authenticated GET of a bucket list page, with undici, to the same emulator), so the floor
// also pays for the HTTP traffic any real provider needs.
const FLOOR_HTTP_PROVIDER = `const hit = async () => {
  const { request } = require("undici");
  const r = await request(process.env.BENCH_FLOOR_HTTP_URL, { headers: { authorization: process.env.BENCH_FLOOR_HTTP_AUTH, accept: "application/vnd.atlas.2023-01-01+json" } });
  await r.body.text();
};
const noop = {
  async create(inputs) { await hit(); return { id: inputs.key, outs: inputs }; },
  async read(id, props) { await hit(); return { id, props }; },
  async diff() { return { changes: false }; },
  async delete() { await hit(); },
};
`;

/** The floor's program: N no-op dynamic resources in the same shape as ours. */
const floorProgram = (floor) => `${PROGRAM_HEAD}const t2 = process.hrtime.bigint();
${floor === "http" ? FLOOR_HTTP_PROVIDER : FLOOR_NOOP_PROVIDER}class Noop extends pulumi.dynamic.Resource {
  constructor(name, props) { super(noop, name, { ...props, out: undefined }, undefined, "bench", "Noop"); }
}
if (input.shape === "buckets") {
  for (let i = 0; i < input.n; i++) new Noop("bucket-" + i, { key: "b" + i, bucketName: "bench-bucket-" + i });
} else {
  for (let i = 0; i < input.n / 2; i++) {
    const b = new Noop("bucket-" + i, { key: "b" + i, bucketName: "bench-bucket-" + i });
    new Noop("job-" + i, { key: "j" + i, bucket: b.id });
  }
}
${PROGRAM_TAIL}`;

const OURS_PROGRAM = `${PROGRAM_HEAD}const { ExportBucket, ExportJob } = require("pulumi-atlas-export");
const t2 = process.hrtime.bigint();
const bucket = (i) => new ExportBucket("bucket-" + i, { projectId: input.projectId, cloudProvider: "AWS", bucketName: "bench-bucket-" + i, iamRoleId: input.roleId });
if (input.shape === "buckets") {
  for (let i = 0; i < input.n; i++) bucket(i);
} else {
  for (let i = 0; i < input.n / 2; i++) {
    const b = bucket(i);
    new ExportJob("job-" + i, { projectId: input.projectId, clusterName: input.clusterName, snapshotId: input.snapshotIds[i], exportBucketId: b.exportBucketId, waitForCompletion: true });
  }
}
${PROGRAM_TAIL}`;

// ---------------------------------------------------------------------------------------------
// Projects and the CLI

function createProject({ side, shape, n, run, install, floorKind }) {
  const base = path.join(repoRoot, ".e2e");
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, `bench-cli-${side}-${shape}-${n}-r${run}-`));
  const backend = path.join(dir, ".backend");
  fs.mkdirSync(backend);
  const name = `bench-${side}`;
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\nbackend:\n  url: file://${backend}\n`);
  fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name, private: true, main: "index.js" }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, "index.js"), side === "floor" ? floorProgram(floorKind) : OURS_PROGRAM);
  if (side === "ours") installPackage(dir, install);
  else {
    // The floor needs only @pulumi/pulumi (the same instance), and undici for --floor http.
    fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(repoRoot, "node_modules", "@pulumi", "pulumi")), path.join(dir, "node_modules", "@pulumi", "pulumi"), "dir");
    fs.symlinkSync(fs.realpathSync(path.join(repoRoot, "node_modules", "undici")), path.join(dir, "node_modules", "undici"), "dir");
  }
  return dir;
}

/** Runs `pulumi <args>` in the project; rejects with its output on a non-zero exit. */
function pulumiCli(binDir, dir, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, "pulumi"), [...args, "--non-interactive", "--stack", "bench"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = [];
    let stderr = "";
    child.stdout.on("data", (d) => stdout.push(d));
    child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-16_000)));
    child.once("error", reject);
    child.once("close", (code) => {
      const out = Buffer.concat(stdout).toString("utf8");
      // Resolves with stdout only (`stack export` is parsed); the log keeps a tail of both.
      fs.appendFileSync(path.join(dir, "cli.log"), `$ pulumi ${args.join(" ")}\n${out.slice(-16_000)}${stderr}\n`);
      if (code === 0) resolve(out);
      else reject(new Error(`pulumi ${args.join(" ")} exited ${code} in ${dir}:\n${(out + stderr).slice(-4000)}`));
    });
  });
}

const OP_ARGS = {
  preview: ["preview"],
  up: ["up", "--yes", "--skip-preview"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

/** One lifecycle (preview × `samples`, up, refresh × `samples`, destroy) of one side in a fresh project. */
async function lifecycle({ binDir, side, shape, n, run, install, emulator, cpuProf, floorHttp, samples: sampleCount = 1 }) {
  const dir = createProject({ side, shape, n, run, install, floorKind: floorHttp ? "http" : "noop" });
  const input = { side, shape, n, projectId: common.P, clusterName: common.CLUSTER, roleId: common.AWS_ROLE, snapshotIds: [] };
  if (emulator && shape === "mixed") input.snapshotIds = await emulator.addSnapshots(n / 2);
  fs.writeFileSync(path.join(dir, "bench-input.json"), JSON.stringify(input));
  const env = {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH || ""}`,
    PULUMI_HOME: path.join(dir, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    ...(emulator
      ? {
          MONGODB_ATLAS_BASE_URL: emulator.url,
          MONGODB_ATLAS_CLIENT_ID: emulator.credentials.serviceAccount.clientId,
          MONGODB_ATLAS_CLIENT_SECRET: emulator.credentials.serviceAccount.clientSecret,
          PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "10",
        }
      : {}),
  };
  for (const k of Object.keys(env)) if (k.startsWith("MONGODB_ATLAS_") && !emulator) delete env[k];
  if (floorHttp) Object.assign(env, floorHttp);
  const out = { side, shape, n, run, ms: {}, cpu: {}, calls: {}, peakRssMb: {}, machineBusy: {}, samplesMs: {} };
  try {
    await pulumiCli(binDir, dir, ["stack", "init"], env);
    // One sample of one operation: wall time, CPU per process, the provider's peak RSS, API calls.
    const measure = async (op, sample) => {
      if (emulator) await emulator.clearLog();
      const sys0 = common.systemCpu();
      const sampler = common.startSampler(dir);
      // --cpu-prof: every Node process of the operation (program, provider) writes a V8 CPU
      // profile to <dir>/<side>-<shape>-<n>-r<run>/<op>/ (bench/cpu-profile-preload.js, through
      // NODE_OPTIONS, which reaches both through the language host and the engine). Profiling slows them down: read those runs' profiles,
      // not their times.
      const opEnv = cpuProf
        ? { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS || ""} --require ${path.join(__dirname, "cpu-profile-preload.js")}`.trim(), BENCH_CPU_PROF_DIR: path.join(cpuProf, `${side}-${shape}-${n}-r${run}`, sample ? `${op}-${sample + 1}` : op) }
        : env;
      const t0 = process.hrtime.bigint();
      await pulumiCli(binDir, dir, OP_ARGS[op], opEnv);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const procs = sampler.stop();
      const sys1 = common.systemCpu();
      const cpu = { engine: 0, language: 0, program: 0, provider: 0, other: 0 };
      for (const p of procs) cpu[p.kind] = (cpu[p.kind] || 0) + p.cpuMs;
      const providers = procs.filter((p) => p.kind === "provider");
      return {
        ms,
        cpu,
        busy: sys0 && sys1 ? (sys1.busyMs - sys0.busyMs) / (sys1.totalMs - sys0.totalMs) : undefined,
        peakRssMb: providers.length ? Math.max(...providers.map((p) => p.peakKb)) / 1024 : undefined,
        calls: emulator ? common.countCalls(await emulator.log()) : undefined,
      };
    };
    for (const op of OPS) {
      // Preview and refresh change nothing, so each is sampled `sampleCount` times in a row
      // (more samples per lifecycle cost no extra setup); combineSamples says what stands for the run.
      const samples = [];
      for (let i = 0; i < (REPEATABLE.has(op) ? sampleCount : 1); i++) samples.push(await measure(op, i));
      const c = combineSamples(samples);
      out.ms[op] = c.ms;
      out.cpu[op] = c.cpu;
      out.machineBusy[op] = c.busy;
      out.peakRssMb[op] = c.peakRssMb;
      if (emulator) out.calls[op] = c.calls;
      if (c.samplesMs) out.samplesMs[op] = c.samplesMs;
      if (op === "up") {
        const exported = JSON.parse(await pulumiCli(binDir, dir, ["stack", "export"], env));
        const deployment = exported.deployment;
        const dynamic = (deployment.resources || []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
        out.resources = dynamic.length;
        out.stateBytesPerResource = Buffer.byteLength(JSON.stringify(deployment)) / n;
        const providerSizes = dynamic.map((r) => (r.outputs || {}).__provider).filter((p) => p !== undefined).map((p) => Buffer.byteLength(typeof p === "string" ? p : JSON.stringify(p)));
        out.providerBytesMax = providerSizes.length ? Math.max(...providerSizes) : 0;
      }
    }
    const times = fs.readFileSync(path.join(dir, "import-times.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    out.importMs = times.map((t) => t.packageMs);
    if (emulator) out.leftInAtlas = await emulator.leftInAtlas();
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    e.message += `\n(project kept for inspection: ${dir})`;
    throw e;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mmm = (xs, f) => (xs.length ? `${f(Math.min(...xs))} / ${f(median(xs))} / ${f(Math.max(...xs))}` : "-");
const x2 = (v) => `×${v.toFixed(2)}`;

function report(pairs, opts) {
  const rows = [];
  const row = (metric, value, target, pass) => rows.push({ metric, value, target, status: pass === undefined ? "" : pass ? "PASS" : "MISS" });
  const groups = new Map();
  for (const p of pairs) {
    const k = `${p.shape} N=${p.n}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(p);
  }
  const summary = [];
  for (const [k, ps] of groups) {
    const [shape, n] = [ps[0].shape, ps[0].n];
    const buckets = shape === "buckets" ? n : n / 2;
    const jobs = shape === "buckets" ? 0 : n / 2;
    rows.length = 0;
    for (const op of OPS) {
      const ratios = ps.map((p) => p.ours.ms[op] / p.floor.ms[op]);
      const floorMs = ps.map((p) => p.floor.ms[op]);
      const oursMs = ps.map((p) => p.ours.ms[op]);
      row(`${op}: ours/floor (min/median/max)`, mmm(ratios, x2), `≤ ${TARGETS[op]}× (median)`, median(ratios) <= TARGETS[op]);
      row(`${op}: floor / ours wall (median)`, `${common.fmtMs(median(floorMs))} / ${common.fmtMs(median(oursMs))}`, "", undefined);
      // The samples behind each run's value (preview and refresh, --samples k): their spread within a run.
      const all = (side) => ps.flatMap((p) => p[side].samplesMs?.[op] || []);
      if (all("floor").length) row(`${op}: every sample, floor (min/median/max)`, mmm(all("floor"), common.fmtMs), "", undefined);
      if (all("ours").length) row(`${op}: every sample, ours (min/median/max)`, mmm(all("ours"), common.fmtMs), "", undefined);
    }
    const calls = (op, key) => ps.map((p) => p.ours.calls[op][key]);
    const pv = ps.map((p) => p.ours.calls.preview.total);
    row("API calls in preview (max over runs)", String(Math.max(...pv)), "0", Math.max(...pv) === 0);
    const perBucket = (op) => Math.max(...calls(op, "bucket")) / buckets;
    row("up: calls per bucket", common.fmt(perBucket("up")), "1", perBucket("up") <= 1);
    if (jobs) row("up: calls per job (POST + polls)", common.fmt(Math.max(...calls("up", "job")) / jobs), "2 (POST + 1 poll with wait)", Math.max(...calls("up", "job")) / jobs <= 2);
    const reads = Math.max(...ps.map((p) => p.ours.calls.refresh.bucket + p.ours.calls.refresh.job)) / n;
    row("refresh: reads per resource", common.fmt(reads), "1", reads <= 1);
    row("destroy: calls per bucket", common.fmt(perBucket("destroy")), "1", perBucket("destroy") <= 1);
    if (jobs) row("destroy: calls per job", common.fmt(Math.max(...calls("destroy", "job")) / jobs), "0", Math.max(...calls("destroy", "job")) === 0);
    const tokens = Math.max(...ps.flatMap((p) => ["up", "refresh", "destroy"].map((op) => p.ours.calls[op].tokens)));
    row("token requests per op (max)", String(tokens), "≤ 1", tokens <= 1);
    const stateOurs = median(ps.map((p) => p.ours.stateBytesPerResource));
    const stateFloor = median(ps.map((p) => p.floor.stateBytesPerResource));
    row("state bytes per resource (ours / floor)", `${Math.round(stateOurs)} / ${Math.round(stateFloor)}`, "≤ floor + 1024", stateOurs <= stateFloor + 1024);
    row("__provider bytes (ours / floor)", `${ps[0].ours.providerBytesMax} / ${ps[0].floor.providerBytesMax}`, "", undefined);
    const rss = (side) => ps.map((p) => Math.max(...OPS.map((op) => p[side].peakRssMb[op] || 0)));
    const rssOurs = median(rss("ours"));
    const rssFloor = median(rss("floor"));
    row("provider peak RSS, MB (ours / floor)", `${rssOurs.toFixed(1)} / ${rssFloor.toFixed(1)}`, "≤ floor + 25", rssOurs <= rssFloor + 25);
    const imports = ps.flatMap((p) => p.ours.importMs);
    row("program: require(\"pulumi-atlas-export\") ms (min/median/max)", mmm(imports, (v) => v.toFixed(1)), "≤ 50 (median)", median(imports) <= 50);
    const left = Math.max(...ps.map((p) => p.ours.leftInAtlas.buckets));
    row("buckets left in Atlas after destroy", String(left), "0", left === 0);
    common.printTable(`${k}: ${buckets} buckets${jobs ? ` + ${jobs} jobs` : ""}, ${ps.length} run(s), install: ${opts.install}`, rows);
    printCpu(k, ps);
    summary.push({ group: k, rows: rows.slice() });
  }
  return summary;
}

/** Median CPU ms per process kind and operation, floor → ours: which process pays. */
function printCpu(title, ps) {
  console.log(`\n${title}: CPU ms per process (median over runs; floor → ours)`);
  const kinds = ["engine", "language", "program", "provider", "other"];
  console.log(`  ${"op".padEnd(8)}${kinds.map((k) => k.padStart(16)).join("")}${"machine busy".padStart(16)}`);
  for (const op of OPS) {
    const cell = (k) => `${Math.round(median(ps.map((p) => p.floor.cpu[op][k] || 0)))} → ${Math.round(median(ps.map((p) => p.ours.cpu[op][k] || 0)))}`;
    const busy = median(ps.map((p) => (p.ours.machineBusy[op] + p.floor.machineBusy[op]) / 2));
    console.log(`  ${op.padEnd(8)}${kinds.map((k) => cell(k).padStart(16)).join("")}${`${Math.round(busy * 100)} %`.padStart(16)}`);
  }
}

/** --floor http: where the floor's provider sends its one request per create/read/delete, and its token. */
async function floorHttpEnv(emulator) {
  const { clientId, clientSecret } = emulator.credentials.serviceAccount;
  const res = await fetch(`${emulator.url}/api/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  if (!res.ok) throw new Error(`floor http: token request: ${res.status} ${await res.text()}`);
  const { access_token: token } = await res.json();
  return { BENCH_FLOOR_HTTP_URL: `${emulator.url}/api/atlas/v2/groups/${common.P}/backup/exportBuckets?itemsPerPage=1`, BENCH_FLOOR_HTTP_AUTH: `Bearer ${token}` };
}

async function main(argv) {
  const opts = parseArgs(argv);
  const binDir = common.pulumiBinDir();
  if (!fs.existsSync(path.join(binDir, "pulumi-language-nodejs"))) {
    throw new Error(`no pulumi-language-nodejs in ${binDir}: the real CLI path needs the Node.js language host (wait for the CLI cache, see the brief / scripts/ensure-pulumi.sh)`);
  }
  execFileSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, stdio: "inherit" });
  const pulumiVersion = execFileSync(path.join(binDir, "pulumi"), ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }).trim();
  const env = {
    cores: os.cpus().length,
    cpu: (os.cpus()[0] || {}).model,
    loadavgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    pulumiCli: pulumiVersion,
    pulumiSdk: require("@pulumi/pulumi/package.json").version,
    install: opts.install,
  };
  console.log(`pulumi-atlas-export bench, real CLI path: N ${opts.sizes.join(", ")}; shapes ${opts.shapes.join(", ")}; ${opts.runs} run(s); install: ${opts.install}; floor: ${opts.floor === "http" ? "no-op provider + one HTTP round trip per create/read/delete" : "no-op provider"}`);
  console.log(`machine: ${env.cores} cores (${env.cpu}), load ${env.loadavgAtStart.join(" ")}; Node ${env.node}; Pulumi CLI ${env.pulumiCli}, SDK ${env.pulumiSdk}`);
  const pairs = [];
  for (let run = 0; run < opts.runs; run++) {
    for (const n of opts.sizes) {
      for (const shape of opts.shapes) {
        const pair = { shape, n, run };
        // ABBA: floor first on even runs, ours first on odd runs.
        const order = run % 2 === 0 ? ["floor", "ours"] : ["ours", "floor"];
        for (const side of order) {
          process.stdout.write(`… run ${run + 1}/${opts.runs} ${shape} N=${n} ${side}\n`);
          if (side === "floor" && opts.floor === "http") {
            const emulator = await common.outOfProcessEmulator();
            try {
              pair.floor = await lifecycle({ binDir, side, shape, n, run, install: opts.install, cpuProf: opts.cpuProf, samples: opts.samples, floorHttp: await floorHttpEnv(emulator) });
            } finally {
              await emulator.close();
            }
          } else if (side === "floor") {
            pair.floor = await lifecycle({ binDir, side, shape, n, run, install: opts.install, cpuProf: opts.cpuProf, samples: opts.samples });
          } else {
            const emulator = await common.outOfProcessEmulator();
            try {
              pair.ours = await lifecycle({ binDir, side, shape, n, run, install: opts.install, emulator, cpuProf: opts.cpuProf, samples: opts.samples });
            } finally {
              await emulator.close();
            }
          }
        }
        const r = (op) => (pair.ours.ms[op] / pair.floor.ms[op]).toFixed(2);
        console.log(`  ${OPS.map((op) => `${op} ×${r(op)}`).join("  ")}`);
        pairs.push(pair);
      }
    }
  }
  env.loadavgAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  const summary = report(pairs, opts);
  console.log(`\nload average at start ${env.loadavgAtStart.join(" ")}, at end ${env.loadavgAtEnd.join(" ")}`);
  const dir = path.join(__dirname, "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `cli-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ env, opts, pairs, summary }, null, 2)}\n`);
  console.log(`JSON: ${path.relative(repoRoot, file)}`);
}

module.exports = { main, parseArgs };
