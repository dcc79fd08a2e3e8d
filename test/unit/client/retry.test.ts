import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  classifyTransportError,
  decideRetry,
  DEFAULT_RETRY_OPTIONS,
  isIdempotentMethod,
  type AttemptFailure,
  type RetryContext,
} from "../../../provider/client/retry";
import { parseRetryAfter } from "../../../provider/client/retry-after";

function ctx(partial: Partial<RetryContext> & { failure: AttemptFailure }): RetryContext {
  return {
    method: "GET",
    idempotent: true,
    attempt: 1,
    elapsedMs: 0,
    options: { ...DEFAULT_RETRY_OPTIONS },
    random: () => 0.5,
    ...partial,
  };
}

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-08-10T03:00:00Z");
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter(["55"], now)).toBe(55_000);
  });
  it("reads an HTTP-date relative to now, never negative", () => {
    expect(parseRetryAfter("Mon, 10 Aug 2026 03:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Mon, 10 Aug 2026 02:59:00 GMT", now)).toBe(0);
  });
  it("ignores absent or malformed values", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("method idempotency", () => {
  it("treats GET/PUT/DELETE/HEAD as idempotent and POST/PATCH as not", () => {
    for (const m of ["GET", "PUT", "DELETE", "HEAD", "get"]) expect(isIdempotentMethod(m)).toBe(true);
    for (const m of ["POST", "PATCH"]) expect(isIdempotentMethod(m)).toBe(false);
  });
});

describe("classifyTransportError", () => {
  it("knows which failures happen before the request is sent", () => {
    expect(classifyTransportError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))).toBe("notSent");
    expect(classifyTransportError(Object.assign(new Error("x"), { code: "UND_ERR_CONNECT_TIMEOUT" }))).toBe("notSent");
    expect(classifyTransportError(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe("maybeSent");
    expect(classifyTransportError(Object.assign(new Error("closed"), { code: "UND_ERR_SOCKET" }))).toBe("maybeSent");
    expect(classifyTransportError(new Error("wrapped", { cause: Object.assign(new Error("r"), { code: "ECONNRESET" }) }))).toBe(
      "maybeSent",
    );
    expect(classifyTransportError(new TypeError("bug"))).toBe("unknown");
  });
});

describe("backoffDelay", () => {
  it("doubles per attempt with jitter between half and the full step, capped", () => {
    const opts = { baseDelayMs: 500, maxDelayMs: 3000 };
    expect(backoffDelay(1, opts, () => 0)).toBe(250);
    expect(backoffDelay(1, opts, () => 0.999999)).toBe(500);
    expect(backoffDelay(2, opts, () => 0)).toBe(500);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(1500);
    expect(backoffDelay(10, opts, () => 0.999999)).toBe(3000);
  });
  it("is never zero", () => {
    expect(backoffDelay(1, { baseDelayMs: 500, maxDelayMs: 20_000 }, () => 0)).toBeGreaterThan(0);
  });
});

describe("decideRetry", () => {
  it("retries transient statuses on idempotent requests", () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(decideRetry(ctx({ failure: { kind: "status", status } })).retry).toBe(true);
    }
  });
  it("does not retry other 4xx", () => {
    for (const status of [400, 401, 403, 404, 409]) {
      const d = decideRetry(ctx({ failure: { kind: "status", status } }));
      expect(d).toMatchObject({ retry: false, reason: "notRetryable", mayHaveBeenProcessed: false });
    }
  });
  it("waits exactly Retry-After", () => {
    expect(decideRetry(ctx({ failure: { kind: "status", status: 429, retryAfterMs: 2000 } }))).toEqual({
      retry: true,
      delayMs: 2000,
    });
  });
  it("fails fast when Retry-After exceeds the cap", () => {
    const d = decideRetry(ctx({ failure: { kind: "status", status: 429, retryAfterMs: 61_000 } }));
    expect(d).toMatchObject({ retry: false, reason: "retryAfterTooLong" });
  });
  it("backs off with jitter when there is no Retry-After", () => {
    expect(decideRetry(ctx({ attempt: 2, failure: { kind: "status", status: 503 } }))).toEqual({ retry: true, delayMs: 750 });
  });
  it("stops after maxAttempts and at the deadline", () => {
    expect(decideRetry(ctx({ attempt: 4, failure: { kind: "status", status: 503 } }))).toMatchObject({
      retry: false,
      reason: "attemptsExhausted",
    });
    expect(
      decideRetry(ctx({ elapsedMs: 119_000, failure: { kind: "status", status: 429, retryAfterMs: 2000 } })),
    ).toMatchObject({ retry: false, reason: "deadline" });
  });
  it("retries a POST after 429 (rejected before processing) but never after a 5xx, and flags it", () => {
    expect(decideRetry(ctx({ method: "POST", idempotent: false, failure: { kind: "status", status: 429, retryAfterMs: 1000 } }))).toEqual({
      retry: true,
      delayMs: 1000,
    });
    for (const status of [500, 502, 503, 504, 408]) {
      expect(decideRetry(ctx({ method: "POST", idempotent: false, failure: { kind: "status", status } }))).toMatchObject({
        retry: false,
        mayHaveBeenProcessed: true,
      });
    }
  });
  it("never resends a POST after a reset or timeout, but does when the connection was never made", () => {
    const post = { method: "POST", idempotent: false } as const;
    expect(decideRetry(ctx({ ...post, failure: { kind: "transport", failure: "maybeSent" } }))).toMatchObject({
      retry: false,
      mayHaveBeenProcessed: true,
    });
    expect(decideRetry(ctx({ ...post, failure: { kind: "timeout" } }))).toMatchObject({ retry: false, mayHaveBeenProcessed: true });
    expect(decideRetry(ctx({ ...post, failure: { kind: "transport", failure: "notSent" } })).retry).toBe(true);
  });
  it("retries resets and timeouts of idempotent requests; never unknown errors", () => {
    expect(decideRetry(ctx({ failure: { kind: "transport", failure: "maybeSent" } })).retry).toBe(true);
    expect(decideRetry(ctx({ failure: { kind: "timeout" } })).retry).toBe(true);
    expect(decideRetry(ctx({ failure: { kind: "transport", failure: "unknown" } })).retry).toBe(false);
  });
});
