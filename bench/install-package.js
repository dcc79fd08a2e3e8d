/*
 * A project directory with pulumi-atlas-export installed the way `npm install` leaves it: a real
 * copy of the published files (package.json "files" + package.json) in
 * `<dir>/node_modules/pulumi-atlas-export`, not a symlink. The difference matters: Node resolves
 * symlinks, so a linked package (npm link, `file:`, the repo's self-link) has a real path outside
 * `node_modules`, and Pulumi's closure serializer then stores the provider by value (~2 KB)
 * instead of as a `require(...)` of the installed module (~0.3 KB) (provider/resources/shim.ts).
 * The dependencies (@pulumi/pulumi, undici, zod) are symlinks to the repo's node_modules, so there
 * is one @pulumi/pulumi instance. Used by bench/run.js and test/unit/resources/serialization.test.ts.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const PACKAGE_DEPS = ["@pulumi/pulumi", "undici", "zod"];

/**
 * Installs the built package (dist/ must exist) into `<projectDir>/node_modules`, either as a
 * copy (`mode: "copy"`, what npm does) or as a symlink to the repo (`mode: "link"`, what the
 * tests' self-link and `npm link` do). Returns the package directory inside the project.
 */
function installPackage(projectDir, mode = "copy") {
  const nm = path.join(projectDir, "node_modules");
  const dest = path.join(nm, "pulumi-atlas-export");
  fs.mkdirSync(nm, { recursive: true });
  fs.rmSync(dest, { recursive: true, force: true });
  if (mode === "link") {
    fs.symlinkSync(repoRoot, dest, "dir");
  } else if (mode === "copy") {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    fs.mkdirSync(dest, { recursive: true });
    fs.copyFileSync(path.join(repoRoot, "package.json"), path.join(dest, "package.json"));
    for (const entry of pkg.files || []) {
      const from = path.join(repoRoot, entry);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(dest, entry), { recursive: true });
    }
  } else {
    throw new Error(`installPackage: mode must be "copy" or "link", not ${mode}`);
  }
  for (const dep of PACKAGE_DEPS) {
    const link = path.join(nm, dep);
    if (fs.existsSync(link)) continue;
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(repoRoot, "node_modules", dep)), link, "dir");
  }
  return dest;
}

module.exports = { installPackage, repoRoot };
