/*
 * /proc sampling for the benches: the processes of a stack's operation (cwd = the stack's work
 * dir), their kind, CPU time and the provider's peak memory. Linux only.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const CLK_TCK = 100; // USER_HZ on Linux; /proc/<pid>/stat start times are in these ticks
const BOOT_MS = (() => {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith("btime "));
    return Number(line.split(" ")[1]) * 1000;
  } catch {
    return NaN;
  }
})();

/** utime + stime of a process in ms, and its start time (ms epoch), from /proc/<pid>/stat. */
function procStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): utime = field 14, stime = 15, starttime = 22
    return {
      cpuMs: ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1000,
      startMs: BOOT_MS + (Number(fields[19]) / CLK_TCK) * 1000,
    };
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
function systemCpu() {
  try {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = f[3] + (f[4] || 0); // idle + iowait
    return { busyMs: ((total - idle) / CLK_TCK) * 1000, totalMs: (total / CLK_TCK) * 1000 };
  } catch {
    return undefined;
  }
}

/**
 * What a process of a stack's operation is: the dynamic provider (`node …/cmd/dynamic-provider`;
 * the sh wrapper's `node -e require.resolve(...)` is not it), the engine (`pulumi` CLI), the
 * Node language host (`pulumi-language-nodejs`, a Go binary that connects to this process for
 * inline programs) or something else (wrappers).
 */
function processKind(argv) {
  if (argv.some((a) => a.includes("cmd/dynamic-provider"))) return argv.includes("-e") ? "other" : "provider";
  // A Pulumi.yaml program run by the Node language host (`node …/@pulumi/pulumi/cmd/run …`).
  if (argv.some((a) => /[\\/]cmd[\\/]run([\\/]|$)/.test(a)) && !argv.includes("-e")) return "program";
  const exe = path.basename(argv[0] || "");
  if (exe === "pulumi") return "engine";
  if (exe.startsWith("pulumi-language-nodejs")) return "language";
  return "other";
}

/** The processes whose cwd is `workDir` (the engine and its plugins), with kind, CPU, start. */
function stackProcesses(workDir) {
  const out = [];
  let names = [];
  try {
    names = fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  for (const n of names) {
    if (Number(n) === process.pid) continue;
    try {
      if (fs.readlinkSync(`/proc/${n}/cwd`) !== workDir) continue;
      const argv = fs.readFileSync(`/proc/${n}/cmdline`, "utf8").split("\0");
      const st = procStat(n);
      if (!st) continue;
      out.push({ pid: Number(n), kind: processKind(argv), argvKnown: argv.some((a) => a !== ""), ...st });
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

/**
 * Folds one look at a stack's processes into `seen` (pid -> { kind, startMs, cpuMs, peakKb }):
 * last CPU time, and the peak memory (from `readMemoryKb(pid)`) of the provider. A pid first seen
 * between fork and exec shows its parent's argv (the engine's, or the plugin wrapper's), so it
 * takes the kind of its later argv; an exiting process's cmdline is empty, so it keeps the kind
 * it had.
 */
function foldSample(seen, procs, readMemoryKb) {
  for (const p of procs) {
    const prev = seen.get(p.pid) || { kind: p.kind, startMs: p.startMs, cpuMs: 0, peakKb: 0 };
    prev.cpuMs = Math.max(prev.cpuMs, p.cpuMs);
    if (p.argvKnown) prev.kind = p.kind;
    if (prev.kind === "provider") {
      const m = readMemoryKb(p.pid);
      if (m) prev.peakKb = Math.max(prev.peakKb, m.hwm, m.rss);
    }
    seen.set(p.pid, prev);
  }
  return seen;
}

/**
 * Samples the processes of `workDir` every 20 ms until stopped: peak memory of the provider,
 * last seen CPU time of every process (a process's CPU after its last sample, < 20 ms, is lost).
 */
function startSampler(workDir) {
  const seen = new Map(); // pid -> { kind, startMs, cpuMs, peakKb }
  const tick = () => foldSample(seen, stackProcesses(workDir), memoryKb);
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

module.exports = { procStat, systemCpu, processKind, stackProcesses, memoryKb, foldSample, startSampler };
