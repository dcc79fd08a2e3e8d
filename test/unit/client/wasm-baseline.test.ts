/**
 * wasm-baseline.ts: V8's `--liftoff-only` is on exactly while the process's first requests are
 * in flight (undici compiles its llhttp parser at the first connection), and off for good once
 * a response arrived.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baselineWasmEnabled, resetBaselineWasmForTesting, withBaselineWasm } from "../../../provider/client/wasm-baseline";

let flags: string[];

beforeEach(() => {
  flags = [];
  resetBaselineWasmForTesting((f) => flags.push(f));
});

afterEach(() => {
  resetBaselineWasmForTesting();
  delete process.env["PULUMI_ATLAS_EXPORT_WASM_BASELINE"];
});

/** A request that settles when told to. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("baseline wasm window", () => {
  it("is on while the first request is in flight, off after its response, and not used again", async () => {
    const first = deferred<string>();
    const p = withBaselineWasm(() => {
      expect(flags).toEqual(["--liftoff-only"]);
      return first.promise;
    });
    expect(flags).toEqual(["--liftoff-only"]);
    first.resolve("response");
    await expect(p).resolves.toBe("response");
    expect(flags).toEqual(["--liftoff-only", "--no-liftoff-only"]);
    await withBaselineWasm(async () => "second");
    expect(flags).toEqual(["--liftoff-only", "--no-liftoff-only"]);
  });

  it("concurrent first requests share one window, closed when the last of them settles", async () => {
    const a = deferred<string>();
    const b = deferred<string>();
    const pa = withBaselineWasm(() => a.promise);
    const pb = withBaselineWasm(() => b.promise);
    expect(flags).toEqual(["--liftoff-only"]);
    a.resolve("a");
    await pa;
    expect(flags).toEqual(["--liftoff-only"]);
    b.resolve("b");
    await pb;
    expect(flags).toEqual(["--liftoff-only", "--no-liftoff-only"]);
  });

  it("a failed first request (no connection, so no parser yet) closes the window but the next request opens it again", async () => {
    await expect(withBaselineWasm(() => Promise.reject(new Error("ECONNREFUSED")))).rejects.toThrow("ECONNREFUSED");
    expect(flags).toEqual(["--liftoff-only", "--no-liftoff-only"]);
    await withBaselineWasm(async () => "ok");
    expect(flags).toEqual(["--liftoff-only", "--no-liftoff-only", "--liftoff-only", "--no-liftoff-only"]);
    await withBaselineWasm(async () => "ok");
    expect(flags).toHaveLength(4);
  });

  it("a request that throws synchronously closes the window", () => {
    expect(() =>
      withBaselineWasm(() => {
        throw new TypeError("bad options");
      }),
    ).toThrow("bad options");
    expect(flags).toEqual(["--liftoff-only", "--no-liftoff-only"]);
  });

  it("PULUMI_ATLAS_EXPORT_WASM_BASELINE=0 leaves V8's flags alone", async () => {
    process.env["PULUMI_ATLAS_EXPORT_WASM_BASELINE"] = "0";
    await withBaselineWasm(async () => "ok");
    expect(flags).toEqual([]);
  });

  it("is off when the process has its own Liftoff or tiering flags", () => {
    expect(baselineWasmEnabled({}, [])).toBe(true);
    expect(baselineWasmEnabled({}, ["--liftoff-only"])).toBe(false);
    expect(baselineWasmEnabled({}, ["--no-wasm-tier-up"])).toBe(false);
    expect(baselineWasmEnabled({}, ["--wasm-tiering-budget=5"])).toBe(false);
    expect(baselineWasmEnabled({ NODE_OPTIONS: "--max-old-space-size=4096 --no-liftoff" }, [])).toBe(false);
    expect(baselineWasmEnabled({ NODE_OPTIONS: "--max-old-space-size=4096" }, ["--enable-source-maps"])).toBe(true);
  });
});
