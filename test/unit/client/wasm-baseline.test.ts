/**
 * wasm-baseline.ts: V8's WebAssembly tier-up is off (`--liftoff-only` and, for Node 24, the two
 * tiering flags it implies only at start-up) exactly while the process's first requests are in
 * flight (undici compiles its llhttp parser at the first connection), and back to V8's defaults
 * for good once a response arrived.
 */
import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baselineWasmEnabled, resetBaselineWasmForTesting, withBaselineWasm } from "../../../provider/client/wasm-baseline";

/** Literal, not imported: a change to what the window sets must show up here. */
const ON = "--liftoff-only --no-wasm-dynamic-tiering --no-wasm-tier-up";
const OFF = "--no-liftoff-only --wasm-dynamic-tiering --wasm-tier-up";

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
      expect(flags).toEqual([ON]);
      return first.promise;
    });
    expect(flags).toEqual([ON]);
    first.resolve("response");
    await expect(p).resolves.toBe("response");
    expect(flags).toEqual([ON, OFF]);
    await withBaselineWasm(async () => "second");
    expect(flags).toEqual([ON, OFF]);
  });

  it("concurrent first requests share one window, closed when the last of them settles", async () => {
    const a = deferred<string>();
    const b = deferred<string>();
    const pa = withBaselineWasm(() => a.promise);
    const pb = withBaselineWasm(() => b.promise);
    expect(flags).toEqual([ON]);
    a.resolve("a");
    await pa;
    expect(flags).toEqual([ON]);
    b.resolve("b");
    await pb;
    expect(flags).toEqual([ON, OFF]);
  });

  it("a failed first request (no connection, so no parser yet) closes the window but the next request opens it again", async () => {
    await expect(withBaselineWasm(() => Promise.reject(new Error("ECONNREFUSED")))).rejects.toThrow("ECONNREFUSED");
    expect(flags).toEqual([ON, OFF]);
    await withBaselineWasm(async () => "ok");
    expect(flags).toEqual([ON, OFF, ON, OFF]);
    await withBaselineWasm(async () => "ok");
    expect(flags).toHaveLength(4);
  });

  it("a request that throws synchronously closes the window", () => {
    expect(() =>
      withBaselineWasm(() => {
        throw new TypeError("bad options");
      }),
    ).toThrow("bad options");
    expect(flags).toEqual([ON, OFF]);
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

  it("every flag the window sets is one this Node's V8 knows (V8 drops unknown flags with an error on stderr)", async () => {
    await withBaselineWasm(async () => "ok");
    expect(flags).toHaveLength(2);
    // A fresh process of the Node running the tests, so V8's real flag parser judges them.
    const script = `const v8 = require("node:v8"); for (const f of JSON.parse(process.argv[1]).join(" ").split(" ")) v8.setFlagsFromString(f); console.log("applied");`;
    const child = spawnSync(process.execPath, ["-e", script, JSON.stringify(flags)], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("applied");
  });
});
