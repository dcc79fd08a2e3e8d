/**
 * Parsing of the `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 */

/**
 * Returns the delay a `Retry-After` value asks for, in milliseconds (never negative), or
 * `undefined` when the header is absent or malformed (callers then fall back to backoff).
 *
 * @param now the current time in ms since the epoch (injectable so tests need no clock).
 * Never throws.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== "string") return undefined;
  const text = raw.trim();
  if (text === "") return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // An HTTP-date always names a weekday and GMT; Date.parse accepts far looser text, so require
  // a letter to avoid treating garbage like "1.5" as a date.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
