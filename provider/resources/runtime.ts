/**
 * The provider runtime: what the serialized shim (`shim.ts`) loads in the engine's
 * dynamic-provider process via `require("pulumi-atlas-export/runtime")`.
 *
 * This module's exports are a public contract: serialized providers in existing stacks call
 * `configure(config)`, `bucket.<method>(...)`, `job.<method>(...)` and `auto.<method>(...)` (AutoExport) with the
 * `pulumi.dynamic.ResourceProvider` signatures. Keep them compatible. It deliberately does not
 * import `@pulumi/pulumi` (not needed here, and heavy to load).
 */
import { createHash } from "node:crypto";
import type { AtlasApi } from "../client/api";
import { configEnvFingerprint, resolveConfig, type ConfigSource, type ResolvedConfig } from "../config";
import * as autoExportHandlers from "./auto-export-handlers";
import * as bucketHandlers from "./export-bucket-handlers";
import * as jobHandlers from "./export-job-handlers";
import type { PropertyBag } from "./shared";
import { holdAfterCreate } from "./test-hooks";

/** The stack config keys the runtime keeps (namespace `mongodbatlas`, as @pulumi/mongodbatlas). */
export const CONFIG_KEYS = ["clientId", "clientSecret", "publicKey", "privateKey", "baseUrl"] as const;

/** The `get` half of pulumi's dynamic `Config` (ConfigureRequest.config). */
export interface ConfigGetter {
  get(key: string): string | undefined;
}

let stored = new Map<string, string>();
/** Names (not values) of every `mongodbatlas:*` key in the stack config, any letter case: typo detection. */
let storedKeyNames: string[] = [];
const clients = new Map<string, Promise<AtlasApi>>();
let apiFactoryOverride: (() => AtlasApi) | undefined;

/**
 * Called once per serialized provider by the engine's host with the stack config (decrypted,
 * keys namespaced). Keeps only the `mongodbatlas:*` strings, in memory. Never throws.
 */
export async function configure(config: ConfigGetter | undefined): Promise<void> {
  const next = new Map<string, string>();
  for (const key of CONFIG_KEYS) {
    let value: string | undefined;
    try {
      value = config?.get(`mongodbatlas:${key}`);
    } catch {
      value = undefined;
    }
    if (typeof value === "string" && value.length > 0) next.set(key, value);
  }
  stored = next;
  storedKeyNames = namespacedKeys(config);
}

/**
 * The `mongodbatlas:*` key names (any case) of the engine's config. The host's Config keeps
 * the whole stack config in `rawConfig`; other ConfigGetters may not expose it (then: none).
 */
function namespacedKeys(config: ConfigGetter | undefined): string[] {
  const raw = (config as { rawConfig?: unknown } | undefined)?.rawConfig;
  if (raw === null || typeof raw !== "object") return [];
  return Object.keys(raw).filter((k) => k.toLowerCase().startsWith("mongodbatlas:"));
}

/** The stored config as a ConfigSource answering both `mongodbatlas:x` and `x`. */
function storedSource(): ConfigSource {
  const snapshot = stored;
  const names = storedKeyNames;
  return {
    get: (key) => snapshot.get(key.startsWith("mongodbatlas:") ? key.slice("mongodbatlas:".length) : key),
    keys: () => names,
  };
}

/**
 * The client for the current credentials: resolved at call time (stack config beats env), one
 * cached `AtlasClient` per distinct resolved config so the OAuth token cache is shared.
 * Throws `AtlasConfigError` when no credentials are set.
 */
export async function getApi(): Promise<AtlasApi> {
  if (apiFactoryOverride) return apiFactoryOverride();
  const { resolved, key } = currentConfig();
  let client = clients.get(key);
  if (!client) {
    // Loaded on first use, not with this module: preview only runs check and diff, which need
    // no HTTP client, so the provider process starts without loading undici (~130 ms on 2
    // cores). The promise is cached, so concurrent first calls share one client (and so one
    // OAuth token request).
    client = import("../client/index.js").then(({ AtlasClient }) => AtlasClient.fromConfig(resolved));
    clients.set(key, client);
  }
  return client;
}

/** The last successful resolution, and what it was resolved from. */
let lastResolution: { stored: Map<string, string>; names: string[]; env: string; resolved: ResolvedConfig; key: string } | undefined;

/**
 * `resolveConfig` for the stored stack config and `process.env`, reused while neither changed:
 * every read and delete calls `getApi`, and resolving scans every environment variable (~0.4 ms,
 * a tenth of a refresh's per-resource cost in the provider process). `configure` replaces
 * `stored`, and the env fingerprint covers every variable resolution reads or rejects, so a
 * change to either resolves again. Failures are not kept: they throw on every call.
 */
function currentConfig(): { resolved: ResolvedConfig; key: string } {
  const env = configEnvFingerprint(process.env);
  const last = lastResolution;
  if (last && last.stored === stored && last.names === storedKeyNames && last.env === env) return last;
  const resolved = resolveConfig(storedSource(), process.env);
  // Key by a hash so the map holds no second plain copy of the secrets.
  const key = createHash("sha256").update(JSON.stringify([resolved.baseUrl, resolved.credentials])).digest("hex");
  lastResolution = { stored, names: storedKeyNames, env, resolved, key };
  return lastResolution;
}

/** @internal Tests: replace the client factory (undefined restores the real one). */
export function setApiFactoryForTesting(factory: (() => AtlasApi) | undefined): void {
  apiFactoryOverride = factory;
}

/** ExportBucket handlers with the dynamic ResourceProvider signatures. */
export const bucket = {
  check: async (olds: PropertyBag, news: PropertyBag) => bucketHandlers.checkExportBucket(news, olds),
  diff: async (_id: string, olds: PropertyBag, news: PropertyBag) => bucketHandlers.diffExportBucket(olds, news),
  create: async (inputs: PropertyBag) =>
    holdAfterCreate(await bucketHandlers.createExportBucket(await getApi(), inputs as unknown as bucketHandlers.ExportBucketInputs)),
  read: async (id: string, props?: PropertyBag) => bucketHandlers.readExportBucket(await getApi(), id, props ?? {}),
  update: async (id: string, olds: PropertyBag, news: PropertyBag) =>
    bucketHandlers.updateExportBucket(await getApi(), id, olds, news as unknown as bucketHandlers.ExportBucketInputs),
  delete: async (id: string, props: PropertyBag) => bucketHandlers.deleteExportBucket(await getApi(), id, props),
};

/** ExportJob handlers with the dynamic ResourceProvider signatures. */
export const job = {
  check: async (olds: PropertyBag, news: PropertyBag) => jobHandlers.checkExportJob(news, olds),
  diff: async (_id: string, olds: PropertyBag, news: PropertyBag) => jobHandlers.diffExportJob(olds, news),
  create: async (inputs: PropertyBag) =>
    holdAfterCreate(await jobHandlers.createExportJob(await getApi(), inputs as unknown as jobHandlers.ExportJobInputs)),
  read: async (id: string, props?: PropertyBag) => jobHandlers.readExportJob(await getApi(), id, props ?? {}),
  update: async (id: string, olds: PropertyBag, news: PropertyBag) =>
    jobHandlers.updateExportJob(await getApi(), id, olds, news as unknown as jobHandlers.ExportJobInputs),
  // No API call (Atlas cannot delete an export job), but the configuration is resolved first so
  // a malformed setting (e.g. a base URL with a path) fails destroy instead of forgetting jobs.
  delete: async (id: string, props: PropertyBag) => {
    await getApi();
    return jobHandlers.deleteExportJob(id, props);
  },
};

/** AutoExport handlers with the dynamic ResourceProvider signatures (short name: the shim text must stay under 2 KB). */
export const auto = {
  check: async (olds: PropertyBag, news: PropertyBag) => autoExportHandlers.checkAutoExport(news, olds),
  diff: async (_id: string, olds: PropertyBag, news: PropertyBag) => autoExportHandlers.diffAutoExport(olds, news),
  create: async (inputs: PropertyBag) =>
    autoExportHandlers.createAutoExport(await getApi(), inputs as unknown as autoExportHandlers.AutoExportInputs),
  read: async (id: string, props?: PropertyBag) => autoExportHandlers.readAutoExport(await getApi(), id, props ?? {}),
  update: async (id: string, olds: PropertyBag, news: PropertyBag) =>
    autoExportHandlers.updateAutoExport(await getApi(), id, olds, news as unknown as autoExportHandlers.AutoExportInputs),
  delete: async (id: string, props: PropertyBag) => autoExportHandlers.deleteAutoExport(await getApi(), id, props),
};
