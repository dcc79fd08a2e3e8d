/*
 * node bench/profile-summary.js <dir> [--top 25] [--by package|function]
 *
 * Reads the V8 CPU profiles (*.cpuprofile) that `npm run bench -- --cpu-prof <dir>` wrote and
 * prints, per profile (one per Node process: the program and the dynamic-provider process of
 * each operation), where the self time went: by package (`@pulumi/pulumi`, `zod`, `undici`,
 * `pulumi-atlas-export`, `node:` internals, GC, ...) or by function. The process is named by
 * what its profile ran (the provider's entry is `dynamic-provider`).
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** Which package a profile node's script URL belongs to. */
function packageOf(url, functionName) {
  if (!url) {
    if (functionName === "(garbage collector)") return "(gc)";
    if (functionName === "(program)" || functionName === "(idle)") return functionName;
    return "(native)";
  }
  if (url.startsWith("node:")) return "node:internals";
  const i = url.lastIndexOf("/node_modules/");
  if (i >= 0) {
    const rest = url.slice(i + "/node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (/\/(dist|provider)\//.test(url)) return "pulumi-atlas-export";
  return path.basename(url);
}

/** Self time (ms) per key of one profile. */
function summarize(profile, by) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const n = nodes.get(profile.samples[i]);
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const cf = n.callFrame;
    const key = by === "function" ? `${cf.functionName || "(anonymous)"} ${packageOf(cf.url, cf.functionName)}:${cf.lineNumber + 1}` : packageOf(cf.url, cf.functionName);
    selfUs.set(key, (selfUs.get(key) || 0) + dt);
  }
  const totalUs = profile.endTime - profile.startTime;
  return { totalMs: totalUs / 1000, rows: [...selfUs].map(([k, us]) => [k, us / 1000]).sort((a, b) => b[1] - a[1]) };
}

/** What process a profile came from: the script of its outermost frames. */
function processKind(profile) {
  const urls = profile.nodes.map((n) => n.callFrame.url).filter(Boolean);
  if (urls.some((u) => u.includes("cmd/dynamic-provider"))) return "provider";
  if (urls.some((u) => u.includes("/cmd/run/"))) return "program";
  return "other";
}

function main(argv) {
  const dir = argv.find((a) => !a.startsWith("--"));
  if (!dir) throw new Error("usage: node bench/profile-summary.js <dir> [--top N] [--by package|function]");
  const top = Number((argv[argv.indexOf("--top") + 1] || "").match(/^\d+$/) ? argv[argv.indexOf("--top") + 1] : 25);
  const by = argv.includes("--by") ? argv[argv.indexOf("--by") + 1] : "package";
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".cpuprofile")) files.push(p);
    }
  };
  if (fs.statSync(dir).isDirectory()) walk(dir);
  else files.push(dir);
  for (const f of files.sort()) {
    const profile = JSON.parse(fs.readFileSync(f, "utf8"));
    const { totalMs, rows } = summarize(profile, by);
    const busy = rows.filter(([k]) => k !== "(idle)").reduce((s, [, ms]) => s + ms, 0);
    console.log(`\n${path.relative(fs.statSync(dir).isDirectory() ? dir : path.dirname(dir), f)}  [${processKind(profile)}]  wall ${totalMs.toFixed(0)} ms, on CPU ${busy.toFixed(0)} ms`);
    for (const [k, ms] of rows.filter(([k]) => k !== "(idle)").slice(0, top)) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${k}`);
  }
}

if (require.main === module) main(process.argv.slice(2));
module.exports = { summarize, packageOf, processKind };
