/**
 * The providers Pulumi serializes into state (`__provider`). Each method only forwards to the
 * installed package's runtime module, so the serialized text stays tiny, captures nothing
 * (no client, schema or credentials; pulumi #5294, #5130, #15485) and a package upgrade
 * reaches refresh and destroy, which run the stored text (pulumi #6238, #4805, #16826).
 *
 * Rules for this file: `import type` only; methods reference nothing but `require` and their
 * own parameters; one object per resource type (serialization is cached per object). Names are
 * short (`bucket`, `job`, `...a` forwarding the ResourceProvider arguments unchanged) to keep the text under 2 KB: each serialized
 * function costs ~150 bytes of wrapper, and there are seven per provider.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** The provider behind every ExportBucket. Called by the engine's dynamic-provider host. */
export const exportBucketProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (...a) => require("pulumi-atlas-export/runtime").bucket.check(...a),
  diff: (...a) => require("pulumi-atlas-export/runtime").bucket.diff(...a),
  create: (...a) => require("pulumi-atlas-export/runtime").bucket.create(...a),
  read: (...a) => require("pulumi-atlas-export/runtime").bucket.read(...a),
  update: (...a) => require("pulumi-atlas-export/runtime").bucket.update(...a),
  delete: (...a) => require("pulumi-atlas-export/runtime").bucket.delete(...a),
};

/** The provider behind every ExportJob. Called by the engine's dynamic-provider host. */
export const exportJobProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (...a) => require("pulumi-atlas-export/runtime").job.check(...a),
  diff: (...a) => require("pulumi-atlas-export/runtime").job.diff(...a),
  create: (...a) => require("pulumi-atlas-export/runtime").job.create(...a),
  read: (...a) => require("pulumi-atlas-export/runtime").job.read(...a),
  update: (...a) => require("pulumi-atlas-export/runtime").job.update(...a),
  delete: (...a) => require("pulumi-atlas-export/runtime").job.delete(...a),
};

/** The provider behind every AutoExport. Called by the engine's dynamic-provider host. */
export const autoExportProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (...a) => require("pulumi-atlas-export/runtime").auto.check(...a),
  diff: (...a) => require("pulumi-atlas-export/runtime").auto.diff(...a),
  create: (...a) => require("pulumi-atlas-export/runtime").auto.create(...a),
  read: (...a) => require("pulumi-atlas-export/runtime").auto.read(...a),
  update: (...a) => require("pulumi-atlas-export/runtime").auto.update(...a),
  delete: (...a) => require("pulumi-atlas-export/runtime").auto.delete(...a),
};
