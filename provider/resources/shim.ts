/**
 * The providers Pulumi serializes into state (`__provider`). Each method only forwards to the
 * installed package's runtime module, so the serialized text stays tiny, captures nothing
 * (no client, schema or credentials; pulumi #5294, #5130, #15485) and a package upgrade
 * reaches refresh and destroy, which run the stored text (pulumi #6238, #4805, #16826).
 *
 * Rules for this file: `import type` only; methods reference nothing but `require` and their
 * own parameters; one object per resource type (serialization is cached per object). Methods
 * forward their arguments (`...a`) unchanged (the ResourceProvider signatures) to keep the text under 2 KB:
 * each serialized function costs ~150 bytes of wrapper.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** The provider behind every ExportBucket. Called by the engine's dynamic-provider host. */
export const exportBucketProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (...a) => require("pulumi-atlas-export/runtime").exportBucket.check(...a),
  diff: (...a) => require("pulumi-atlas-export/runtime").exportBucket.diff(...a),
  create: (...a) => require("pulumi-atlas-export/runtime").exportBucket.create(...a),
  read: (...a) => require("pulumi-atlas-export/runtime").exportBucket.read(...a),
  update: (...a) => require("pulumi-atlas-export/runtime").exportBucket.update(...a),
  delete: (...a) => require("pulumi-atlas-export/runtime").exportBucket.delete(...a),
};

/** The provider behind every ExportJob. Called by the engine's dynamic-provider host. */
export const exportJobProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (...a) => require("pulumi-atlas-export/runtime").exportJob.check(...a),
  diff: (...a) => require("pulumi-atlas-export/runtime").exportJob.diff(...a),
  create: (...a) => require("pulumi-atlas-export/runtime").exportJob.create(...a),
  read: (...a) => require("pulumi-atlas-export/runtime").exportJob.read(...a),
  update: (...a) => require("pulumi-atlas-export/runtime").exportJob.update(...a),
  delete: (...a) => require("pulumi-atlas-export/runtime").exportJob.delete(...a),
};
