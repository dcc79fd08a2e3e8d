/**
 * The retry policy as pure functions: which failures are retried, how long to wait, when to give up.
 * The HTTP layer (http.ts) asks `decideRetry()` after each failed attempt; tests call it directly
 * with injected `random`.
 *
 * Decisions (documented in the report and JSDoc):
 * - Idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS, and requests the caller marks idempotent,
 *   such as the export bucket PATCH that sets `requirePrivateNetworking` to a fixed value) are
 *   retried on 408, 429, 500, 502, 503, 504, connection errors and timeouts.
 * - A POST is retried only when Atlas certainly did not act on it: a 429 (rate limiting rejects a
 *   request before any work is done) or a connection that was never established (refused, DNS,
 *   connect timeout). After a 5xx/408, a reset or a timeout once the request was sent, it is not
 *   resent and the error says `requestMayHaveBeenProcessed: true`.
 * - `Retry-After` is honoured up to `maxRetryAfterMs`; a longer one fails fast with the API error.
 *   Without it: exponential backoff with jitter, never a zero delay.
 * - Attempts are bounded by `maxAttempts`, and no wait may end past the total `deadlineMs`.
 */

/** Retry tuning; all durations in milliseconds. */
export interface RetryOptions {
  /** Total attempts including the first (1 = no retries). */
  maxAttempts: number;
  /** Backoff before the second attempt; doubles each time. */
  baseDelayMs: number;
  /** Upper bound of one backoff wait. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this fails fast instead of waiting. */
  maxRetryAfterMs: number;
  /** Budget for the whole operation (all attempts and waits). */
  deadlineMs: number;
}

/** Defaults: 4 attempts, 0.5 s → 1 s → 2 s (jittered, ≤ 20 s), Retry-After ≤ 60 s, 120 s overall. */
export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  deadlineMs: 120_000,
});

/** HTTP statuses worth retrying (transient by definition). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/** True for methods that are idempotent by HTTP semantics. PATCH and POST are not. Never throws. */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** Error codes meaning the connection was never established, so nothing reached Atlas. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETDOWN",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Error codes meaning the connection broke or stalled after (part of) the request may have been sent. */
const AFTER_SEND_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_ABORTED",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);

/** How a transport-level failure relates to the request having been sent. */
export type TransportFailureKind = "notSent" | "maybeSent" | "unknown";

/**
 * Classifies a low-level error (undici / Node) by its `code`. `unknown` errors (not a transport
 * failure we recognise, e.g. a programming error) are never retried. Never throws.
 */
export function classifyTransportError(error: unknown): TransportFailureKind {
  const code = errorCode(error);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return "notSent";
  if (code !== undefined && AFTER_SEND_CODES.has(code)) return "maybeSent";
  return "unknown";
}

function errorCode(error: unknown): string | undefined {
  // undici wraps socket errors; the interesting code may sit on the cause.
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (typeof e === "object" && e !== null) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === "string") return code;
      e = (e as { cause?: unknown }).cause;
    } else break;
  }
  return undefined;
}

/** What went wrong in one attempt. */
export type AttemptFailure =
  | { kind: "status"; status: number; retryAfterMs?: number | undefined }
  | { kind: "transport"; failure: TransportFailureKind }
  /** The per-attempt timeout fired (after the request was sent). */
  | { kind: "timeout" };

/** Inputs of `decideRetry()`. */
export interface RetryContext {
  method: string;
  /** True when resending cannot do harm (idempotent method, or marked so by the caller). */
  idempotent: boolean;
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** Milliseconds since the operation started. */
  elapsedMs: number;
  failure: AttemptFailure;
  options: RetryOptions;
  /** Returns a number in [0, 1); injectable for tests. */
  random: () => number;
}

/** The outcome of `decideRetry()`. */
export type RetryDecision =
  | { retry: true; delayMs: number }
  | {
      retry: false;
      /** Why we stop, for the error message. */
      reason: "notRetryable" | "attemptsExhausted" | "deadline" | "retryAfterTooLong";
      /** True when Atlas may have acted on the request (only ever for a non-idempotent one). */
      mayHaveBeenProcessed: boolean;
    };

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so the wait is
 * never zero and concurrent clients spread out. Never throws.
 */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs">, random: () => number): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** True when Atlas may have acted on a non-idempotent request that failed this way. */
function mayHaveActed(failure: AttemptFailure): boolean {
  switch (failure.kind) {
    case "status":
      // 429 is rejected before any work; other 4xx are deterministic rejections. 5xx/408: unknown.
      return failure.status >= 500 || failure.status === 408;
    case "transport":
      return failure.failure !== "notSent";
    case "timeout":
      return true;
  }
}

/** True when resending is safe and sensible for this failure. */
function isRetryable(ctx: Pick<RetryContext, "idempotent" | "failure">): boolean {
  const { failure } = ctx;
  switch (failure.kind) {
    case "status":
      if (!RETRYABLE_STATUSES.has(failure.status)) return false;
      return ctx.idempotent || failure.status === 429;
    case "transport":
      if (failure.failure === "unknown") return false;
      return ctx.idempotent || failure.failure === "notSent";
    case "timeout":
      return ctx.idempotent;
  }
}

/**
 * Decides whether to retry after a failed attempt, and how long to wait first. Pure; never throws.
 */
export function decideRetry(ctx: RetryContext): RetryDecision {
  const processed = !ctx.idempotent && mayHaveActed(ctx.failure);
  const stop = (reason: "notRetryable" | "attemptsExhausted" | "deadline" | "retryAfterTooLong"): RetryDecision => ({
    retry: false,
    reason,
    mayHaveBeenProcessed: processed,
  });

  if (!isRetryable(ctx)) return stop("notRetryable");
  if (ctx.attempt >= ctx.options.maxAttempts) return stop("attemptsExhausted");

  let delayMs: number;
  const retryAfterMs = ctx.failure.kind === "status" ? ctx.failure.retryAfterMs : undefined;
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > ctx.options.maxRetryAfterMs) return stop("retryAfterTooLong");
    // Retry-After: 0 still gets a small wait: never hammer a server that said "slow down".
    delayMs = Math.max(retryAfterMs, ctx.failure.kind === "status" && ctx.failure.status === 429 ? 100 : 0);
  } else {
    delayMs = backoffDelay(ctx.attempt, ctx.options, ctx.random);
  }
  if (ctx.elapsedMs + delayMs >= ctx.options.deadlineMs) return stop("deadline");
  return { retry: true, delayMs };
}
