/**
 * Conformance of the emulator with the official OpenAPI subset and the real Atlas recordings in
 * ../shared/atlas-api (read from there, never copied). Runs only when that directory exists.
 *
 * A representative set of calls covers every operation of the spec with success and error
 * statuses; each response is validated against the schema of its operation → status → content
 * type (the version). Spec quirks are preprocessed, each one justified by a recording:
 * - `nullable: true` (OpenAPI 3.0) → `type: [t, "null"]`;
 * - `regionName` is `type: object` with a oneOf of string enums ([rec]: a string) → type dropped;
 * - non-discriminated `oneOf` → `anyOf` (overlapping branches, e.g. hardware specs);
 * - `discriminator` → if/then on the mapped subtype, and `allOf` back-references to a base that has `oneOf` point to a
 *   copy of the base without `oneOf` (otherwise validation recurses forever);
 * - ApiError.parameters items are strings in real responses ([rec] CLUSTER_NOT_FOUND), not objects;
 * - snapshot `frequencyType` includes "ondemand" ([rec], CONTRACT §12.13);
 * - export job `prefix` has no leading slash and real ids ([rec], §12.10): its pattern is dropped;
 * - BiConnector `readPreference` is lower-case on the wire ([rec] cluster get: "secondary");
 * - AWS role `authorizedDate` / `iamAssumedRoleArn` are null until authorized ([rec], §7).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { digestFetch, plainFetch, type TestResponse } from "../helpers/digest-fetch";
import { whenSharedDataMissing } from "../helpers/shared-data";

const SHARED = resolve(__dirname, "../../../shared/atlas-api");
const available = existsSync(join(SHARED, "openapi-export-subset.json"));

type Json = Record<string, any>;

/** A response seen during the run. */
interface Seen { method: string; path: string; status: number; headers: Headers; json: any; template?: string }

function preprocess(spec: Json): Json {
  const schemas = spec.components.schemas as Record<string, Json>;
  const walk = (node: any): any => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== "object") return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "discriminator" || k === "nullable") continue;
      // Remaining (non-discriminated) unions overlap, e.g. HardwareSpec20240805's AWS/Azure/GCP
      // hardware specs share every field: `oneOf` would reject real Atlas bodies too → anyOf.
      out[k === "oneOf" ? "anyOf" : k] = walk(v);
    }
    if (node.nullable === true && typeof node.type === "string") {
      out["type"] = [node.type, "null"];
      if (Array.isArray(node.enum)) out["enum"] = [...node.enum, null];
    }
    // regionName is declared `type: object` with a oneOf of string enums; real bodies carry a string.
    if (node.type === "object" && Array.isArray(node.oneOf) && node.oneOf.every((b: Json) => b["type"] === "string")) delete out["type"];
    return out;
  };
  // Discriminated unions: validate the mapped subtype chosen by the discriminator value (if/then)
  // instead of `oneOf` (subtypes without `required` overlap) and make the subtypes' allOf
  // back-references point to a copy of the base without the union (no infinite recursion).
  for (const [name, s] of Object.entries({ ...schemas })) {
    const d = s["discriminator"] as { propertyName: string; mapping?: Record<string, string> } | undefined;
    if (!d?.mapping) continue;
    const { oneOf: _oneOf, discriminator: _d, ...base } = s;
    schemas[`${name}__base`] = base;
    for (const target of Object.values(d.mapping)) {
      const sub = schemas[target.split("/").pop()!];
      for (const part of (sub?.["allOf"] ?? []) as Json[]) {
        if (part["$ref"] === `#/components/schemas/${name}`) part["$ref"] = `#/components/schemas/${name}__base`;
      }
    }
    delete s["oneOf"];
    s["allOf"] = [
      ...((s["allOf"] as Json[] | undefined) ?? []),
      ...Object.entries(d.mapping).map(([value, ref]) => ({
        if: { properties: { [d.propertyName]: { const: value } }, required: [d.propertyName] },
        then: { $ref: ref },
      })),
    ];
  }
  schemas["ApiError"]!["properties"]["parameters"]["items"] = {};
  const rp = schemas["BiConnector"]?.["properties"]?.["readPreference"];
  if (rp?.["enum"]) rp["enum"] = [...rp["enum"], ...rp["enum"].map((e: string) => e.toLowerCase())];
  for (const n of ["DiskBackupReplicaSet", "DiskBackupSnapshot", "DiskBackupShardedClusterSnapshot", "DiskBackupSnapshot__base"]) {
    const freq = schemas[n]?.["properties"]?.["frequencyType"];
    if (freq?.["enum"]) freq["enum"] = [...freq["enum"], "ondemand"];
  }
  delete schemas["DiskBackupExportJob"]!["properties"]["prefix"]["pattern"];
  for (const part of schemas["CloudProviderAccessAWSIAMRole"]!["allOf"] as Json[]) {
    for (const k of ["authorizedDate", "iamAssumedRoleArn"]) if (part["properties"]?.[k]) part["properties"][k]["nullable"] = true;
  }
  return walk(spec);
}

const seen: Seen[] = [];
let emu: RunningEmulator;
let spec: Json;
let ajv: Ajv;
const templates: { template: string; re: RegExp; params: number }[] = [];

function templateOf(path: string): string | undefined {
  // Most specific first: fewer parameters win (e.g. /cloudProviderAccess/{roleId} vs /{cloudProvider}/{roleId}).
  return templates.find((t) => t.re.test(path))?.template;
}

async function call(method: string, path: string, version: string | null, body?: unknown, opts: { auth?: boolean } = {}): Promise<TestResponse> {
  const headers: Record<string, string> = version ? { Accept: `application/vnd.atlas.${version}+json` } : {};
  const req = { method, headers, ...(body === undefined ? {} : { body }) };
  const r = opts.auth === false
    ? await plainFetch(emu.url + path, req)
    : await digestFetch(emu.url + path, emu.credentials.apiKey.publicKey, emu.credentials.apiKey.privateKey, req);
  const p = path.split("?")[0]!;
  const entry: Seen = { method, path: p, status: r.status, headers: r.headers, json: r.json };
  const t = templateOf(p);
  if (t) entry.template = t;
  seen.push(entry);
  return r;
}

/** Calls whose answer is stated (status, errorCode), checked by their own test: `expectAnswer`. */
const stated: { what: string; want: string; got: string }[] = [];

/** States the answer a call must get (the schema check alone accepts any ApiError). */
function expectAnswer(r: TestResponse, what: string, status: number, errorCode?: string): void {
  stated.push({ what, want: `${status} ${errorCode ?? ""}`, got: `${r.status} ${status >= 400 ? (r.json?.errorCode ?? "") : ""}` });
}

const G = "6a0000000000000000000001";
const B = `/api/atlas/v2/groups/${G}/backup/exportBuckets`;
const C0 = `/api/atlas/v2/groups/${G}/clusters/Cluster0`;
const CPA = `/api/atlas/v2/groups/${G}/cloudProviderAccess`;

async function drive(): Promise<void> {
  const aws = { bucketName: "conf-aws", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" };
  // export buckets, both versions
  for (const v of ["2023-01-01", "2024-05-30"]) await call("GET", `${B}?itemsPerPage=1`, v);
  await call("GET", B, "2024-05-30");
  const a = await call("POST", B, "2024-05-30", aws);
  await call("POST", B, "2023-01-01", { ...aws, bucketName: "conf-aws-legacy" });
  const az = await call("POST", B, "2024-05-30", { cloudProvider: "AZURE", roleId: "6a00000000000000000000b2", serviceUrl: "https://confaccount.blob.core.windows.net/confcontainer" });
  const gcp = await call("POST", B, "2024-05-30", { bucketName: "conf-gcp", cloudProvider: "GCP", roleId: "6a00000000000000000000b3" });
  await call("GET", B, "2024-05-30");
  for (const id of [a.json._id, az.json._id, gcp.json._id]) await call("GET", `${B}/${id}`, "2024-05-30");
  await call("GET", `${B}/${a.json._id}`, "2023-01-01");
  await call("PATCH", `${B}/${a.json._id}`, "2024-05-30", { requirePrivateNetworking: true });
  await call("POST", B, "2024-05-30", { bucketName: "x", cloudProvider: "AWS" }); // 400
  await call("PATCH", `${B}/${gcp.json._id}`, "2024-05-30", { requirePrivateNetworking: true }); // 400
  await call("GET", `${B}/6a00000000000000000000cc`, "2024-05-30"); // 404
  await call("PATCH", `${B}/6a00000000000000000000cc`, "2024-05-30", { requirePrivateNetworking: true }); // 404
  await call("DELETE", `${B}/6a00000000000000000000cc`, "2023-01-01"); // 404
  emu.store.setAutoExport(G, "Cluster1", a.json._id);
  await call("DELETE", `${B}/${a.json._id}`, "2023-01-01"); // 400 in use
  emu.store.setAutoExport(G, "Cluster1", null);
  await call("DELETE", `${B}/${gcp.json._id}`, "2023-01-01"); // 204
  await call("GET", B, null); // 406
  await call("GET", B, "2024-05-30", undefined, { auth: false }); // 401
  await call("GET", `/api/atlas/v2/groups/6a0000000000000000000002/backup/exportBuckets`, "2024-05-30"); // 401 NOT_IN_GROUP
  await call("GET", `/api/atlas/v2/groups/111111111111111111111111/backup/exportBuckets`, "2024-05-30"); // 404 GROUP_NOT_FOUND
  emu.faults.add({ kind: "rate-limit", method: "GET", path: B, times: 1 });
  await call("GET", B, "2024-05-30"); // 429
  emu.faults.add({ kind: "error", method: "GET", path: B, times: 1 });
  await call("GET", B, "2024-05-30"); // 500

  // snapshots
  await call("GET", `${C0}/backup/snapshots`, "2023-01-01");
  const snap = await call("POST", `${C0}/backup/snapshots`, "2023-01-01", { description: "conf", retentionInDays: 1 });
  await call("GET", `${C0}/backup/snapshots/${snap.json.id}`, "2023-01-01");
  await call("GET", `${C0}/backup/snapshots/6a00000000000000000000d1`, "2023-01-01");
  await call("GET", `${C0}/backup/snapshots/6a00000000000000000000dd`, "2023-01-01"); // 404
  await call("POST", `${C0}/backup/snapshots`, "2023-01-01", { retentionInDays: 0 }); // 400
  await call("GET", `${C0}/backup/snapshots?pointInTimeUtcSeconds=1&oplogTs=1`, "2023-01-01"); // 400

  // export jobs
  emu.forceNextExportOutcome({ state: "Failed", reason: "denied" });
  const job = await call("POST", `${C0}/backup/exports`, "2023-01-01", { snapshotId: "6a00000000000000000000d2", exportBucketId: a.json._id, customData: [{ key: "k", value: "v" }] });
  await call("GET", `${C0}/backup/exports/${job.json.id}`, "2023-01-01");
  const ok = await call("POST", `${C0}/backup/exports`, "2023-01-01", { snapshotId: "6a00000000000000000000d1", exportBucketId: a.json._id });
  await call("GET", `${C0}/backup/exports/${ok.json.id}`, "2023-01-01");
  await call("GET", `${C0}/backup/exports`, "2023-01-01");
  await call("POST", `${C0}/backup/exports`, "2023-01-01", { snapshotId: "6a00000000000000000000d1" }); // 400
  await call("GET", `${C0}/backup/exports/6a0000000000000000000fff`, "2023-01-01"); // 404
  await call("GET", `/api/atlas/v2/groups/${G}/clusters/Nope/backup/exports`, "2023-01-01"); // 404
  emu.setTimeScale(1);
  await call("POST", `${C0}/backup/exports`, "2023-01-01", { snapshotId: "6a00000000000000000000d2", exportBucketId: a.json._id });
  await call("POST", `${C0}/backup/exports`, "2023-01-01", { snapshotId: "6a00000000000000000000d2", exportBucketId: a.json._id }); // 409
  emu.setTimeScale(0);

  // cloud provider access
  await call("GET", CPA, "2023-01-01");
  const role = await call("POST", CPA, "2023-01-01", { providerName: "AWS" });
  await call("POST", CPA, "2023-01-01", { providerName: "AZURE", atlasAzureAppId: "9f2deb0d-be22-4524-a403-df531868bac0", servicePrincipalId: "7d1b6a25-3f2e-4c1a-9b8e-5e4d3c2b1a01", tenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1" });
  await call("POST", CPA, "2023-01-01", { providerName: "GCP" });
  for (const id of [role.json.roleId, "6a00000000000000000000b2", "6a00000000000000000000b3"]) await call("GET", `${CPA}/${id}`, "2023-01-01");
  await call("PATCH", `${CPA}/${role.json.roleId}`, "2023-01-01", { providerName: "AWS", iamAssumedRoleArn: "arn:aws:iam::123456789012:role/x" });
  await call("PATCH", `${CPA}/${role.json.roleId}`, "2023-01-01", { providerName: "AWS", iamAssumedRoleArn: "nope" }); // 400
  await call("GET", `${CPA}/6a00000000000000000000ff`, "2023-01-01"); // 404
  await call("GET", `/api/atlas/v2/groups/111111111111111111111111/cloudProviderAccess`, "2023-01-01"); // 404
  await call("POST", CPA, "2023-01-01", { providerName: "IBM" }); // 400
  await call("DELETE", `${CPA}/AWS/${role.json.roleId}`, "2023-01-01"); // 204
  await call("DELETE", `${CPA}/AWS/6a00000000000000000000ff`, "2023-01-01"); // 404
  await call("DELETE", `${CPA}/AWS/6a00000000000000000000b1`, "2023-01-01"); // 400 in use
  await call("GET", CPA, "2023-01-01");

  // clusters (all three versions) and non-spec operations
  for (const v of ["2023-01-01", "2023-02-01", "2024-08-05"]) await call("GET", C0, v);
  await call("GET", `/api/atlas/v2/groups/${G}/clusters/cluster-209`, "2024-08-05"); // 404
  await call("GET", `/api/atlas/v2/groups/${G}/clusters`, "2024-08-05");
  await call("GET", `${B}?envelope=true`, "2024-05-30");

  // backup schedule (CONTRACT §15), both versions: the CLI's PATCH (§15.4), enabling auto-export
  // (a body with `export`), DELETE (200 with the emptied schedule); errors: unknown cluster (404
  // CLUSTER_NOT_FOUND), `export` without autoExportEnabled (400 INVALID_BACKUP_POLICY), unknown
  // bucket (404 EXPORT_BUCKET_NOT_FOUND), frequency not enabled for the project (400 INVALID_ENUM_VALUE).
  const NOPE = `/api/atlas/v2/groups/${G}/clusters/Nope/backup/schedule`;
  const S = `${C0}/backup/schedule`;
  const monthly = { exportBucketId: a.json._id, frequencyType: "monthly" };
  for (const v of ["2023-01-01", "2024-08-05"]) {
    const at = (what: string) => `${what} @${v}`;
    expectAnswer(await call("GET", S, v), at("GET"), 200);
    await call("PATCH", S, v, { useOrgAndGroupNamesInExportPrefix: false });
    const cli = await call("PATCH", S, v, { clusterName: "Cluster0", useOrgAndGroupNamesInExportPrefix: true });
    expectAnswer(cli, at("PATCH (CLI body)"), 200);
    stated.push({ what: at("PATCH (CLI body): prefix flag"), want: "true", got: String(cli.json?.useOrgAndGroupNamesInExportPrefix) });
    expectAnswer(await call("PATCH", S, v, { autoExportEnabled: true, export: monthly }), at("PATCH enabling auto-export"), 200);
    const withExport = await call("GET", S, v);
    expectAnswer(withExport, at("GET with export"), 200);
    stated.push({ what: at("GET after enabling: export"), want: JSON.stringify(monthly), got: JSON.stringify(withExport.json?.export) });
    const deleted = await call("DELETE", S, v);
    expectAnswer(deleted, at("DELETE"), 200);
    stated.push({ what: at("DELETE: policy items"), want: "[]", got: JSON.stringify(deleted.json?.policies?.[0]?.policyItems) });
    expectAnswer(await call("GET", NOPE, v), at("GET unknown cluster"), 404, "CLUSTER_NOT_FOUND");
    expectAnswer(await call("PATCH", NOPE, v, { useOrgAndGroupNamesInExportPrefix: true }), at("PATCH unknown cluster"), 404, "CLUSTER_NOT_FOUND");
    expectAnswer(await call("PATCH", S, v, { export: monthly }), at("PATCH export without autoExportEnabled"), 400, "INVALID_BACKUP_POLICY");
    expectAnswer(await call("PATCH", S, v, { autoExportEnabled: true, export: { ...monthly, exportBucketId: "6a00000000000000000000cc" } }), at("PATCH unknown bucket"), 404, "EXPORT_BUCKET_NOT_FOUND");
    expectAnswer(await call("PATCH", S, v, { autoExportEnabled: true, export: { ...monthly, frequencyType: "daily" } }), at("PATCH daily without Support"), 400, "INVALID_ENUM_VALUE");
    expectAnswer(await call("DELETE", NOPE, v), at("DELETE unknown cluster"), 404, "CLUSTER_NOT_FOUND");
    expectAnswer(await call("PATCH", S, v, { autoExportEnabled: false }), at("PATCH disabling auto-export"), 200);
  }

  // sharded cluster (CONTRACT §16.2) and flex cluster (§16.5) operations
  const SH = `/api/atlas/v2/groups/${G}/clusters/ShardedCluster0`;
  for (const v of ["2023-01-01", "2023-02-01", "2024-08-05"]) await call("GET", SH, v);
  await call("GET", `${SH}/backup/snapshots`, "2023-01-01");
  await call("GET", `${SH}/backup/snapshots/shardedClusters`, "2023-01-01");
  await call("GET", `/api/atlas/v2/groups/${G}/clusters/Nope/backup/snapshots/shardedClusters`, "2023-01-01"); // 404
  await call("GET", `${SH}/backup/snapshots/shardedCluster/6a00000000000000000000d4`, "2023-01-01");
  await call("GET", `${SH}/backup/snapshots/shardedCluster/6a0000000000000000000fff`, "2023-01-01"); // 404
  await call("DELETE", `${SH}/backup/snapshots/shardedCluster/6a00000000000000000000d4`, "2023-01-01");
  await call("DELETE", `${SH}/backup/snapshots/shardedCluster/6a00000000000000000000d4`, "2023-01-01"); // 404
  const FX = `/api/atlas/v2/groups/${G}/flexClusters/FlexCluster0`;
  await call("GET", FX, "2024-11-13");
  await call("GET", `/api/atlas/v2/groups/${G}/flexClusters/Cluster0`, "2024-11-13"); // 400 non-flex
  await call("GET", `${FX}/backup/snapshots`, "2024-11-13");
  await call("GET", `/api/atlas/v2/groups/${G}/flexClusters/Cluster0/backup/snapshots`, "2024-11-13"); // 400 non-flex
  await call("GET", `${FX}/backup/snapshots/6a00000000000000000000d8`, "2024-11-13");
  await call("GET", `${FX}/backup/snapshots/6a0000000000000000000fff`, "2024-11-13"); // 404
  await call("GET", `/api/atlas/v2/groups/${G}/clusters/FlexCluster0`, "2024-08-05"); // 400 flex on the cluster API
}

describe("emulator conformance with the official spec and recordings", () => {
  beforeAll(async () => {
    if (!available) return;
    spec = preprocess(JSON.parse(readFileSync(join(SHARED, "openapi-export-subset.json"), "utf8")) as Json);
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    ajv.addSchema({ components: spec.components }, "spec.json");
    for (const p of Object.keys(spec.paths)) {
      const params = (p.match(/\{/g) ?? []).length;
      templates.push({ template: p, re: new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+")}$`), params });
    }
    templates.sort((x, y) => x.params - y.params);
    emu = await startEmulator({ timeScale: 0 });
    await drive();
  }, 60_000);
  afterAll(async () => {
    await emu?.close();
  });

  const validators = new Map<string, ValidateFunction>();
  function validatorFor(s: Seen): { v: ValidateFunction; key: string } | undefined {
    if (!s.template) return undefined;
    const op = spec.paths[s.template][s.method.toLowerCase()];
    if (!op) return undefined;
    const ct = (s.headers.get("content-type") ?? "").split(";")[0]!;
    let schema: Json | undefined;
    let key: string;
    if (s.status >= 400) {
      // Every error is an ApiError (§8.1); declared or not (406, 409 on buckets…), the body must match.
      schema = { $ref: "spec.json#/components/schemas/ApiError" };
      key = "ApiError";
    } else {
      const resp = op.responses[String(s.status)];
      const content = resp?.["$ref"] ? undefined : resp?.content?.[ct];
      if (!content?.schema) return undefined;
      const ref = content.schema.$ref as string | undefined;
      schema = ref ? { $ref: `spec.json${ref}` } : content.schema;
      key = `${s.method} ${s.template} ${s.status} ${ct}`;
    }
    let v = validators.get(key);
    if (!v) {
      v = ajv.compile(schema!);
      validators.set(key, v);
    }
    return { v, key };
  }

  it.skipIf(!available)("every response validates against its operation/status/version schema", () => {
    const failures: string[] = [];
    let validated = 0;
    for (const s of seen) {
      if (s.status === 204) {
        expect(s.json).toBeUndefined();
        continue;
      }
      const found = validatorFor(s);
      if (!found) continue;
      validated++;
      if (!found.v(s.json)) failures.push(`${s.method} ${s.path} ${s.status} (${found.key}): ${ajv.errorsText(found.v.errors)}`);
    }
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThan(60);
  });

  it.skipIf(!available)("the backup-schedule calls get the answers CONTRACT §15 states", () => {
    expect(stated.length).toBeGreaterThanOrEqual(26);
    expect(stated.filter((x) => x.got !== x.want)).toEqual([]);
  });

  it.skipIf(!available)("covers every operation of the spec with a success and an error", () => {
    const missing: string[] = [];
    for (const [p, ops] of Object.entries(spec.paths as Record<string, Json>)) {
      for (const m of Object.keys(ops)) {
        if (!["get", "post", "patch", "delete"].includes(m)) continue;
        const mine = seen.filter((s) => s.template === p && s.method.toLowerCase() === m);
        if (!mine.some((s) => s.status < 300)) missing.push(`${m} ${p} success`);
        if (!mine.some((s) => s.status >= 400)) missing.push(`${m} ${p} error`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.skipIf(!available)("2xx statuses and versioned content types are declared by the spec", () => {
    const bad: string[] = [];
    for (const s of seen.filter((x) => x.status < 300 && x.template)) {
      const op = spec.paths[s.template!][s.method.toLowerCase()];
      const declared = op?.responses?.[String(s.status)];
      const ct = (s.headers.get("content-type") ?? "").split(";")[0]!;
      if (!declared) bad.push(`${s.method} ${s.template} ${s.status} not declared`);
      else if (!declared.content?.[ct]) bad.push(`${s.method} ${s.template} ${s.status} content type ${ct} not declared`);
      if (!/;charset=utf-8$/.test(s.headers.get("content-type") ?? "")) bad.push(`${s.method} ${s.path} missing charset`);
    }
    expect(bad).toEqual([]);
  });

  it.skipIf(!available)("headers present in the real recordings are present in the emulator's responses", () => {
    const dir = join(SHARED, "recordings");
    const checked: string[] = [];
    const problems: string[] = [];
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".snaphost"))) {
      const m = /__(GET|POST|PATCH|DELETE)_(api_atlas_v2_.+)_\d+\.snaphost$/.exec(f);
      if (!m) continue;
      const path = "/" + m[2]!.replace(/_/g, "/");
      const template = templateOf(path);
      if (!template) continue;
      const text = readFileSync(join(dir, f), "utf8");
      const [head] = text.split(/\r?\n\r?\n/, 1);
      const lines = head!.split(/\r?\n/);
      const status = Number(lines[0]!.split(" ")[1]);
      const recHeaders = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      const recCt0 = recHeaders.get("content-type");
      const candidates = seen.filter((s) => s.template === template && s.method === m[1] && s.status === status);
      const mine = candidates.find((s) => s.headers.get("content-type") === recCt0) ?? candidates[0];
      if (!mine) continue;
      checked.push(`${m[1]} ${template} ${status}`);
      for (const h of ["content-type", "content-length", "ratelimit-limit", "ratelimit-remaining", "x-error-code"]) {
        if (recHeaders.has(h) && !mine.headers.has(h)) problems.push(`${m[1]} ${template} ${status}: missing ${h}`);
      }
      const recCt = recHeaders.get("content-type");
      if (recCt && recCt !== mine.headers.get("content-type")) problems.push(`${m[1]} ${template} ${status}: content-type ${mine.headers.get("content-type")} vs recorded ${recCt}`);
      const limit = recHeaders.get("ratelimit-limit");
      if (limit && mine.headers.get("ratelimit-limit") !== limit) problems.push(`${m[1]} ${template} ${status}: RateLimit-Limit ${mine.headers.get("ratelimit-limit")} vs recorded ${limit}`);
    }
    expect(problems).toEqual([]);
    expect(checked.length).toBeGreaterThanOrEqual(8);
  });
  it.skipIf(!available)("the real recordings validate under the same preprocessing (sanity check of the relaxations)", () => {
    const dir = join(SHARED, "recordings");
    const failures: string[] = [];
    let n = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".snaphost"))) {
      const m = /__(GET|POST|PATCH|DELETE)_(api_atlas_v2_.+)_\d+\.snaphost$/.exec(f);
      if (!m) continue;
      const path = "/" + m[2]!.replace(/_/g, "/");
      const template = templateOf(path);
      if (!template) continue;
      const text = readFileSync(join(dir, f), "utf8");
      const split = text.search(/\r?\n\r?\n/);
      const head = text.slice(0, split).split(/\r?\n/);
      const bodyText = text.slice(split).trim();
      if (!bodyText) continue;
      const headers = new Headers(head.slice(1).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()] as [string, string]));
      const s: Seen = { method: m[1]!, path, status: Number(head[0]!.split(" ")[1]), headers, json: JSON.parse(bodyText), template };
      const found = validatorFor(s);
      if (!found) continue;
      n++;
      if (!found.v(s.json)) failures.push(`${f}: ${ajv.errorsText(found.v.errors)}`);
    }
    expect(failures).toEqual([]);
    expect(n).toBeGreaterThanOrEqual(10);
  });
});

whenSharedDataMissing(available, SHARED);
