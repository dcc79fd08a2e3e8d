/**
 * The package's one error hierarchy. Every failure that reaches Pulumi is one of these, so the
 * message Pulumi prints stands on its own, and code can branch on `code`/`status`/`errorCode`
 * instead of matching message text.
 *
 * The dynamic provider runs a re-`require`d copy of this module, so plain `instanceof` is not
 * reliable across copies: each class is branded with a `Symbol.for` key and overrides
 * `Symbol.hasInstance`, and the `is*` guards check the brand.
 *
 * No error ever carries a header, key, secret or token: messages are built from method, path,
 * status and Atlas's own error body only, and `redact()` scrubs anything else that is logged.
 */

const BRAND = Symbol.for("pulumi-atlas-export.error");

/** Stable codes for the kinds of failure. */
export type AtlasErrorCode =
  | "ATLAS_API_ERROR"
  | "ATLAS_NETWORK_ERROR"
  | "ATLAS_TIMEOUT"
  | "ATLAS_RESPONSE_INVALID"
  | "ATLAS_CONFIG_ERROR";

function brandOf(value: unknown): AtlasErrorCode | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as { [BRAND]?: AtlasErrorCode })[BRAND];
}

/** Base class of every error this package throws. */
export class AtlasError extends Error {
  /** Which kind of failure this is; stable across versions. */
  readonly code: AtlasErrorCode;
  declare readonly [BRAND]: AtlasErrorCode;

  constructor(code: AtlasErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: code, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const code = brandOf(value);
    if (code === undefined) return false;
    if (this === AtlasError) return true;
    return (this as unknown as { brandCode?: AtlasErrorCode }).brandCode === code;
  }
}

/** Details of an Atlas error response (`ApiError` in the spec). */
export interface AtlasApiErrorInit {
  status: number;
  method: string;
  /** Request path without the query string, e.g. `/api/atlas/v2/groups/<id>/backup/exportBuckets`. */
  path: string;
  errorCode?: string | undefined;
  detail?: string | undefined;
  reason?: string | undefined;
  parameters?: unknown[] | undefined;
  /** Seconds from `Retry-After`, when Atlas sent one. */
  retryAfterSeconds?: number | undefined;
  /**
   * True when a non-idempotent request (a POST) got a 5xx/408: Atlas may have acted on it before
   * failing. Look the object up instead of resending. Defaults to false.
   */
  requestMayHaveBeenProcessed?: boolean | undefined;
  /**
   * A sentence appended to the message telling the user what to check, e.g. which API key
   * (public part only) Atlas rejected. Must never contain a secret.
   */
  hint?: string | undefined;
}

/** Atlas answered with an HTTP status ≥ 400. */
export class AtlasApiError extends AtlasError {
  static readonly brandCode: AtlasErrorCode = "ATLAS_API_ERROR";
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** Atlas's `errorCode` (or the `X-Error-Code` header); `UNKNOWN` when the body had none. */
  readonly errorCode: string;
  readonly detail: string | undefined;
  readonly reason: string | undefined;
  readonly parameters: unknown[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** See `AtlasApiErrorInit.requestMayHaveBeenProcessed`; false unless a POST got a 5xx/408. */
  readonly requestMayHaveBeenProcessed: boolean;

  constructor(init: AtlasApiErrorInit, options?: { cause?: unknown }) {
    const errorCode = init.errorCode ?? "UNKNOWN";
    const detail = init.detail ? `: ${init.detail}` : init.reason ? `: ${init.reason}` : "";
    const hint = init.hint ? ` (${init.hint})` : "";
    super(
      "ATLAS_API_ERROR",
      `${init.method} ${init.path} → ${init.status} ${errorCode}${detail}${hint}`,
      options,
    );
    this.requestMayHaveBeenProcessed = init.requestMayHaveBeenProcessed ?? false;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.errorCode = errorCode;
    this.detail = init.detail ?? undefined;
    this.reason = init.reason ?? undefined;
    this.parameters = init.parameters ?? undefined;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** Facts shared by the errors raised when no (complete) response arrived. */
export interface TransportErrorInit {
  method: string;
  path: string;
  /**
   * True when the request may have reached Atlas and been acted on although no response was
   * read (the connection dropped or timed out after the request was sent). A POST that fails
   * this way must not be resent blindly: look the object up instead.
   */
  requestMayHaveBeenProcessed: boolean;
  /** How many attempts were made before giving up. */
  attempts?: number;
}

/** The connection failed (refused, reset, DNS, TLS). */
export class AtlasNetworkError extends AtlasError {
  static readonly brandCode: AtlasErrorCode = "ATLAS_NETWORK_ERROR";
  readonly method: string;
  readonly path: string;
  readonly requestMayHaveBeenProcessed: boolean;
  readonly attempts: number;

  constructor(init: TransportErrorInit & { detail: string }, options?: { cause?: unknown }) {
    super(
      "ATLAS_NETWORK_ERROR",
      `${init.method} ${init.path} failed: ${init.detail}` +
        (init.attempts && init.attempts > 1 ? ` (after ${init.attempts} attempts)` : ""),
      options,
    );
    this.method = init.method;
    this.path = init.path;
    this.requestMayHaveBeenProcessed = init.requestMayHaveBeenProcessed;
    this.attempts = init.attempts ?? 1;
  }
}

/** A request or a whole retried operation ran past its deadline. */
export class AtlasTimeoutError extends AtlasError {
  static readonly brandCode: AtlasErrorCode = "ATLAS_TIMEOUT";
  readonly method: string;
  readonly path: string;
  readonly requestMayHaveBeenProcessed: boolean;
  readonly timeoutMs: number;
  readonly attempts: number;

  constructor(init: TransportErrorInit & { timeoutMs: number; what?: string }, options?: { cause?: unknown }) {
    super(
      "ATLAS_TIMEOUT",
      `${init.method} ${init.path} timed out after ${init.timeoutMs} ms` +
        (init.what ? ` (${init.what})` : "") +
        (init.attempts && init.attempts > 1 ? ` after ${init.attempts} attempts` : ""),
      options,
    );
    this.method = init.method;
    this.path = init.path;
    this.requestMayHaveBeenProcessed = init.requestMayHaveBeenProcessed;
    this.timeoutMs = init.timeoutMs;
    this.attempts = init.attempts ?? 1;
  }
}

/** Atlas answered 2xx but the body did not have the shape this package relies on. */
export class AtlasResponseValidationError extends AtlasError {
  static readonly brandCode: AtlasErrorCode = "ATLAS_RESPONSE_INVALID";
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** One line per problem, e.g. `_id: expected string`. */
  readonly issues: string[];

  constructor(
    init: { method: string; path: string; status: number; issues: string[] },
    options?: { cause?: unknown },
  ) {
    super(
      "ATLAS_RESPONSE_INVALID",
      `${init.method} ${init.path} → ${init.status} returned an unexpected body: ${init.issues.join("; ")}`,
      options,
    );
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.issues = init.issues;
  }
}

/** Credentials or client options are missing or malformed. Says what to set. */
export class AtlasConfigError extends AtlasError {
  static readonly brandCode: AtlasErrorCode = "ATLAS_CONFIG_ERROR";
  constructor(message: string, options?: { cause?: unknown }) {
    super("ATLAS_CONFIG_ERROR", message, options);
  }
}

/** True for any error thrown by this package, from any copy of it. */
export function isAtlasError(value: unknown): value is AtlasError {
  return brandOf(value) !== undefined;
}

/** True for an Atlas HTTP error, optionally with the given status. */
export function isAtlasApiError(value: unknown, status?: number): value is AtlasApiError {
  return brandOf(value) === "ATLAS_API_ERROR" && (status === undefined || (value as AtlasApiError).status === status);
}

/** True for an Atlas HTTP error with the given Atlas `errorCode`. */
export function isAtlasErrorCode(value: unknown, errorCode: string): value is AtlasApiError {
  return isAtlasApiError(value) && value.errorCode === errorCode;
}

/**
 * True for an error after which the request may have been processed although no usable answer
 * arrived: a network or timeout error after the request was sent, or a POST answered with a
 * 5xx/408 (`AtlasApiError.requestMayHaveBeenProcessed`).
 */
export function mayHaveBeenProcessed(value: unknown): boolean {
  const code = brandOf(value);
  return (
    (code === "ATLAS_NETWORK_ERROR" || code === "ATLAS_TIMEOUT" || code === "ATLAS_API_ERROR") &&
    (value as AtlasNetworkError | AtlasTimeoutError | AtlasApiError).requestMayHaveBeenProcessed === true
  );
}

/** What `redact()` puts in place of a secret. */
export const REDACTED = "[REDACTED]";

/**
 * Replaces every occurrence of each secret (private key, client secret, token, Basic/Digest
 * header value) in `text` with `[REDACTED]`. Used on any text that came from outside (Atlas's
 * `detail`, a low-level error message) before it goes into an error or a log line. Secrets
 * shorter than 4 characters are ignored so that redaction cannot shred ordinary words. Never throws.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join(REDACTED);
  }
  return out;
}
