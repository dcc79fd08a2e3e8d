/**
 * pulumi-atlas-export: Pulumi dynamic resources for MongoDB Atlas Cloud Backup snapshot export.
 *
 * - {@link ExportBucket}: an S3 bucket, Azure Blob container or GCS bucket registered with Atlas.
 * - {@link ExportJob}: one snapshot export to such a bucket.
 * - {@link AutoExport}: a cluster's backup schedule exporting its snapshots to such a bucket.
 * - {@link getLatestSnapshot} / {@link getLatestSnapshotOutput}: the newest completed snapshot,
 *   optionally taking one, so programs need no hard-coded snapshot ids.
 *
 * Credentials: stack config `mongodbatlas:clientId`/`clientSecret` (service account) or
 * `mongodbatlas:publicKey`/`privateKey` (API key), else the `MONGODB_ATLAS_*` variables.
 *
 * Loading this module loads only what the resource constructors need (the classes, the provider
 * shims, the error classes). The snapshot lookup, `AtlasClient` and `resolveConfig` pull in
 * undici and zod (~0.2-0.5 s in every program process), so they are loaded at first access,
 * through the getters at the end of this file (test/unit/resources/runtime-load.test.ts).
 */
import type * as SnapshotLookup from "./resources/snapshot-lookup";
import type * as Client from "./client/index";
import type * as Config from "./config";

export { ExportBucket, type ExportBucketArgs, type ExportBucketOutputs } from "./resources/export-bucket";
export { ExportJob, type ExportJobArgs, type ExportJobOutputs } from "./resources/export-job";
export { AutoExport, type AutoExportArgs, type AutoExportOutputs } from "./resources/auto-export";
export type { LatestSnapshot, LatestSnapshotArgs, LatestSnapshotInputArgs, TakeSnapshotMode } from "./resources/snapshot-lookup";
export type { CloudProvider, AtlasApi } from "./client/api";
export type { ResolvedConfig, Credentials, ConfigSource } from "./config";
export {
  AtlasError,
  AtlasApiError,
  AtlasNetworkError,
  AtlasTimeoutError,
  AtlasResponseValidationError,
  AtlasConfigError,
  isAtlasError,
  isAtlasApiError,
  isAtlasErrorCode,
  mayHaveBeenProcessed,
  type AtlasErrorCode,
} from "./errors";

/** The newest completed snapshot of a cluster (see `resources/snapshot-lookup.ts`). */
export declare const getLatestSnapshot: typeof SnapshotLookup.getLatestSnapshot;
/** {@link getLatestSnapshot} with `pulumi.Input` arguments, as an `Output`. */
export declare const getLatestSnapshotOutput: typeof SnapshotLookup.getLatestSnapshotOutput;
/** The newest completed snapshot through a given {@link AtlasApi} (no Pulumi involved). */
export declare const findLatestSnapshot: typeof SnapshotLookup.findLatestSnapshot;
/** The Atlas Admin API client. */
export declare const AtlasClient: typeof Client.AtlasClient;
export type AtlasClient = Client.AtlasClient;
/** Resolves credentials and base URL from a config source and the environment. */
export declare const resolveConfig: typeof Config.resolveConfig;

// The lazy exports. Each getter is written as `get: function () { return lazy.<name>; }`, the
// form Node's CommonJS export detection (cjs-module-lexer) recognizes, so
// `import { AtlasClient } from "pulumi-atlas-export"` keeps working from ES modules.
const lazy = {
  get getLatestSnapshot() {
    return (require("./resources/snapshot-lookup") as typeof SnapshotLookup).getLatestSnapshot;
  },
  get getLatestSnapshotOutput() {
    return (require("./resources/snapshot-lookup") as typeof SnapshotLookup).getLatestSnapshotOutput;
  },
  get findLatestSnapshot() {
    return (require("./resources/snapshot-lookup") as typeof SnapshotLookup).findLatestSnapshot;
  },
  get AtlasClient() {
    return (require("./client/index") as typeof Client).AtlasClient;
  },
  get resolveConfig() {
    return (require("./config") as typeof Config).resolveConfig;
  },
};
Object.defineProperty(exports, "getLatestSnapshot", { enumerable: true, get: function () { return lazy.getLatestSnapshot; } });
Object.defineProperty(exports, "getLatestSnapshotOutput", { enumerable: true, get: function () { return lazy.getLatestSnapshotOutput; } });
Object.defineProperty(exports, "findLatestSnapshot", { enumerable: true, get: function () { return lazy.findLatestSnapshot; } });
Object.defineProperty(exports, "AtlasClient", { enumerable: true, get: function () { return lazy.AtlasClient; } });
Object.defineProperty(exports, "resolveConfig", { enumerable: true, get: function () { return lazy.resolveConfig; } });
