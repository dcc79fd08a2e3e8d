/**
 * Auto-export for the examples program: the cluster's backup schedule exports its monthly
 * snapshots to one of the program's buckets. Only the schedule's auto-export setting is managed;
 * its backup policy stays as it is. Because the AutoExport takes the bucket's `exportBucketId`,
 * `pulumi destroy` turns auto-export off before it deletes the bucket, in the same run.
 *
 * Called from examples/index.ts with a bucket it created, e.g.
 *   `if (buckets.AWS) Object.assign(outputs, autoExportTo(buckets.AWS, { projectId, clusterName }));`
 *
 * The frequency defaults to `monthly`: Atlas accepts `daily` and `weekly` only where MongoDB
 * Support enabled them (the emulator refuses them too).
 */
import * as pulumi from "@pulumi/pulumi";
import { AutoExport, AutoExportArgs, ExportBucket } from "pulumi-atlas-export";

/** Where to turn auto-export on. */
export interface AutoExportSettings {
  projectId: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  /** Default `monthly`. */
  frequencyType?: AutoExportArgs["frequencyType"];
}

/**
 * Declares an AutoExport of `settings.clusterName` into `bucket` and returns the stack outputs
 * to add (`autoExport`: cluster, bucket, frequency and whether Atlas reports it enabled).
 */
export function autoExportTo(bucket: ExportBucket, settings: AutoExportSettings): Record<string, unknown> {
  const auto = new AutoExport("auto-export", {
    projectId: settings.projectId,
    clusterName: settings.clusterName,
    exportBucketId: bucket.exportBucketId,
    frequencyType: settings.frequencyType ?? "monthly",
  });
  return {
    autoExport: {
      clusterName: auto.clusterName,
      exportBucketId: auto.exportBucketId,
      frequencyType: auto.frequencyType,
      enabled: auto.autoExportEnabled,
    },
  };
}
