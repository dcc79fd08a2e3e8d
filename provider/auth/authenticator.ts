/**
 * How the HTTP layer asks for credentials. Each request (each retry attempt) opens a session;
 * the session supplies the Authorization header and decides, on a 401, whether sending again
 * with fresh credentials can succeed (digest challenge, stale nonce, expired bearer token).
 * A 401 means Atlas rejected the request before doing anything, so resending is safe even for a POST.
 */

/** The request the credentials are for. */
export interface AuthRequest {
  method: string;
  /** Path plus query exactly as sent (the digest `uri`). */
  uri: string;
}

/** Credentials for one attempt of one request. */
export interface AuthSession {
  /**
   * The Authorization header value to send, or undefined to send without one (first contact for
   * digest). Throws an AtlasError when credentials cannot be obtained (e.g. the token request failed).
   */
  header(): Promise<string | undefined>;
  /**
   * Called with the `WWW-Authenticate` header of a 401. Returns true when the request should be
   * sent again (the next `header()` call returns new credentials), false when the 401 is final.
   */
  onUnauthorized(wwwAuthenticate: string | string[] | undefined): Promise<boolean>;
}

/** A credential strategy (API key digest, service account bearer token). */
export interface Authenticator {
  /** Opens the credential session for one attempt of one request. Never throws. */
  session(request: AuthRequest): AuthSession;
  /**
   * A sentence for a final 401/403 naming the non-secret half of the credentials and what to
   * check, e.g. `Atlas rejected the API key with public key "abc"`. Never contains a secret.
   */
  describeRejection(): string;
  /** Secret values to scrub from any text that goes into an error or log line. */
  secrets(): string[];
}
