/**
 * Optional request/response capture for the request log (`logBodies`, `--log-bodies`): headers
 * and bodies of each API request and its answer, so a user debugging CI can see what was sent.
 * Credentials never reach the log: `Authorization` keeps only its scheme (and, for Digest, the
 * non-secret parameters — the `response` hash is redacted), `Proxy-Authorization` and `Cookie`
 * are redacted, and secrets in OAuth form bodies (`client_secret`, `token`, `refresh_token`,
 * `password`, `client_assertion`) and token responses (`access_token`, `refresh_token`) too.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { parseAuthParams } from "./auth";

/** What replaces a secret. */
export const REDACTED = "[REDACTED]";

/** One side of an exchange as logged. `body` is parsed JSON, a form as an object, or text. */
export interface CapturedMessage {
  headers: Record<string, string>;
  body?: unknown;
}

const SECRET_FORM_FIELDS = new Set(["client_secret", "token", "refresh_token", "password", "client_assertion", "access_token"]);
const SECRET_JSON_FIELDS = new Set(["access_token", "refresh_token", "id_token", "client_secret", "privateKey", "clientSecret"]);
const MAX_BODY = 64 * 1024;

/** `Authorization` without its secret: Digest keeps username/realm/uri…, others only the scheme. */
export function redactAuthorization(value: string): string {
  const scheme = value.split(" ", 1)[0] ?? "";
  if (scheme.toLowerCase() !== "digest") return `${scheme} ${REDACTED}`;
  const params = parseAuthParams(value.slice(scheme.length));
  const kept = Object.entries(params).map(([k, v]) => `${k}="${k === "response" ? REDACTED : v}"`);
  return `${scheme} ${kept.join(", ")}`;
}

function redactHeaders(h: IncomingHttpHeaders | OutgoingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const name = k.toLowerCase();
    const value = Array.isArray(v) ? v.join(", ") : String(v);
    if (name === "authorization") out[name] = redactAuthorization(value);
    else if (name === "proxy-authorization" || name === "cookie" || name === "set-cookie") out[name] = REDACTED;
    else out[name] = value;
  }
  return out;
}

function redactJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactJson);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_JSON_FIELDS.has(k) ? REDACTED : redactJson(x);
    return out;
  }
  return v;
}

/** A body as logged: JSON parsed, form-encoded as an object, other text as is; secrets redacted. */
export function redactBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.subarray(0, MAX_BODY).toString("utf8") + (raw.length > MAX_BODY ? `…(${raw.length} bytes)` : "");
  const ct = (contentType ?? "").toLowerCase();
  if (ct.includes("application/x-www-form-urlencoded")) {
    const form: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) form[k] = SECRET_FORM_FIELDS.has(k) ? REDACTED : v;
    return form;
  }
  try {
    return redactJson(JSON.parse(text));
  } catch {
    return text;
  }
}

/** The request side. */
export function captureRequest(headers: IncomingHttpHeaders, body: Buffer): CapturedMessage {
  const out: CapturedMessage = { headers: redactHeaders(headers) };
  const b = redactBody(body, headers["content-type"]);
  if (b !== undefined) out.body = b;
  return out;
}

/**
 * Record what `res` sends (status headers passed to `writeHead`, the body passed to `end`).
 * Returns a getter of the captured response (undefined when nothing was sent, e.g. a dropped socket).
 */
export function captureResponse(res: ServerResponse): () => CapturedMessage | undefined {
  let headers: OutgoingHttpHeaders | undefined;
  let body: Buffer | undefined;
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  (res as unknown as { writeHead: (...a: unknown[]) => ServerResponse }).writeHead = (...args: unknown[]) => {
    const h = args.find((a) => a && typeof a === "object") as OutgoingHttpHeaders | undefined;
    headers = { ...res.getHeaders(), ...(h ?? {}) };
    return writeHead(...args);
  };
  (res as unknown as { end: (...a: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
    const chunk = args[0];
    if (typeof chunk === "string" || Buffer.isBuffer(chunk)) body = Buffer.from(chunk);
    return end(...args);
  };
  return () => {
    if (!headers) return undefined;
    const out: CapturedMessage = { headers: redactHeaders(headers) };
    const ct = headers["content-type"];
    const b = body ? redactBody(body, typeof ct === "string" ? ct : undefined) : undefined;
    if (b !== undefined) out.body = b;
    return out;
  };
}
