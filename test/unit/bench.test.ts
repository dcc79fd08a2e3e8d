/**
 * The benchmarks' bookkeeping (bench/processes.js, bench/samples.js): which process a pid is,
 * and what one run's value of a sampled operation is. Wrong here means wrong numbers in
 * bench/README.md, so it is tested like code.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const load = createRequire(__filename);

type Proc = { pid: number; kind: string; argvKnown: boolean; startMs: number; cpuMs: number };
type Seen = Map<number, { kind: string; startMs: number; cpuMs: number; peakKb: number }>;
const { processKind, foldSample } = load(path.join(root, "bench/processes.js")) as {
  processKind(argv: string[]): string;
  foldSample(seen: Seen, procs: Proc[], readMemoryKb: (pid: number) => { hwm: number; rss: number } | undefined): Seen;
};
type Sample = { ms: number; cpu: Record<string, number>; busy?: number; peakRssMb?: number; calls?: Record<string, number> };
const { REPEATABLE, combineSamples } = load(path.join(root, "bench/samples.js")) as {
  REPEATABLE: Set<string>;
  combineSamples(samples: Sample[]): { ms: number; cpu: Record<string, number>; busy?: number; peakRssMb?: number; calls?: Record<string, number>; samplesMs?: number[] };
};

const PROVIDER_ARGV = ["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js", "127.0.0.1:4000", ""];
const ENGINE_ARGV = ["/cache/bin/pulumi", "up", "--yes", ""];
const proc = (argv: string[], cpuMs: number): Proc => ({ pid: 7, kind: processKind(argv), argvKnown: argv.some((a) => a !== ""), startMs: 1, cpuMs });

describe("bench/processes.js", () => {
  it("tells the provider from the wrapper's require.resolve, the engine and the program", () => {
    expect(processKind(PROVIDER_ARGV)).toBe("provider");
    expect(processKind(["node", "-e", "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))", ""])).toBe("other");
    expect(processKind(ENGINE_ARGV)).toBe("engine");
    expect(processKind(["/cache/bin/pulumi-language-nodejs", "127.0.0.1:1", ""])).toBe("language");
    expect(processKind(["node", "/p/node_modules/@pulumi/pulumi/cmd/run", "."])).toBe("program");
  });

  it("a pid first seen between fork and exec takes its later kind, and keeps it while exiting", () => {
    const memory = (pid: number) => ({ hwm: 1000 * pid, rss: 10 });
    const seen: Seen = new Map();
    foldSample(seen, [proc(ENGINE_ARGV, 0)], memory); // the engine's fork, before exec
    expect(seen.get(7)).toMatchObject({ kind: "engine", peakKb: 0 });
    foldSample(seen, [proc(PROVIDER_ARGV, 300)], memory);
    expect(seen.get(7)).toMatchObject({ kind: "provider", cpuMs: 300, peakKb: 7000 });
    foldSample(seen, [proc([""], 450)], () => undefined); // exiting: empty cmdline
    expect(seen.get(7)).toMatchObject({ kind: "provider", cpuMs: 450, peakKb: 7000 });
  });

  it("samples memory of providers only", () => {
    const seen: Seen = new Map();
    foldSample(seen, [proc(ENGINE_ARGV, 5)], () => ({ hwm: 99, rss: 1 }));
    expect(seen.get(7)?.peakKb).toBe(0);
  });
});

describe("bench/samples.js", () => {
  it("samples only the operations that change nothing", () => {
    expect([...REPEATABLE].sort()).toEqual(["preview", "refresh"]);
  });

  it("keeps the median sample by wall time with its CPU, the largest peak RSS and per counter the most API calls", () => {
    const r = combineSamples([
      { ms: 300, cpu: { provider: 3 }, busy: 0.3, peakRssMb: 150, calls: { total: 10, token: 1 } },
      { ms: 100, cpu: { provider: 1 }, busy: 0.1, peakRssMb: 170, calls: { total: 12, token: 0 } },
      { ms: 200, cpu: { provider: 2 }, busy: 0.2, peakRssMb: undefined, calls: { total: 11, token: 1 } },
    ]);
    expect(r).toEqual({ ms: 200, cpu: { provider: 2 }, busy: 0.2, peakRssMb: 170, calls: { total: 12, token: 1 }, samplesMs: [300, 100, 200] });
  });

  it("one sample is the run's value as it is, without a list of samples", () => {
    const r = combineSamples([{ ms: 42, cpu: { engine: 4 } }]);
    expect(r).toEqual({ ms: 42, cpu: { engine: 4 }, busy: undefined, peakRssMb: undefined, calls: undefined, samplesMs: undefined });
  });
});
