/**
 * Base URL checks. Credentials (Digest responses, Basic client secrets, bearer tokens) must not
 * cross the network in clear text, so only https is accepted, except for loopback hosts where the
 * emulator runs.
 */
import { AtlasConfigError } from "../errors";

/** True for `localhost`, 127.0.0.0/8 and ::1 (the hosts plain http is allowed for). Never throws. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}

/**
 * Validates a base URL and returns it normalised (origin plus path without trailing slash, no
 * query, no fragment).
 *
 * @param label says where the value came from, for the error message (e.g. `stack config "mongodbatlas:baseUrl"`).
 * @throws AtlasConfigError when the value is not an absolute http(s) URL, carries user info, a
 *   query or a fragment, or uses http for a host that is not loopback.
 */
export function checkBaseUrl(value: string, label = "baseUrl"): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new AtlasConfigError(`${label} is not a valid absolute URL; expected e.g. https://cloud.mongodb.com`, { cause });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AtlasConfigError(`${label} must use https (got ${url.protocol.replace(/:$/, "")})`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new AtlasConfigError(
      `${label} must use https: plain http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1), ` +
        `got http://${url.host}`,
    );
  }
  if (url.username || url.password) {
    // Never echo the URL here: the user info may be a secret.
    throw new AtlasConfigError(`${label} must not contain a user name or password; configure credentials separately`);
  }
  if (url.search || url.hash) throw new AtlasConfigError(`${label} must not contain a query string or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
