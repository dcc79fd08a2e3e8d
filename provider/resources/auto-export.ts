/**
 * The AutoExport resource: a cluster's backup schedule exporting its snapshots to an export
 * bucket automatically (`autoExportEnabled` + `export` of the schedule, nothing else of it).
 */
import * as pulumi from "@pulumi/pulumi";
import { autoExportProvider } from "./shim";
import type { AutoExportState } from "./auto-export-handlers";
import { quietStacks, withFrames } from "./registration-stacks";

/** Arguments of an {@link AutoExport}. */
export interface AutoExportArgs {
  /** The Atlas project (group) id, 24 hex characters. Changing it replaces the resource. */
  projectId: pulumi.Input<string>;
  /** The cluster whose backup schedule exports (letters, digits, hyphens; at most 64). Changing it replaces the resource. */
  clusterName: pulumi.Input<string>;
  /** Where to export: typically `exportBucket.exportBucketId`. Updated in place. */
  exportBucketId: pulumi.Input<string>;
  /**
   * Which snapshots are exported: those taken for the schedule's policy item of this
   * frequency. `daily`, `weekly`, `monthly` or `yearly`; Atlas accepts `daily` and `weekly`
   * only where MongoDB Support enabled them. Updated in place.
   */
  frequencyType: pulumi.Input<"daily" | "weekly" | "monthly" | "yearly">;
  /** Use the organization and project names instead of ids in the export prefix. Left out: not managed. */
  useOrgAndGroupNamesInExportPrefix?: pulumi.Input<boolean>;
}

/** Plain values stored in state for an {@link AutoExport}. */
export type AutoExportOutputs = Omit<AutoExportState, "__provider">;

/**
 * Automatic export of a cluster's backup snapshots to an export bucket.
 *
 * Creating or updating it sends one PATCH of the cluster's backup schedule with only
 * `autoExportEnabled: true` and `export`; deleting it sends `autoExportEnabled: false` (only
 * if the schedule still exports to this bucket). The schedule's policies and other settings
 * are never touched. Depending on the bucket's `exportBucketId` makes `pulumi destroy` turn
 * auto-export off before it deletes the bucket.
 */
export class AutoExport extends pulumi.dynamic.Resource {
  declare public readonly projectId: pulumi.Output<string>;
  declare public readonly clusterName: pulumi.Output<string>;
  /** The bucket Atlas exports to; undefined after a refresh found auto-export off. */
  declare public readonly exportBucketId: pulumi.Output<string | undefined>;
  declare public readonly frequencyType: pulumi.Output<string | undefined>;
  declare public readonly useOrgAndGroupNamesInExportPrefix: pulumi.Output<boolean | undefined>;
  /** Whether the schedule auto-exports, as of the last up or refresh. */
  declare public readonly autoExportEnabled: pulumi.Output<boolean>;
  declare public readonly schemaVersion: pulumi.Output<number>;

  /** Registers the auto-export; the type token is `pulumi-nodejs:dynamic/atlas:AutoExport`. */
  constructor(name: string, args: AutoExportArgs, opts?: pulumi.CustomResourceOptions) {
    // Registration with V8's stack capture off: see registration-stacks.ts (≈5 ms per resource).
    const restore = quietStacks();
    try {
      super(
        autoExportProvider,
        name,
        {
          // Every output must be a registered property or it is not readable (pulumi #2931).
          // Outputs come first so that a program passing one as an argument reaches `check`,
          // which names it, instead of being silently overwritten.
          useOrgAndGroupNamesInExportPrefix: undefined,
          autoExportEnabled: undefined,
          schemaVersion: undefined,
          ...args,
        },
        opts,
        "atlas",
        "AutoExport",
      );
    } catch (err) {
      restore();
      throw withFrames(err);
    }
    restore();
  }
}
