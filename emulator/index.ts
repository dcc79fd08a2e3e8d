/**
 * The Atlas Admin API emulator (docs/ARCHITECTURE.md "Emulator contract"). A real HTTP server on
 * loopback, faithful to the contract in CONTRACT.md, for tests, examples, the demo and users' CI.
 *
 * ```ts
 * const emu = await startEmulator({ timeScale: 0 });
 * // ... point the client at emu.url with emu.credentials ...
 * await emu.close();
 * ```
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Authenticator } from "./auth";
import { FaultInjector, type FaultRule } from "./faults";
import { Router } from "./router";
import { cloudProviderAccessRoutes } from "./routes/cloud-provider-access";
import { backupScheduleRoutes } from "./routes/backup-schedule";
import { clusterRoutes } from "./routes/clusters";
import { createControlHandler } from "./routes/control";
import { exportBucketRoutes } from "./routes/export-buckets";
import { exportJobRoutes } from "./routes/export-jobs";
import { flexClusterRoutes } from "./routes/flex-clusters";
import { snapshotRoutes } from "./routes/snapshots";
import { buildSeed, seedCredentials, type SeedCredentials } from "./seed";
import { createRequestListener, type RequestLogEntry } from "./server";
import type { ExportOutcome } from "./state-machines";
import { EmulatorStore, type SeedState } from "./store";

export type { FaultRule, FaultKind } from "./faults";
export type { RequestLogEntry } from "./server";
export type { SeedCredentials } from "./seed";
export { SEED, buildSeed } from "./seed";
export type { SeedState, BucketRecord, ExportJobRecord, SnapshotRecord, ScheduleRecord, RoleRecord, ClusterRecord } from "./store";
export { EmulatorStore } from "./store";
export type { ExportOutcome } from "./state-machines";

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** loopback only; default 127.0.0.1 */
  host?: string;
  /** "default" (default), "empty-buckets", or a full state */
  seed?: "default" | "empty-buckets" | SeedState;
  /** 1 = demo speed (a job finishes in ~7 s), 0 = instant. Default 1. */
  timeScale?: number;
  /** fault rules active from the start */
  faults?: FaultRule[];
  /** PRNG seed for rate-based faults (default 1) */
  faultSeed?: number;
  /** JSON file: loaded at start if present, written after each mutation */
  persistPath?: string;
  /** OAuth token lifetime in seconds (default 3600, CONTRACT §11.2) */
  tokenTtlSeconds?: number;
  /** Digest nonce lifetime in seconds (default 300); an expired nonce gets `stale=true` */
  nonceTtlSeconds?: number;
  /** only accept exact declared versions (no ≤-date resolution, CONTRACT §2) */
  strictVersions?: boolean;
  /** clock override (ms epoch) for tests */
  now?: () => number;
  /**
   * Add request and response headers and bodies to each request-log entry (`request`,
   * `response`), credentials redacted. Default false.
   */
  logBodies?: boolean;
}

/** A running emulator. */
export interface RunningEmulator {
  /** base URL, e.g. http://127.0.0.1:43121 */
  url: string;
  /** every API request (control endpoints excluded), in order */
  requestLog: RequestLogEntry[];
  /** direct state access */
  store: EmulatorStore;
  faults: { add(rule: FaultRule): string; clear(): void; list(): (FaultRule & { matches: number; fires: number; held: number })[] };
  /** the next created export job ends this way (then back to Successful) */
  forceNextExportOutcome(o: ExportOutcome): void;
  /** seeded API key, service account and project ids */
  credentials: SeedCredentials;
  /** change the time scale at runtime */
  setTimeScale(scale: number): void;
  /** back to the seed (state, faults, log, tokens) */
  reset(seed?: "default" | "empty-buckets"): void;
  /** stop listening and close keep-alive connections */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);

function initialState(seed: EmulatorOptions["seed"], now: number): SeedState {
  if (seed && typeof seed === "object") return JSON.parse(JSON.stringify(seed)) as SeedState;
  return buildSeed(seed ?? "default", now);
}

/** Start the emulator. Rejects if the host is not a loopback address. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`emulator host must be loopback (127.0.0.1, localhost, ::1), got ${host}`);
  const now = options.now ?? Date.now;
  let timeScale = options.timeScale ?? 1;
  if (!(timeScale >= 0)) throw new Error("timeScale must be >= 0");
  const persistPath = options.persistPath;

  let state: SeedState;
  if (persistPath && existsSync(persistPath)) {
    state = JSON.parse(readFileSync(persistPath, "utf8")) as SeedState;
  } else {
    state = initialState(options.seed, now());
  }
  const persist = () => {
    if (!persistPath) return;
    const tmp = `${persistPath}.tmp`;
    writeFileSync(tmp, JSON.stringify(store.state, null, 1));
    renameSync(tmp, persistPath);
  };
  const store: EmulatorStore = new EmulatorStore(state, persist);
  persist();

  const auth = new Authenticator(store, { tokenTtlSeconds: options.tokenTtlSeconds ?? 3600, nonceTtlSeconds: options.nonceTtlSeconds ?? 300, now });
  const faults = new FaultInjector(options.faultSeed ?? 1);
  for (const r of options.faults ?? []) faults.add(r);
  const requestLog: RequestLogEntry[] = [];
  const takeOutcome = () => {
    const o = store.nextExportOutcome;
    store.nextExportOutcome = undefined;
    return o;
  };
  const router = new Router([
    ...exportBucketRoutes, ...exportJobRoutes(takeOutcome), ...snapshotRoutes, ...cloudProviderAccessRoutes, ...clusterRoutes,
    ...flexClusterRoutes, ...backupScheduleRoutes,
  ]);
  const forceNextExportOutcome = (o: ExportOutcome) => {
    store.nextExportOutcome = { ...o };
  };
  const reset = (seed?: "default" | "empty-buckets") => {
    store.replace(initialState(seed ?? options.seed, now()));
    faults.clear();
    auth.clear();
    requestLog.length = 0;
  };
  let baseUrl = "";
  const timers = new Set<NodeJS.Timeout>();
  const control = createControlHandler({ store, faults, requestLog, timeScale: () => timeScale, now, reset, forceNextExportOutcome });
  const server: Server = createServer(
    { keepAliveTimeout: 5_000 },
    createRequestListener({
      store, auth, faults, router, requestLog, logBodies: options.logBodies ?? false, timeScale: () => timeScale, strictVersions: options.strictVersions ?? false,
      now, baseUrl: () => baseUrl, control, timers,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === "IPv6" || addr.address.includes(":") ? `[${addr.address}]` : addr.address;
  baseUrl = `http://${urlHost}:${addr.port}`;

  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    requestLog,
    store,
    faults: { add: (r) => faults.add(r), clear: () => faults.clear(), list: () => faults.list() },
    forceNextExportOutcome,
    credentials: seedCredentials(),
    setTimeScale: (s) => {
      if (!(s >= 0)) throw new Error("timeScale must be >= 0");
      timeScale = s;
    },
    reset,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets would hold close() open (conventions point 13).
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
