/**
 * OAuth 2 client credentials for Atlas service accounts.
 *
 * Tokens live about an hour, so they are cached per process, keyed by base URL, client id and a
 * hash of the secret (a provider process builds many short-lived clients; they share one token).
 * A token is renewed `skew` before it expires, concurrent callers share one token request
 * (single-flight), and a 401 to a bearer token drops that token and retries the request once.
 */
import { createHash } from "node:crypto";
import type { Authenticator, AuthSession } from "./authenticator";

/** What the token endpoint returned, reduced to what the cache needs. */
export interface FetchedToken {
  accessToken: string;
  /** Lifetime in seconds (`expires_in`); Atlas says 3600. */
  expiresInSeconds: number;
}

interface CacheEntry {
  token?: { value: string; renewAt: number };
  inflight?: Promise<string>;
}

/** Renew this long before expiry (or at half the lifetime for very short-lived tokens). */
export const TOKEN_EXPIRY_SKEW_MS = 60_000;

/**
 * A token cache with single-flight refresh. One process-wide instance (`processTokenCache`) is
 * the default; tests create their own.
 */
export class TokenCache {
  private readonly entries = new Map<string, CacheEntry>();

  /**
   * Returns a valid cached token or fetches one; concurrent callers for the same key share one
   * fetch. A failed fetch is not cached (the next caller tries again).
   * @throws whatever `fetchToken` throws (an AtlasError from the HTTP layer).
   */
  async get(key: string, fetchToken: () => Promise<FetchedToken>, now: () => number): Promise<string> {
    const entry = this.entries.get(key) ?? {};
    this.entries.set(key, entry);
    if (entry.token && now() < entry.token.renewAt) return entry.token.value;
    if (entry.inflight) return entry.inflight;
    const inflight = (async () => {
      try {
        const fetched = await fetchToken();
        const lifetimeMs = fetched.expiresInSeconds * 1000;
        const skew = Math.min(TOKEN_EXPIRY_SKEW_MS, lifetimeMs / 2);
        entry.token = { value: fetched.accessToken, renewAt: now() + lifetimeMs - skew };
        return fetched.accessToken;
      } finally {
        entry.inflight = undefined;
      }
    })();
    entry.inflight = inflight;
    return inflight;
  }

  /** Drops the cached token for `key` if it is still `token` (a newer one is kept). Never throws. */
  invalidate(key: string, token: string): void {
    const entry = this.entries.get(key);
    if (entry?.token?.value === token) entry.token = undefined;
  }

  /** Forgets every token (tests; credential rotation). Never throws. */
  clear(): void {
    this.entries.clear();
  }
}

/** The cache shared by every client in this process. */
export const processTokenCache = new TokenCache();

/** Cache key for a service account at a base URL; the secret only enters as a hash. Never throws. */
export function tokenCacheKey(baseUrl: string, clientId: string, clientSecret: string): string {
  const secretHash = createHash("sha256").update(clientSecret, "utf8").digest("hex");
  return `${baseUrl}\u0000${clientId}\u0000${secretHash}`;
}

/**
 * `Basic base64(urlencode(id):urlencode(secret))`, as OAuth 2 (RFC 6749 §2.3.1) and the Go SDK's
 * `AuthStyleInHeader` do. Never throws.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
  return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
}

/** Bearer-token credentials for a service account. */
export class ServiceAccountAuthenticator implements Authenticator {
  private readonly key: string;
  /** Every token this instance has handed out, so errors can scrub them. */
  private readonly issued = new Set<string>();

  /**
   * @param fetchToken performs POST /api/oauth/token (with its own retries) and throws an AtlasError on failure.
   */
  constructor(
    private readonly credentials: { clientId: string; clientSecret: string },
    baseUrl: string,
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number,
    private readonly cache: TokenCache = processTokenCache,
  ) {
    this.key = tokenCacheKey(baseUrl, credentials.clientId, credentials.clientSecret);
  }

  /**
   * A valid access token (cached, or fetched once for all concurrent callers).
   * @throws AtlasError when the token request fails.
   */
  async token(): Promise<string> {
    const token = await this.cache.get(this.key, this.fetchToken, this.now);
    this.issued.add(token);
    // Tokens live an hour; the last few are all that can still appear anywhere.
    if (this.issued.size > 8) this.issued.delete(this.issued.values().next().value as string);
    return token;
  }

  /** Opens a session (see Authenticator). Never throws. */
  session(): AuthSession {
    let sent: string | undefined;
    let renewed = false;
    return {
      header: async () => {
        sent = await this.token();
        return `Bearer ${sent}`;
      },
      onUnauthorized: async () => {
        // One renewal per request: a token revoked or expired early gets replaced; a second 401
        // means the service account itself lacks access.
        if (renewed || sent === undefined) return false;
        renewed = true;
        this.cache.invalidate(this.key, sent);
        return true;
      },
    };
  }

  /** Names the client id only. Never throws. */
  describeRejection(): string {
    return (
      `Atlas rejected the service account with client id "${this.credentials.clientId}"; check the client secret ` +
      `(mongodbatlas:clientSecret or MONGODB_ATLAS_CLIENT_SECRET), the account's project roles and its IP access list`
    );
  }

  /** The client secret, the Basic header derived from it, and every token issued. Never throws. */
  secrets(): string[] {
    const basic = basicAuthorization(this.credentials.clientId, this.credentials.clientSecret);
    return [this.credentials.clientSecret, basic.slice("Basic ".length), ...this.issued];
  }
}
