/**
 * Bad input through the real engine's preview: every malformed argument of ExportBucket and
 * ExportJob fails at PREVIEW (the provider's `check`, no API call) with a message that names the
 * property, and the emulator sees no request at all.
 *
 * Batching: none. Verified with the CLI 3.259: when several bad resources are in one program, the
 * preview stops at the FIRST check failure and reports only that resource ("1 errored"), so a
 * batched preview could not prove the others fail. One stack is reused and each preview registers
 * only the current case (~2 s per preview).
 */
import { isStrayMonitorRejection } from "../helpers/stray-rejection";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, loadPackage, nativeRequire, type TestStack } from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
const { startEmulator }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

const P = "6a0000000000000000000001";
const AWS_ROLE = "6a00000000000000000000b1";
const AZ_ROLE = "6a00000000000000000000b2";
const GCP_ROLE = "6a00000000000000000000b3";
const SNAP = "6a00000000000000000000d1";
const BUCKET = "6a00000000000000000000c1";

type Args = Record<string, unknown>;
interface Case {
  /** resource name (unique; used to find its diagnostic) */
  name: string;
  kind: "bucket" | "job";
  args: Args;
  /** the property the message must name */
  property: string;
}

const aws: Args = { projectId: P, cloudProvider: "AWS", bucketName: "bad-input-bucket", iamRoleId: AWS_ROLE };
const azure: Args = { projectId: P, cloudProvider: "AZURE", roleId: AZ_ROLE, serviceUrl: "https://acct01.blob.core.windows.net/exports" };
const gcp: Args = { projectId: P, cloudProvider: "GCP", bucketName: "bad-input-gcs", roleId: GCP_ROLE };
const job: Args = { projectId: P, clusterName: "Cluster0", snapshotId: SNAP, exportBucketId: BUCKET, waitForCompletion: true };

const without = (base: Args, key: string): Args => ({ ...base, [key]: undefined });
const withField = (base: Args, key: string, value: unknown): Args => ({ ...base, [key]: value });

const CASES: Case[] = [
  // ExportBucket, AWS
  { name: "b-project-missing", kind: "bucket", args: without(aws, "projectId"), property: "projectId" },
  { name: "b-project-not-hex", kind: "bucket", args: withField(aws, "projectId", "my-project"), property: "projectId" },
  { name: "b-project-upper", kind: "bucket", args: withField(aws, "projectId", P.toUpperCase()), property: "projectId" },
  { name: "b-project-number", kind: "bucket", args: withField(aws, "projectId", 12345), property: "projectId" },
  { name: "b-cloud-missing", kind: "bucket", args: without(aws, "cloudProvider"), property: "cloudProvider" },
  { name: "b-cloud-lower", kind: "bucket", args: withField(aws, "cloudProvider", "aws"), property: "cloudProvider" },
  { name: "b-cloud-unknown", kind: "bucket", args: withField(aws, "cloudProvider", "S3"), property: "cloudProvider" },
  { name: "b-cloud-number", kind: "bucket", args: withField(aws, "cloudProvider", 1), property: "cloudProvider" },
  { name: "b-name-missing", kind: "bucket", args: without(aws, "bucketName"), property: "bucketName" },
  { name: "b-name-short", kind: "bucket", args: withField(aws, "bucketName", "ab"), property: "bucketName" },
  { name: "b-name-long", kind: "bucket", args: withField(aws, "bucketName", "x".repeat(64)), property: "bucketName" },
  { name: "b-name-number", kind: "bucket", args: withField(aws, "bucketName", 42), property: "bucketName" },
  { name: "b-iam-missing", kind: "bucket", args: without(aws, "iamRoleId"), property: "iamRoleId" },
  { name: "b-iam-bad-id", kind: "bucket", args: withField(aws, "iamRoleId", "arn:aws:iam::123456789012:role/x"), property: "iamRoleId" },
  { name: "b-aws-with-roleid", kind: "bucket", args: withField(aws, "roleId", GCP_ROLE), property: "roleId" },
  { name: "b-aws-with-url", kind: "bucket", args: withField(aws, "serviceUrl", "https://acct01.blob.core.windows.net/x1y"), property: "serviceUrl" },
  { name: "b-unknown-field", kind: "bucket", args: withField(aws, "bucket_name", "typo"), property: "bucket_name" },
  // Output-only names passed as arguments (JavaScript/YAML programs) fail by name instead of being dropped.
  { name: "b-output-region", kind: "bucket", args: withField(aws, "region", "us-east-1"), property: "region" },
  { name: "b-output-tenant", kind: "bucket", args: withField(azure, "tenantId", "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"), property: "tenantId" },
  { name: "b-output-id", kind: "bucket", args: withField(aws, "exportBucketId", BUCKET), property: "exportBucketId" },
  { name: "b-output-schema", kind: "bucket", args: withField(gcp, "schemaVersion", 1), property: "schemaVersion" },
  { name: "b-unknown-case", kind: "bucket", args: withField(aws, "iamRoleID", AWS_ROLE), property: "iamRoleID" },
  { name: "b-rpn-string", kind: "bucket", args: withField(aws, "requirePrivateNetworking", "yes"), property: "requirePrivateNetworking" },
  { name: "b-adopt-string", kind: "bucket", args: withField(aws, "adopt", "true"), property: "adopt" },
  // ExportBucket, Azure
  { name: "b-az-url-missing", kind: "bucket", args: without(azure, "serviceUrl"), property: "serviceUrl" },
  { name: "b-az-url-not-url", kind: "bucket", args: withField(azure, "serviceUrl", "not a url"), property: "serviceUrl" },
  { name: "b-az-url-http", kind: "bucket", args: withField(azure, "serviceUrl", "http://acct01.blob.core.windows.net/exports"), property: "serviceUrl" },
  { name: "b-az-url-s3-host", kind: "bucket", args: withField(azure, "serviceUrl", "https://exports.s3.amazonaws.com/x"), property: "serviceUrl" },
  { name: "b-az-url-too-long", kind: "bucket", args: withField(azure, "serviceUrl", `https://acct01.blob.core.windows.net/${"a".repeat(2100)}`), property: "serviceUrl" },
  { name: "b-az-url-query", kind: "bucket", args: withField(azure, "serviceUrl", "https://acct01.blob.core.windows.net/exports?sv=2024&sig=x"), property: "serviceUrl" },
  { name: "b-az-url-number", kind: "bucket", args: withField(azure, "serviceUrl", 7), property: "serviceUrl" },
  { name: "b-az-role-missing", kind: "bucket", args: without(azure, "roleId"), property: "roleId" },
  { name: "b-az-with-iam", kind: "bucket", args: withField(azure, "iamRoleId", AWS_ROLE), property: "iamRoleId" },
  { name: "b-az-with-rpn", kind: "bucket", args: withField(azure, "requirePrivateNetworking", true), property: "requirePrivateNetworking" },
  { name: "b-az-no-container", kind: "bucket", args: withField(azure, "serviceUrl", "https://acct01.blob.core.windows.net"), property: "bucketName" },
  // Azure URLs as Atlas checks them (written form, not URL-normalised).
  { name: "b-az-url-host-case", kind: "bucket", args: withField(azure, "serviceUrl", "https://ACCT01.blob.core.windows.net/exports"), property: "serviceUrl" },
  { name: "b-az-url-port-443", kind: "bucket", args: withField(azure, "serviceUrl", "https://acct01.blob.core.windows.net:443/exports"), property: "serviceUrl" },
  { name: "b-az-url-double-slash", kind: "bucket", args: withField(azure, "serviceUrl", "https://acct01.blob.core.windows.net//exports"), property: "serviceUrl" },
  { name: "b-az-name-not-container", kind: "bucket", args: withField(azure, "bucketName", "other-container"), property: "bucketName" },
  // ExportBucket, GCP
  { name: "b-gcp-role-missing", kind: "bucket", args: without(gcp, "roleId"), property: "roleId" },
  { name: "b-gcp-role-bad", kind: "bucket", args: withField(gcp, "roleId", "atlas@project.iam.gserviceaccount.com"), property: "roleId" },
  { name: "b-gcp-with-url", kind: "bucket", args: withField(gcp, "serviceUrl", "https://acct01.blob.core.windows.net/x1y"), property: "serviceUrl" },
  { name: "b-gcp-with-iam", kind: "bucket", args: withField(gcp, "iamRoleId", AWS_ROLE), property: "iamRoleId" },
  // ExportJob
  { name: "j-project-missing", kind: "job", args: without(job, "projectId"), property: "projectId" },
  { name: "j-project-bad", kind: "job", args: withField(job, "projectId", "6a00"), property: "projectId" },
  { name: "j-cluster-missing", kind: "job", args: without(job, "clusterName"), property: "clusterName" },
  { name: "j-cluster-chars", kind: "job", args: withField(job, "clusterName", "my_cluster!"), property: "clusterName" },
  { name: "j-cluster-long", kind: "job", args: withField(job, "clusterName", "c".repeat(65)), property: "clusterName" },
  { name: "j-cluster-number", kind: "job", args: withField(job, "clusterName", 0), property: "clusterName" },
  { name: "j-snapshot-missing", kind: "job", args: without(job, "snapshotId"), property: "snapshotId" },
  { name: "j-snapshot-bad", kind: "job", args: withField(job, "snapshotId", "latest"), property: "snapshotId" },
  { name: "j-bucket-missing", kind: "job", args: without(job, "exportBucketId"), property: "exportBucketId" },
  { name: "j-bucket-bad", kind: "job", args: withField(job, "exportBucketId", "s3://bucket"), property: "exportBucketId" },
  { name: "j-custom-non-string", kind: "job", args: withField(job, "customData", { env: 1 }), property: "customData" },
  { name: "j-custom-empty-key", kind: "job", args: withField(job, "customData", { "": "x" }), property: "customData" },
  { name: "j-custom-array", kind: "job", args: withField(job, "customData", ["a", "b"]), property: "customData" },
  { name: "j-wait-string", kind: "job", args: withField(job, "waitForCompletion", "yes"), property: "waitForCompletion" },
  { name: "j-timeout-zero", kind: "job", args: withField(job, "waitTimeoutMinutes", 0), property: "waitTimeoutMinutes" },
  { name: "j-timeout-huge", kind: "job", args: withField(job, "waitTimeoutMinutes", 20_000), property: "waitTimeoutMinutes" },
  { name: "j-timeout-string", kind: "job", args: withField(job, "waitTimeoutMinutes", "10"), property: "waitTimeoutMinutes" },
  { name: "j-unknown-field", kind: "job", args: withField(job, "snapshot", SNAP), property: "snapshot" },
  { name: "j-output-id", kind: "job", args: withField(job, "exportJobId", "6a00000000000000000000e1"), property: "exportJobId" },
  { name: "j-output-state", kind: "job", args: withField(job, "state", "Successful"), property: "state" },
  { name: "j-output-prefix", kind: "job", args: withField(job, "prefix", "exported_snapshots/x"), property: "prefix" },
];

/**
 * Stray rejections of the inline-program artifact described in the preview case below: a gRPC
 * "14 UNAVAILABLE: No connection established" from the SDK's `setRootResource` of a previous
 * program whose engine has exited. Counted here (this file's worker process) so a case can tell
 * it was hit; vitest.config.ts keeps exactly this signature from failing the run.
 */
let strayRejections = 0;
process.on("unhandledRejection", (reason) => {
  if (isStrayMonitorRejection(reason)) strayRejections++;
});

describe("bad input: every malformed argument fails at preview, names the property, calls Atlas zero times", () => {
  let emulator: Awaited<ReturnType<Emulator["startEmulator"]>>;
  let t: TestStack;
  let current: Case | undefined;
  const startedAll = Date.now();

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    const { ExportBucket, ExportJob } = loadPackage();
    t = await createTestStack({
      name: "bad-input",
      env: {
        MONGODB_ATLAS_BASE_URL: emulator.url,
        MONGODB_ATLAS_PUBLIC_API_KEY: emulator.credentials.apiKey.publicKey,
        MONGODB_ATLAS_PRIVATE_API_KEY: emulator.credentials.apiKey.privateKey,
      },
      // One stack; each preview registers the current case only (see the file comment).
      program: async () => {
        const c = current;
        if (!c) return;
        // Deliberately untyped: these are the mistakes TS types catch but JS/YAML programs don't.
        if (c.kind === "bucket") new ExportBucket(c.name, c.args as never);
        else new ExportJob(c.name, c.args as never);
      },
    });
  });

  afterAll(async () => {
    console.log(`[e2e] bad-input: ${CASES.length} cases in ${Math.round((Date.now() - startedAll) / 1000)} s`);
    await t?.cleanup();
    await emulator?.close();
  });

  it("has at least 30 cases across both resources", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(CASES.filter((c) => c.kind === "bucket").length).toBeGreaterThanOrEqual(15);
    expect(CASES.filter((c) => c.kind === "job").length).toBeGreaterThanOrEqual(15);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s fails at preview naming its property, 0 API calls", async (_name, c) => {
    current = c;
    const logBefore = emulator.requestLog.length;
    // The engine's diagnostic: "<type> resource '<name>': property <p> value {...} has a problem: <reason>".
    const diagnostics = (text: string) => text.split("\n").filter((l) => l.includes(`resource '${c.name}'`) && l.includes("has a problem"));
    let all = "";
    for (let attempt = 1; ; attempt++) {
      const outBefore = t.output.length;
      const strayBefore = strayRejections;
      let errorText: string | undefined;
      try {
        await t.stack.preview({ onOutput: t.onOutput });
      } catch (e) {
        errorText = e instanceof Error ? e.message : String(e);
      }
      // The same artifact (below) can also land as an unhandled rejection of the stray call
      // while this run's program registers nothing, so the preview "succeeds": repeated too.
      if (errorText === undefined && strayRejections > strayBefore && attempt < 3) {
        console.log(`[e2e] ${c.name}: preview attempt ${attempt} ran no check (a stray gRPC "14 UNAVAILABLE" from the previous run's program); repeating it`);
        continue;
      }
      expect(errorText, `preview of ${c.name} must fail`).toBeDefined();
      all = `${t.output.slice(outBefore).join("")}\n${errorText}`;
      // An artifact of inline programs, not of the provider. Seen about once per run of this file
      // when two e2e files share the 2 cores: the program fails with a gRPC "14 UNAVAILABLE: No
      // connection established" before the engine checks anything, so no check diagnostic. The
      // Automation API's language server runs every program in this one process and counts any
      // unhandled rejection during a run as that run's error; the likely source is a call the
      // previous program (whose engine exited after its failed check) still had in flight. The
      // CLI path runs each program in its own process. A preview has no side effects (the
      // emulator's log is checked below), so such a run is repeated, at most twice.
      if (diagnostics(all).length > 0 || !/14 UNAVAILABLE: No connection established/.test(all) || attempt === 3) break;
      console.log(`[e2e] ${c.name}: preview attempt ${attempt} failed in the program with a stray gRPC "14 UNAVAILABLE" from the previous run; repeating it`);
    }
    const lines = diagnostics(all);
    expect(lines.length, `no check diagnostic for ${c.name}:\n${all}`).toBeGreaterThan(0);
    const text = lines.join("\n");
    console.log(`[e2e] ${c.name}: ${lines[0]!.replace(/^.*has a problem: /, "").slice(0, 160)}`);
    expect(text, `diagnostic of ${c.name} must name ${c.property}`).toContain(c.property);
    expect(emulator.requestLog.length - logBefore, `${c.name} made API calls`).toBe(0);
  });

  it("nothing was created in Atlas", () => {
    expect(emulator.requestLog).toHaveLength(0);
    expect(emulator.store.listBuckets(P)).toHaveLength(0);
  });
});
