/**
 * The provider behind every ExportJob, as a module of its own: its `module.exports` is the
 * provider object. When the package is installed in the project's `node_modules`, Pulumi's
 * closure serializer finds this object in `require.cache` and stores only
 * `require("pulumi-atlas-export/dist/provider/resources/job-provider.js")` as `__provider`
 * (~0.3 KB instead of ~2 KB, twice per resource). That specifier is in users' state from then
 * on: keep this file at this path, exported in package.json, forever. Otherwise (`npm link`,
 * pnpm, a repo's self-link) `shim.ts` hands the serializer a copy and these functions are
 * serialized by value, so they follow the rules of `shim.ts`: `import type` only, reference
 * nothing but `require` and their own parameters, and forward to the stable runtime.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

const exportJobProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (...a) => require("pulumi-atlas-export/runtime").job.check(...a),
  diff: (...a) => require("pulumi-atlas-export/runtime").job.diff(...a),
  create: (...a) => require("pulumi-atlas-export/runtime").job.create(...a),
  read: (...a) => require("pulumi-atlas-export/runtime").job.read(...a),
  update: (...a) => require("pulumi-atlas-export/runtime").job.update(...a),
  delete: (...a) => require("pulumi-atlas-export/runtime").job.delete(...a),
};

export = exportJobProvider;
