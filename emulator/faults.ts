/**
 * Fault injection, per run or per test, reproducible from a seed (conventions point 13). Faults
 * are evaluated after authentication (so a digest challenge round-trip never counts as a
 * "matching request") and before routing.
 */

/** What a fault does. */
export type FaultKind =
  /** 429 + Retry-After + RATE_LIMITED_TOKEN_BUCKET body (CONTRACT §10); nothing applied */
  | "rate-limit"
  /** 500 UNEXPECTED_ERROR or 503 SERVICE_UNAVAILABLE (`status`); nothing applied */
  | "error"
  /** socket destroyed before any response; the request is NOT applied */
  | "drop"
  /** wait `delayMs` before handling and responding (slow headers) */
  | "slow"
  /** the request IS applied, then the socket is destroyed instead of responding */
  | "commit-then-drop"
  /**
   * the request is held before it is processed, with no response, until the client goes away (it
   * is then NOT applied) or the emulator closes. `held` in the rule's counters says how many are
   * held right now: tests kill a client at a known point ("before the POST was processed").
   */
  | "hold"
  /** the request IS applied, then held with no response until the client goes away ("after the POST, before the response") */
  | "commit-then-hold";

/** One fault rule. */
export interface FaultRule {
  /** set by `add()` when absent */
  id?: string;
  kind: FaultKind;
  /** HTTP method to match (case-insensitive); any when absent */
  method?: string;
  /**
   * Path to match (query ignored). A string is a glob over the full path: `*` or `{name}` match
   * one segment, `**` matches anything (e.g. `/api/atlas/v2/groups/* /backup/exportBuckets`
   * without the space); a string starting with `^` is a regular expression. Any path when absent.
   */
  path?: string;
  /** fire with this probability (0..1) using the seeded PRNG */
  rate?: number;
  /** fire on the Nth matching request only (1-based) */
  nth?: number;
  /** maximum number of fires (unlimited when absent) */
  times?: number;
  /** status for `error` (500 | 503; default 500) */
  status?: number;
  /** Retry-After seconds for `rate-limit` (default 1) and optionally for `error` 503 */
  retryAfterSeconds?: number;
  /** delay for `slow` (default 1000 ms) */
  delayMs?: number;
}

/** mulberry32: tiny, seedable, good enough for fault decisions. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function globToRegExp(glob: string): RegExp {
  if (glob.startsWith("^")) return new RegExp(glob);
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") { re += ".*"; i++; }
    else if (c === "*") re += "[^/]+";
    else if (c === "{") { const end = glob.indexOf("}", i); re += "[^/]+"; i = end < 0 ? glob.length : end; }
    else re += c.replace(/[.+?^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

interface ActiveRule { rule: FaultRule; re: RegExp | null; matches: number; fires: number; held: number }

const KINDS: readonly FaultKind[] = ["rate-limit", "error", "drop", "slow", "commit-then-drop", "hold", "commit-then-hold"];

/** Validate an untrusted rule (control endpoint). Returns an error message or undefined. */
export function validateRule(r: unknown): string | undefined {
  if (!r || typeof r !== "object") return "rule must be an object";
  const x = r as Record<string, unknown>;
  if (!KINDS.includes(x["kind"] as FaultKind)) return `kind must be one of ${KINDS.join(", ")}`;
  if (x["rate"] !== undefined && (typeof x["rate"] !== "number" || x["rate"] < 0 || x["rate"] > 1)) return "rate must be in 0..1";
  for (const k of ["nth", "times", "status", "retryAfterSeconds", "delayMs"]) {
    if (x[k] !== undefined && (typeof x[k] !== "number" || !Number.isInteger(x[k]) || (x[k] as number) < 0)) return `${k} must be a non-negative integer`;
  }
  for (const k of ["method", "path", "id"]) if (x[k] !== undefined && typeof x[k] !== "string") return `${k} must be a string`;
  return undefined;
}

/**
 * Parse the CLI `--faults` spec: rules separated by `;`, each `kind[:key=value,...]`, e.g.
 * `rate-limit:rate=0.1,retryAfterSeconds=2;drop:method=POST,path=**\/exportBuckets,nth=1`.
 */
export function parseFaultSpec(spec: string): FaultRule[] {
  return spec.split(";").map((s) => s.trim()).filter(Boolean).map((part) => {
    const [kind, rest] = [part.split(":", 1)[0]!, part.slice(part.indexOf(":") + 1)];
    const rule: Record<string, unknown> = { kind };
    if (part.includes(":")) {
      for (const kv of rest.split(",")) {
        const eq = kv.indexOf("=");
        if (eq < 0) continue;
        const k = kv.slice(0, eq).trim();
        const v = kv.slice(eq + 1).trim();
        rule[k] = ["method", "path", "id"].includes(k) ? v : Number(v);
      }
    }
    const err = validateRule(rule);
    if (err) throw new Error(`invalid fault "${part}": ${err}`);
    return rule as unknown as FaultRule;
  });
}

/** The decision for one request. */
export type FaultDecision = FaultRule | undefined;

/** Active rules plus the seeded PRNG. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private random: () => number;
  private nextId = 1;

  constructor(private seed = 1) {
    this.random = mulberry32(seed);
  }

  /** Add a rule; returns its id. */
  add(rule: FaultRule): string {
    const err = validateRule(rule);
    if (err) throw new Error(`invalid fault rule: ${err}`);
    const id = rule.id ?? `fault-${this.nextId++}`;
    this.rules.push({ rule: { ...rule, id }, re: rule.path ? globToRegExp(rule.path) : null, matches: 0, fires: 0, held: 0 });
    return id;
  }

  /** Remove all rules and restart the PRNG from the seed (reproducible runs). */
  clear(): void {
    this.rules = [];
    this.random = mulberry32(this.seed);
  }

  /** Current rules with their counters (`held`: requests a hold rule is holding right now). */
  list(): (FaultRule & { matches: number; fires: number; held: number })[] {
    return this.rules.map((r) => ({ ...r.rule, matches: r.matches, fires: r.fires, held: r.held }));
  }

  /** Counts a request a `hold`/`commit-then-hold` rule starts (+1) or stops (-1) holding. */
  countHeld(ruleId: string | undefined, delta: 1 | -1): void {
    const r = this.rules.find((x) => x.rule.id === ruleId);
    if (r) r.held = Math.max(0, r.held + delta);
  }

  /** Decide whether a request is faulted (first firing rule wins). */
  decide(method: string, path: string): FaultDecision {
    for (const r of this.rules) {
      if (r.rule.method && r.rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (r.re && !r.re.test(path)) continue;
      r.matches++;
      if (r.rule.times !== undefined && r.fires >= r.rule.times) continue;
      let fire = true;
      if (r.rule.nth !== undefined) fire = r.matches === r.rule.nth;
      // The PRNG is only consumed by rate rules, so adding an nth-rule doesn't shift decisions.
      if (fire && r.rule.rate !== undefined) fire = this.random() < r.rule.rate;
      if (fire) {
        r.fires++;
        return r.rule;
      }
    }
    return undefined;
  }
}
