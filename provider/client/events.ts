/** The optional `onEvent` hook: debug logging and counting. Carries no header, key or token. */

/** One thing the client did. */
export interface AtlasClientEvent {
  /** `request`: a response (or transport failure) for one send; `retry`: about to wait and resend; `token`: an OAuth token was fetched. */
  type: "request" | "retry" | "token";
  method: string;
  /** Path without query string. */
  path: string;
  /** HTTP status, absent when no response arrived. */
  status?: number;
  /** 1-based attempt number. */
  attempt?: number;
  /** For `retry`: how long the client waits before the next attempt. */
  delayMs?: number;
}

/** Receives client events; exceptions it throws are swallowed so logging cannot break a request. */
export type AtlasClientEventHandler = (event: AtlasClientEvent) => void;
