/**
 * The ExportJob resource: one export of a Cloud Backup snapshot to an export bucket.
 */
import * as pulumi from "@pulumi/pulumi";
import { exportJobProvider } from "./shim";
import type { ExportJobState } from "./export-job-handlers";
import { quietStacks, withFrames } from "./registration-stacks";

/** Arguments of an {@link ExportJob}. */
export interface ExportJobArgs {
  /** The Atlas project (group) id, 24 hex characters. */
  projectId: pulumi.Input<string>;
  /** The cluster whose snapshot is exported (letters, digits, hyphens; at most 64). */
  clusterName: pulumi.Input<string>;
  /** The snapshot to export; `getLatestSnapshotOutput(...).snapshotId` finds one. */
  snapshotId: pulumi.Input<string>;
  /** Where to export: typically `exportBucket.exportBucketId`. */
  exportBucketId: pulumi.Input<string>;
  /** Labels Atlas writes into the export's metadata (sent as `[{key, value}]` sorted by key). */
  customData?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Wait in `pulumi up` until the export finishes (default true). Changing it makes no API call. */
  waitForCompletion?: pulumi.Input<boolean>;
  /** How long to wait, in minutes (default 120, at most 7 days). Changing it makes no API call. */
  waitTimeoutMinutes?: pulumi.Input<number>;
}

/** Plain values stored in state for an {@link ExportJob}: the checked arguments plus what Atlas reports. */
export type ExportJobOutputs = Omit<ExportJobState, "__provider">;

/**
 * An Atlas Cloud Backup snapshot export job.
 *
 * Atlas can neither update, cancel nor delete an export job, so:
 * - changing `projectId`, `clusterName`, `snapshotId`, `exportBucketId` or `customData`
 *   replaces the resource, i.e. starts a new export;
 * - destroying it (or replacing it) only removes it from the stack's state; the exported
 *   files stay in the bucket;
 * - a job that ends `Failed`/`Cancelled` fails `pulumi up` with Atlas's reason but stays in
 *   state, so the next `up` does not export again silently; run `pulumi up --replace <urn>`
 *   to export again.
 *
 * `pulumi refresh` updates `state` (e.g. after `waitForCompletion: false` or a wait timeout).
 */
export class ExportJob extends pulumi.dynamic.Resource {
  declare public readonly projectId: pulumi.Output<string>;
  declare public readonly clusterName: pulumi.Output<string>;
  declare public readonly snapshotId: pulumi.Output<string>;
  declare public readonly exportBucketId: pulumi.Output<string>;
  declare public readonly customData: pulumi.Output<Record<string, string> | undefined>;
  declare public readonly waitForCompletion: pulumi.Output<boolean | undefined>;
  declare public readonly waitTimeoutMinutes: pulumi.Output<number | undefined>;
  declare public readonly exportJobId: pulumi.Output<string>;
  declare public readonly state: pulumi.Output<string>;
  declare public readonly stateReason: pulumi.Output<{ errorCode?: string; message?: string } | undefined>;
  declare public readonly exportStatus: pulumi.Output<{ exportedCollections?: number; totalCollections?: number } | undefined>;
  declare public readonly prefix: pulumi.Output<string | undefined>;
  declare public readonly createdAt: pulumi.Output<string | undefined>;
  declare public readonly finishedAt: pulumi.Output<string | undefined>;
  declare public readonly components: pulumi.Output<{ exportId?: string; replicaSetName?: string }[] | undefined>;
  declare public readonly schemaVersion: pulumi.Output<number>;

  /** Registers the job; the type token is `pulumi-nodejs:dynamic/atlas:ExportJob`. */
  constructor(name: string, args: ExportJobArgs, opts?: pulumi.CustomResourceOptions) {
    // Registration with V8's stack capture off: see registration-stacks.ts (≈5 ms per resource).
    const restore = quietStacks();
    try {
      super(
        exportJobProvider,
        name,
        {
          // Every output must be a registered property or it is not readable (pulumi #2931).
          // `args` comes last: an output name passed as an argument (from JavaScript or YAML)
          // reaches check, which rejects it by name.
          customData: undefined,
          waitForCompletion: undefined,
          waitTimeoutMinutes: undefined,
          exportJobId: undefined,
          state: undefined,
          stateReason: undefined,
          exportStatus: undefined,
          prefix: undefined,
          createdAt: undefined,
          finishedAt: undefined,
          components: undefined,
          schemaVersion: undefined,
          ...args,
        },
        opts,
        "atlas",
        "ExportJob",
      );
    } catch (err) {
      restore();
      throw withFrames(err);
    }
    restore();
    // Always equal to the resource id; taken from it so it stays known in a preview of an
    // in-place update (see ExportBucket.exportBucketId).
    this.exportJobId = this.id;
  }
}
