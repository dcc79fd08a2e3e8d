/**
 * Secret scan through the real engine: after every flow (create, update, refresh, a failed
 * export job, destroy), no credential appears in any file the backend or workspace wrote (state,
 * checkpoints, backups, history, logs, stack config), in the engine output, in thrown error
 * messages, in `pulumi stack export`, or in the emulator's request log (which must not hold any
 * Authorization header either). For both auth methods (API key → HTTP Digest, service account →
 * OAuth client credentials) × both ways to configure them (secret stack config, environment).
 *
 * Each case also checks that the provider authenticated the way it was configured (every API
 * call digest or bearer, a token request for service accounts), that the bucket update was one
 * in-place update and the refresh changed nothing, that `__provider` stays ≤ 2048 bytes, and
 * that stack config credentials are stored only as secret values (env ones not at all). (These
 * cases replace the per-credential bucket stacks export-bucket.e2e.test.ts used to run.)
 *
 * Then failing auth (a wrong private key, both ways): `up` fails, and neither the error nor any
 * output or file contains the wrong key.
 *
 * Every case has its own emulator and stack and shares nothing with the others, so the cases
 * run concurrently (two at a time: `maxConcurrency` in vitest.config.ts); the Automation API
 * keeps each inline program's state apart (one AsyncLocalStorage store per run).
 */
import { afterAll, describe, expect, it } from "vitest";
import { clearAtlasEnv, createTestStack, expectNoSecret, exportStackAtRest, loadPackage, nativeRequire, providerBytes, type ConfigEntry, type TestStack } from "../helpers/pulumi";

type Emulator = typeof import("../../emulator/index");
type RunningEmulator = Awaited<ReturnType<Emulator["startEmulator"]>>;
const { startEmulator }: Emulator = nativeRequire("pulumi-atlas-export/emulator");

const P = "6a0000000000000000000001";
const AWS_ROLE = "6a00000000000000000000b1";
const SNAP1 = "6a00000000000000000000d1";
const SNAP2 = "6a00000000000000000000d2";
const WRONG_PRIVATE_KEY = "9f8e7d6c-wrong-private-key-5b4a-3c2d1e0f9a8b";

type Auth = "apiKey" | "serviceAccount";
type Via = "config" | "env";

interface Phase {
  requirePrivateNetworking: boolean;
  secondJob: boolean;
}

// The provider and the CLI must only see the credentials each stack is given.
clearAtlasEnv();

/** Everything a leak could hide in, as one list of named texts. */
async function collect(t: TestStack, emulator: RunningEmulator, errors: string[]): Promise<{ where: string; text: string }[]> {
  return [
    ...t.files().map((f) => ({ where: f.path, text: f.text })),
    { where: "engine output", text: t.output.join("") },
    { where: "thrown errors", text: errors.join("\n") },
    // `pulumi stack export` as a user runs it (no --show-secrets).
    { where: "stack export", text: await exportStackAtRest(t) },
    { where: "emulator request log", text: JSON.stringify(emulator.requestLog) },
  ];
}

function setup(auth: Auth, via: Via, emulator: RunningEmulator, creds: { privateKey?: string } = {}) {
  const c = emulator.credentials;
  const privateKey = creds.privateKey ?? c.apiKey.privateKey;
  const env: Record<string, string> = {};
  const config: Record<string, ConfigEntry> = {};
  if (via === "env") {
    env["MONGODB_ATLAS_BASE_URL"] = emulator.url;
    if (auth === "apiKey") {
      env["MONGODB_ATLAS_PUBLIC_API_KEY"] = c.apiKey.publicKey;
      env["MONGODB_ATLAS_PRIVATE_API_KEY"] = privateKey;
    } else {
      env["MONGODB_ATLAS_CLIENT_ID"] = c.serviceAccount.clientId;
      env["MONGODB_ATLAS_CLIENT_SECRET"] = c.serviceAccount.clientSecret;
    }
  } else {
    config["mongodbatlas:baseUrl"] = { value: emulator.url };
    if (auth === "apiKey") {
      config["mongodbatlas:publicKey"] = { value: c.apiKey.publicKey };
      config["mongodbatlas:privateKey"] = { value: privateKey, secret: true };
    } else {
      config["mongodbatlas:clientId"] = { value: c.serviceAccount.clientId };
      config["mongodbatlas:clientSecret"] = { value: c.serviceAccount.clientSecret, secret: true };
    }
  }
  return { env, config };
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.concurrent.each([
  ["apiKey", "config"],
  ["apiKey", "env"],
  ["serviceAccount", "config"],
  ["serviceAccount", "env"],
] as [Auth, Via][])("secret scan: %s credentials from %s", (auth, via) => {
  it("create → update → refresh → failed job → destroy leaks no credential anywhere", async () => {
    const emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    cleanups.push(() => emulator.close());
    const { ExportBucket, ExportJob } = loadPackage();
    const phase: Phase = { requirePrivateNetworking: false, secondJob: false };
    const { env, config } = setup(auth, via, emulator);
    const t = await createTestStack({
      secrets: "passphrase", // the provider users get by default: the scan covers its ciphertext too
      name: `secrets-${auth}-${via}`,
      env,
      config,
      program: async () => {
        const b = new ExportBucket("bucket", {
          projectId: P, cloudProvider: "AWS", bucketName: `secret-scan-${auth}-${via}`.toLowerCase(), iamRoleId: AWS_ROLE,
          requirePrivateNetworking: phase.requirePrivateNetworking,
        });
        new ExportJob("job-1", { projectId: P, clusterName: "Cluster0", snapshotId: SNAP1, exportBucketId: b.exportBucketId });
        if (phase.secondJob) {
          new ExportJob("job-2", { projectId: P, clusterName: "Cluster0", snapshotId: SNAP2, exportBucketId: b.exportBucketId });
        }
      },
    });
    cleanups.push(() => t.cleanup());
    const errors: string[] = [];
    const o = { onOutput: t.onOutput };

    const up1 = await t.stack.up(o);
    expect(emulator.store.listBuckets(P)).toHaveLength(1);
    phase.requirePrivateNetworking = true;
    const up2 = await t.stack.up(o);
    expect(up2.summary.resourceChanges?.["update"]).toBe(1);
    await t.stack.refresh({ ...o, expectNoChanges: true });
    // The provider really authenticated the way this case configures (not some leftover).
    // (Service accounts also call POST /api/oauth/token with Basic auth for their token.)
    const apiCalls = emulator.requestLog.filter((e) => e.path.startsWith("/api/atlas/v2/") && e.status === 200);
    expect([...new Set(apiCalls.map((e) => e.auth))]).toEqual([auth === "apiKey" ? "digest" : "bearer"]);
    if (auth === "serviceAccount") expect(emulator.requestLog.some((e) => e.path === "/api/oauth/token" && e.status === 200)).toBe(true);
    const sizes = providerBytes(await t.resources());
    expect(sizes).toHaveLength(2); // the bucket and job-1
    for (const size of sizes) expect(size).toBeLessThanOrEqual(2048);
    const secret = auth === "apiKey" ? emulator.credentials.apiKey.privateKey : emulator.credentials.serviceAccount.clientSecret;
    const encryptedCopies = await expectNoSecret(t, [secret]);
    // Stack config reaches the provider as the default provider's inputs: stored, but as a secret.
    if (via === "config") expect(encryptedCopies).toBeGreaterThanOrEqual(1);
    else expect(encryptedCopies).toBe(0);
    phase.secondJob = true;
    emulator.forceNextExportOutcome({ state: "Failed", reason: "Access denied to the bucket (emulated)" });
    let failedJob = "";
    try {
      await t.stack.up(o);
    } catch (e) {
      failedJob = e instanceof Error ? e.message : String(e);
      errors.push(failedJob);
    }
    // Scan once with the stack populated (the default provider, holding the config, is in state)...
    const secrets = [emulator.credentials.apiKey.privateKey, emulator.credentials.serviceAccount.clientSecret];
    const scan = async (when: string) => {
      const texts = await collect(t, emulator, errors);
      console.log(`[e2e] ${auth}/${via} ${when}: scanned ${texts.length} texts (${texts.reduce((n, x) => n + x.text.length, 0)} chars)`);
      for (const { where, text } of texts) {
        for (const s of secrets) expect(text.includes(s), `${when}: ${s.slice(0, 6)}… found in ${where}`).toBe(false);
      }
      const log = JSON.stringify(emulator.requestLog);
      expect(/authorization|Digest username=|Bearer [A-Za-z0-9]/i.test(log), "auth header in the emulator request log").toBe(false);
    };
    await scan("before destroy");
    await t.stack.destroy(o);
    // ...and once after destroy (history, backups of every checkpoint).
    await scan("after destroy");
    await expectNoSecret(t, [secret]);
    expect(emulator.store.listBuckets(P)).toHaveLength(0);
    const ops = emulator.requestLog.map((e) => e.operation).filter(Boolean);
    console.log(
      `[e2e] ${auth}/${via}: up ${JSON.stringify(up1.summary.resourceChanges)}, update ${JSON.stringify(up2.summary.resourceChanges)}, ` +
        `failed job ${failedJob ? "failed as expected" : "DID NOT FAIL"}, ${emulator.requestLog.length} requests, auth ${[...new Set(emulator.requestLog.map((e) => e.auth))].join("/")}`,
    );
    expect(failedJob).toMatch(/Failed/);
    expect(ops).toContain("updateExportBucket");
    expect(ops).toContain("deleteExportBucket");
    expect(emulator.requestLog.some((e) => e.auth === (auth === "apiKey" ? "digest" : "bearer"))).toBe(true);

    if (via === "config") {
      // The secret config IS stored, but only encrypted.
      const stackConfig = t.files().find((f) => f.path.endsWith("Pulumi.test.yaml"));
      expect(stackConfig?.text).toContain("secure:");
    }
  });
});

describe.concurrent.each(["config", "env"] as Via[])("secret scan: a wrong private key from %s", (via) => {
  it("fails the up, and the wrong key appears nowhere", async () => {
    const emulator = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
    cleanups.push(() => emulator.close());
    const { ExportBucket } = loadPackage();
    const { env, config } = setup("apiKey", via, emulator, { privateKey: WRONG_PRIVATE_KEY });
    const t = await createTestStack({
      secrets: "passphrase",
      name: `secrets-wrong-${via}`,
      env,
      config,
      program: async () => {
        new ExportBucket("bucket", { projectId: P, cloudProvider: "AWS", bucketName: "secret-scan-wrong-key", iamRoleId: AWS_ROLE });
      },
    });
    cleanups.push(() => t.cleanup());
    const errors: string[] = [];
    try {
      await t.stack.up({ onOutput: t.onOutput });
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
    expect(errors, "the up must fail").toHaveLength(1);
    const line = errors[0]!.split("\n").find((l) => /error: .*(401|unauthor)/i.test(l));
    console.log(`[e2e] wrong key (${via}): ${line?.trim() ?? errors[0]!.split("\n").find((l) => l.includes("error:"))}`);
    expect(errors[0]).toMatch(/401|unauthori[sz]ed/i);
    expect(emulator.store.listBuckets(P)).toHaveLength(0);
    for (const { where, text } of await collect(t, emulator, errors)) {
      expect(text.includes(WRONG_PRIVATE_KEY), `the wrong key found in ${where}`).toBe(false);
      expect(text.includes(emulator.credentials.apiKey.privateKey), `the real key found in ${where}`).toBe(false);
    }
  });
});
