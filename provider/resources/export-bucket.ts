/**
 * The ExportBucket resource: an AWS S3 bucket, Azure Blob container or GCS bucket registered
 * with Atlas as a destination for Cloud Backup snapshot exports.
 */
import * as pulumi from "@pulumi/pulumi";
import type { CloudProvider } from "../client/api";
import { exportBucketProvider } from "./shim";
import type { ExportBucketState } from "./export-bucket-handlers";
import { quietStacks, withFrames } from "./registration-stacks";

/** Arguments of an {@link ExportBucket}. Which fields apply depends on `cloudProvider`. */
export interface ExportBucketArgs {
  /** The Atlas project (group) id, 24 hex characters. Changing it replaces the bucket. */
  projectId: pulumi.Input<string>;
  /** `AWS`, `AZURE` or `GCP`. Changing it replaces the bucket. */
  cloudProvider: pulumi.Input<CloudProvider>;
  /**
   * S3 bucket, Azure container or GCS bucket name, 3 to 63 characters. Required for AWS and
   * GCP; for Azure it defaults to the container in `serviceUrl`. Changing it replaces the bucket.
   */
  bucketName?: pulumi.Input<string>;
  /** AWS only (required): the `roleId` of an authorized cloud provider access IAM role. */
  iamRoleId?: pulumi.Input<string>;
  /** Azure (service principal `_id`) and GCP (service account `roleId`) only (required). */
  roleId?: pulumi.Input<string>;
  /** Azure only (required): `https://<account>.blob.core.windows.net/<container>`. */
  serviceUrl?: pulumi.Input<string>;
  /** AWS only: export over PrivateLink only. Defaults to false. Updated in place. */
  requirePrivateNetworking?: pulumi.Input<boolean>;
  /**
   * Take over an existing Atlas bucket with the same cloud, name, role (and URL) instead of
   * creating one (`pulumi import` does not work for dynamic resources, pulumi #16175). Fails
   * if none or several match. Once adopted, the bucket is deleted with the resource. Only
   * used at creation; changing it later does nothing.
   */
  adopt?: pulumi.Input<boolean>;
}

/** Plain values stored in state for an {@link ExportBucket}: the checked arguments plus what Atlas reports. */
export type ExportBucketOutputs = Omit<ExportBucketState, "__provider">;

/**
 * An Atlas Cloud Backup export bucket.
 *
 * Only `requirePrivateNetworking` updates in place; changing any other argument replaces the
 * bucket. Deleting fails with an explanation while a cluster's backup schedule auto-exports to
 * it. Credentials come from stack config (`mongodbatlas:*`) or `MONGODB_ATLAS_*` variables,
 * read by the provider at call time; they are never stored in state.
 */
export class ExportBucket extends pulumi.dynamic.Resource {
  declare public readonly projectId: pulumi.Output<string>;
  declare public readonly cloudProvider: pulumi.Output<CloudProvider>;
  declare public readonly bucketName: pulumi.Output<string>;
  declare public readonly iamRoleId: pulumi.Output<string | undefined>;
  declare public readonly roleId: pulumi.Output<string | undefined>;
  declare public readonly serviceUrl: pulumi.Output<string | undefined>;
  declare public readonly requirePrivateNetworking: pulumi.Output<boolean | undefined>;
  declare public readonly adopt: pulumi.Output<boolean | undefined>;
  declare public readonly exportBucketId: pulumi.Output<string>;
  declare public readonly region: pulumi.Output<string | undefined>;
  declare public readonly tenantId: pulumi.Output<string | undefined>;
  declare public readonly schemaVersion: pulumi.Output<number>;

  /** Registers the bucket; the type token is `pulumi-nodejs:dynamic/atlas:ExportBucket`. */
  constructor(name: string, args: ExportBucketArgs, opts?: pulumi.CustomResourceOptions) {
    // Registration with V8's stack capture off: see registration-stacks.ts (≈5 ms per resource).
    const restore = quietStacks();
    try {
      super(
        exportBucketProvider,
        name,
        {
          // Every output must be a registered property or it is not readable (pulumi #2931),
          // including optional arguments the program left out. `args` comes last: an output name
          // passed as an argument (from JavaScript or YAML) reaches check, which rejects it by name.
          bucketName: undefined,
          iamRoleId: undefined,
          roleId: undefined,
          serviceUrl: undefined,
          requirePrivateNetworking: undefined,
          adopt: undefined,
          exportBucketId: undefined,
          region: undefined,
          tenantId: undefined,
          schemaVersion: undefined,
          ...args,
        },
        opts,
        "atlas",
        "ExportBucket",
      );
    } catch (err) {
      restore();
      throw withFrames(err);
    }
    restore();
    // The stored output `exportBucketId` always equals the resource id. Taken from the id, it
    // stays known in a preview of an in-place update (the engine knows the id then, but not
    // the provider's outputs), so jobs that use it are not shown as replaced when `up` will
    // only update the bucket. It is unknown exactly when the bucket is created or replaced.
    this.exportBucketId = this.id;
  }
}
