import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { ExportBucket } from "../../../provider/resources/export-bucket";
import { ExportJob } from "../../../provider/resources/export-job";
import * as runtime from "../../../provider/resources/runtime";
import { FakeAtlas, PROJECT } from "../../fixtures/resources/fake-atlas";

function config(values: Record<string, string>) {
  const asked: string[] = [];
  return { asked, get: (key: string) => (asked.push(key), values[key]), require: (key: string) => values[key] ?? "" };
}

afterEach(async () => {
  runtime.setApiFactoryForTesting(undefined);
  await runtime.configure(undefined);
});

describe("runtime", () => {
  it("configure reads only the mongodbatlas:* keys", async () => {
    const c = config({ "mongodbatlas:publicKey": "pub", "mongodbatlas:privateKey": "priv", "aws:region": "x" });
    await runtime.configure(c);
    expect(c.asked.sort()).toEqual(["mongodbatlas:baseUrl", "mongodbatlas:clientId", "mongodbatlas:clientSecret", "mongodbatlas:privateKey", "mongodbatlas:publicKey"]);
  });

  it("a mongodbatlas key with the wrong letter case in the host's Config is named with its right spelling", async () => {
    // The dynamic-provider host's own Config class (what `configure` receives from the engine).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Config } = require("@pulumi/pulumi/cmd/dynamic-provider/config") as { Config: new (raw: Record<string, string>, project: string) => runtime.ConfigGetter };
    await runtime.configure(new Config({ "mongodbatlas:publicKey": "pub", "mongodbatlas:privatekey": "priv-typo-value", "aws:region": "x" }, "proj"));
    const error = await runtime.getApi().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toContain('stack config "mongodbatlas:privatekey" is set, but the key is spelled "mongodbatlas:privateKey"');
    expect(error?.message).not.toContain("priv-typo-value");
  });

  it("getApi resolves at call time and caches one client per distinct resolved config", async () => {
    await runtime.configure(config({ "mongodbatlas:publicKey": "pub", "mongodbatlas:privateKey": "priv", "mongodbatlas:baseUrl": "http://127.0.0.1:9" }));
    const a = await runtime.getApi();
    expect(await runtime.getApi()).toBe(a);
    await runtime.configure(config({ "mongodbatlas:publicKey": "pub2", "mongodbatlas:privateKey": "priv", "mongodbatlas:baseUrl": "http://127.0.0.1:9" }));
    expect(await runtime.getApi()).not.toBe(a);
  });

  it("getApi reuses its resolution only while the stack config and the variables it reads are unchanged", async () => {
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(process.env)) if (/^mongodb_atlas_/i.test(k)) delete process.env[k];
      await runtime.configure(undefined);
      process.env["MONGODB_ATLAS_PUBLIC_KEY"] = "pub";
      process.env["MONGODB_ATLAS_PRIVATE_KEY"] = "priv";
      process.env["MONGODB_ATLAS_BASE_URL"] = "http://127.0.0.1:9";
      const a = await runtime.getApi();
      // An unrelated variable keeps the resolution (and the client).
      process.env["SOME_OTHER_VARIABLE"] = "x";
      expect(await runtime.getApi()).toBe(a);
      // A changed value that resolution reads is seen at the next call.
      process.env["MONGODB_ATLAS_BASE_URL"] = "http://127.0.0.1:10";
      const b = await runtime.getApi();
      expect(b).not.toBe(a);
      // So is a variable it rejects (the wrong letter case), although nothing it reads changed.
      process.env["MONGODB_ATLAS_Private_Key"] = "typo-value";
      const error = await runtime.getApi().then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message).toContain('environment variable "MONGODB_ATLAS_Private_Key" is set, but the key is spelled');
      // A failure is not kept: fixing it resolves again, to the client already made for that config.
      delete process.env["MONGODB_ATLAS_Private_Key"];
      expect(await runtime.getApi()).toBe(b);
      // New stack config (configure) wins over the env, and is seen at once.
      await runtime.configure(config({ "mongodbatlas:publicKey": "pub3", "mongodbatlas:privateKey": "priv3", "mongodbatlas:baseUrl": "http://127.0.0.1:9" }));
      expect(await runtime.getApi()).not.toBe(b);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("getApi does not resolve again while nothing it depends on changed: no other variable's value is read", async () => {
    const saved = process.env;
    const reads = new Map<string, number>();
    const target: NodeJS.ProcessEnv = { PATH: saved["PATH"], SOME_OTHER_VARIABLE: "x", MONGODB_ATLAS_PUBLIC_KEY: "pub", MONGODB_ATLAS_PRIVATE_KEY: "priv", MONGODB_ATLAS_BASE_URL: "http://127.0.0.1:9" };
    process.env = new Proxy(target, {
      get: (t, k) => {
        if (typeof k === "string") reads.set(k, (reads.get(k) ?? 0) + 1);
        return t[k as string];
      },
    });
    try {
      await runtime.configure(undefined);
      const a = await runtime.getApi();
      // The first resolution checks every variable for a misspelled key, so it reads them all.
      expect(reads.get("SOME_OTHER_VARIABLE")).toBeGreaterThan(0);
      reads.clear();
      expect(await runtime.getApi()).toBe(a);
      expect(reads.get("SOME_OTHER_VARIABLE") ?? 0, "the second call resolved again").toBe(0);
    } finally {
      process.env = saved;
    }
  });

  it("handlers go through the API factory; credentials never reach outputs", async () => {
    const api = new FakeAtlas();
    runtime.setApiFactoryForTesting(() => api);
    await runtime.configure(config({ "mongodbatlas:publicKey": "pub", "mongodbatlas:privateKey": "s3cr3t-priv" }));
    const inputs = { projectId: PROJECT, cloudProvider: "GCP", bucketName: "gcs-b", roleId: "6a00000000000000000000b3", __provider: "P" };
    const created = await runtime.bucket.create(inputs);
    expect(JSON.stringify(created)).not.toMatch(/s3cr3t|pub/);
    expect(await runtime.bucket.diff(created.id, { ...created.outs }, inputs)).toEqual({ changes: false, replaces: [] });
    const read = await runtime.bucket.read(created.id, { ...created.outs });
    expect(read.id).toBe(created.id);
    await runtime.job.delete("6a00000000000000000000e1", {});
    expect(api.count("createExportBucket")).toBe(1);
  });

  it("check is an async ResourceProvider method returning {inputs, failures}", async () => {
    const r = await runtime.job.check({}, { projectId: PROJECT });
    expect(r.failures.map((f) => f.property).sort()).toEqual(["clusterName", "exportBucketId", "snapshotId"]);
  });
});

describe("resource classes under pulumi mocks", () => {
  it("register with the atlas type tokens and every output declared", async () => {
    const seen: { type: string; inputs: Record<string, unknown> }[] = [];
    pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          seen.push({ type: a.type, inputs: a.inputs });
          return { id: `${a.name}-id`, state: { ...a.inputs, exportBucketId: "6a00000000000000000000c1", exportJobId: "6a00000000000000000000e1", state: "Successful", schemaVersion: 1 } };
        },
        call: (a) => a.inputs,
      },
      "p",
      "s",
      false,
    );
    const bucket = new ExportBucket("b", { projectId: PROJECT, cloudProvider: "GCP", bucketName: "gcs-b", roleId: "6a00000000000000000000b3" });
    const job = new ExportJob("j", { projectId: PROJECT, clusterName: "Cluster0", snapshotId: "6a00000000000000000000d1", exportBucketId: bucket.exportBucketId });
    const state = await new Promise<string>((resolve) => job.state.apply((s) => resolve(s)));
    expect(state).toBe("Successful");
    expect(seen.map((s) => s.type)).toEqual(["pulumi-nodejs:dynamic/atlas:ExportBucket", "pulumi-nodejs:dynamic/atlas:ExportJob"]);
    expect(typeof seen[0]?.inputs.__provider).toBe("string");
    for (const key of ["region", "tenantId", "iamRoleId", "schemaVersion", "exportBucketId"]) expect((bucket as unknown as Record<string, unknown>)[key]).toBeDefined();
    for (const key of ["stateReason", "exportStatus", "prefix", "createdAt", "finishedAt", "components", "customData"]) expect((job as unknown as Record<string, unknown>)[key]).toBeDefined();
  });
});
