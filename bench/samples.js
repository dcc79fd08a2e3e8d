/*
 * Several samples of one operation in one lifecycle (bench/cli.js --samples k), folded into the
 * run's value. Pure: unit-tested in test/unit/bench.test.ts.
 */
"use strict";

/** Operations that change nothing in the stack, so one lifecycle can sample them several times. */
const REPEATABLE = new Set(["preview", "refresh"]);

/** Per counter, the largest count over several samples of one operation (the targets are maxima). */
function maxCalls(list) {
  const out = { ...list[0] };
  for (const c of list.slice(1)) for (const [k, v] of Object.entries(c)) if (typeof v === "number") out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/**
 * The run's value of one operation from its samples (`{ ms, cpu, busy, peakRssMb?, calls? }`):
 * the median sample by wall time, with its CPU and machine load (identical refreshes vary ×1.5
 * on a busy machine, so one sample is mostly noise); the largest peak RSS; per counter the
 * largest API-call count; and every sample's wall time when there are several.
 */
function combineSamples(samples) {
  const m = [...samples].sort((a, b) => a.ms - b.ms)[(samples.length - 1) >> 1];
  const rss = samples.map((x) => x.peakRssMb).filter((v) => v !== undefined);
  const calls = samples.map((x) => x.calls).filter((c) => c !== undefined);
  return {
    ms: m.ms,
    cpu: m.cpu,
    busy: m.busy,
    peakRssMb: rss.length ? Math.max(...rss) : undefined,
    calls: calls.length ? maxCalls(calls) : undefined,
    samplesMs: samples.length > 1 ? samples.map((x) => x.ms) : undefined,
  };
}

module.exports = { REPEATABLE, maxCalls, combineSamples };
