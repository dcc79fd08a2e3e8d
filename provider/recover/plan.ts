/**
 * The recovery plan as a pure function: the exported state, the stack's history and what Atlas
 * has → one decision per pending operation, and the state to import. No I/O here; `run.ts`
 * gathers the inputs and applies the result.
 */
import { pickCreated } from "../resources/created-lookup";
import type { CreatedObjectKind, RecoverableKind, SettingKind } from "./kinds";
import { containsSecret, type Deployment, type PendingOperation, type StateResource } from "./state";

/** One entry of `pulumi stack history --output json` (only the fields used). */
export interface HistoryEntry {
  kind?: string;
  /** Epoch seconds (DIY backends) or an RFC 3339 string, depending on the CLI/backend. */
  startTime?: number | string;
  endTime?: number | string;
  result?: string;
}

/** A provable lower bound of when an operation's request was sent, and where it comes from. */
export interface StartBound {
  ms: number;
  source: string;
}

/** What Atlas answered for one pending operation's lookup. */
export type AtlasLookup = { items: unknown[] } | { error: string };

/** The decision for one pending operation of a type `recover` owns. */
export type Action =
  | {
      kind: "record";
      op: PendingOperation;
      /** The Atlas id the create made. */
      id: string;
      /** The resource as it goes into `deployment.resources`. */
      resource: StateResource;
      detail: string;
    }
  | { kind: "clear"; op: PendingOperation; detail: string }
  | { kind: "unresolved"; op: PendingOperation; detail: string; candidateIds?: string[] };

/** The whole plan. */
export interface RecoveryPlan {
  actions: Action[];
  /** Pending operations of types `recover` does not own: left as they are. */
  foreign: PendingOperation[];
  /** The deployment to import when applying (`undefined` when nothing would change). */
  deployment: Deployment | undefined;
}

/** Everything {@link planRecovery} needs. */
export interface PlanInput {
  deployment: Deployment;
  kinds: ReadonlyMap<string, RecoverableKind>;
  /** Atlas's objects for each pending create of an owned type, by URN. */
  atlas: ReadonlyMap<string, AtlasLookup>;
  /** Per pending create, by URN (see {@link operationStartBound}). */
  bounds: ReadonlyMap<string, StartBound | undefined>;
  /** For `created`/`modified` of recorded resources. */
  now: Date;
}

function timeMs(value: unknown): number {
  if (typeof value === "number") return value < 1e12 ? value * 1000 : value;
  if (typeof value === "string" && value !== "") {
    const n = Number(value);
    if (Number.isFinite(n)) return timeMs(n);
    return Date.parse(value);
  }
  return Number.NaN;
}

/** URNs a resource refers to: parent, provider (without its `::id`), dependencies. */
export function referencedUrns(r: StateResource): string[] {
  const out: string[] = [];
  if (r.parent) out.push(r.parent);
  if (r.provider) out.push(r.provider.slice(0, r.provider.lastIndexOf("::")));
  out.push(...(r.dependencies ?? []));
  const pd = r["propertyDependencies"];
  if (pd && typeof pd === "object") for (const urns of Object.values(pd as Record<string, string[]>)) out.push(...(urns ?? []));
  return [...new Set(out)];
}

/**
 * A time that is provably at or before the moment the pending create's POST was sent (epoch ms),
 * or `undefined` when the state proves nothing (then every match is reported as ambiguous and the
 * user can pass `--since`).
 *
 * Why these sources:
 * - **`since`** (the `--since` option): the user's statement, e.g. when the CI job started. It
 *   replaces the computed bound.
 * - **The newest entry of the stack's history, its start time.** Updates of a stack are serialized
 *   by its lock, so every recorded update either ended before the interrupted one began (DIY
 *   backends record an update only when it finishes, so a killed one is absent), or *is* the
 *   interrupted one (Pulumi Cloud records it from its start). Either way its start is ≤ the POST.
 *   An end time is not used: Pulumi Cloud stamps the interrupted update's end when it is
 *   cancelled, after the POST.
 * - **`created`/`modified` of the resource's parent and dependencies** in the state. The engine
 *   sets them when that resource's step finished, and the SDK registers a resource only after its
 *   parent and dependencies are registered, so they are ≤ its create request, in the same update
 *   or an earlier one. For the first `up` of a stack (no history yet) the root stack resource's
 *   `created` is such a bound.
 * Anything recorded after the crash (a later refresh) can only move the bound later; the lookup
 * then reports the real object as an "older" match (ambiguous), never adopts a wrong one.
 * The checkpoint's `manifest.time` is not used: it is rewritten with every checkpoint, after the POST.
 */
export function operationStartBound(
  deployment: Deployment,
  op: PendingOperation,
  history: readonly HistoryEntry[],
  since?: number,
): StartBound | undefined {
  if (since !== undefined) return { ms: since, source: "--since" };
  let best: StartBound | undefined;
  const consider = (ms: number, source: string) => {
    if (Number.isFinite(ms) && (best === undefined || ms > best.ms)) best = { ms, source };
  };
  for (const h of history) consider(timeMs(h.startTime), `the start of the newest ${h.kind ?? "update"} in the stack's history`);
  const byUrn = new Map((deployment.resources ?? []).map((r) => [r.urn, r]));
  const refs = [op.resource.parent, ...(op.resource.dependencies ?? [])].filter((u): u is string => typeof u === "string");
  for (const urn of refs) {
    const r = byUrn.get(urn);
    if (!r) continue;
    const name = urn.slice(urn.lastIndexOf("::") + 2);
    consider(timeMs(r.created), `when ${name} (a parent or dependency) was created`);
    consider(timeMs(r.modified), `when ${name} (a parent or dependency) was last changed`);
  }
  return best;
}

function missingInputs(kind: RecoverableKind, inputs: Record<string, unknown>): string[] {
  return kind.requiredInputs.filter((k) => typeof inputs[k] !== "string" || inputs[k] === "");
}

/**
 * True when deciding `op` needs Atlas's answer: a pending create, or a pending update of a
 * setting kind (whose update is the same request as its create).
 */
export function needsAtlas(op: PendingOperation, kind: RecoverableKind | undefined): boolean {
  return kind !== undefined && (op.type === "creating" || (op.type === "updating" && kind.setting === true));
}

/** What every looked-up decision checks first: the inputs are readable and complete, and Atlas answered. */
function lookedUp(op: PendingOperation, kind: RecoverableKind, input: PlanInput): Action | { inputs: Record<string, unknown>; items: unknown[] } {
  const inputs = op.resource.inputs ?? {};
  const { __provider: _provider, ...args } = inputs;
  if (containsSecret(args)) {
    return {
      kind: "unresolved",
      op,
      detail: `its inputs hold secret values, which recover does not decrypt; resolve it by hand (docs/RECOVERY.md)`,
    };
  }
  const missing = missingInputs(kind, inputs);
  if (missing.length > 0) {
    return { kind: "unresolved", op, detail: `the pending operation has no ${missing.join(", ")} in its inputs` };
  }
  const lookup = input.atlas.get(op.resource.urn);
  if (!lookup) return { kind: "unresolved", op, detail: "Atlas was not asked" };
  if ("error" in lookup) return { kind: "unresolved", op, detail: `listing Atlas failed: ${lookup.error}` };
  return { inputs, items: lookup.items };
}

/**
 * A pending create or update of a setting kind: Atlas shows exactly what it asked for → record
 * the outputs create/update would have stored; otherwise clear it (the next `pulumi up` sends the
 * idempotent request again). No start bound is involved (see {@link SettingKind}).
 */
function decideSetting(op: PendingOperation, kind: SettingKind, input: PlanInput, resources: readonly StateResource[]): Action {
  const checked = lookedUp(op, kind, input);
  if ("kind" in checked) return checked;
  const { inputs, items } = checked;
  const verb = op.type === "updating" ? "update" : "create";
  const applied = items.find((c) => kind.sameIdentity(c, inputs));
  if (applied === undefined) {
    const seen = items.length === 0 ? "Atlas has nothing to read (the cluster does not exist)" : `Atlas does not show the ${kind.describe(inputs)}`;
    return {
      kind: "clear",
      op,
      detail: `${seen}: clear it (the next "pulumi up" sends the ${verb} again, which is safe: it is one idempotent request)`,
    };
  }
  const id = kind.idFor(inputs);
  const outputs = { ...kind.outputs(inputs, applied), __provider: inputs["__provider"] };
  const stamp = input.now.toISOString();
  // An update rewrites the resource already in the state: keep when it was created.
  const previous = op.type === "updating" ? resources.find((r) => r.urn === op.resource.urn) : undefined;
  const resource: StateResource = { ...op.resource, id, outputs, created: previous?.created ?? stamp, modified: stamp };
  return {
    kind: "record",
    op,
    id,
    resource,
    detail: `Atlas already shows the ${kind.describe(inputs)}: the ${verb} landed; record it in the state with its outputs`,
  };
}

function decideCreate(
  op: PendingOperation,
  kind: CreatedObjectKind,
  input: PlanInput,
  excluded: ReadonlySet<string>,
): Action {
  const checked = lookedUp(op, kind, input);
  if ("kind" in checked) return checked;
  const { inputs, items } = checked;
  const bound = input.bounds.get(op.resource.urn);
  const match = pickCreated(items, {
    // No provable bound: every match counts as older than the request (reported, never taken).
    sentAtMs: bound?.ms ?? Number.POSITIVE_INFINITY,
    idOf: (c) => kind.idOf(c),
    createdAtMs: (c) => kind.createdAtMs(c),
    sameIdentity: (c) => kind.sameIdentity(c, inputs),
    exclude: excluded,
  });
  const since = bound ? `since ${new Date(bound.ms).toISOString()} (${bound.source})` : "";
  if (!bound && match.kind === "found") {
    // Only an object of unknown creation time can be "found" without a bound: still not proof.
    return {
      kind: "unresolved",
      op,
      candidateIds: [kind.idOf(match.item)],
      detail: `${kind.idOf(match.item)} matches, but there is no provable start time in the state or history to tell it from an older twin. Left pending. Pass --since <time the interrupted "pulumi up" started> and run recover again.`,
    };
  }
  switch (match.kind) {
    case "none":
      return {
        kind: "clear",
        op,
        detail: `Atlas has no ${kind.describe(inputs)} that the stack does not already manage: the create never landed; clear it (the next "pulumi up" creates it)`,
      };
    case "ambiguous":
      return {
        kind: "unresolved",
        op,
        candidateIds: match.ids,
        detail:
          `${match.reason} (${kind.describe(inputs)}, ${bound ? since : "no provable start time in the state or history"}): ${match.ids.join(", ")}. ` +
          (bound
            ? `Left pending. Delete the one(s) that are not this stack's in Atlas, or pass --since <time the interrupted "pulumi up" started>, and run recover again.`
            : `Left pending. Pass --since <time the interrupted "pulumi up" started> and run recover again.`),
      };
    case "found": {
      const id = kind.idOf(match.item);
      const outputs = { ...kind.outputs(inputs, match.item), __provider: inputs["__provider"] };
      const stamp = input.now.toISOString();
      const resource: StateResource = { ...op.resource, id, outputs, created: stamp, modified: stamp };
      const status = kind.status ? `, ${kind.status(match.item)}` : "";
      return {
        kind: "record",
        op,
        id,
        resource,
        detail: `Atlas has ${kind.label} ${id}${status}, created ${since}: record it in the state with its outputs`,
      };
    }
  }
}

/**
 * Decides what to do with every pending operation and builds the deployment to import.
 *
 * - A pending **create** of an owned type: the one Atlas object with every identity field equal,
 *   created at or after the operation started and not already in the state, is recorded in the
 *   state with the outputs `create` would have stored (and the pending operation's `__provider`);
 *   no such object → the operation is cleared; ambiguity or a failed lookup → left pending.
 * - A pending **create or update** of a setting kind (AutoExport): Atlas already shows exactly
 *   what it asked for → recorded (an update replaces the resource's previous state); otherwise
 *   cleared. No creation time is involved (see {@link SettingKind}).
 * - Any other pending **update**, and every pending **delete**, of an owned type is cleared:
 *   re-running it is safe (the bucket update is an idempotent PATCH, a job update exports
 *   nothing, delete treats "not found"/"already off" as done), and the resource's previous state
 *   is still in the stack.
 * - Pending operations of other types are left untouched (`foreign`).
 * Pure; never throws.
 */
export function planRecovery(input: PlanInput): RecoveryPlan {
  const pending = input.deployment.pending_operations ?? [];
  const resources = input.deployment.resources ?? [];
  const foreign: PendingOperation[] = [];
  const actions: Action[] = [];
  for (const op of pending) {
    const kind = input.kinds.get(op.resource.type);
    if (!kind) {
      foreign.push(op);
      continue;
    }
    if (needsAtlas(op, kind)) {
      // A setting's id is derived from its inputs, not minted by Atlas: there is no object that
      // another resource could already manage, so no exclusion applies to it.
      const excluded = () => new Set(resources.filter((r) => r.type === kind.type && r.id).map((r) => r.id as string));
      actions.push(kind.setting === true ? decideSetting(op, kind, input, resources) : decideCreate(op, kind, input, excluded()));
    } else if (op.type === "updating" || op.type === "deleting") {
      const verb = op.type === "updating" ? "update" : "delete";
      actions.push({
        kind: "clear",
        op,
        detail:
          `an interrupted ${verb}: the previous state is still recorded; clear it (re-running the ${verb} is safe: ` +
          (op.type === "updating" ? `the next "pulumi up" applies it again` : `the next "pulumi up"/"pulumi destroy" deletes again and treats "not found" as done`) +
          `; "pulumi refresh" reads Atlas's current state)`,
      });
    } else {
      actions.push({ kind: "unresolved", op, detail: `a pending "${op.type}" operation is not something recover handles; left as it is` });
    }
  }
  resolveConflicts(actions);
  resolveReferences(actions, resources);
  const changed = actions.some((a) => a.kind !== "unresolved");
  return { actions, foreign, deployment: changed ? nextDeployment(input.deployment, actions) : undefined };
}

/** Two pending creates claiming the same Atlas object: neither is recorded. */
function resolveConflicts(actions: Action[]): void {
  const byId = new Map<string, number>();
  for (const a of actions) if (a.kind === "record") byId.set(a.id, (byId.get(a.id) ?? 0) + 1);
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i] as Action;
    if (a.kind === "record" && (byId.get(a.id) ?? 0) > 1) {
      actions[i] = {
        kind: "unresolved",
        op: a.op,
        candidateIds: [a.id],
        detail: `${a.id} matches more than one pending create; left pending (resolve by hand, docs/RECOVERY.md)`,
      };
    }
  }
}

/**
 * A recorded resource must refer only to resources in the state (the CLI's import checks this),
 * e.g. a job whose bucket's create stays unresolved cannot be recorded either.
 */
function resolveReferences(actions: Action[], resources: readonly StateResource[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    const present = new Set(resources.map((r) => r.urn));
    for (const a of actions) if (a.kind === "record") present.add(a.resource.urn);
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i] as Action;
      if (a.kind !== "record") continue;
      const missing = referencedUrns(a.resource).filter((u) => !present.has(u));
      if (missing.length === 0) continue;
      actions[i] = { kind: "unresolved", op: a.op, detail: `Atlas has ${a.id}, but it refers to ${missing.join(", ")}, which is not in the state; left pending` };
      changed = true;
    }
  }
}

/** The deployment after the plan: recorded resources appended (dependencies first), resolved operations removed. */
function nextDeployment(deployment: Deployment, actions: readonly Action[]): Deployment {
  const resources = [...(deployment.resources ?? [])];
  // A recorded update (setting kinds) replaces the resource's previous state in place.
  for (const a of actions) {
    if (a.kind !== "record" || a.op.type !== "updating") continue;
    const at = resources.findIndex((r) => r.urn === a.resource.urn);
    if (at >= 0) resources[at] = a.resource;
    else resources.push(a.resource);
  }
  const present = new Set(resources.map((r) => r.urn));
  let records = actions.flatMap((a) => (a.kind === "record" && a.op.type !== "updating" ? [a.resource] : []));
  while (records.length > 0) {
    const ready = records.filter((r) => referencedUrns(r).every((u) => present.has(u) || !records.some((o) => o.urn === u)));
    const next = ready.length > 0 ? ready : records; // a cycle cannot happen; keep order if it did
    for (const r of next) {
      resources.push(r);
      present.add(r.urn);
    }
    records = records.filter((r) => !next.includes(r));
  }
  const resolved = new Set(actions.filter((a) => a.kind !== "unresolved").map((a) => a.op));
  const remaining = (deployment.pending_operations ?? []).filter((op) => !resolved.has(op));
  const out: Deployment = { ...deployment, resources };
  if (remaining.length > 0) out.pending_operations = remaining;
  else delete out.pending_operations;
  return out;
}
