/**
 * The providers Pulumi serializes into state (`__provider`). Each method only forwards to the
 * installed package's runtime module, so the serialized text stays tiny, captures nothing
 * (no client, schema or credentials; pulumi #5294, #5130, #15485) and a package upgrade
 * reaches refresh and destroy, which run the stored text (pulumi #6238, #4805, #16826).
 *
 * Rules for this file: `import type` only; methods reference nothing but `require` and their
 * own parameters; one object per resource type (serialization is cached per object).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** The provider behind every ExportBucket. Called by the engine's dynamic-provider host. */
export const exportBucketProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (olds, news) => require("pulumi-atlas-export/runtime").exportBucket.check(olds, news),
  diff: (id, olds, news) => require("pulumi-atlas-export/runtime").exportBucket.diff(id, olds, news),
  create: (inputs) => require("pulumi-atlas-export/runtime").exportBucket.create(inputs),
  read: (id, props) => require("pulumi-atlas-export/runtime").exportBucket.read(id, props),
  update: (id, olds, news) => require("pulumi-atlas-export/runtime").exportBucket.update(id, olds, news),
  delete: (id, props) => require("pulumi-atlas-export/runtime").exportBucket.delete(id, props),
};

/** The provider behind every ExportJob. Called by the engine's dynamic-provider host. */
export const exportJobProvider: dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-atlas-export/runtime").configure(req.config),
  check: (olds, news) => require("pulumi-atlas-export/runtime").exportJob.check(olds, news),
  diff: (id, olds, news) => require("pulumi-atlas-export/runtime").exportJob.diff(id, olds, news),
  create: (inputs) => require("pulumi-atlas-export/runtime").exportJob.create(inputs),
  read: (id, props) => require("pulumi-atlas-export/runtime").exportJob.read(id, props),
  update: (id, olds, news) => require("pulumi-atlas-export/runtime").exportJob.update(id, olds, news),
  delete: (id, props) => require("pulumi-atlas-export/runtime").exportJob.delete(id, props),
};
