/**
 * The examples program: an Atlas Cloud Backup export bucket on each of AWS, Azure and GCP,
 * one export job into each of them of the newest completed snapshot of a cluster, and the
 * cluster's auto-export (backup schedule) into the AWS bucket (examples/auto-export.ts).
 *
 * It runs unchanged against:
 * - the Atlas emulator (`npm run demo` starts one, or `npm run emulator`): every setting below
 *   defaults to the emulator's seed (docs/ARCHITECTURE.md, "Default seed");
 * - real MongoDB Atlas: configure credentials and `projectId`, the role ids and bucket names of
 *   your project (see examples/README.md). When the base URL is not a loopback address no
 *   emulator default is used, so a missing setting fails at once with its name instead of
 *   sending the emulator's ids to Atlas.
 *
 * Settings (`pulumi config set <key> <value>`, project namespace):
 *   projectId, clusterName, clouds (e.g. "AWS,GCP"), awsRoleId, awsBucketName,
 *   azureRoleId, azureServiceUrl, gcpRoleId, gcpBucketName, waitTimeoutMinutes.
 */
import * as pulumi from "@pulumi/pulumi";
import { CloudProvider, ExportBucket, ExportJob, getLatestSnapshotOutput } from "pulumi-atlas-export";
import { autoExportTo } from "./auto-export";

/** The emulator's default seed: what every setting defaults to when the target is the emulator. */
export const EMULATOR_DEFAULTS = {
  projectId: "6a0000000000000000000001",
  clusterName: "Cluster0",
  awsRoleId: "6a00000000000000000000b1",
  awsBucketName: "atlas-export-demo-aws",
  azureRoleId: "6a00000000000000000000b2",
  azureServiceUrl: "https://atlasexportdemo.blob.core.windows.net/atlas-export-demo",
  gcpRoleId: "6a00000000000000000000b3",
  gcpBucketName: "atlas-export-demo-gcp",
} as const;

type Setting = keyof typeof EMULATOR_DEFAULTS;

const ALL_CLOUDS: readonly CloudProvider[] = ["AWS", "AZURE", "GCP"];

/** True when the provider will talk to a loopback address, i.e. the emulator, not Atlas. */
function targetsEmulator(): boolean {
  const baseUrl = new pulumi.Config("mongodbatlas").get("baseUrl") ?? process.env["MONGODB_ATLAS_BASE_URL"];
  if (!baseUrl) return false; // the provider's default is https://cloud.mongodb.com
  try {
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false; // the provider reports the malformed URL itself
  }
}

export default async function main(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const emulated = targetsEmulator();
  const setting = (key: Setting): string =>
    emulated ? (config.get(key) ?? EMULATOR_DEFAULTS[key]) : config.require(key);

  const clouds = (config.get("clouds") ?? ALL_CLOUDS.join(","))
    .split(",")
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c.length > 0);
  for (const c of clouds) {
    if (!(ALL_CLOUDS as readonly string[]).includes(c)) {
      throw new Error(`config "clouds": unknown cloud "${c}"; use a comma-separated list of ${ALL_CLOUDS.join(", ")}`);
    }
  }
  const waitTimeoutMinutes = config.getNumber("waitTimeoutMinutes") ?? 120;
  const projectId = setting("projectId");
  const clusterName = setting("clusterName");

  // One bucket per cloud. Only requirePrivateNetworking (AWS) updates in place; any other change
  // replaces the bucket. Credentials are not arguments: the provider reads them at call time.
  const buckets: Partial<Record<CloudProvider, ExportBucket>> = {};
  if (clouds.includes("AWS")) {
    buckets.AWS = new ExportBucket("aws", {
      projectId,
      cloudProvider: "AWS",
      bucketName: setting("awsBucketName"),
      iamRoleId: setting("awsRoleId"),
    });
  }
  if (clouds.includes("AZURE")) {
    buckets.AZURE = new ExportBucket("azure", {
      projectId,
      cloudProvider: "AZURE",
      // bucketName defaults to the container in the URL.
      serviceUrl: setting("azureServiceUrl"),
      roleId: setting("azureRoleId"),
    });
  }
  if (clouds.includes("GCP")) {
    buckets.GCP = new ExportBucket("gcp", {
      projectId,
      cloudProvider: "GCP",
      bucketName: setting("gcpBucketName"),
      roleId: setting("gcpRoleId"),
    });
  }

  // The newest completed snapshot of the cluster: no hard-coded snapshot id. Read-only (take:
  // "never" is the default), so it also runs in `pulumi preview`.
  const snapshot = getLatestSnapshotOutput({ projectId, clusterName });

  // One export job per bucket. Atlas runs one export of a snapshot at a time (a second one is
  // refused with 409), so each job waits for the previous one (dependsOn) instead of racing it.
  // `pulumi up` waits for each export to finish and prints its progress; a Failed job fails the
  // update with Atlas's reason. Destroying a job only forgets it: Atlas cannot delete exports.
  const jobs: Partial<Record<CloudProvider, ExportJob>> = {};
  let previous: ExportJob | undefined;
  for (const cloud of ALL_CLOUDS) {
    const bucket = buckets[cloud];
    if (!bucket) continue;
    const job: ExportJob = new ExportJob(
      cloud.toLowerCase(),
      {
        projectId,
        clusterName,
        snapshotId: snapshot.snapshotId,
        exportBucketId: bucket.exportBucketId,
        // Labels Atlas writes into the export's metadata; changing them starts a new export.
        customData: { managedBy: "pulumi", stack: pulumi.getStack(), cloud: cloud.toLowerCase() },
        waitTimeoutMinutes,
      },
      previous ? { dependsOn: [previous] } : undefined,
    );
    jobs[cloud] = job;
    previous = job;
  }

  const outputs: Record<string, unknown> = { snapshotId: snapshot.snapshotId, snapshotCreatedAt: snapshot.createdAt };
  for (const cloud of ALL_CLOUDS) {
    const bucket = buckets[cloud];
    const job = jobs[cloud];
    if (!bucket || !job) continue;
    const key = cloud.toLowerCase();
    outputs[`${key}BucketId`] = bucket.exportBucketId;
    outputs[`${key}ExportJob`] = {
      id: job.exportJobId,
      state: job.state,
      prefix: job.prefix,
      bucketName: bucket.bucketName,
    };
  }
  // The cluster's backup schedule also exports its monthly snapshots to the AWS bucket.
  if (buckets.AWS) Object.assign(outputs, autoExportTo(buckets.AWS, { projectId, clusterName }));
  return outputs;
}
