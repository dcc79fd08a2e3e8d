/**
 * The Azure `serviceUrl` / `bucketName` rules, as Atlas checks them (CONTRACT.md §4.1: 33 to
 * 2048 characters, standard `*.blob.core.windows.net` endpoints only, `bucketName` optional and
 * derived from the container). One implementation for both sides: the provider's `check`
 * (preview) and the emulator's POST exportBuckets use these functions, so preview rejects
 * exactly what the emulator answers 400 for.
 *
 * The URL is checked as written, not after WHATWG URL parsing: `new URL` lowercases the host,
 * drops an explicit `:443`, collapses `/./` and turns `\` into `/`, so a parsed URL would accept
 * values Atlas compares as strings and rejects. Reasons never quote the value (a pasted SAS URL
 * carries a signature in its query string).
 *
 * Dependency-free on purpose (no zod): the emulator imports it.
 */

/** The one form Atlas accepts, quoted in every reason. */
export const AZURE_SERVICE_URL_FORM = "https://<account>.blob.core.windows.net/<container>";

/** An Azure Blob Storage service URL, parsed. */
export interface AzureServiceUrl {
  account: string;
  /** The container in the path, if the URL has one. */
  container: string | undefined;
}

const ACCOUNT = /^[a-z0-9]{3,24}$/;
const HOST_SUFFIX = ".blob.core.windows.net";
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Parses `https://<account>.blob.core.windows.net[/<container>[/]]`. Returns the rule the value
 * breaks (a sentence fragment, e.g. `must not have a port (not even :443)`) when it is not a URL
 * Atlas accepts. Never throws.
 */
export function parseAzureServiceUrl(value: string): AzureServiceUrl | string {
  const like = `(expected ${AZURE_SERVICE_URL_FORM})`;
  if (value.length < 33 || value.length > 2048) return `must be 33 to 2048 characters long ${like}`;
  if (/[\s\\]/.test(value)) return `must not contain spaces or backslashes ${like}`;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(value);
  if (!scheme) return `must be an absolute https URL ${like}`;
  if (scheme[1] !== "https") {
    return scheme[1]!.toLowerCase() === "https" ? `must start with "https://" in lowercase ${like}` : `must use https ${like}`;
  }
  const rest = value.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? "" : rest.slice(authorityEnd);
  if (authority.includes("@")) return `must not contain a user name or password ${like}`;
  if (authority.includes(":")) return `must not have a port (not even :443) ${like}`;
  if (!authority.endsWith(HOST_SUFFIX) || !ACCOUNT.test(authority.slice(0, -HOST_SUFFIX.length))) {
    const lower = authority.toLowerCase();
    if (lower !== authority && lower.endsWith(HOST_SUFFIX) && ACCOUNT.test(lower.slice(0, -HOST_SUFFIX.length))) {
      return `must have a lowercase host ${like}`;
    }
    return `must be a standard Azure Blob Storage endpoint: the host must be <account>${HOST_SUFFIX}, with an account of 3 to 24 lowercase letters and digits ${like}`;
  }
  if (tail.includes("?")) return `must not have a query string (no SAS token: Atlas uses the role's access) ${like}`;
  if (tail.includes("#")) return `must not have a fragment ${like}`;
  if (tail === "" || tail === "/") return { account: authority.slice(0, -HOST_SUFFIX.length), container: undefined };
  // One trailing slash after the container is accepted ("/exports/"), as by Atlas's pattern.
  const path = tail.endsWith("/") ? tail.slice(0, -1) : tail;
  const segments = path.slice(1).split("/");
  if (segments.some((s) => s === "")) return `must not contain an empty path segment ("//") ${like}`;
  if (segments.length > 1) return `must have only one path segment, the container ${like}`;
  const container = segments[0]!;
  if (!CONTAINER.test(container)) {
    return `must name a container of 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit ${like}`;
  }
  return { account: authority.slice(0, -HOST_SUFFIX.length), container };
}

/**
 * The Azure `bucketName` rule given the container of a valid `serviceUrl`: it may be omitted
 * (Atlas uses the container), but when both are set they must be equal, and without a container
 * `bucketName` is required. Returns the broken rule, or undefined. Never throws.
 */
export function azureBucketNameProblem(bucketName: string | undefined, container: string | undefined): string | undefined {
  if (bucketName === undefined) {
    return container === undefined
      ? `bucketName is required when the Azure serviceUrl has no container path (${AZURE_SERVICE_URL_FORM})`
      : undefined;
  }
  if (container !== undefined && bucketName !== container) {
    return `bucketName must equal the container in serviceUrl ("${container}"), or be omitted to use it`;
  }
  return undefined;
}
