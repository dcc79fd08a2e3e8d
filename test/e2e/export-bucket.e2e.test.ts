/**
 * Issue 5: ExportBucket on AWS, Azure and GCP through the real Pulumi engine, against the
 * emulator.
 *
 * Lifecycle stack (credentials from stack config: API key, private key as a secret):
 *   bad input fails at preview (0 API calls) → preview plans 3 buckets (0 API calls) → up →
 *   preview/refresh show no changes → requirePrivateNetworking is ONE PATCH (update, nothing
 *   wiped) → bucketName replaces → a bucket deleted behind Pulumi's back leaves on refresh →
 *   adopt takes over an existing bucket → destroy refused while Cluster0 auto-exports to a
 *   bucket (error names Cluster0 and what to change; bucket kept) → destroy once cleared
 *   leaves the emulator empty. Then the whole workspace is scanned for the private key.
 *
 * The other ways to give credentials (stack config service account, env API key, env service
 * account) go through a bucket's create, update, refresh and destroy in secret-scan.e2e.test.ts,
 * which checks the same things (no secret anywhere, the auth method used, `__provider` size).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearAtlasEnv, createTestStack, expectNoSecret, exportStackAtRest, failureOf, loadPackage, nativeRequire, providerBytes, type StateResource, type TestStack } from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
type RunningEmulator = Awaited<ReturnType<Emulator["startEmulator"]>>;
type BucketArgs = import("../../provider/index").ExportBucketArgs;
const { startEmulator }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

const projectId = "6a0000000000000000000001";
const AWS_ROLE = "6a00000000000000000000b1";
const AZURE_ROLE = "6a00000000000000000000b2";
const GCP_ROLE = "6a00000000000000000000b3";
const AZURE_URL = "https://atlasexportacct.blob.core.windows.net/atlas-exports";

// The provider and the CLI must only see the credentials each stack is given.
clearAtlasEnv();

/** A program with one ExportBucket per entry of `buckets` (read at run time, so tests mutate it). */
function bucketProgram(buckets: () => Record<string, BucketArgs>) {
  const { ExportBucket } = loadPackage();
  return async () => {
    const out: Record<string, unknown> = {};
    for (const [name, args] of Object.entries(buckets())) {
      const b = new ExportBucket(name, args);
      out[name] = {
        exportBucketId: b.exportBucketId,
        bucketName: b.bucketName,
        region: b.region,
        requirePrivateNetworking: b.requirePrivateNetworking,
        tenantId: b.tenantId,
        serviceUrl: b.serviceUrl,
      };
    }
    return out;
  };
}

type BucketOut = {
  exportBucketId: string;
  bucketName: string;
  region?: string;
  requirePrivateNetworking?: boolean;
  tenantId?: string;
  serviceUrl?: string;
};
const outputOf = (outputs: Record<string, { value: unknown }>, name: string) => outputs[name]?.value as BucketOut;

describe("issue 5: ExportBucket on AWS, Azure and GCP through the real Pulumi engine", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const bucketsInEmulator = () => emulator.store.listBuckets(projectId);
  /** Requests the emulator received since `from` (an index into the request log). */
  const requestsSince = (from: number) => emulator.requestLog.slice(from);

  describe("lifecycle (credentials: stack config API key, private key secret)", () => {
    let t: TestStack;
    let buckets: Record<string, BucketArgs> = {};

    beforeAll(async () => {
      t = await createTestStack({
        name: "bucket-lifecycle",
        config: {
          "mongodbatlas:baseUrl": { value: emulator.url },
          "mongodbatlas:publicKey": { value: emulator.credentials.apiKey.publicKey },
          "mongodbatlas:privateKey": { value: emulator.credentials.apiKey.privateKey, secret: true },
        },
        program: bucketProgram(() => buckets),
      });
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    const goodArgs = (): Record<string, BucketArgs> => ({
      aws: { projectId, cloudProvider: "AWS", bucketName: "e2e-aws-exports", iamRoleId: AWS_ROLE },
      // bucketName omitted: derived from the container in serviceUrl.
      azure: { projectId, cloudProvider: "AZURE", roleId: AZURE_ROLE, serviceUrl: AZURE_URL },
      gcp: { projectId, cloudProvider: "GCP", bucketName: "e2e-gcp-exports", roleId: GCP_ROLE },
    });

    it("bad input fails at preview, naming the field, with 0 API calls", async () => {
      buckets = goodArgs();
      buckets["gcp"] = { ...buckets["gcp"]!, iamRoleId: AWS_ROLE };
      const before = emulator.requestLog.length;
      const message = await failureOf(t.stack.preview({ onOutput: t.onOutput }));
      console.log("[e2e] preview with iamRoleId on a GCP bucket failed:", message.split("\n").filter((l) => /iamRoleId/.test(l)).join(" | "));
      expect(message).toMatch(/iamRoleId is only valid when cloudProvider is "AWS"; for "GCP" use roleId/);
      expect(requestsSince(before)).toEqual([]);
      expect(bucketsInEmulator()).toHaveLength(0);
    });

    it("preview plans the three buckets and calls Atlas zero times", async () => {
      buckets = goodArgs();
      const before = emulator.requestLog.length;
      const pv = await t.stack.preview({ onOutput: t.onOutput });
      console.log("[e2e] preview:", JSON.stringify(pv.changeSummary));
      expect(pv.changeSummary["create"]).toBe(4); // the stack + 3 buckets
      expect(requestsSince(before)).toEqual([]);
      expect(bucketsInEmulator()).toHaveLength(0);
    });

    const ids: Record<string, string> = {};
    it("up creates one bucket per cloud; Azure's bucketName is derived from serviceUrl", async () => {
      const up = await t.stack.up({ onOutput: t.onOutput });
      console.log("[e2e] up:", JSON.stringify(up.summary.resourceChanges));
      expect(up.summary.resourceChanges?.["create"]).toBe(4);
      for (const name of ["aws", "azure", "gcp"]) {
        ids[name] = outputOf(up.outputs, name).exportBucketId;
        expect(ids[name], name).toMatch(/^[a-f0-9]{24}$/);
      }
      console.log("[e2e] bucket ids:", JSON.stringify(ids));
      const azure = outputOf(up.outputs, "azure");
      expect(azure.bucketName).toBe("atlas-exports");
      expect(azure.tenantId).toBe("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0");
      expect(outputOf(up.outputs, "aws").requirePrivateNetworking).toBe(false);

      const byId = new Map(bucketsInEmulator().map((b) => [b.id, b]));
      expect(byId.size).toBe(3);
      expect(byId.get(ids["aws"]!)).toMatchObject({ cloudProvider: "AWS", bucketName: "e2e-aws-exports", iamRoleId: AWS_ROLE });
      expect(byId.get(ids["azure"]!)).toMatchObject({ cloudProvider: "AZURE", bucketName: "atlas-exports", roleId: AZURE_ROLE, serviceUrl: AZURE_URL });
      expect(byId.get(ids["gcp"]!)).toMatchObject({ cloudProvider: "GCP", bucketName: "e2e-gcp-exports", roleId: GCP_ROLE });
    });

    it("a second preview shows no changes", async () => {
      const pv = await t.stack.preview({ expectNoChanges: true, onOutput: t.onOutput });
      console.log("[e2e] second preview:", JSON.stringify(pv.changeSummary));
      expect(pv.changeSummary["same"]).toBe(4);
    });

    it("refresh shows no changes (and fills the AWS region, only on Atlas's GET)", async () => {
      const r = await t.stack.refresh({ expectNoChanges: true, onOutput: t.onOutput });
      console.log("[e2e] refresh:", JSON.stringify(r.summary.resourceChanges));
      expect(r.summary.resourceChanges?.["same"]).toBe(4);
      const aws = (await t.resources("atlas:ExportBucket")).find((r) => r.id === ids["aws"]);
      expect(aws?.outputs?.["region"]).toBe("us-east-1");
    });

    it("requirePrivateNetworking is an in-place update: exactly one PATCH, nothing wiped", async () => {
      buckets["aws"] = { ...buckets["aws"]!, requirePrivateNetworking: true };
      const before = emulator.requestLog.length;
      const up = await t.stack.up({ onOutput: t.onOutput });
      console.log("[e2e] up (requirePrivateNetworking true):", JSON.stringify(up.summary.resourceChanges));
      expect(up.summary.resourceChanges?.["update"]).toBe(1);
      expect(up.summary.resourceChanges?.["replace"]).toBeUndefined();
      expect(up.summary.resourceChanges?.["create"]).toBeUndefined();

      const log = requestsSince(before);
      console.log("[e2e] requests during the update:", log.map((e) => `${e.method} ${e.path} ${e.status}`).join(" | "));
      const bucketPath = `/api/atlas/v2/groups/${projectId}/backup/exportBuckets/${ids["aws"]}`;
      // A fresh provider process starts its digest session with an unauthenticated request and
      // gets Atlas's 401 challenge, then answers it. That 401 was not applied, so it is not
      // counted: exactly one PATCH reached the API authenticated and was applied (200).
      const patches = log.filter((e) => e.method === "PATCH" && e.path === bucketPath);
      expect(patches.filter((e) => e.status === 200)).toHaveLength(1);
      expect(patches.filter((e) => e.status !== 401)).toHaveLength(1);
      expect(log.filter((e) => e.method === "PATCH" && e.path !== bucketPath)).toEqual([]);
      expect(log.filter((e) => e.method === "POST" || e.method === "DELETE")).toEqual([]);

      const aws = outputOf(up.outputs, "aws");
      expect(aws).toMatchObject({
        exportBucketId: ids["aws"],
        bucketName: "e2e-aws-exports",
        region: "us-east-1",
        requirePrivateNetworking: true,
      });
      const state = (await t.resources("atlas:ExportBucket")).find((r) => r.id === ids["aws"]);
      expect(state?.outputs).toMatchObject({
        projectId,
        cloudProvider: "AWS",
        iamRoleId: AWS_ROLE,
        exportBucketId: ids["aws"],
        bucketName: "e2e-aws-exports",
        region: "us-east-1",
        requirePrivateNetworking: true,
      });
      expect(emulator.store.getBucket(projectId, ids["aws"]!)?.requirePrivateNetworking).toBe(true);
    });

    it("changing bucketName replaces the bucket: new id, the old one deleted in Atlas", async () => {
      buckets["aws"] = { ...buckets["aws"]!, bucketName: "e2e-aws-exports-renamed" };
      const pv = await t.stack.preview({ onOutput: t.onOutput });
      console.log("[e2e] preview (bucketName changed):", JSON.stringify(pv.changeSummary));
      expect(pv.changeSummary["replace"]).toBe(1);
      const up = await t.stack.up({ onOutput: t.onOutput });
      console.log("[e2e] up (bucketName changed):", JSON.stringify(up.summary.resourceChanges));
      expect(up.summary.resourceChanges?.["replace"]).toBe(1);
      const aws = outputOf(up.outputs, "aws");
      expect(aws.exportBucketId).toMatch(/^[a-f0-9]{24}$/);
      expect(aws.exportBucketId).not.toBe(ids["aws"]);
      expect(aws.bucketName).toBe("e2e-aws-exports-renamed");
      expect(aws.requirePrivateNetworking).toBe(true);
      expect(emulator.store.getBucket(projectId, ids["aws"]!)).toBeUndefined();
      expect(emulator.store.getBucket(projectId, aws.exportBucketId)).toMatchObject({ bucketName: "e2e-aws-exports-renamed", requirePrivateNetworking: true });
      expect(bucketsInEmulator()).toHaveLength(3);
      console.log("[e2e] aws bucket replaced:", ids["aws"], "→", aws.exportBucketId);
      ids["aws"] = aws.exportBucketId;
    });

    it("a bucket deleted behind Pulumi's back leaves the state on refresh", async () => {
      expect(emulator.store.deleteBucket(projectId, ids["gcp"]!)).toBe(true);
      const r = await t.stack.refresh({ onOutput: t.onOutput });
      console.log("[e2e] refresh after out-of-band delete of the GCP bucket:", JSON.stringify(r.summary.resourceChanges));
      expect(r.summary.resourceChanges?.["delete"]).toBe(1);
      const left = await t.resources("atlas:ExportBucket");
      expect(left.map((r) => r.id).sort()).toEqual([ids["aws"], ids["azure"]].sort());
    });

    let adoptedId = "";
    it("adopt: true takes over an existing bucket without creating a duplicate (and up recreates the GCP one)", async () => {
      adoptedId = "6a00000000000000000000f1";
      emulator.store.addBucket({
        groupId: projectId,
        id: adoptedId,
        cloudProvider: "AWS",
        bucketName: "e2e-made-outside-pulumi",
        iamRoleId: AWS_ROLE,
        requirePrivateNetworking: false,
        region: "eu-west-1",
      });
      buckets["adopted"] = { projectId, cloudProvider: "AWS", bucketName: "e2e-made-outside-pulumi", iamRoleId: AWS_ROLE, adopt: true };
      const before = emulator.requestLog.length;
      const up = await t.stack.up({ onOutput: t.onOutput });
      console.log("[e2e] up (adopt + recreate gcp):", JSON.stringify(up.summary.resourceChanges));
      expect(up.summary.resourceChanges?.["create"]).toBe(2); // the adopted bucket + the GCP bucket again
      const adopted = outputOf(up.outputs, "adopted");
      expect(adopted).toMatchObject({ exportBucketId: adoptedId, bucketName: "e2e-made-outside-pulumi", region: "eu-west-1" });
      // Exactly one POST: the GCP bucket. Adopting created nothing.
      const posts = requestsSince(before).filter((e) => e.method === "POST" && e.status === 200);
      expect(posts).toHaveLength(1);
      expect(bucketsInEmulator().filter((b) => b.bucketName === "e2e-made-outside-pulumi")).toHaveLength(1);
      const gcp = outputOf(up.outputs, "gcp");
      expect(gcp.exportBucketId).not.toBe(ids["gcp"]);
      ids["gcp"] = gcp.exportBucketId;
      expect(bucketsInEmulator().map((b) => b.id).sort()).toEqual([ids["aws"], ids["azure"], ids["gcp"], adoptedId].sort());
    });

    it("__provider stays ≤ 2048 bytes per resource", async () => {
      const resources = await t.resources("atlas:ExportBucket");
      expect(resources).toHaveLength(4);
      const sizes = providerBytes(resources);
      console.log("[e2e] __provider bytes per bucket:", resources.map((r, i) => `${r.urn.split("::").pop()}=${sizes[i]}`).join(", "));
      expect(sizes).toHaveLength(4);
      for (const s of sizes) expect(s).toBeLessThanOrEqual(2048);
    });

    it("with the buckets in state, the private key is only ever stored encrypted", async () => {
      const encryptedCopies = await expectNoSecret(t, [emulator.credentials.apiKey.privateKey]);
      expect(encryptedCopies).toBeGreaterThanOrEqual(1); // the default provider's config inputs
    });

    it("the test stack's secrets provider is the fake Vault's (test/helpers/fake-vault.ts), not a passphrase", async () => {
      const { deployment } = JSON.parse(await exportStackAtRest(t)) as { deployment: { secrets_providers?: { type?: string; state?: { url?: string } } } };
      expect(deployment.secrets_providers?.type).toBe("cloud");
      expect(deployment.secrets_providers?.state?.url).toBe("hashivault://e2e");
    });

    it("destroy is refused while Cluster0 auto-exports to a bucket; the bucket stays in Atlas and in state", async () => {
      emulator.store.setAutoExport(projectId, "Cluster0", ids["aws"]!);
      const message = await failureOf(t.stack.destroy({ onOutput: t.onOutput }));
      const line = message.split("\n").find((l) => l.includes("EXPORT_BUCKET_DELETE_FAILED_BUCKET_IN_USE")) ?? message;
      console.log("[e2e] destroy while in use failed:", line.trim());
      expect(message).toContain(`Atlas refused to delete export bucket ${ids["aws"]}`);
      expect(message).toMatch(/Clusters exporting to it: Cluster0\./);
      expect(message).toMatch(/Disable auto-export, or point export\.exportBucketId at another bucket/);
      expect(emulator.store.getBucket(projectId, ids["aws"]!)).toBeDefined();
      const state = await t.resources("atlas:ExportBucket");
      expect(state.map((r: StateResource) => r.id)).toContain(ids["aws"]);
    });

    it("once auto-export is off, destroy succeeds and the emulator holds no bucket (the adopted one deleted too)", async () => {
      emulator.store.setAutoExport(projectId, "Cluster0", null);
      const d = await t.stack.destroy({ onOutput: t.onOutput });
      console.log("[e2e] destroy:", JSON.stringify(d.summary.resourceChanges));
      expect(d.summary.resourceChanges?.["delete"]).toBeGreaterThanOrEqual(1);
      expect(bucketsInEmulator()).toEqual([]);
      expect(await t.resources("atlas:ExportBucket")).toEqual([]);
    });

    it("after destroy, nothing in the stack export, state files, backups, history or engine output holds the private key", async () => {
      await expectNoSecret(t, [emulator.credentials.apiKey.privateKey]);
    });
  });
});
