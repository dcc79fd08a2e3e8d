/**
 * The foundation slice through the real engine: one AWS export bucket against the emulator,
 * credentials from the environment (digest API keys).
 *
 * preview (1 create) → up → preview (no changes) → refresh (no changes) → delete the bucket
 * behind Pulumi's back → refresh (it leaves the state) → up (recreated) → destroy (the emulator
 * holds no bucket). The exported stack must not contain the private key anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, loadPackage, nativeRequire, providerBytes, type TestStack } from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
const { startEmulator }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

describe("foundation: an AWS ExportBucket through the real Pulumi engine", () => {
  let emulator: Awaited<ReturnType<Emulator["startEmulator"]>>;
  let t: TestStack;
  const projectId = "6a0000000000000000000001";

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    const { ExportBucket } = loadPackage();
    t = await createTestStack({
      name: "foundation",
      env: {
        MONGODB_ATLAS_BASE_URL: emulator.url,
        MONGODB_ATLAS_PUBLIC_API_KEY: emulator.credentials.apiKey.publicKey,
        MONGODB_ATLAS_PRIVATE_API_KEY: emulator.credentials.apiKey.privateKey,
      },
      program: async () => {
        const bucket = new ExportBucket("aws-bucket", {
          projectId,
          cloudProvider: "AWS",
          bucketName: "foundation-export-bucket",
          iamRoleId: "6a00000000000000000000b1",
        });
        return { exportBucketId: bucket.exportBucketId };
      },
    });
  });

  afterAll(async () => {
    await t?.cleanup();
    await emulator?.close();
  });

  const bucketsInEmulator = () => emulator.store.listBuckets(projectId);

  it("preview plans exactly one bucket and calls Atlas zero times", async () => {
    const before = emulator.requestLog.length;
    const pv = await t.stack.preview({ onOutput: t.onOutput });
    console.log("[e2e] preview:", JSON.stringify(pv.changeSummary));
    expect(pv.changeSummary["create"]).toBe(2); // the stack + the bucket
    expect(emulator.requestLog.length - before).toBe(0);
    expect(bucketsInEmulator()).toHaveLength(0);
  });

  let bucketId = "";
  it("up creates the bucket in Atlas and outputs its id", async () => {
    const up = await t.stack.up({ onOutput: t.onOutput });
    bucketId = String(up.outputs["exportBucketId"]?.value);
    console.log("[e2e] up:", JSON.stringify(up.summary.resourceChanges), "bucket", bucketId);
    expect(bucketId).toMatch(/^[a-f0-9]{24}$/);
    expect(bucketsInEmulator().map((b) => b.id)).toEqual([bucketId]);
  });

  it("a second preview shows no changes", async () => {
    const pv = await t.stack.preview({ expectNoChanges: true, onOutput: t.onOutput });
    console.log("[e2e] second preview:", JSON.stringify(pv.changeSummary));
    expect(pv.changeSummary["same"]).toBe(2);
  });

  it("refresh shows no changes", async () => {
    const r = await t.stack.refresh({ expectNoChanges: true, onOutput: t.onOutput });
    console.log("[e2e] refresh:", JSON.stringify(r.summary.resourceChanges));
  });

  it("a bucket deleted behind Pulumi's back leaves the state on refresh", async () => {
    emulator.store.deleteBucket(projectId, bucketId);
    const r = await t.stack.refresh({ onOutput: t.onOutput });
    console.log("[e2e] refresh after out-of-band delete:", JSON.stringify(r.summary.resourceChanges));
    expect(r.summary.resourceChanges?.["delete"]).toBe(1);
    expect(await t.resources("atlas:ExportBucket")).toHaveLength(0);
  });

  it("up recreates it", async () => {
    const up = await t.stack.up({ onOutput: t.onOutput });
    console.log("[e2e] up after refresh:", JSON.stringify(up.summary.resourceChanges));
    expect(up.summary.resourceChanges?.["create"]).toBe(1);
    const newId = String(up.outputs["exportBucketId"]?.value);
    expect(newId).not.toBe(bucketId);
    expect(bucketsInEmulator().map((b) => b.id)).toEqual([newId]);
  });

  it("the state holds no credential and a small __provider", async () => {
    const resources = await t.resources("atlas:ExportBucket");
    const sizes = providerBytes(resources);
    console.log("[e2e] __provider bytes per bucket:", sizes.join(", "));
    expect(sizes.length).toBeGreaterThan(0);
    for (const s of sizes) expect(s).toBeLessThan(2048);
    const secret = emulator.credentials.apiKey.privateKey;
    expect(secret.length).toBeGreaterThan(10);
    const exported = JSON.stringify(await t.stack.exportStack());
    expect(exported).not.toContain(emulator.credentials.apiKey.privateKey);
    for (const f of t.files()) expect(f.text, f.path).not.toContain(emulator.credentials.apiKey.privateKey);
    expect(t.output.join("")).not.toContain(emulator.credentials.apiKey.privateKey);
  });

  it("destroy leaves the emulator with no bucket", async () => {
    const d = await t.stack.destroy({ onOutput: t.onOutput });
    console.log("[e2e] destroy:", JSON.stringify(d.summary.resourceChanges));
    expect(bucketsInEmulator()).toHaveLength(0);
  });
});
