/**
 * What loading the package costs. The program process (`require("pulumi-atlas-export")` in every
 * `pulumi preview/up/refresh/destroy`) must load only what the resource constructors need, not
 * zod, undici or the client (they cost ~0.2-0.5 s); the rest is loaded at first use.
 *
 * The provider process loads `pulumi-atlas-export/runtime` at the first check. Preview runs only
 * check and diff, so the runtime must not load the HTTP client (undici) until a handler needs to
 * call Atlas: that keeps the provider's cold start short in every PR preview.
 * Runs in a child node process on the BUILT package, as the engine's provider process does.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../../helpers/build";
import * as runtimeSource from "../../../provider/resources/runtime";

const probe = `
const loaded = () => Object.keys(require.cache).some((k) => k.includes("/node_modules/undici/"));
const zodModules = () => Object.keys(require.cache).filter((k) => k.includes("/node_modules/zod/")).length;
const resolved = require.resolve("pulumi-atlas-export/runtime");
const rt = require("pulumi-atlas-export/runtime");
const afterRequire = loaded();
rt.bucket.check({}, { projectId: "6a0000000000000000000001", cloudProvider: "GCP", bucketName: "abc", roleId: "6a00000000000000000000b3" })
  .then((checked) => rt.bucket.diff("x", checked.inputs, checked.inputs))
  .then(async () => {
    const afterCheckDiff = loaded();
    await rt.getApi();
    const undiciIndex = Object.keys(require.cache).some((k) => /[\\/]node_modules[\\/]undici[\\/]index\.js$/.test(k));
    console.log(JSON.stringify({ afterRequire, afterCheckDiff, afterGetApi: loaded(), undiciIndex, resolved, zodModules: zodModules(), exports: Object.keys(rt).sort() }));
  });
`;

describe("runtime loading", () => {
  let result: { afterRequire: boolean; afterCheckDiff: boolean; afterGetApi: boolean; undiciIndex: boolean; resolved: string; zodModules: number; exports: string[] };
  beforeAll(() => {
    ensureBuilt(["dist/provider/resources/runtime.js", "dist/provider/runtime-bundle.js"]);
    const child = spawnSync(process.execPath, ["-e", probe], {
      cwd: repoRoot,
      encoding: "utf8",
      env: {
        PATH: process.env["PATH"] ?? "",
        MONGODB_ATLAS_BASE_URL: "http://127.0.0.1:9",
        MONGODB_ATLAS_PUBLIC_API_KEY: "probepub",
        MONGODB_ATLAS_PRIVATE_API_KEY: "probe-private",
      },
    });
    if (child.status !== 0) throw new Error(`probe failed: ${child.stderr}`);
    result = JSON.parse(child.stdout.trim().split("\n").pop() as string);
  }, 120_000);

  it("check and diff run without loading the HTTP client", () => {
    expect(result.afterRequire).toBe(false);
    expect(result.afterCheckDiff).toBe(false);
  });

  it("is the one-file bundle (scripts/bundle-runtime.js), which loads no zod module from node_modules", () => {
    expect(result.resolved.split(/[\\/]/).slice(-3)).toEqual(["dist", "provider", "runtime-bundle.js"]);
    expect(result.zodModules).toBe(0);
  });

  it("the bundle exports what the runtime source exports (the contract serialized providers call)", () => {
    expect(result.exports).toEqual(Object.keys(runtimeSource).sort());
    expect(result.exports).toEqual(expect.arrayContaining(["configure", "bucket", "job", "auto"]));
  });

  it("the client is loaded when a handler needs Atlas, with undici's Agent and request but not its index", () => {
    expect(result.afterGetApi).toBe(true);
    expect(result.undiciIndex).toBe(false);
  });
});

/** Modules loaded by `require("pulumi-atlas-export")` after `@pulumi/pulumi`, relative to the package. */
const importProbe = `
const path = require("node:path");
require("@pulumi/pulumi");
const before = new Set(Object.keys(require.cache));
const pkg = require("pulumi-atlas-export");
const root = path.dirname(require.resolve("pulumi-atlas-export/package.json"));
const added = () => Object.keys(require.cache).filter((k) => !before.has(k)).map((k) => k.startsWith(root + path.sep) ? path.relative(root, k).split(path.sep).join("/") : k).sort();
const atImport = added();
const lazy = ["getLatestSnapshot", "getLatestSnapshotOutput", "findLatestSnapshot", "AtlasClient", "resolveConfig"].map((k) => [k, typeof pkg[k]]);
console.log(JSON.stringify({ atImport, lazy, afterLazy: added().some((k) => k.includes("node_modules/zod/")) }));
`;

describe("program import", () => {
  let result: { atImport: string[]; lazy: [string, string][]; afterLazy: boolean };
  let esm: string[];
  beforeAll(() => {
    ensureBuilt(["dist/provider/index.js"]);
    const child = spawnSync(process.execPath, ["-e", importProbe], { cwd: repoRoot, encoding: "utf8" });
    if (child.status !== 0) throw new Error(`probe failed: ${child.stderr}`);
    result = JSON.parse(child.stdout.trim().split("\n").pop() as string);
    const esmChild = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", 'import * as m from "pulumi-atlas-export"; console.log(JSON.stringify(Object.keys(m).sort()))'],
      { cwd: repoRoot, encoding: "utf8" },
    );
    if (esmChild.status !== 0) throw new Error(`esm probe failed: ${esmChild.stderr}`);
    esm = JSON.parse(esmChild.stdout.trim().split("\n").pop() as string);
  }, 120_000);

  it("loads only the resource classes, their provider shims and the error classes", () => {
    expect(result.atImport).toEqual([
      "dist/provider/errors.js",
      "dist/provider/index.js",
      "dist/provider/resources/auto-export.js",
      "dist/provider/resources/auto-provider.js",
      "dist/provider/resources/bucket-provider.js",
      "dist/provider/resources/export-bucket.js",
      "dist/provider/resources/export-job.js",
      "dist/provider/resources/job-provider.js",
      "dist/provider/resources/registration-stacks.js",
      "dist/provider/resources/shim.js",
    ]);
  });

  it("the lazily loaded exports are there at first access (and load zod then)", () => {
    expect(result.lazy).toEqual([
      ["getLatestSnapshot", "function"],
      ["getLatestSnapshotOutput", "function"],
      ["findLatestSnapshot", "function"],
      ["AtlasClient", "function"],
      ["resolveConfig", "function"],
    ]);
    expect(result.afterLazy).toBe(true);
  });

  it("ES modules see every named export (Node's CommonJS export detection)", () => {
    for (const name of ["ExportBucket", "ExportJob", "getLatestSnapshotOutput", "AtlasClient", "resolveConfig", "AtlasApiError"]) {
      expect(esm).toContain(name);
    }
  });
});
