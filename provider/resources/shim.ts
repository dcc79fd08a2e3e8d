/**
 * The providers Pulumi serializes into state (`__provider`). Each method only forwards to the
 * installed package's runtime module, so the serialized text captures nothing (no client,
 * schema or credentials; pulumi #5294, #5130, #15485) and a package upgrade reaches refresh and
 * destroy, which run the stored text (pulumi #6238, #4805, #16826).
 *
 * Two forms, chosen once when this module loads (in the program process, whose cwd is the
 * project directory, like the engine's provider process):
 * - **by reference** (~0.3 KB): when the package is installed in the project's `node_modules`,
 *   the provider handed to Pulumi is the `module.exports` of `bucket-provider.js` /
 *   `job-provider.js` / `auto-provider.js`. The closure serializer finds it in `require.cache` under `node_modules`
 *   and stores `require("pulumi-atlas-export/dist/provider/resources/<kind>-provider.js")`
 *   (both files are exported in package.json under exactly that path, so the specifier is the
 *   same whether or not the serializer manages to map it through the `exports` field).
 * - **by value** (~2 KB, the only form of versions ≤ 0.1.0): otherwise (`npm link`, a
 *   `file:` dependency or the repo's self-link resolve outside `node_modules`; pnpm's store
 *   paths), a plain copy of the same object, whose seven one-line functions are serialized.
 *
 * Rules for the provider modules: `import type` only; methods reference nothing but `require`
 * and their own parameters; one object per resource type (serialization is cached per object).
 * Names are short (`...a` forwarding the ResourceProvider arguments unchanged) because the
 * by-value form costs ~150 bytes of wrapper per function.
 */
import * as path from "node:path";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import bucketProviderModule from "./bucket-provider";
import jobProviderModule from "./job-provider";
import autoProviderModule from "./auto-provider";

const PACKAGE_NAME = "pulumi-atlas-export";

/**
 * The specifier Pulumi's serializer would emit for the module at `file` (realpath), and only if
 * that specifier, resolved from `cwd` as the provider process resolves it, is that same file;
 * else undefined. Mirrors `captureModuleAsync` in `@pulumi/pulumi/runtime/closure`: the path
 * relative to cwd, from the segment after its first `node_modules`.
 */
export function moduleReference(file: string, cwd: string = process.cwd()): string | undefined {
  const parts = path.relative(cwd, file).split(/[\\/]/);
  const i = parts.indexOf("node_modules");
  if (i < 0 || parts[i + 1] !== PACKAGE_NAME) return undefined;
  const specifier = parts.slice(i + 1).join("/");
  try {
    return require.resolve(specifier, { paths: [cwd] }) === file ? specifier : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The module's own object when Pulumi will store it as a `require(...)`, else a copy serialized
 * by value. (`file` is where the built module is; under a TS transform, e.g. vitest, there is
 * none and the copy is used.)
 */
function serializable(provider: dynamic.ResourceProvider, file: string): dynamic.ResourceProvider {
  return moduleReference(file) !== undefined ? provider : { ...provider };
}

/** The provider behind every ExportBucket. Called by the engine's dynamic-provider host. */
export const exportBucketProvider: dynamic.ResourceProvider = serializable(bucketProviderModule, path.join(__dirname, "bucket-provider.js"));

/** The provider behind every ExportJob. Called by the engine's dynamic-provider host. */
export const exportJobProvider: dynamic.ResourceProvider = serializable(jobProviderModule, path.join(__dirname, "job-provider.js"));

/** The provider behind every AutoExport. Called by the engine's dynamic-provider host. */
export const autoExportProvider: dynamic.ResourceProvider = serializable(autoProviderModule, path.join(__dirname, "auto-provider.js"));
