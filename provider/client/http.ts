/**
 * One HTTP exchange with Atlas, with retries: builds the URL and headers, applies credentials
 * (and the 401 resend they allow), sets every timeout, always consumes the body, maps failures
 * to the AtlasError hierarchy and asks retry.ts whether to try again.
 */
import type { Dispatcher } from "undici";
import { undiciCore } from "./undici-core";
import type { IncomingHttpHeaders } from "node:http";
import {
  AtlasApiError,
  AtlasNetworkError,
  AtlasTimeoutError,
  type AtlasError,
  redact,
} from "../errors";
import type { Authenticator } from "../auth/authenticator";
import { USER_AGENT } from "../version";
import { AtlasErrorBody } from "../schemas/common";
import type { AtlasClientEvent, AtlasClientEventHandler } from "./events";
import { isJsonContentType } from "./media-types";
import { parseRetryAfter } from "./retry-after";
import {
  classifyTransportError,
  decideRetry,
  isIdempotentMethod,
  type AttemptFailure,
  type RetryOptions,
} from "./retry";

/** Per-request timeouts in milliseconds. */
export interface Timeouts {
  /** TCP/TLS connect (only applies to the Agent the client creates itself). */
  connectMs: number;
  /** Until response headers arrive (undici `headersTimeout`). */
  headersMs: number;
  /** Between body chunks (undici `bodyTimeout`). */
  bodyMs: number;
  /** Whole attempt, headers and body (AbortSignal). */
  requestMs: number;
}

/** Defaults: 10 s connect, 30 s headers, 30 s body, 60 s per attempt. */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 30_000,
  requestMs: 60_000,
});

/** HTTP methods this client sends. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One logical request (it may be sent several times). */
export interface HttpRequest {
  method: HttpMethod;
  /** Path under the base URL, starting with `/`, already percent-encoded. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** The Accept header (a versioned Atlas media type, or application/json). */
  accept: string;
  /** A JSON body, sent with Content-Type = `contentType` (default: `accept`). */
  json?: unknown;
  /** A pre-encoded body (the OAuth form). */
  rawBody?: { contentType: string; text: string };
  contentType?: string;
  /** Overrides the method's idempotency for the retry policy (see retry.ts). */
  idempotent?: boolean;
  /** Credentials: an Authenticator, a fixed Authorization value, or none. */
  auth: Authenticator | { fixedHeader: string; describeRejection: string; secrets: string[] } | undefined;
}

/** A 2xx response with its body read. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the response said JSON and had a body; otherwise undefined. */
  json: unknown;
  /** True when the body was non-empty but not JSON (the caller decides whether that is an error). */
  nonJsonBody: boolean;
  contentType: string | undefined;
}

/** Everything the transport needs; built and validated by AtlasClient. */
export interface HttpTransportOptions {
  baseUrl: string;
  dispatcher: Dispatcher;
  timeouts: Timeouts;
  retry: RetryOptions;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  onEvent: AtlasClientEventHandler | undefined;
  /** Extra secrets to scrub (beyond those of the request's authenticator). */
  secrets: () => string[];
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

type AttemptResult =
  | { ok: true; response: RawResponse }
  | {
      ok: false;
      failure: AttemptFailure;
      /** Builds the error to throw if we stop here. */
      toError(info: { mayHaveBeenProcessed: boolean; attempts: number; retryAfterTooLong: boolean }): AtlasError;
    };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Sends requests to Atlas with retries. Used by AtlasClient; not part of the public API. */
export class HttpTransport {
  constructor(private readonly options: HttpTransportOptions) {}

  /**
   * Sends `req` until it succeeds or the retry policy gives up.
   * @returns the 2xx response with its body read and JSON parsed.
   * @throws AtlasApiError for a final status ≥ 400 (requestMayHaveBeenProcessed for a POST 5xx/408),
   *   AtlasNetworkError / AtlasTimeoutError when no response arrived, or whatever credentials
   *   acquisition throws (an AtlasError from the token request).
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const { now, retry } = this.options;
    const started = now();
    const idempotent = req.idempotent ?? isIdempotentMethod(req.method);
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(req, attempt);
      if (result.ok) return toHttpResponse(result.response);
      const decision = decideRetry({
        method: req.method,
        idempotent,
        attempt,
        elapsedMs: now() - started,
        failure: result.failure,
        options: retry,
        random: this.options.random,
      });
      if (!decision.retry) {
        throw result.toError({
          mayHaveBeenProcessed: decision.mayHaveBeenProcessed,
          attempts: attempt,
          retryAfterTooLong: decision.reason === "retryAfterTooLong",
        });
      }
      this.emit({ type: "retry", method: req.method, path: req.path, attempt, delayMs: decision.delayMs, ...statusOf(result.failure) });
      await this.options.sleep(decision.delayMs);
    }
  }

  /** All the secrets that must never appear in an error. */
  private secretsFor(req: HttpRequest): string[] {
    const fromAuth = req.auth === undefined ? [] : "fixedHeader" in req.auth ? req.auth.secrets : req.auth.secrets();
    return [...fromAuth, ...this.options.secrets()];
  }

  private emit(event: AtlasClientEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A logging hook must not break the request.
    }
  }

  /** One attempt: send, answering auth challenges (a 401 resend is not a retry). */
  private async attempt(req: HttpRequest, attempt: number): Promise<AttemptResult> {
    const url = this.buildUrl(req);
    const uri = `${url.pathname}${url.search}`;
    const session =
      req.auth === undefined || "fixedHeader" in req.auth ? undefined : req.auth.session({ method: req.method, uri });
    for (;;) {
      const authorization =
        req.auth === undefined ? undefined : "fixedHeader" in req.auth ? req.auth.fixedHeader : await session?.header();
      const sent = await this.sendOnce(req, url, authorization);
      this.emit({
        type: "request",
        method: req.method,
        path: req.path,
        attempt,
        ...(sent.ok ? { status: sent.response.status } : {}),
      });
      if (!sent.ok) return sent;
      const { response } = sent;
      if (response.status === 401 && session && (await session.onUnauthorized(response.headers["www-authenticate"]))) {
        continue;
      }
      if (response.status >= 200 && response.status < 300) return sent;
      return this.statusFailure(req, response);
    }
  }

  private buildUrl(req: HttpRequest): URL {
    const url = new URL(this.options.baseUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  private async sendOnce(req: HttpRequest, url: URL, authorization: string | undefined): Promise<AttemptResult> {
    const { timeouts, dispatcher } = this.options;
    const headers: Record<string, string> = { accept: req.accept, "user-agent": USER_AGENT };
    let body: string | undefined;
    if (req.rawBody) {
      headers["content-type"] = req.rawBody.contentType;
      body = req.rawBody.text;
    } else if (req.json !== undefined) {
      headers["content-type"] = req.contentType ?? req.accept;
      body = JSON.stringify(req.json);
    }
    if (authorization !== undefined) headers["authorization"] = authorization;

    const signal = AbortSignal.timeout(timeouts.requestMs);
    let res: Dispatcher.ResponseData | undefined;
    try {
      res = await undiciCore().request(url, {
        method: req.method,
        headers,
        body,
        dispatcher,
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.bodyMs,
        signal,
      });
      // Always read the body to the end: an unread body keeps the socket (undici README, GC).
      const text = await res.body.text();
      return { ok: true, response: { status: res.statusCode, headers: res.headers, text } };
    } catch (error) {
      if (res) {
        // The body failed half-way; make sure the stream is released.
        res.body.destroy();
      }
      return this.transportFailure(req, error, signal.aborted);
    }
  }

  private transportFailure(req: HttpRequest, error: unknown, aborted: boolean): AttemptResult {
    const { timeouts } = this.options;
    const kind = classifyTransportError(error);
    const code = errorCodeOf(error);
    const isUndiciTimeout =
      code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT";
    const secrets = this.secretsFor(req);
    if (aborted || isUndiciTimeout) {
      const timeoutMs = aborted
        ? timeouts.requestMs
        : code === "UND_ERR_HEADERS_TIMEOUT"
          ? timeouts.headersMs
          : code === "UND_ERR_BODY_TIMEOUT"
            ? timeouts.bodyMs
            : timeouts.connectMs;
      const what = aborted
        ? "no complete response"
        : code === "UND_ERR_HEADERS_TIMEOUT"
          ? "waiting for response headers"
          : code === "UND_ERR_BODY_TIMEOUT"
            ? "reading the response body"
            : "connecting";
      const failure: AttemptFailure =
        code === "UND_ERR_CONNECT_TIMEOUT" ? { kind: "transport", failure: "notSent" } : { kind: "timeout" };
      return {
        ok: false,
        failure,
        toError: (info) =>
          new AtlasTimeoutError(
            {
              method: req.method,
              path: req.path,
              timeoutMs,
              what,
              requestMayHaveBeenProcessed: info.mayHaveBeenProcessed,
              attempts: info.attempts,
            },
            { cause: sanitizedCause(error, secrets) },
          ),
      };
    }
    const detail = redact(describeTransportError(error), secrets);
    return {
      ok: false,
      failure: { kind: "transport", failure: kind },
      toError: (info) =>
        new AtlasNetworkError(
          {
            method: req.method,
            path: req.path,
            detail,
            requestMayHaveBeenProcessed: info.mayHaveBeenProcessed,
            attempts: info.attempts,
          },
          { cause: sanitizedCause(error, secrets) },
        ),
    };
  }

  private statusFailure(req: HttpRequest, response: RawResponse): AttemptResult {
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"], this.options.now());
    const secrets = this.secretsFor(req);
    const body = parseErrorBody(response);
    const errorCode =
      body?.errorCode ??
      header(response.headers, "x-error-code") ??
      (typeof body?.error === "string" ? body.error : undefined);
    const detail = body?.detail ?? body?.error_description ?? undefined;
    const reason = body?.reason ?? undefined;
    const hint =
      response.status === 401 && req.auth !== undefined
        ? "fixedHeader" in req.auth
          ? req.auth.describeRejection
          : req.auth.describeRejection()
        : undefined;
    return {
      ok: false,
      failure: { kind: "status", status: response.status, retryAfterMs },
      toError: (info) =>
        new AtlasApiError({
          status: response.status,
          method: req.method,
          path: req.path,
          errorCode,
          detail: detail === undefined ? undefined : redact(detail, secrets),
          reason: reason === undefined ? undefined : redact(reason, secrets),
          parameters: body?.parameters ?? undefined,
          retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
          requestMayHaveBeenProcessed: info.mayHaveBeenProcessed,
          hint:
            hint ??
            (info.retryAfterTooLong && retryAfterMs !== undefined
              ? `Atlas asked to retry after ${Math.ceil(retryAfterMs / 1000)} s, longer than the client waits`
              : info.attempts > 1
                ? `after ${info.attempts} attempts`
                : undefined),
        }),
    };
  }
}

/** Reads the content type and parses a JSON body; a non-JSON or unparsable body is flagged, not thrown. */
function toHttpResponse(raw: RawResponse): HttpResponse {
  const contentType = header(raw.headers, "content-type");
  const base = { status: raw.status, headers: raw.headers, contentType };
  if (raw.text.trim() === "") return { ...base, json: undefined, nonJsonBody: false };
  if (!isJsonContentType(contentType)) return { ...base, json: undefined, nonJsonBody: true };
  try {
    return { ...base, json: JSON.parse(raw.text) as unknown, nonJsonBody: false };
  } catch {
    // The caller's schema check reports this as an unexpected body, with method and path.
    return { ...base, json: undefined, nonJsonBody: true };
  }
}

function statusOf(failure: AttemptFailure): { status?: number } {
  return failure.kind === "status" ? { status: failure.status } : {};
}

/** Best-effort parse of an Atlas `ApiError` body; undefined for non-JSON or odd bodies. */
function parseErrorBody(response: RawResponse): AtlasErrorBody | undefined {
  if (!isJsonContentType(header(response.headers, "content-type")) || response.text.trim() === "") return undefined;
  try {
    const parsed = AtlasErrorBody.safeParse(JSON.parse(response.text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function errorCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeTransportError(error: unknown): string {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/**
 * The low-level error as a `cause`, reduced to name, code and a scrubbed message: undici errors
 * can hold references to the request (and so its headers), which util.inspect would print.
 */
function sanitizedCause(error: unknown, secrets: string[]): Error {
  const message = redact(error instanceof Error ? error.message : String(error), secrets);
  const cause = new Error(message);
  cause.name = error instanceof Error ? error.name : "Error";
  const code = errorCodeOf(error);
  if (code !== undefined) Object.assign(cause, { code });
  return cause;
}
