/**
 * Which existing Atlas object did our create request make? One rule, shared by the
 * lost-response lookup (a POST whose response never arrived) and `pulumi-atlas-export recover`
 * (a `pulumi up` killed mid-create):
 *
 * - a candidate must have **every identity field equal** to what was requested;
 * - and must have been **created at or after the request was sent** (Atlas ids are ObjectIds
 *   whose first four bytes are the creation second; export jobs also carry `createdAt`);
 * - exactly one such candidate is the answer. Several, or matching objects that only predate
 *   the request (an older twin, or ours if the clocks disagree), are **ambiguous**: the caller
 *   reports the candidate ids and creates nothing, because guessing would either adopt somebody
 *   else's object or make a duplicate.
 */

/**
 * Tolerance for "created at or after the request was sent": ObjectId times are whole seconds
 * (truncated), and Atlas's clock may trail ours a little. Kept small on purpose: every second
 * of tolerance is a second in which an older twin could be mistaken for ours.
 */
export const CREATED_AFTER_TOLERANCE_MS = 2_000;

/** Creation time (epoch ms) encoded in an ObjectId, or NaN when `id` is not 24 hex digits. */
export function objectIdTimeMs(id: string | undefined): number {
  if (!id || !/^[0-9a-f]{24}$/i.test(id)) return Number.NaN;
  return parseInt(id.slice(0, 8), 16) * 1000;
}

/** The outcome of {@link pickCreated}. */
export type CreatedMatch<T> =
  | { kind: "found"; item: T }
  | { kind: "none" }
  | { kind: "ambiguous"; ids: string[]; reason: string };

/** How to read candidates for {@link pickCreated}. */
export interface CreatedLookup<T> {
  /** When the create request was sent (epoch ms, our clock). */
  sentAtMs: number;
  /** The candidate's Atlas id. */
  idOf: (candidate: T) => string;
  /** The candidate's creation time (epoch ms); NaN when unknown. Defaults to the id's ObjectId time. */
  createdAtMs?: (candidate: T) => number;
  /** True when every identity field of the candidate equals the requested value. */
  sameIdentity: (candidate: T) => boolean;
  /** Ids that are already accounted for (e.g. managed by other resources in the stack). */
  exclude?: ReadonlySet<string>;
}

/**
 * Picks the object a create request made among `candidates` (see the module comment for the
 * rule). Pure; never throws.
 */
export function pickCreated<T>(candidates: Iterable<T>, lookup: CreatedLookup<T>): CreatedMatch<T> {
  const createdAt = lookup.createdAtMs ?? ((c: T) => objectIdTimeMs(lookup.idOf(c)));
  const threshold = Math.floor(lookup.sentAtMs / 1000) * 1000 - CREATED_AFTER_TOLERANCE_MS;
  const after: T[] = [];
  const before: T[] = [];
  for (const c of candidates) {
    if (lookup.exclude?.has(lookup.idOf(c)) || !lookup.sameIdentity(c)) continue;
    const t = createdAt(c);
    // An unknown creation time cannot prove the object is older: treat it as a candidate.
    (Number.isNaN(t) || t >= threshold ? after : before).push(c);
  }
  if (after.length === 1 && after[0] !== undefined) return { kind: "found", item: after[0] };
  if (after.length > 1) {
    return {
      kind: "ambiguous",
      ids: after.map(lookup.idOf),
      reason: `${after.length} matching objects were created after the request was sent`,
    };
  }
  if (before.length > 0) {
    return {
      kind: "ambiguous",
      ids: before.map(lookup.idOf),
      reason:
        `no matching object was created after the request was sent, but ${before.length} older matching ` +
        `object(s) exist; one could be ours if Atlas's clock trails this machine's`,
    };
  }
  return { kind: "none" };
}
