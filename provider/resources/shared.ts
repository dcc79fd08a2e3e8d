/**
 * Helpers shared by the ExportBucket and ExportJob handlers: the preview "unknown" sentinel,
 * zod issues → Pulumi check failures, the field-by-field diff, ObjectId timestamps and the
 * "POST whose response was lost" recovery.
 *
 * Nothing here talks to Atlas or to Pulumi; everything is a pure function.
 * @internal
 */
import type * as z from "zod";
import { isAtlasApiError, isAtlasError, mayHaveBeenProcessed } from "../errors";
import type { CreatedMatch } from "./created-lookup";

/**
 * The value the engine puts in `check`/`diff` inputs during preview for values that depend on
 * resources not created yet (pulumi-notes B.1). Never fail validation on it.
 */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The outputs version written by this package; handlers accept outputs without it (v0). */
export const SCHEMA_VERSION = 1;

/** How far Atlas's clock may be off ours when matching objects by creation time. */
export const CLOCK_SKEW_MS = 2 * 60_000;

/** A plain JSON-ish record as the engine hands it to a dynamic provider. */
export type PropertyBag = Record<string, unknown>;

/** A check failure as `pulumi.dynamic.CheckFailure` spells it. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** A diff result with both fields always set (pulumi-notes B.1: undefined → DIFF_UNKNOWN). */
export interface ExplicitDiff {
  changes: boolean;
  replaces: string[];
}

/** True if `value` is, or contains at any depth, the preview unknown sentinel. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN_SENTINEL) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * Splits raw `check` news into the fields to validate and the names of fields whose values are
 * unknown (preview). Drops `__provider` and keys whose value is `undefined` (the resource class
 * passes every output name as `undefined`).
 */
export function splitKnown(news: PropertyBag): { known: PropertyBag; unknownKeys: Set<string> } {
  const known: PropertyBag = {};
  const unknownKeys = new Set<string>();
  for (const [key, value] of Object.entries(news ?? {})) {
    if (key === "__provider" || value === undefined) continue;
    if (containsUnknown(value)) unknownKeys.add(key);
    else known[key] = value;
  }
  return { known, unknownKeys };
}

/**
 * Maps zod issues to check failures. Every reason names the property, so the message stands
 * on its own wherever the engine prints it.
 * @internal
 */
export function zodIssuesToFailures(issues: readonly z.core.$ZodIssue[], validKeys: readonly string[]): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        failures.push({
          property: key,
          reason: `${key} is not an argument of this resource (valid arguments: ${validKeys.join(", ")})`,
        });
      }
      continue;
    }
    const property = issue.path.map(String).join(".") || "(inputs)";
    failures.push({ property, reason: `${property}: ${issue.message}` });
  }
  return failures;
}

/** Removes `undefined` values (recursively) so the result can become a protobuf Struct. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => compact(v)) as unknown as T;
  if (value !== null && typeof value === "object") {
    const out: PropertyBag = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = compact(v);
    return out as T;
  }
  return value;
}

/** JSON with sorted object keys, for order-insensitive comparison. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** One input field as the diff sees it. */
export interface DiffField {
  name: string;
  /** True if a change needs a new object (no update API for it). */
  replaces: boolean;
  /** Maps an absent value to its default, so absent and default compare equal. */
  normalize?: (value: unknown) => unknown;
}

/**
 * Compares old outputs with new checked inputs, field by field. Fields not listed (`__provider`,
 * computed outputs, `adopt`, `schemaVersion`) never cause a diff. An unknown value in the news
 * counts as a change, and as a replacement for replace-only fields (pulumi-notes B.1).
 */
export function diffFields(olds: PropertyBag, news: PropertyBag, fields: readonly DiffField[]): ExplicitDiff {
  let changes = false;
  const replaces: string[] = [];
  for (const field of fields) {
    const norm = field.normalize ?? ((v: unknown) => v);
    const newValue = news?.[field.name];
    const changed = containsUnknown(newValue) || stableJson(norm(olds?.[field.name])) !== stableJson(norm(newValue));
    if (!changed) continue;
    changes = true;
    if (field.replaces) replaces.push(field.name);
  }
  return { changes, replaces };
}

export { objectIdTimeMs } from "./created-lookup";

/** Clock and logging hooks the handlers take, so tests need no real time or console. */
export interface HandlerContext {
  /** Epoch milliseconds. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1); used for poll jitter. */
  random: () => number;
  /** Progress lines; the engine shows provider console output during `pulumi up`. */
  log: (line: string) => void;
  /** Environment for call-time knobs (e.g. PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS). */
  env: NodeJS.ProcessEnv;
}

/** The real clock, `setTimeout` sleep, `Math.random`, `console.log` and `process.env`. */
export function defaultContext(): HandlerContext {
  return {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => Math.random(),
    log: (line) => console.log(line),
    env: process.env,
  };
}

/** Fills missing hooks of a partial context with the real ones. */
export function withDefaults(ctx: Partial<HandlerContext> | undefined): HandlerContext {
  return { ...defaultContext(), ...(ctx ?? {}) };
}

/** True for errors worth trying again later: network, timeouts, 408, 429 and 5xx. */
export function isTransient(e: unknown): boolean {
  if (isAtlasApiError(e)) return e.status === 408 || e.status === 429 || e.status >= 500;
  return isAtlasError(e) && (e.code === "ATLAS_NETWORK_ERROR" || e.code === "ATLAS_TIMEOUT");
}

/** The message of any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * How the lost-response lookup retries its list call (on top of the client's own retries):
 * at most `attempts` listings, waiting `delayMs` × 2ⁿ between them, never past `deadlineMs`
 * after the lookup started.
 */
export const LOOKUP_RETRY = { attempts: 4, delayMs: 2_000, deadlineMs: 60_000 } as const;

/** How {@link createExactlyOnce} finds the object a create request whose response was lost made. */
export interface LostResponseLookup<T> {
  /**
   * Lists the candidates (one full listing) and picks ours with `pickCreated`, given when the
   * request was sent (epoch ms). Throws when the listing fails.
   */
  find: (sentAtMs: number) => Promise<CreatedMatch<T>>;
  /**
   * How a person checks by hand whether the request created the object: which list to look at
   * (method and path) and which identity fields and ids to look for. One or two sentences.
   */
  howToCheck: (sentAtMs: number) => string;
}

/** What {@link createExactlyOnce} needs of the handler context. */
export type CreateContext = Pick<HandlerContext, "now" | "sleep" | "log">;

/**
 * Sends a create request at most "once and a half", never making a duplicate or adopting an
 * object that is not ours:
 *
 * - other errors than a lost response (`mayHaveBeenProcessed`) propagate unchanged;
 * - a lost response is followed by the lookup (`lookup.find`, retried on transient failures,
 *   bounded by {@link LOOKUP_RETRY}). Found → that object is returned. Ambiguous (several
 *   candidates, or only identical objects older than the request) → an error naming the ids,
 *   and nothing more is sent. None → the request did not land, so it is sent once more (and
 *   looked up once more if that response is lost too);
 * - when the lookup itself cannot answer, the error says the create may have been processed
 *   and how to check (`lookup.howToCheck`); nothing is sent again.
 */
export async function createExactlyOnce<T>(
  post: () => Promise<T>,
  lookup: LostResponseLookup<T>,
  ctx: CreateContext,
  what: string,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const sentAt = ctx.now();
    try {
      return await post();
    } catch (e) {
      if (!mayHaveBeenProcessed(e)) throw e;
      ctx.log(`${what}: the response to the create request was lost; looking for the object it may have created`);
      const match = await lookupWithRetry(lookup, sentAt, ctx, what, e);
      if (match.kind === "found") {
        ctx.log(`${what}: found it; managing it instead of creating another`);
        return match.item;
      }
      if (match.kind === "ambiguous") {
        throw new Error(
          `${what}: the response to the create request was lost (${messageOf(e)}), and the lookup cannot tell which ` +
            `object it created: ${match.reason}: ${match.ids.join(", ")}. Nothing more was created. ${lookup.howToCheck(sentAt)}`,
          { cause: e },
        );
      }
      if (attempt >= 2) {
        throw new Error(
          `${what}: the response to the create request was lost twice (${messageOf(e)}). The lookup found nothing, ` +
            `but Atlas may still be processing the second request. ${lookup.howToCheck(sentAt)}`,
          { cause: e },
        );
      }
      ctx.log(`${what}: it was not created; sending the create request once more`);
    }
  }
}

async function lookupWithRetry<T>(
  lookup: LostResponseLookup<T>,
  sentAt: number,
  ctx: CreateContext,
  what: string,
  lost: unknown,
): Promise<CreatedMatch<T>> {
  const deadline = ctx.now() + LOOKUP_RETRY.deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await lookup.find(sentAt);
    } catch (e) {
      const delay = LOOKUP_RETRY.delayMs * 2 ** (attempt - 1);
      const retry = isTransient(e) && attempt < LOOKUP_RETRY.attempts && ctx.now() + delay <= deadline;
      if (!retry) {
        throw new Error(
          `${what}: the response to the create request was lost (${messageOf(lost)}), so Atlas may have processed it ` +
            `and created the object; looking it up failed after ${attempt} attempt(s): ${messageOf(e)}. ` +
            `Nothing was sent again. ${lookup.howToCheck(sentAt)}`,
          { cause: e },
        );
      }
      ctx.log(`${what}: looking up the object failed (${messageOf(e)}); trying again in ${Math.round(delay / 1000)}s`);
      await ctx.sleep(delay);
    }
  }
}

/**
 * The older form of {@link createExactlyOnce}: `findCreated` returns the object or undefined
 * (no ambiguity report, no hint). Kept for callers not yet moved to `pickCreated`.
 */
export async function createOnce<T>(
  post: () => Promise<T>,
  findCreated: () => Promise<T | undefined>,
  log: (line: string) => void,
  what: string,
): Promise<T> {
  const { now, sleep } = defaultContext();
  return createExactlyOnce<T>(
    post,
    {
      find: async (): Promise<CreatedMatch<T>> => {
        const item = await findCreated();
        return item === undefined ? { kind: "none" } : { kind: "found", item: item as T };
      },
      howToCheck: () => "Check in Atlas whether it exists before running \"pulumi up\" again.",
    },
    { now, sleep, log },
    what,
  );
}

/** "3m elapsed", "45s elapsed". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s elapsed`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m elapsed` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m elapsed`;
}

/** A 24-hex Atlas id. */
export const HEX24 = /^[0-9a-f]{24}$/;

/**
 * A string field of stored state that refresh/update/delete need to address the object in
 * Atlas. Throws (naming the resource and field) when state written by something else lacks it.
 */
export function storedString(props: PropertyBag, key: string, what: string): string {
  const value = props?.[key];
  if (typeof value !== "string" || value.length === 0) {
    throw new Error(`${what}: the stored state has no ${key}, so it cannot be looked up in Atlas`);
  }
  return value;
}

/** What every `check` starts from: the checked inputs, known values and first failures. */
export interface CheckStart {
  /** Values known now (computed outputs removed). */
  known: PropertyBag;
  /** Argument names whose value is the engine's unknown sentinel (preview). */
  unknownKeys: Set<string>;
  /** The inputs to return from check (computed outputs removed, unknowns kept). */
  inputs: PropertyBag;
  /** The schema's failures, already in `{property, reason}` form. */
  failures: CheckFailure[];
}

/**
 * The common first half of `check`. The resource classes register every computed output as
 * undefined and let the program's arguments override them, so an output name passed as an
 * argument (`region`, `exportJobId`, ...) reaches this point with a value: it is reported by name
 * (it would otherwise be silently dropped). The one exception is a value equal to the one in the
 * old inputs (`olds`): state written by an older version may carry outputs in its inputs, and an
 * echo of it is not the user's mistake. Output names never reach the returned inputs. Then the
 * known values go through the strict schema.
 * @internal
 */
export function startCheck(
  news: PropertyBag,
  computedOutputs: readonly string[],
  schema: z.ZodType,
  argNames: readonly string[],
  olds?: PropertyBag,
): CheckStart {
  const { known, unknownKeys } = splitKnown(news);
  const inputs: PropertyBag = { ...news };
  const failures: CheckFailure[] = [];
  for (const key of computedOutputs) {
    const value = news?.[key];
    if (value !== undefined) {
      const echoed = !containsUnknown(value) && olds?.[key] !== undefined && stableJson(olds[key]) === stableJson(value);
      if (!echoed) {
        failures.push({
          property: key,
          reason:
            `${key} is an output of this resource (set by Atlas), not an argument: remove it from the arguments ` +
            `(valid arguments: ${argNames.join(", ")})`,
        });
      }
    }
    delete known[key];
    delete inputs[key];
    unknownKeys.delete(key);
  }
  const parsed = schema.safeParse(known);
  if (!parsed.success) failures.push(...zodIssuesToFailures(parsed.error.issues, argNames));
  return { known, unknownKeys, inputs, failures };
}
