/**
 * Issue 12, points 1, 9 and 10, through the real Pulumi engine against the emulator.
 *
 * 1. A wrong base URL never empties the state. A base URL with a path (accepted before) is
 *    refused before any request, naming MONGODB_ATLAS_BASE_URL and the expected form; a base URL
 *    that answers 404 to everything (not Atlas) makes refresh and destroy fail with an error that
 *    names the method, path, status and the base URL setting. In both cases refresh drops nothing
 *    and the bucket is neither deleted in Atlas nor forgotten.
 * 9. A config key with the wrong letter case (`mongodbatlas:privatekey`) fails `up` naming the key
 *    that is set and its right spelling, with no request sent.
 * 10. What the engine stores: the stack config the dynamic provider receives is stored in the
 *    default `pulumi:providers:pulumi-nodejs` resource's inputs: plain keys (`publicKey`,
 *    `clientId`, `baseUrl`) as plain text, `--secret` keys only as ciphertext. With credentials
 *    from the environment, nothing of them is stored.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clearAtlasEnv,
  createTestStack,
  emulatorApiKeyEnv,
  exportStackAtRest,
  failureOf,
  loadPackage,
  nativeRequire,
  type StateResource,
  type TestStack,
} from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
type RunningEmulator = Awaited<ReturnType<Emulator["startEmulator"]>>;
const { startEmulator }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

const P = "6a0000000000000000000001";
const AWS_ROLE = "6a00000000000000000000b1";
const SNAP = "6a00000000000000000000d1";
const DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";

// The provider and the CLI must only see the credentials each stack is given.
clearAtlasEnv();

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A loopback HTTP server that answers 404 (text/plain, no Atlas body) to every request, as a wrong service would. */
async function startNotAtlas(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Points the CLI (and so the provider process) at another base URL via MONGODB_ATLAS_BASE_URL. */
function setBaseUrl(t: TestStack, url: string): void {
  t.stack.workspace.envVars["MONGODB_ATLAS_BASE_URL"] = url;
}

/** The Atlas resources in state, as `type id` lines (sorted), so "state intact" is one comparison. */
async function atlasResources(t: TestStack): Promise<string[]> {
  const all = await t.resources();
  return all
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/atlas:"))
    .map((r) => `${r.type} ${r.id}`)
    .sort();
}

describe("a wrong base URL: refresh and destroy fail and the state stays intact", () => {
  let emulator: RunningEmulator;
  let t: TestStack;
  let before: string[];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    cleanups.push(() => emulator.close());
    const { ExportBucket, ExportJob } = loadPackage();
    t = await createTestStack({
      name: "wrong-base-url",
      env: emulatorApiKeyEnv(emulator),
      program: async () => {
        const b = new ExportBucket("bucket", { projectId: P, cloudProvider: "AWS", bucketName: "state-trust-bucket", iamRoleId: AWS_ROLE });
        new ExportJob("job", { projectId: P, clusterName: "Cluster0", snapshotId: SNAP, exportBucketId: b.exportBucketId });
      },
    });
    cleanups.push(() => t.cleanup());
    await t.stack.up({ onOutput: t.onOutput });
    before = await atlasResources(t);
    expect(before).toHaveLength(2);
    expect(emulator.store.listBuckets(P)).toHaveLength(1);
  });

  it("a base URL with a path is refused before any request, naming the key and the expected form", async () => {
    setBaseUrl(t, `${emulator.url}/api/atlas/v2`);
    const requestsBefore = emulator.requestLog.length;
    const refresh = await failureOf(t.stack.refresh({ onOutput: t.onOutput }));
    console.log(`[e2e] refresh with a path: ${refresh.split("\n").find((l) => l.includes("MONGODB_ATLAS_BASE_URL"))?.trim()}`);
    expect(refresh).toContain("environment variable MONGODB_ATLAS_BASE_URL must be the Atlas origin without a path (/api/atlas/v2)");
    expect(refresh).toContain("e.g. https://cloud.mongodb.com");
    expect(await atlasResources(t)).toEqual(before);

    const destroy = await failureOf(t.stack.destroy({ onOutput: t.onOutput }));
    expect(destroy).toContain("MONGODB_ATLAS_BASE_URL must be the Atlas origin");
    expect(await atlasResources(t), "destroy forgot resources").toEqual(before);
    expect(emulator.requestLog.length - requestsBefore, "requests sent with a malformed base URL").toBe(0);
    expect(emulator.store.listBuckets(P)).toHaveLength(1);
  });

  it("a base URL that answers 404 without an Atlas body: refresh drops nothing, destroy deletes and forgets no bucket", async () => {
    const notAtlas = await startNotAtlas();
    cleanups.push(() => notAtlas.close());
    setBaseUrl(t, notAtlas.url);
    const bucketId = before.find((l) => l.includes(":ExportBucket"))!.split(" ")[1]!;

    const refresh = await failureOf(t.stack.refresh({ onOutput: t.onOutput }));
    const line = refresh.split("\n").find((l) => l.includes("→ 404"));
    console.log(`[e2e] refresh against a non-Atlas 404: ${line?.trim().slice(0, 400)}`);
    expect(refresh).toContain(`GET /api/atlas/v2/groups/${P}/backup/exportBuckets/${bucketId} → 404`);
    expect(refresh).toContain(`Base URL in use: ${notAtlas.url} (from environment variable MONGODB_ATLAS_BASE_URL)`);
    expect(refresh).toContain("not EXPORT_BUCKET_NOT_FOUND");
    expect(await atlasResources(t), "refresh dropped resources").toEqual(before);

    const destroy = await failureOf(t.stack.destroy({ onOutput: t.onOutput }));
    expect(destroy).toContain(`DELETE /api/atlas/v2/groups/${P}/backup/exportBuckets/${bucketId} → 404`);
    expect(destroy).toContain(`Base URL in use: ${notAtlas.url}`);
    const after = await atlasResources(t);
    // The job has no delete in Atlas (destroy only forgets it); the bucket must stay in state.
    console.log(`[e2e] after the failed destroy: ${after.join(", ")}; the non-Atlas server saw ${notAtlas.requests.length} requests`);
    expect(after).toContain(`pulumi-nodejs:dynamic/atlas:ExportBucket ${bucketId}`);
    expect(emulator.store.listBuckets(P).map((b) => b.id)).toEqual([bucketId]);
    expect(notAtlas.requests.length).toBeGreaterThan(0);
  });

  it("with the right base URL again, refresh keeps the bucket and destroy deletes it", async () => {
    setBaseUrl(t, emulator.url);
    await t.stack.refresh({ onOutput: t.onOutput });
    expect((await atlasResources(t)).filter((l) => l.includes(":ExportBucket"))).toHaveLength(1);
    await t.stack.destroy({ onOutput: t.onOutput });
    expect(emulator.store.listBuckets(P)).toHaveLength(0);
    expect(await atlasResources(t)).toEqual([]);
  });
});

describe("a config key with the wrong letter case", () => {
  it("preview passes (no request), up fails naming the key that is set and its right spelling", async () => {
    const emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    cleanups.push(() => emulator.close());
    const { ExportBucket } = loadPackage();
    const privateKey = emulator.credentials.apiKey.privateKey;
    const t = await createTestStack({
      name: "config-typo",
      config: {
        "mongodbatlas:baseUrl": { value: emulator.url },
        "mongodbatlas:publicKey": { value: emulator.credentials.apiKey.publicKey },
        "mongodbatlas:privatekey": { value: privateKey, secret: true },
      },
      program: async () => {
        new ExportBucket("bucket", { projectId: P, cloudProvider: "AWS", bucketName: "config-typo-bucket", iamRoleId: AWS_ROLE });
      },
    });
    cleanups.push(() => t.cleanup());
    await t.stack.preview({ onOutput: t.onOutput });
    const up = await failureOf(t.stack.up({ onOutput: t.onOutput }));
    console.log(`[e2e] config typo: ${up.split("\n").find((l) => l.includes("privatekey"))?.trim()}`);
    expect(up).toContain('stack config "mongodbatlas:privatekey" is set, but the key is spelled "mongodbatlas:privateKey"');
    expect(up).not.toContain(privateKey);
    expect(emulator.requestLog).toHaveLength(0);
  });
});

describe("what the engine stores of the configuration", () => {
  function providerEntries(deployment: { resources?: StateResource[] }): StateResource[] {
    return (deployment.resources ?? []).filter((r) => r.type === DEFAULT_PROVIDER_TYPE);
  }

  it("stack config: plain keys in plain text and secret keys only as ciphertext, in the default provider's entry", async () => {
    const emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    cleanups.push(() => emulator.close());
    const { ExportBucket } = loadPackage();
    const c = emulator.credentials;
    const t = await createTestStack({
      name: "config-in-state",
      config: {
        "mongodbatlas:baseUrl": { value: emulator.url },
        "mongodbatlas:publicKey": { value: c.apiKey.publicKey },
        "mongodbatlas:privateKey": { value: c.apiKey.privateKey, secret: true },
        "mongodbatlas:clientId": { value: c.serviceAccount.clientId },
        "mongodbatlas:clientSecret": { value: c.serviceAccount.clientSecret, secret: true },
      },
      program: async () => {
        new ExportBucket("bucket", { projectId: P, cloudProvider: "AWS", bucketName: "config-in-state", iamRoleId: AWS_ROLE });
      },
    });
    cleanups.push(() => t.cleanup());
    await t.stack.up({ onOutput: t.onOutput });

    const atRest = await exportStackAtRest(t);
    const deployment = (JSON.parse(atRest) as { deployment: { resources?: StateResource[] } }).deployment;
    const providers = providerEntries(deployment);
    expect(providers, "one default pulumi-nodejs provider entry").toHaveLength(1);
    const inputs = providers[0]!.inputs ?? {};
    console.log(`[e2e] default provider inputs at rest: ${JSON.stringify(inputs).slice(0, 600)}`);
    // Plain config: stored as plain text.
    expect(inputs["mongodbatlas:baseUrl"]).toBe(emulator.url);
    expect(inputs["mongodbatlas:publicKey"]).toBe(c.apiKey.publicKey);
    expect(inputs["mongodbatlas:clientId"]).toBe(c.serviceAccount.clientId);
    // Secret config: stored, but only as ciphertext.
    for (const key of ["mongodbatlas:privateKey", "mongodbatlas:clientSecret"]) {
      expect(inputs[key], key).toMatchObject({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.any(String) });
    }
    expect(atRest).not.toContain(c.apiKey.privateKey);
    expect(atRest).not.toContain(c.serviceAccount.clientSecret);
    // The resources themselves carry no configuration.
    const bucket = (deployment.resources ?? []).find((r) => r.type.endsWith(":ExportBucket"))!;
    expect(JSON.stringify({ i: bucket.inputs, o: bucket.outputs })).not.toMatch(/mongodbatlas:|emulpubk|mdb_sa_id/);
    await t.stack.destroy({ onOutput: t.onOutput });
  });

  it("environment variables: nothing of the credentials or base URL is stored", async () => {
    const emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    cleanups.push(() => emulator.close());
    const { ExportBucket } = loadPackage();
    const t = await createTestStack({
      name: "env-not-in-state",
      env: emulatorApiKeyEnv(emulator),
      program: async () => {
        new ExportBucket("bucket", { projectId: P, cloudProvider: "AWS", bucketName: "env-not-in-state", iamRoleId: AWS_ROLE });
      },
    });
    cleanups.push(() => t.cleanup());
    await t.stack.up({ onOutput: t.onOutput });
    const atRest = await exportStackAtRest(t);
    const providers = providerEntries((JSON.parse(atRest) as { deployment: { resources?: StateResource[] } }).deployment);
    expect(providers).toHaveLength(1);
    expect(Object.keys(providers[0]!.inputs ?? {}).filter((k) => k.startsWith("mongodbatlas:"))).toEqual([]);
    for (const value of [emulator.credentials.apiKey.publicKey, emulator.credentials.apiKey.privateKey, emulator.url]) {
      expect(atRest, value).not.toContain(value);
    }
    await t.stack.destroy({ onOutput: t.onOutput });
  });
});
