/**
 * Makes sure `dist/` holds a build of the current sources, for tests that must load the BUILT
 * package in a child process (as Pulumi's provider process does). `npm test` builds first, so
 * this only builds when a test file runs alone after a source change.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** The repository root. */
export const repoRoot = path.resolve(__dirname, "..", "..");

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds like `npm run build` (tsc, then scripts/bundle-runtime.js) when a listed output is
 * missing or the incremental build info or the runtime bundle is older than the newest source
 * under provider/ or emulator/ (tsc leaves unchanged outputs untouched, so their own mtimes say
 * nothing). Throws with the build's output when the files still are not there.
 */
export function ensureBuilt(outputs: string[]): void {
  const built = outputs.map((f) => path.join(repoRoot, f));
  const info = path.join(repoRoot, "dist", ".tsbuildinfo");
  const bundle = path.join(repoRoot, "dist", "provider", "runtime-bundle.js");
  const newest = Math.max(newestSourceMtime(path.join(repoRoot, "provider")), newestSourceMtime(path.join(repoRoot, "emulator")));
  const older = (f: string) => !existsSync(f) || statSync(f).mtimeMs < newest;
  const stale = older(info) || older(bundle) || built.some((f) => !existsSync(f));
  if (!stale) return;
  // tsc emits even when an in-progress file elsewhere has type errors; what matters is dist.
  const result = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  // The provider process's runtime (package.json "exports": ./runtime) is a bundle of the sources.
  const bundled = spawnSync(process.execPath, [path.join(repoRoot, "scripts/bundle-runtime.js")], { cwd: repoRoot, encoding: "utf8" });
  const missing = [...built, bundle].filter((f) => !existsSync(f) || (f === bundle && older(f)));
  if (missing.length > 0) {
    throw new Error(`building the package (npm run build) did not produce ${missing.join(", ")}:\n${result.stdout}${result.stderr}${bundled.stdout}${bundled.stderr}`);
  }
}
