/**
 * The provider behind every AutoExport, as a module of its own: its `module.exports` is the
 * provider object. When the package is installed in the project's `node_modules`, Pulumi's
 * closure serializer finds this object in `require.cache` and stores only
 * `require("pulumi-atlas-export/dist/provider/resources/auto-provider.js")` as `__provider`
 * (~0.3 KB instead of ~2 KB, twice per resource). That specifier is in users' state from then
 * on: keep this file at this path, exported in package.json, forever. Otherwise (`npm link`,
 * pnpm, a repo's self-link) `shim.ts` hands the serializer a copy and these functions are
 * serialized by value, so they follow the rules of `shim.ts`: `import type` only, reference
 * nothing but `require` and their own parameters, and forward to the stable runtime.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

const autoExportProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (...a) => require("pulumi-atlas-export/runtime").auto.check(...a),
  diff: (...a) => require("pulumi-atlas-export/runtime").auto.diff(...a),
  create: (...a) => require("pulumi-atlas-export/runtime").auto.create(...a),
  read: (...a) => require("pulumi-atlas-export/runtime").auto.read(...a),
  update: (...a) => require("pulumi-atlas-export/runtime").auto.update(...a),
  delete: (...a) => require("pulumi-atlas-export/runtime").auto.delete(...a),
};

export = autoExportProvider;
