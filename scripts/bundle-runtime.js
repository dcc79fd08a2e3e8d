#!/usr/bin/env node
/*
 * Builds dist/provider/runtime-bundle.js: what `require("pulumi-atlas-export/runtime")` loads in
 * the engine's dynamic-provider process (package.json "exports"). Run by `npm run build` after tsc.
 *
 * Why a bundle: every `pulumi preview/up/refresh/destroy` starts a new provider process, and
 * loading the runtime from tsc's output cost 120-140 ms of CPU there (110 modules), most of it
 * zod, whose entry points load all ~45 of its locales (~0.9 MB of source to compile). Built from
 * the TypeScript sources with zod's ES modules, the bundle holds only the zod code the schemas
 * use: one file, ~25-40 ms (bench/README.md). undici stays an external dependency (security
 * fixes come with `npm update`); zod is still a dependency of the program-side entry point.
 * The bundle keeps comments and names (no minification): it is what a user debugging the
 * provider process reads.
 */
"use strict";
const path = require("node:path");
const { build } = require("rolldown");

const root = path.resolve(__dirname, "..");

/** Bundles provider/resources/runtime.ts (and what it imports, zod included) into one CJS file. */
async function bundleRuntime() {
  await build({
    cwd: root,
    input: path.join(root, "provider/resources/runtime.ts"),
    platform: "node",
    // Node built-ins and undici are required at run time (undici: provider/client/undici-core.ts).
    external: [/^node:/, /^undici(\/|$)/],
    logLevel: "warn",
    output: {
      file: path.join(root, "dist/provider/runtime-bundle.js"),
      format: "cjs",
      codeSplitting: false,
      minify: false,
    },
  });
}

if (require.main === module) {
  bundleRuntime().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
module.exports = { bundleRuntime };
