/**
 * AtlasClient options and their validation. Checked once, in the constructor, so a bad option
 * fails at construction with a message naming the option (never its value: it may be a secret).
 */
import * as z from "zod";
import type { Dispatcher } from "undici";
import { AtlasConfigError } from "../errors";
import type { Credentials } from "../config";
import type { TokenCache } from "../auth/service-account";
import type { AtlasClientEventHandler } from "./events";
import type { Timeouts } from "./http";
import type { RetryOptions } from "./retry";

/** Options of `new AtlasClient(...)` (docs/ARCHITECTURE.md "Seam between client and resources"). */
export interface AtlasClientOptions {
  /** e.g. `https://cloud.mongodb.com`; http only for loopback hosts. */
  baseUrl: string;
  /** Where `baseUrl` was set (e.g. `stack config "mongodbatlas:baseUrl"`), named in error messages. */
  baseUrlSource?: string | undefined;
  credentials: Credentials;
  /** undici dispatcher (tests pass a MockAgent). Default: an Agent owned by the client. */
  dispatcher?: Dispatcher | undefined;
  timeouts?: Partial<Timeouts> | undefined;
  retry?: Partial<RetryOptions> | undefined;
  /** Waits between retries; injectable so tests never sleep. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** [0, 1) source for backoff jitter. */
  random?: (() => number) | undefined;
  /** Clock in ms since the epoch (token expiry, Retry-After dates, deadlines). */
  now?: (() => number) | undefined;
  /** Debug/metrics hook; events never carry headers or secrets. */
  onEvent?: AtlasClientEventHandler | undefined;
  /** OAuth token cache; defaults to the process-wide one. */
  tokenCache?: TokenCache | undefined;
  /** Cnonce source for digest auth (tests). */
  digestCnonce?: (() => string) | undefined;
}

const nonEmpty = z.string().trim().min(1);
const positiveMs = z.number().int().positive().max(24 * 3600 * 1000);
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", { message: "expected a function" });
const optionalFn = fn.optional();

const optionsSchema = z.strictObject({
  baseUrl: nonEmpty,
  baseUrlSource: z.string().optional(),
  credentials: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("serviceAccount"), clientId: nonEmpty, clientSecret: nonEmpty }),
    z.strictObject({ kind: z.literal("apiKey"), publicKey: nonEmpty, privateKey: nonEmpty }),
  ]),
  dispatcher: z
    .custom<Dispatcher>(
      (v) => typeof v === "object" && v !== null && typeof (v as { dispatch?: unknown }).dispatch === "function",
      { message: "expected an undici Dispatcher" },
    )
    .optional(),
  timeouts: z
    .strictObject({
      connectMs: positiveMs.optional(),
      headersMs: positiveMs.optional(),
      bodyMs: positiveMs.optional(),
      requestMs: positiveMs.optional(),
    })
    .optional(),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(20).optional(),
      baseDelayMs: z.number().int().nonnegative().optional(),
      maxDelayMs: z.number().int().nonnegative().optional(),
      maxRetryAfterMs: z.number().int().nonnegative().optional(),
      deadlineMs: positiveMs.optional(),
    })
    .optional(),
  sleep: optionalFn,
  random: optionalFn,
  now: optionalFn,
  onEvent: optionalFn,
  tokenCache: z
    .custom<TokenCache>((v) => typeof v === "object" && v !== null && typeof (v as { get?: unknown }).get === "function", {
      message: "expected a TokenCache",
    })
    .optional(),
  digestCnonce: optionalFn,
});

/**
 * Validates client options.
 * @throws AtlasConfigError naming every bad option (paths and problems only, never values).
 */
export function checkClientOptions(options: unknown): void {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return;
  const problems = parsed.error.issues.slice(0, 8).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "options";
    return `${where}: ${issue.message}`;
  });
  // No `cause`: zod issues can carry the offending input, which may be a secret.
  throw new AtlasConfigError(`Invalid AtlasClient options: ${problems.join("; ")}`);
}
