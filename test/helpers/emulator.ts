/**
 * Emulator test helpers: start one emulator per file (port 0) and call it with the seeded API key.
 */
import { afterAll, beforeAll } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/index";
import { digestFetch, type TestRequest, type TestResponse } from "./digest-fetch";

/** The seeded project. */
export const GROUP = "6a0000000000000000000001";
/** The project the seeded credentials cannot see. */
export const OTHER_GROUP = "6a0000000000000000000002";
/** API prefix. */
export const V2 = "/api/atlas/v2";

/** Accept header for a version. */
export const accept = (version: string) => ({ Accept: `application/vnd.atlas.${version}+json` });

/** A digest-authenticated caller bound to an emulator. */
export interface Api {
  call(method: string, path: string, version: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  get(path: string, version: string): Promise<TestResponse>;
  post(path: string, version: string, body?: unknown): Promise<TestResponse>;
  patch(path: string, version: string, body?: unknown): Promise<TestResponse>;
  del(path: string, version: string): Promise<TestResponse>;
}

/** Build an {@link Api} for a running emulator (paths are relative to the base URL). */
export function apiFor(emu: () => RunningEmulator): Api {
  const call = (method: string, path: string, version: string, body?: unknown, headers: Record<string, string> = {}) => {
    const e = emu();
    const req: TestRequest = { method, headers: { ...accept(version), ...headers } };
    if (body !== undefined) req.body = body;
    return digestFetch(e.url + path, e.credentials.apiKey.publicKey, e.credentials.apiKey.privateKey, req);
  };
  return {
    call,
    get: (p, v) => call("GET", p, v),
    post: (p, v, b) => call("POST", p, v, b),
    patch: (p, v, b) => call("PATCH", p, v, b),
    del: (p, v) => call("DELETE", p, v),
  };
}

/** Start an emulator for the current test file; returns a getter and an {@link Api}. */
export function useEmulator(options: EmulatorOptions = {}): { emu: () => RunningEmulator; api: Api } {
  let running: RunningEmulator | undefined;
  beforeAll(async () => {
    running = await startEmulator({ timeScale: 0, ...options });
  });
  afterAll(async () => {
    await running?.close();
  });
  const emu = () => {
    if (!running) throw new Error("emulator not started");
    return running;
  };
  return { emu, api: apiFor(emu) };
}
