/**
 * Version negotiation (CONTRACT.md §2, §2.1, §13). The version is picked from the `Accept` header
 * (`application/vnd.atlas.YYYY-MM-DD+json`); a requested date resolves to the newest version of
 * the operation that is <= that date (inferred from MongoDB's own curl samples, §2). `strict`
 * mode only accepts a date the operation declares. Missing / malformed / too early → 406.
 */
import { EmulatorApiError } from "./errors";

/** One served version of an operation; `sunset` makes it deprecated (Deprecation + Sunset headers). */
export interface VersionSpec {
  version: string;
  /** ISO date of the superseding version (the `Deprecation` header value, §2). */
  deprecatedSince?: string;
  /** ISO date from the spec's `x-sunset` (the `Sunset` header; 410 VERSION_GONE afterwards). */
  sunset?: string;
}

const MEDIA_RE = /application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json/i;

/** `application/vnd.atlas.<version>+json;charset=utf-8`, the Content-Type Atlas echoes (§2 [rec]). */
export function mediaType(version: string): string {
  return `application/vnd.atlas.${version}+json;charset=utf-8`;
}

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** `Thu, 1 Jul 2027 00:00:00 GMT`: Atlas does not zero-pad the day (recordings, CONTRACT §2, §15.1). */
function httpDate(isoDate: string): string {
  return new Date(`${isoDate}T00:00:00Z`).toUTCString().replace(/^(\w{3}), 0(\d) /, "$1, $2 ");
}

/** 406 INVALID_VERSION_DATE exactly as in CONTRACT §2. */
export function invalidVersion(): EmulatorApiError {
  return new EmulatorApiError(406, "INVALID_VERSION_DATE", "Invalid accept header or version date.", []);
}

/** The result of negotiation: the served version plus headers to add (Deprecation/Sunset). */
export interface NegotiatedVersion {
  version: string;
  headers: Record<string, string>;
}

/**
 * Resolve `accept` against the versions an operation declares.
 * @throws EmulatorApiError 406 (no/invalid/too early/strict mismatch) or 410 (after sunset)
 */
export function negotiate(
  accept: string | undefined,
  versions: readonly VersionSpec[],
  opts: { strict?: boolean; now?: number } = {},
): NegotiatedVersion {
  const m = accept ? MEDIA_RE.exec(accept) : null;
  if (!m || !m[1] || !isRealDate(m[1])) throw invalidVersion();
  const requested = m[1];
  const sorted = [...versions].sort((a, b) => a.version.localeCompare(b.version));
  let chosen: VersionSpec | undefined;
  if (opts.strict) {
    chosen = sorted.find((v) => v.version === requested);
  } else {
    for (const v of sorted) if (v.version <= requested) chosen = v;
  }
  if (!chosen) throw invalidVersion();
  const headers: Record<string, string> = {};
  if (chosen.sunset) {
    const now = opts.now ?? Date.now();
    if (now >= new Date(`${chosen.sunset}T00:00:00Z`).getTime()) {
      throw new EmulatorApiError(410, "VERSION_GONE", `The requested API version ${chosen.version} is no longer supported.`, [chosen.version]);
    }
    if (chosen.deprecatedSince) headers["Deprecation"] = httpDate(chosen.deprecatedSince);
    headers["Sunset"] = httpDate(chosen.sunset);
  }
  return { version: chosen.version, headers };
}

/** Version tables per operation family (CONTRACT §2.1). */
export const V = {
  /** list / create / get export bucket: 2023-01-01 deprecated (sunset 2027-07-01), 2024-05-30 current. */
  bucketsPolymorphic: [
    { version: "2023-01-01", deprecatedSince: "2024-05-30", sunset: "2027-07-01" },
    { version: "2024-05-30" },
  ],
  /** Operations that only exist in 2023-01-01 (delete bucket, jobs, snapshots, CPA). */
  only20230101: [{ version: "2023-01-01" }],
  /** PATCH export bucket exists only in 2024-05-30. */
  only20240530: [{ version: "2024-05-30" }],
  /** Flex clusters and their snapshots exist only in 2024-11-13 (CONTRACT §16.1, §16.5). */
  only20241113: [{ version: "2024-11-13" }],
  /** Backup schedule GET/PATCH/DELETE: 2023-01-01 deprecated since 2024-08-05 (sunset 2027-07-01), 2024-08-05 current (§15.1). */
  backupSchedule: [
    { version: "2023-01-01", deprecatedSince: "2024-08-05", sunset: "2027-07-01" },
    { version: "2024-08-05" },
  ],
  /** Cluster get/list: 2023-01-01 and 2023-02-01 (both sunset 2027-07-01), 2024-08-05 current. */
  cluster: [
    { version: "2023-01-01", deprecatedSince: "2023-02-01", sunset: "2027-07-01" },
    { version: "2023-02-01", deprecatedSince: "2024-08-05", sunset: "2027-07-01" },
    { version: "2024-08-05" },
  ],
} satisfies Record<string, VersionSpec[]>;
