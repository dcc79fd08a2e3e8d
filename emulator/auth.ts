/**
 * Authentication (CONTRACT.md §11): HTTP Digest for API keys (MD5, qop=auth, challenge exactly as
 * Atlas sends it) and OAuth 2.0 client credentials for service accounts (Bearer tokens that
 * expire). Secrets are never echoed in errors.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { EmulatorApiError } from "./errors";
import type { EmulatorStore } from "./store";

/** Who made an authenticated request. */
export interface Principal {
  kind: "digest" | "bearer";
  /** API public key or service-account client id */
  id: string;
  projectIds: string[];
}

/** How a request authenticated, as recorded in the request log. */
export type AuthKind = "digest" | "bearer" | "basic" | "none";

const REALM = "MMS Public API";
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parse `Digest k="v", k2=v2` parameters. */
export function parseAuthParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
  return out;
}

interface TokenRecord { clientId: string; expiresAt: number }

/** Options for {@link Authenticator}. */
export interface AuthOptions {
  tokenTtlSeconds: number;
  nonceTtlSeconds: number;
  now: () => number;
}

/** Digest nonces and OAuth tokens (in memory; a restart invalidates them like a server-side expiry). */
export class Authenticator {
  private readonly nonces = new Map<string, number>();
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(private readonly store: EmulatorStore, private readonly opts: AuthOptions) {}

  /** The exact Atlas challenge (§11.1): realm, domain, nonce, algorithm, qop, stale joined by ", ". */
  challenge(stale = false): string {
    const nonce = randomBytes(24).toString("base64");
    this.nonces.set(nonce, this.opts.now());
    if (this.nonces.size > 10_000) {
      const first = this.nonces.keys().next().value;
      if (first !== undefined) this.nonces.delete(first);
    }
    return `Digest realm="${REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`;
  }

  private unauthorized(code: string, detail: string, stale = false): EmulatorApiError {
    return new EmulatorApiError(401, code, detail, [], { "WWW-Authenticate": this.challenge(stale) });
  }

  /**
   * Authenticate an API request. Returns the principal or throws a 401 (with a fresh digest
   * challenge, or a Bearer challenge when a bearer token was presented).
   */
  authenticate(req: IncomingMessage): Principal {
    const header = req.headers.authorization ?? "";
    const scheme = header.split(" ", 1)[0]!.toLowerCase();
    if (scheme === "digest") return this.digest(req, header.slice(7));
    if (scheme === "bearer") return this.bearer(header.slice(7).trim());
    throw this.unauthorized("UNAUTHORIZED", "You are not authorized for this resource.");
  }

  private digest(req: IncomingMessage, raw: string): Principal {
    const p = parseAuthParams(raw);
    const { username, realm, nonce, uri, response, qop, nc, cnonce } = p;
    const algorithm = (p["algorithm"] ?? "MD5").toUpperCase();
    if (!username || !nonce || !uri || !response || realm !== REALM || algorithm !== "MD5" || qop !== "auth" || !nc || !cnonce) {
      throw this.unauthorized("USER_UNAUTHORIZED", "Invalid digest authentication header.");
    }
    // uri must be the request target (path + query, §11.1); accept the bare path as well.
    const target = req.url ?? "/";
    if (uri !== target && uri !== target.split("?")[0]) {
      throw this.unauthorized("USER_UNAUTHORIZED", "Digest uri does not match the request.");
    }
    const key = this.store.state.apiKeys.find((k) => k.publicKey === username);
    if (!key) throw this.unauthorized("USER_UNAUTHORIZED", "Current user is not authorized to perform this action.");
    const ha1 = md5(`${username}:${REALM}:${key.privateKey}`);
    const ha2 = md5(`${req.method}:${uri}`);
    const expected = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    if (!safeEqual(expected, response.toLowerCase())) {
      throw this.unauthorized("USER_UNAUTHORIZED", "Current user is not authorized to perform this action.");
    }
    // Correct credentials but an expired/unknown nonce → stale=true so clients retry silently.
    const issued = this.nonces.get(nonce);
    if (issued === undefined || this.opts.now() - issued > this.opts.nonceTtlSeconds * 1000) {
      this.nonces.delete(nonce);
      throw this.unauthorized("USER_UNAUTHORIZED", "The digest nonce has expired.", true);
    }
    return { kind: "digest", id: username, projectIds: key.projectIds };
  }

  private bearer(token: string): Principal {
    const rec = this.tokens.get(token);
    const fail = () =>
      new EmulatorApiError(401, "UNAUTHORIZED", "Invalid or expired access token.", [], {
        "WWW-Authenticate": `Bearer realm="${REALM}", error="invalid_token"`,
      });
    if (!rec) throw fail();
    if (this.opts.now() >= rec.expiresAt) {
      this.tokens.delete(token);
      throw fail();
    }
    const sa = this.store.state.serviceAccounts.find((s) => s.clientId === rec.clientId);
    if (!sa) throw fail();
    return { kind: "bearer", id: sa.clientId, projectIds: sa.projectIds };
  }

  /** Check HTTP Basic client credentials (token + revoke endpoints). */
  basicClient(req: IncomingMessage): string {
    const header = req.headers.authorization ?? "";
    const bad = () =>
      new EmulatorApiError(401, "UNAUTHORIZED", "Invalid client credentials.", [], {
        "WWW-Authenticate": `Basic realm="${REALM}"`,
      });
    if (!header.toLowerCase().startsWith("basic ")) throw bad();
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const idx = decoded.indexOf(":");
    if (idx < 0) throw bad();
    // client_secret_basic: id and secret are form-urlencoded before base64 (RFC 6749 §2.3.1).
    let id: string, secret: string;
    try {
      id = decodeURIComponent(decoded.slice(0, idx).replace(/\+/g, " "));
      secret = decodeURIComponent(decoded.slice(idx + 1).replace(/\+/g, " "));
    } catch {
      throw bad();
    }
    const sa = this.store.state.serviceAccounts.find((s) => s.clientId === id);
    if (!sa || !safeEqual(sa.clientSecret, secret)) throw bad();
    return sa.clientId;
  }

  /** Mint a bearer token for a client id. */
  issueToken(clientId: string): { access_token: string; expires_in: number; token_type: "Bearer" } {
    const token = randomBytes(32).toString("base64url");
    this.tokens.set(token, { clientId, expiresAt: this.opts.now() + this.opts.tokenTtlSeconds * 1000 });
    return { access_token: token, expires_in: this.opts.tokenTtlSeconds, token_type: "Bearer" };
  }

  /** Revoke a token (only the owner's tokens; unknown tokens are ignored as RFC 7009 says). */
  revoke(clientId: string, token: string): void {
    const rec = this.tokens.get(token);
    if (rec && rec.clientId === clientId) this.tokens.delete(token);
  }

  /** Forget every nonce and token (reset). */
  clear(): void {
    this.nonces.clear();
    this.tokens.clear();
  }
}
