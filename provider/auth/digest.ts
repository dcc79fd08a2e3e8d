/**
 * HTTP Digest authentication (RFC 2617, MD5, qop=auth) for Atlas programmatic API keys.
 *
 * Strategy: the first request goes without credentials and gets Atlas's challenge
 * (`Digest realm="MMS Public API", domain="", nonce="…", algorithm=MD5, qop="auth", stale=false`).
 * The challenge is then reused for later requests with an incrementing `nc`, saving a round
 * trip. If Atlas rejects a reused nonce (stale=true, or simply a new challenge), the request is
 * answered once more with the new challenge; a 401 to a freshly challenged answer is final
 * (wrong key). So the worst case equals challenge-then-respond per request.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Authenticator, AuthRequest, AuthSession } from "./authenticator";

/** A parsed `WWW-Authenticate: Digest …` challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** `auth` when offered (the only qop we answer); undefined for an RFC 2069 challenge. */
  qop: "auth" | undefined;
  algorithm: string;
  opaque: string | undefined;
  stale: boolean;
  domain: string | undefined;
}

/**
 * Parses a Digest challenge. Accepts one header value or several (picks the Digest one),
 * quoted or bare parameter values, and commas inside quotes.
 * Returns undefined when there is no usable Digest challenge (no nonce, or no qop=auth while a
 * qop list is offered). Never throws.
 */
export function parseDigestChallenge(header: string | readonly string[] | undefined): DigestChallenge | undefined {
  const values = header === undefined ? [] : typeof header === "string" ? [header] : header;
  for (const value of values) {
    const m = /^\s*Digest\s+(.*)$/is.exec(value);
    if (!m || m[1] === undefined) continue;
    const params = parseAuthParams(m[1]);
    const nonce = params.get("nonce");
    if (!nonce) continue;
    const qopList = params.get("qop");
    let qop: "auth" | undefined;
    if (qopList !== undefined) {
      const offered = qopList.split(",").map((q) => q.trim().toLowerCase());
      if (!offered.includes("auth")) continue;
      qop = "auth";
    }
    return {
      realm: params.get("realm") ?? "",
      nonce,
      qop,
      algorithm: params.get("algorithm") ?? "MD5",
      opaque: params.get("opaque"),
      stale: (params.get("stale") ?? "").toLowerCase() === "true",
      domain: params.get("domain"),
    };
  }
  return undefined;
}

/** Splits `k=v, k="v, with comma", k=v` into a map with lower-case keys. */
function parseAuthParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const key = (m[1] ?? "").toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
    if (!out.has(key)) out.set(key, value);
    if (m[0] === "") re.lastIndex++;
  }
  return out;
}

function md5(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/** Inputs of the digest `response` computation. */
export interface DigestResponseInput {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  /** 8-hex nonce count, e.g. `00000001`. */
  nc: string;
  cnonce: string;
  qop: "auth" | undefined;
}

/**
 * The RFC 2617 `response` value: MD5(HA1:nonce:nc:cnonce:qop:HA2) with HA1 = MD5(user:realm:pass),
 * HA2 = MD5(METHOD:uri); RFC 2069 form MD5(HA1:nonce:HA2) when no qop. Never throws.
 */
export function computeDigestResponse(i: DigestResponseInput): string {
  const ha1 = md5(`${i.username}:${i.realm}:${i.password}`);
  const ha2 = md5(`${i.method.toUpperCase()}:${i.uri}`);
  return i.qop ? md5(`${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`) : md5(`${ha1}:${i.nonce}:${ha2}`);
}

/** A fresh 16-hex client nonce. Never throws. */
export function createCnonce(): string {
  return randomBytes(8).toString("hex");
}

/** Formats a nonce count as 8 hex digits. Never throws. */
export function formatNonceCount(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * Builds the `Authorization: Digest …` value for one request, in the layout MongoDB's own
 * client uses (`algorithm` quoted, `qop` and `nc` bare). Never throws.
 */
export function buildDigestAuthorization(
  challenge: DigestChallenge,
  credentials: { publicKey: string; privateKey: string },
  request: AuthRequest,
  nc: number,
  cnonce: string,
): string {
  const ncText = formatNonceCount(nc);
  const response = computeDigestResponse({
    username: credentials.publicKey,
    password: credentials.privateKey,
    realm: challenge.realm,
    nonce: challenge.nonce,
    method: request.method,
    uri: request.uri,
    nc: ncText,
    cnonce,
    qop: challenge.qop,
  });
  const parts = [
    `username=${quote(credentials.publicKey)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(request.uri)}`,
    `response=${quote(response)}`,
    `algorithm=${quote(challenge.algorithm)}`,
  ];
  if (challenge.qop) parts.push(`qop=${challenge.qop}`, `nc=${ncText}`, `cnonce=${quote(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  return `Digest ${parts.join(", ")}`;
}

/** Digest credentials for an API key; shares the last challenge across requests of one client. */
export class DigestAuthenticator implements Authenticator {
  private challenge: DigestChallenge | undefined;
  private nonceCount = 0;

  /** @param cnonce injectable for tests; defaults to 8 random bytes as hex. */
  constructor(
    private readonly credentials: { publicKey: string; privateKey: string },
    private readonly cnonce: () => string = createCnonce,
  ) {}

  /** Opens a session (see Authenticator). Never throws. */
  session(request: AuthRequest): AuthSession {
    let answeredFreshChallenge = false;
    let resends = 0;
    return {
      header: async () => {
        const challenge = this.challenge;
        // MD5 is all Atlas offers; for anything else send no answer and let the 401 stand.
        if (!challenge || challenge.algorithm.toUpperCase() !== "MD5") return undefined;
        this.nonceCount += 1;
        return buildDigestAuthorization(challenge, this.credentials, request, this.nonceCount, this.cnonce());
      },
      onUnauthorized: async (wwwAuthenticate) => {
        const challenge = parseDigestChallenge(wwwAuthenticate);
        if (!challenge || resends >= 2) return false;
        // A fresh challenge we already answered, without stale=true: the key itself is wrong.
        if (answeredFreshChallenge && !challenge.stale) return false;
        this.challenge = challenge;
        this.nonceCount = 0;
        answeredFreshChallenge = true;
        resends += 1;
        return true;
      },
    };
  }

  /** Names the public key only. Never throws. */
  describeRejection(): string {
    return (
      `Atlas rejected the API key with public key "${this.credentials.publicKey}"; check the private key ` +
      `(mongodbatlas:privateKey or MONGODB_ATLAS_PRIVATE_API_KEY), the key's project roles and its IP access list`
    );
  }

  /** The private key. Never throws. */
  secrets(): string[] {
    return [this.credentials.privateKey];
  }
}
