/**
 * The serialized providers (`__provider` in state) must stay tiny shims: they are stored twice
 * per resource, run at refresh/destroy time, and must not capture zod, undici or credentials.
 * Runs the real serializer in a child node process on the BUILT package (building it first when
 * dist is missing or older than the sources).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../helpers/build";

const root = path.resolve(__dirname, "../../..");

interface ChildResult {
  name: string;
  size: number;
  text: string;
  containsSecrets: boolean;
  good: { failures: unknown[] };
  bad: { failures: { property: string; reason: string }[] };
  diff: { changes: boolean; replaces: string[] };
  methods: string[];
}

let results: ChildResult[] = [];
let stable = false;

beforeAll(() => {
  ensureBuilt(["dist/provider/index.js", "dist/provider/resources/shim.js", "dist/provider/resources/runtime.js"]);
  const child = spawnSync(process.execPath, ["test/fixtures/resources/serialize-providers.cjs"], { cwd: root, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`serializer child failed (${child.status}):\n${child.stderr}`);
  const parsed = JSON.parse(child.stdout.trim().split("\n").pop() as string) as { results: ChildResult[]; stable: boolean };
  results = parsed.results;
  stable = parsed.stable;
}, 180_000);

describe("serialized providers", () => {
  it("serializes every shim", () => expect(results.map((r) => r.name)).toEqual(["bucket", "job", "autoExport"]));

  it.each(["bucket", "job", "autoExport"])("%s: under 2 KB, requires the runtime by package name, captures nothing else", (name) => {
    const r = results.find((x) => x.name === name) as ChildResult;
    // 8 functions (configure + 6 CRUD + the handler) × ~150 bytes of serializer wrapper plus
    // ~70-byte bodies: 1999 (bucket) and 1981 (job) bytes with @pulumi/pulumi 3.248. The 2 KB
    // budget (issue 8's target) also catches anything captured by value (a module adds tens of KB).
    expect(r.size).toBeLessThanOrEqual(2048);
    expect(r.text).toContain('require("pulumi-atlas-export/runtime")');
    expect(r.text).not.toMatch(/zod|undici|@pulumi\/pulumi|AtlasClient|resolveConfig|\.\/runtime"/);
    expect(r.text).not.toMatch(/secret|privateKey|clientSecret|password/i);
    expect(r.containsSecrets).toBe(false);
    // Every require in the text is the runtime (no relative paths, no other packages).
    const requires = [...r.text.matchAll(/require\(([^)]*)\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['"pulumi-atlas-export/runtime"']));
  });

  it.each(["bucket", "job", "autoExport"])("%s: the loaded text is a working provider (configure, check, diff)", (name) => {
    const r = results.find((x) => x.name === name) as ChildResult;
    expect(r.methods).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
    expect(r.good.failures).toEqual([]);
    expect(r.bad.failures.map((f) => f.property).sort()).toEqual(["projectId", "typo"]);
    // A changed __provider alone (package upgrade) is no diff.
    expect(r.diff).toEqual({ changes: false, replaces: [] });
  });

  it("the same provider object serializes to the same text", () => expect(stable).toBe(true));
});
