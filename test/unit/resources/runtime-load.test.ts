/**
 * The provider process loads `pulumi-atlas-export/runtime` at the first check. Preview runs only
 * check and diff, so the runtime must not load the HTTP client (undici) until a handler needs to
 * call Atlas: that keeps the provider's cold start short in every PR preview.
 * Runs in a child node process on the BUILT package, as the engine's provider process does.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../../helpers/build";

const probe = `
const loaded = () => Object.keys(require.cache).some((k) => k.includes("/node_modules/undici/"));
const rt = require("pulumi-atlas-export/runtime");
const afterRequire = loaded();
rt.bucket.check({}, { projectId: "6a0000000000000000000001", cloudProvider: "GCP", bucketName: "abc", roleId: "6a00000000000000000000b3" })
  .then((checked) => rt.bucket.diff("x", checked.inputs, checked.inputs))
  .then(async () => {
    const afterCheckDiff = loaded();
    await rt.getApi();
    console.log(JSON.stringify({ afterRequire, afterCheckDiff, afterGetApi: loaded() }));
  });
`;

describe("runtime loading", () => {
  let result: { afterRequire: boolean; afterCheckDiff: boolean; afterGetApi: boolean };
  beforeAll(() => {
    ensureBuilt(["dist/provider/resources/runtime.js"]);
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

  it("the client is loaded when a handler needs Atlas", () => {
    expect(result.afterGetApi).toBe(true);
  });
});
