/**
 * A tiny HTTP Digest (MD5, qop=auth) client for emulator tests, independent of the real client
 * (provider/auth) which is written in parallel. Like MongoDB's Go digest library (CONTRACT §11.1)
 * it sends the request unauthenticated first, then answers the challenge.
 */
import { createHash, randomBytes } from "node:crypto";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

/** A response with its body already read. */
export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** parsed JSON body, or undefined if empty / not JSON */
  json: any;
}

/** Request options. */
export interface TestRequest {
  method?: string;
  headers?: Record<string, string>;
  /** object → JSON; string → sent as is */
  body?: unknown;
}

/** Parse a `WWW-Authenticate: Digest ...` challenge. */
export function parseChallenge(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z]+)=(?:"([^"]*)"|([^,\s]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header.replace(/^Digest\s+/i, "")))) out[m[1]!] = m[2] ?? m[3] ?? "";
  return out;
}

/** Build the Authorization header answering a digest challenge. */
export function digestAuthorization(
  challenge: Record<string, string>, method: string, uri: string, user: string, pass: string, nc = 1,
): string {
  const cnonce = randomBytes(8).toString("hex");
  const ncs = nc.toString(16).padStart(8, "0");
  const ha1 = md5(`${user}:${challenge["realm"]}:${pass}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${challenge["nonce"]}:${ncs}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${challenge["realm"]}", nonce="${challenge["nonce"]}", uri="${uri}", response="${response}", algorithm="MD5", qop=auth, nc=${ncs}, cnonce="${cnonce}"`;
}

async function read(res: Response): Promise<TestResponse> {
  const text = await res.text();
  let json: any;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

function init(req: TestRequest, extra: Record<string, string> = {}): RequestInit {
  const headers: Record<string, string> = { ...req.headers, ...extra };
  let body: string | undefined;
  if (req.body !== undefined) {
    body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
    headers["Content-Type"] ??= "application/json";
  }
  return { method: req.method ?? "GET", headers, body };
}

/** Plain fetch (no auth). */
export async function plainFetch(url: string, req: TestRequest = {}): Promise<TestResponse> {
  return read(await fetch(url, init(req)));
}

/** Digest-authenticated fetch: unauthenticated attempt, then the answer to the challenge. */
export async function digestFetch(url: string, user: string, pass: string, req: TestRequest = {}): Promise<TestResponse> {
  const first = await fetch(url, init(req));
  if (first.status !== 401) return read(first);
  await first.text();
  const header = first.headers.get("www-authenticate");
  if (!header || !/^Digest /i.test(header)) return read(first);
  const u = new URL(url);
  const auth = digestAuthorization(parseChallenge(header), req.method ?? "GET", u.pathname + u.search, user, pass);
  return read(await fetch(url, init(req, { Authorization: auth })));
}

/** Bearer-authenticated fetch. */
export async function bearerFetch(url: string, token: string, req: TestRequest = {}): Promise<TestResponse> {
  return read(await fetch(url, init(req, { Authorization: `Bearer ${token}` })));
}

/** OAuth client-credentials token request (Basic auth with form-urlencoded id/secret, §11.2). */
export async function oauthToken(baseUrl: string, clientId: string, clientSecret: string): Promise<TestResponse> {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64");
  return read(await fetch(`${baseUrl}/api/oauth/token`, {
    method: "POST",
    headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: "grant_type=client_credentials",
  }));
}
