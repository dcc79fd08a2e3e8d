/**
 * Keeps undici's HTTP parser on V8's baseline WebAssembly compiler.
 *
 * undici parses HTTP/1.1 with llhttp compiled to WebAssembly (`new WebAssembly.Module` at the
 * first connection of the process). V8 first compiles it with Liftoff, its baseline compiler,
 * then re-compiles the parser with TurboFan within the first few responses: ~37 MB of compiler
 * memory and ~0.2-0.3 s of CPU on 2 cores, in every dynamic-provider process (a new one per
 * `pulumi up/refresh/destroy`), to speed up a parser that then reads a few hundred small JSON
 * responses. Measured with undici alone after @pulumi/pulumi (bench/README.md, "Provider peak
 * RSS"): Node 20, 100 responses: 435 → 147 ms of CPU, 163 → 126 MB peak RSS; 1000 responses:
 * 938 → 775 ms, 163 → 139 MB (Liftoff stays faster: the re-compile is never paid back).
 *
 * So while the parser is being compiled, V8 is told to keep WebAssembly on Liftoff, and told
 * back as soon as a response has arrived: the parser module keeps its baseline code, every
 * WebAssembly module compiled later tiers up as usual. The flags only choose which of V8's two
 * compilers produces the machine code; both implement the same WebAssembly semantics.
 * `--liftoff-only` alone is enough on Node 20 (V8 11.3) and 22 (V8 12.4). Node 24 (V8 13.6)
 * decides tier-up from `--wasm-dynamic-tiering` / `--wasm-tier-up`, which `--liftoff-only` only
 * turns off through a flag implication that V8 applies at start-up, not at run time; so the
 * window sets all three (Node 24, 300 responses: 171 -> 151 MB peak RSS, 270 -> 200 ms of CPU).
 * Closing it restores V8's defaults (all three are on by default). It is not touched when the
 * process was started with a Liftoff or tiering flag of its own, and
 * `PULUMI_ATLAS_EXPORT_WASM_BASELINE=0` turns it off.
 */
import * as v8 from "node:v8";

/** What opens the window: baseline code only, no tier-up (see the module comment for why all three). */
const BASELINE_FLAGS = "--liftoff-only --no-wasm-dynamic-tiering --no-wasm-tier-up";
/** What closes it: V8's defaults for the same three flags. */
const DEFAULT_TIERING_FLAGS = "--no-liftoff-only --wasm-dynamic-tiering --wasm-tier-up";

/** Requests in flight inside the window; the flags are set while this is > 0. */
let inFlight = 0;
/** Set once a response arrived: by then the parser is compiled, the window is closed for good. */
let compiled = false;
// One call per flag: V8 drops every flag after one it does not know, so a flag a future V8
// removes would otherwise take the others with it.
const v8Flags = (flags: string) => {
  for (const flag of flags.split(" ")) v8.setFlagsFromString(flag);
};
let setFlag: (flags: string) => void = v8Flags;

/** Whether the window applies to this process (see the module comment). */
export function baselineWasmEnabled(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): boolean {
  if (env["PULUMI_ATLAS_EXPORT_WASM_BASELINE"] === "0") return false;
  const ownFlags = [...execArgv, ...(env["NODE_OPTIONS"] ?? "").split(/\s+/)];
  return !ownFlags.some((a) => /^--(no-)?(liftoff|wasm-tier|wasm-dynamic-tiering|wasm-tiering-budget)/.test(a));
}

/**
 * Runs `start` (one HTTP request) with `BASELINE_FLAGS` set until the first response of the
 * process has arrived; after that, just runs it. Concurrent first requests share one window.
 */
export function withBaselineWasm<T>(start: () => Promise<T>): Promise<T> {
  if (compiled || !baselineWasmEnabled()) return start();
  if (inFlight++ === 0) setFlag(BASELINE_FLAGS);
  const end = (responded: boolean) => {
    if (responded) compiled = true;
    if (--inFlight === 0) setFlag(DEFAULT_TIERING_FLAGS);
  };
  let pending: Promise<T>;
  try {
    pending = start();
  } catch (err) {
    end(false);
    throw err;
  }
  return pending.then(
    (value) => {
      end(true);
      return value;
    },
    (err: unknown) => {
      end(false);
      throw err;
    },
  );
}

/** @internal Tests: back to the state of a fresh process, with `flagSetter` (given each space-separated flag set) instead of V8's (undefined: V8's). */
export function resetBaselineWasmForTesting(flagSetter?: (flags: string) => void): void {
  inFlight = 0;
  compiled = false;
  setFlag = flagSetter ?? v8Flags;
}
