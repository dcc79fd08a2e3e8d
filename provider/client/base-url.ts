/**
 * Base URL checks, done before any request is sent.
 *
 * - Credentials (Digest responses, Basic client secrets, bearer tokens) must not cross the
 *   network in clear text, so only https is accepted, except for loopback addresses where the
 *   emulator runs: `localhost`, 127.0.0.0/8 and `::1`. Names that merely end in `.localhost` are
 *   refused: whether they resolve to loopback depends on the machine's resolver.
 * - The base URL is an origin (`https://cloud.mongodb.com`): the client appends
 *   `/api/atlas/v2/...` itself. A path, query or fragment would make every request miss its
 *   endpoint, and the resulting 404s must never be mistaken for "the object is gone".
 */
import { AtlasConfigError } from "../errors";

/** The form a base URL must have, quoted in every rejection. */
export const EXPECTED_BASE_URL_FORM = "https://cloud.mongodb.com";

/** True for `localhost`, 127.0.0.0/8 and ::1 (the hosts plain http is allowed for). Never throws. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost") return true;
  // The URL parser normalises every spelling of ::1 (0:0:0:0:0:0:0:1, 0::1) to "::1".
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}

/**
 * Validates a base URL and returns its origin (scheme, host and port; no trailing slash).
 *
 * @param label names the setting the value came from, for the error message (e.g.
 *   `stack config "mongodbatlas:baseUrl"` or `environment variable MONGODB_ATLAS_BASE_URL`).
 * @throws AtlasConfigError when the value is not an absolute http(s) URL, carries user info, a
 *   path, a query or a fragment, or uses http for a host that is not loopback. The message names
 *   the setting and the expected form.
 */
export function checkBaseUrl(value: string, label = "baseUrl"): string {
  const expected = `expected the origin only, e.g. ${EXPECTED_BASE_URL_FORM}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new AtlasConfigError(`${label} is not a valid absolute URL; ${expected}`, { cause });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AtlasConfigError(`${label} must use https (got ${url.protocol.replace(/:$/, "")}); ${expected}`);
  }
  if (url.username || url.password) {
    // Never echo the URL here: the user info may be a secret.
    throw new AtlasConfigError(`${label} must not contain a user name or password; configure credentials separately (${expected})`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new AtlasConfigError(
      `${label} must use https: plain http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1), ` +
        `got http://${url.host}. Credentials are never sent in clear text to another host.`,
    );
  }
  // `new URL` keeps a raw "?"/"#" with nothing after it out of search/hash; look at the text too.
  const hasQuery = url.search !== "" || /\?/.test(value.replace(/#.*$/, ""));
  const hasFragment = url.hash !== "" || value.includes("#");
  const hasPath = url.pathname !== "/" && url.pathname !== "";
  if (hasPath || hasQuery || hasFragment) {
    const parts = [hasPath ? `a path (${url.pathname})` : "", hasQuery ? "a query string" : "", hasFragment ? "a fragment" : ""]
      .filter(Boolean)
      .join(", ");
    throw new AtlasConfigError(
      `${label} must be the Atlas origin without ${parts}: got ${url.origin}${hasPath ? url.pathname : ""}; ${expected} ` +
        `(the client adds /api/atlas/v2 itself; with a path every request would miss its endpoint).`,
    );
  }
  return url.origin;
}
