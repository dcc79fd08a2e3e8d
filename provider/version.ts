/**
 * The package version and the User-Agent every request sends.
 *
 * The version is read from package.json at runtime instead of being copied into the source, so it
 * cannot drift. This file runs from two places: compiled (`dist/provider/version.js`, package.json
 * two levels up) and as TypeScript source under vitest (`provider/version.ts`, one level up), so
 * it walks up from its own directory until it finds the package.json named `pulumi-atlas-export`.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

const PACKAGE_NAME = "pulumi-atlas-export";

function readOwnVersion(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth++) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
      if (typeof parsed === "object" && parsed !== null) {
        const pkg = parsed as { name?: unknown; version?: unknown };
        if (pkg.name === PACKAGE_NAME && typeof pkg.version === "string") return pkg.version;
      }
    } catch {
      // No (readable) package.json at this level: keep walking up.
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // A missing version must not stop the provider from working; the User-Agent just says so.
  return "0.0.0-unknown";
}

/** This package's version from its package.json (`0.0.0-unknown` if it cannot be found). Never throws. */
export const VERSION: string = readOwnVersion();

/** `pulumi-atlas-export/<version> (node <version>; <platform> <arch>)`, sent on every request. */
export const USER_AGENT: string = `${PACKAGE_NAME}/${VERSION} (node ${process.version}; ${process.platform} ${process.arch})`;
