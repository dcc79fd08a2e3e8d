/**
 * The serialized providers (`__provider` in state) must stay tiny shims: they are stored twice
 * per resource, run at refresh/destroy time, and must not capture zod, undici or credentials.
 * Runs the real serializer in a child node process on the BUILT package (building it first when
 * dist is missing or older than the sources), in two layouts (provider/resources/shim.ts):
 * - linked (the repo's self-link, like `npm link` or a `file:` dependency): the provider is
 *   serialized by value, ~2 KB, every method requiring `pulumi-atlas-export/runtime`;
 * - installed (a real copy in a project's node_modules, as npm installs it): the provider is
 *   stored as one `require(...)` of its module, ~0.3 KB.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../helpers/build";

const root = path.resolve(__dirname, "../../..");
const fixture = path.join(root, "test/fixtures/resources/serialize-providers.cjs");
const { installPackage } = createRequire(__filename)(path.join(root, "bench/install-package.js")) as {
  installPackage(dir: string, mode: "copy" | "link"): string;
};

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

function serializeIn(cwd: string): { results: ChildResult[]; stable: boolean } {
  const child = spawnSync(process.execPath, [fixture], { cwd, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`serializer child failed (${child.status}):\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").pop() as string) as { results: ChildResult[]; stable: boolean };
}

const requiresOf = (text: string) => [...text.matchAll(/require\(([^)]*)\)/g)].map((m) => m[1]);

let linked: { results: ChildResult[]; stable: boolean };
let installed: { results: ChildResult[]; stable: boolean };
let project: string;

beforeAll(() => {
  ensureBuilt(["dist/provider/index.js", "dist/provider/resources/shim.js", "dist/provider/resources/runtime.js"]);
  linked = serializeIn(root);
  project = mkdtempSync(path.join(os.tmpdir(), "atlas-export-serialize-"));
  installPackage(project, "copy");
  installed = serializeIn(project);
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

function expectWorkingProvider(r: ChildResult): void {
  expect(r.methods).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
  expect(r.good.failures).toEqual([]);
  expect(r.bad.failures.map((f) => f.property).sort()).toEqual(["projectId", "typo"]);
  // A changed __provider alone (package upgrade, or by value → by reference) is no diff.
  expect(r.diff).toEqual({ changes: false, replaces: [] });
  expect(r.text).not.toMatch(/secret|privateKey|clientSecret|password/i);
  expect(r.containsSecrets).toBe(false);
}

describe("serialized providers, package linked (by value)", () => {
  it("serializes every shim", () => expect(linked.results.map((r) => r.name)).toEqual(["bucket", "job", "auto"]));

  it.each(["bucket", "job", "auto"])("%s: under 2 KB, requires the runtime by package name, captures nothing else", (name) => {
    const r = linked.results.find((x) => x.name === name) as ChildResult;
    // 8 functions (configure + 6 CRUD + the handler) × ~150 bytes of serializer wrapper plus
    // ~70-byte bodies: 1999 (bucket) and 1981 (job) bytes with @pulumi/pulumi 3.248. The 2 KB
    // budget (issue 8's target) also catches anything captured by value (a module adds tens of KB).
    expect(r.size).toBeLessThanOrEqual(2048);
    expect(r.text).toContain('require("pulumi-atlas-export/runtime")');
    expect(r.text).not.toMatch(/zod|undici|@pulumi\/pulumi|AtlasClient|resolveConfig|\.\/runtime"/);
    // Every require in the text is the runtime (no relative paths, no other packages).
    expect(new Set(requiresOf(r.text))).toEqual(new Set(['"pulumi-atlas-export/runtime"']));
  });

  it.each(["bucket", "job", "auto"])("%s: the loaded text is a working provider (configure, check, diff)", (name) => {
    expectWorkingProvider(linked.results.find((x) => x.name === name) as ChildResult);
  });

  it("the same provider object serializes to the same text", () => expect(linked.stable).toBe(true));
});

describe("serialized providers, package installed in node_modules (by reference)", () => {
  it.each(["bucket", "job", "auto"])("%s: one require of the provider module, under 400 bytes", (name) => {
    const r = installed.results.find((x) => x.name === name) as ChildResult;
    // 300 bytes with @pulumi/pulumi 3.248: the serializer's wrapper around `() => provider`.
    expect(r.size).toBeLessThanOrEqual(400);
    expect(requiresOf(r.text)).toEqual([`"pulumi-atlas-export/dist/provider/resources/${name}-provider.js"`]);
  });

  it.each(["bucket", "job", "auto"])("%s: the loaded text is a working provider (configure, check, diff)", (name) => {
    expectWorkingProvider(installed.results.find((x) => x.name === name) as ChildResult);
  });

  it("the stored specifiers are exported by package.json (they are in users' state from now on)", () => {
    const exportsField = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).exports as Record<string, unknown>;
    for (const name of ["bucket", "job", "auto"]) {
      const sub = `./dist/provider/resources/${name}-provider.js`;
      expect(exportsField[sub]).toBe(sub);
    }
  });

  it("the same provider object serializes to the same text", () => expect(installed.stable).toBe(true));
});
