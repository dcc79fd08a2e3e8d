/**
 * undici-core.ts: the client's Agent and request come from undici's own files without its
 * index, and fall back to the index when those files are not where they were.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCore, undiciCore, type UndiciCore } from "../../../provider/client/undici-core";
import { resetBaselineWasmForTesting } from "../../../provider/client/wasm-baseline";

let server: http.Server;
let base: string;
const seen: { method?: string; url?: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, body });
      res.writeHead(201, { "content-type": "application/json", "x-probe": "yes" });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function roundTrip(core: UndiciCore) {
  const agent = new core.Agent({ connect: { timeout: 5_000 } });
  try {
    const res = await core.request(new URL(`${base}/api/x?pageNum=2&itemsPerPage=5`), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
      dispatcher: agent,
    });
    return { status: res.statusCode, probe: res.headers["x-probe"], text: await res.body.text() };
  } finally {
    await agent.close();
  }
}

describe("undici core", () => {
  it("loads Agent and the request API from undici's files, not its index", async () => {
    const ids: string[] = [];
    const core = loadCore((id) => {
      ids.push(id);
      return require(id);
    });
    expect(core.loadedFrom).toBe("parts");
    expect(ids).toEqual(["undici/lib/dispatcher/agent", "undici/lib/api/api-request"]);
    seen.length = 0;
    expect(await roundTrip(core)).toEqual({ status: 201, probe: "yes", text: '{"ok":true}' });
    expect(seen).toEqual([{ method: "POST", url: "/api/x?pageNum=2&itemsPerPage=5", body: '{"a":1}' }]);
  });

  it("the shared instance is the parts one", () => {
    expect(undiciCore().loadedFrom).toBe("parts");
    expect(undiciCore()).toBe(undiciCore());
  });

  it("falls back to undici's index when a part is missing, with the same behaviour", async () => {
    const core = loadCore((id) => {
      if (id.startsWith("undici/lib/")) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
      return require(id);
    });
    expect(core.loadedFrom).toBe("index");
    seen.length = 0;
    expect(await roundTrip(core)).toEqual({ status: 201, probe: "yes", text: '{"ok":true}' });
    expect(seen).toEqual([{ method: "POST", url: "/api/x?pageNum=2&itemsPerPage=5", body: '{"a":1}' }]);
  });

  it("falls back when a part is not what it was (not a function)", () => {
    const core = loadCore((id) => (id === "undici/lib/api/api-request" ? {} : require(id)));
    expect(core.loadedFrom).toBe("index");
  });

  it("the first request of the process runs inside the baseline-wasm window (wasm-baseline.ts), later ones do not", async () => {
    const flags: string[] = [];
    resetBaselineWasmForTesting((f) => flags.push(f));
    try {
      for (const core of [loadCore((id) => require(id)), loadCore((id) => (id.startsWith("undici/lib/") ? undefined : require(id)))]) {
        resetBaselineWasmForTesting((f) => flags.push(f));
        flags.length = 0;
        await roundTrip(core);
        expect(flags, core.loadedFrom).toEqual(["--liftoff-only --no-wasm-dynamic-tiering --no-wasm-tier-up", "--no-liftoff-only --wasm-dynamic-tiering --wasm-tier-up"]);
        await roundTrip(core);
        expect(flags, core.loadedFrom).toHaveLength(2);
      }
    } finally {
      resetBaselineWasmForTesting();
    }
  });
});
