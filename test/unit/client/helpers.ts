/** Shared MockAgent harness for client and auth unit tests (not a test file itself). */
import { MockAgent, type Interceptable } from "undici";
import { AtlasClient, type AtlasClientEvent, type AtlasClientOptions } from "../../../provider/client";
import { TokenCache } from "../../../provider/auth/service-account";

export const BASE = "https://cloud.mongodb.com";
export const GROUP = "6a0000000000000000000001";
export const BUCKET_ID = "6a00000000000000000000c1";
export const SA_SECRET = "mdb_sa_sk_unit0test0secret0do0not0use";
export const PRIVATE_KEY = "3b1e4f0a-5c2d-4e8f-9a7b-000000unit00";
export const SA = { kind: "serviceAccount", clientId: "mdb_sa_id_6a00000000000000000000aa", clientSecret: SA_SECRET } as const;
export const API_KEY = { kind: "apiKey", publicKey: "unitpubk", privateKey: PRIVATE_KEY } as const;
export const TOKEN = "unit-access-token-0123456789abcdef";

export const V20240530 = "application/vnd.atlas.2024-05-30+json";
export const V20230101 = "application/vnd.atlas.2023-01-01+json";
export const V20240805 = "application/vnd.atlas.2024-08-05+json";

/** Response headers as Atlas sends them for a versioned 2xx. */
export function atlasJson(version: string): Record<string, string> {
  return { "content-type": `application/vnd.atlas.${version}+json;charset=utf-8` };
}

/** An Atlas error response: plain application/json body plus X-Error-Code. */
export function atlasError(status: number, errorCode: string, detail: string, reason = "Error") {
  return {
    body: JSON.stringify({ detail, error: status, errorCode, parameters: [], reason }),
    headers: { "content-type": "application/json", "x-error-code": errorCode } as Record<string, string>,
  };
}

export interface Harness {
  client: AtlasClient;
  agent: MockAgent;
  pool: Interceptable;
  sleeps: number[];
  events: AtlasClientEvent[];
  clock: { t: number };
  tokenCache: TokenCache;
}

const open: MockAgent[] = [];

/** For afterEach: every interceptor was used, then the agents are closed. */
export async function closeHarnesses(): Promise<void> {
  const agents = open.splice(0);
  try {
    for (const agent of agents) agent.assertNoPendingInterceptors();
  } finally {
    await Promise.all(agents.map((a) => a.close()));
  }
}

/** A client wired to a fresh MockAgent with injected sleep/clock/random (no real waiting). */
export function harness(overrides: Partial<AtlasClientOptions> = {}): Harness {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  open.push(agent);
  const clock = { t: Date.parse("2026-08-10T03:00:00Z") };
  const sleeps: number[] = [];
  const events: AtlasClientEvent[] = [];
  const tokenCache = new TokenCache();
  const client = new AtlasClient({
    baseUrl: BASE,
    credentials: SA,
    dispatcher: agent,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    random: () => 0.5,
    now: () => clock.t,
    onEvent: (e) => events.push(e),
    tokenCache,
    ...overrides,
  });
  return { client, agent, pool: agent.get(BASE), sleeps, events, clock, tokenCache };
}

/** Intercepts `times` token requests answering TOKEN (or `token`). */
export function interceptToken(pool: Interceptable, opts: { times?: number; token?: string; expiresIn?: number } = {}): void {
  pool
    .intercept({ path: "/api/oauth/token", method: "POST" })
    .reply(
      200,
      JSON.stringify({ access_token: opts.token ?? TOKEN, token_type: "Bearer", expires_in: opts.expiresIn ?? 3600 }),
      { headers: { "content-type": "application/json" } },
    )
    .times(opts.times ?? 1);
}

/** The requests the agent saw. */
export function calls(agent: MockAgent) {
  return agent.getCallHistory()?.calls() ?? [];
}

/** The requests to Atlas API paths (not the token endpoint). */
export function apiCalls(agent: MockAgent) {
  return calls(agent).filter((c) => c.path.startsWith("/api/atlas/"));
}

/** Case-insensitive header lookup on a recorded call. */
export function headerOf(call: { headers: Record<string, string | string[]> | null | undefined }, name: string): string | undefined {
  const headers = call.headers ?? {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name.toLowerCase()) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Collects an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Error serializations a secret must never appear in. */
export function serializations(error: unknown): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { inspect } = require("node:util") as typeof import("node:util");
  const e = error as Error;
  return [
    String(e.message),
    String(e.stack),
    JSON.stringify(error),
    JSON.stringify({ ...(error as object), message: e.message, stack: e.stack }),
    inspect(error, { depth: 10, showHidden: true }),
  ];
}
