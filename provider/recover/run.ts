/**
 * `pulumi-atlas-export recover`: reads the stack through the Pulumi CLI, asks Atlas what the
 * interrupted creates made (and which AutoExport creates/updates landed), prints the plan, and with `--yes` imports the repaired state after
 * saving a backup of the exported one.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { AtlasApi } from "../client/api";
import { resolveConfig } from "../config";
import { RECOVERABLE_KINDS, type RecoverableKind } from "./kinds";
import { fileBackendDir, fileBackendLocks, historyShowsRunningUpdate, isLockError, lockAdvice } from "./lock";
import { needsAtlas, operationStartBound, planRecovery, type Action, type AtlasLookup, type RecoveryPlan, type StartBound } from "./plan";
import { PulumiCommandError, PulumiStack, type PulumiRunner, type StackSelection } from "./pulumi-cli";
import { nameOfUrn, stackOfUrn, type PendingOperation } from "./state";

/** Options of one `recover` run. */
export interface RecoverOptions extends StackSelection {
  /** Apply the plan (`--yes`); otherwise only print it. */
  yes: boolean;
  /** `--since`: the time the interrupted `pulumi up` started (overrides the computed bound). */
  sinceMs?: number;
  /** Where the backup and the imported file go (default `<cwd>/.pulumi-atlas-export`). */
  backupDir?: string;
}

/** Seams for tests; the defaults are the real CLI, Atlas client, clock and stdout. */
export interface RecoverDeps {
  runPulumi?: PulumiRunner;
  /** Builds the Atlas client from the stack's `mongodbatlas:*` config and the environment. */
  atlas?: (stackConfig: Map<string, string>) => Promise<AtlasApi & { close?: () => Promise<void> }>;
  now?: () => Date;
  print?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, locked: 4, unresolved: 3 } as const;

async function defaultAtlas(stackConfig: Map<string, string>, env: NodeJS.ProcessEnv): Promise<AtlasApi & { close(): Promise<void> }> {
  // Exactly the provider's resolution: stack config beats the environment, as a whole.
  const resolved = resolveConfig({ get: (key) => stackConfig.get(key) }, env);
  const { AtlasClient } = await import("../client/index.js");
  return AtlasClient.fromConfig(resolved);
}

function opLabel(op: PendingOperation): string {
  const type = op.resource.type.slice(op.resource.type.lastIndexOf(":") + 1);
  return `${type} "${nameOfUrn(op.resource.urn)}" (pending ${op.type})`;
}

const VERB: Record<Action["kind"], string> = { record: "RECORD", clear: "CLEAR", unresolved: "LEAVE" };

/** The plan as text lines. */
export function formatPlan(stackName: string, plan: RecoveryPlan, kinds: ReadonlyMap<string, RecoverableKind> = RECOVERABLE_KINDS): string[] {
  const lines: string[] = [];
  const ours = plan.actions.length;
  const owned = [...kinds.keys()].map((t) => t.slice(t.lastIndexOf(":") + 1)).join("/");
  lines.push(`Stack ${stackName}: ${ours + plan.foreign.length} pending operation(s), ${ours} of ${owned}.`);
  for (const a of plan.actions) lines.push(`  ${VERB[a.kind]} ${opLabel(a.op)}: ${a.detail}`);
  if (plan.foreign.length > 0) {
    lines.push(`Left alone: ${plan.foreign.length} pending operation(s) of resource types recover does not own:`);
    for (const op of plan.foreign) lines.push(`  ${op.resource.type} "${nameOfUrn(op.resource.urn)}" (pending ${op.type}) ${op.resource.urn}`);
    lines.push(
      `  For those, Pulumi itself offers "pulumi refresh --clear-pending-creates" (drops the pending creates; anything they` +
        ` made is then unmanaged) and "pulumi refresh --import-pending-creates <urn> <id> ..." (imports them by id; only` +
        ` for providers that support import, not for dynamic resources). Check their cloud first.`,
    );
  }
  return lines;
}

async function lookupAtlas(
  api: AtlasApi,
  ops: readonly PendingOperation[],
  kinds: ReadonlyMap<string, RecoverableKind>,
): Promise<Map<string, AtlasLookup>> {
  const listings = new Map<string, Promise<unknown[]>>();
  const out = new Map<string, AtlasLookup>();
  for (const op of ops) {
    const kind = kinds.get(op.resource.type);
    const inputs = op.resource.inputs ?? {};
    if (!kind || !needsAtlas(op, kind) || kind.requiredInputs.some((k) => typeof inputs[k] !== "string")) continue;
    const key = `${kind.type} ${kind.scopeOf(inputs)}`;
    let listing = listings.get(key);
    if (!listing) {
      listing = kind.list(api, inputs);
      listings.set(key, listing);
    }
    try {
      out.set(op.resource.urn, { items: await listing });
    } catch (e) {
      out.set(op.resource.urn, { error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, "-");
}

/** Runs `recover`; returns the exit code. Prints the plan, what it did and where the backup is. */
export async function recover(opts: RecoverOptions, deps: RecoverDeps = {}): Promise<number> {
  const print = deps.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const env = deps.env ?? process.env;
  const now = deps.now ?? (() => new Date());
  const kinds = RECOVERABLE_KINDS;
  const stack = new PulumiStack(opts, deps.runPulumi);

  const { text, state } = await stack.exportState();
  const deployment = state.deployment ?? {};
  const anyUrn = deployment.resources?.[0]?.urn ?? deployment.pending_operations?.[0]?.resource.urn;
  const ids = anyUrn ? stackOfUrn(anyUrn) : undefined;
  const named = opts.stack ?? ids?.stack;
  const stackName = named ?? "(the selected stack)";

  // An update still running would overwrite whatever we import: refuse.
  const history = await stack.history();
  const backendDir = fileBackendDir(await stack.backendUrl());
  const locks = backendDir && ids ? fileBackendLocks(backendDir, ids.project, ids.stack) : [];
  const cloudRunning = historyShowsRunningUpdate(history);
  if (locks.length > 0 || cloudRunning) {
    print(lockAdvice(named, locks, cloudRunning && locks.length === 0));
    return EXIT.locked;
  }

  const pending = deployment.pending_operations ?? [];
  const ours = pending.filter((op) => kinds.has(op.resource.type));
  if (pending.length === 0) {
    print(`Stack ${stackName}: no pending operations; nothing to recover.`);
    return EXIT.ok;
  }

  const bounds = new Map<string, StartBound | undefined>();
  for (const op of ours) bounds.set(op.resource.urn, operationStartBound(deployment, op, history, opts.sinceMs));
  let atlas = new Map<string, AtlasLookup>();
  if (ours.some((op) => needsAtlas(op, kinds.get(op.resource.type)))) {
    const api = await (deps.atlas ?? ((c) => defaultAtlas(c, env)))(await stack.atlasConfig());
    try {
      atlas = await lookupAtlas(api, ours, kinds);
    } finally {
      await api.close?.();
    }
  }
  const plan = planRecovery({ deployment, kinds, atlas, bounds, now: now() });
  for (const line of formatPlan(stackName, plan, kinds)) print(line);
  const unresolved = plan.actions.some((a) => a.kind === "unresolved");

  if (!plan.deployment) {
    print("Nothing to change.");
    return unresolved ? EXIT.unresolved : EXIT.ok;
  }
  if (!opts.yes) {
    print(`No changes made. Run again with --yes to apply this plan (the exported state is backed up first).`);
    return unresolved ? EXIT.unresolved : EXIT.ok;
  }

  const dir = path.resolve(opts.cwd ?? process.cwd(), opts.backupDir ?? ".pulumi-atlas-export");
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `recover-${(ids?.stack ?? "stack").replace(/[^\w.-]/g, "_")}-${stamp(now())}`);
  const backup = `${base}.backup.json`;
  const next = `${base}.recovered.json`;
  writeFileSync(backup, text, { mode: 0o600 });
  print(`Saved the exported state to ${backup} (restore it with "pulumi stack import --file ${backup}").`);
  writeFileSync(next, `${JSON.stringify({ ...state, deployment: plan.deployment }, null, 2)}\n`, { mode: 0o600 });
  try {
    await stack.importState(next);
  } catch (e) {
    if (e instanceof PulumiCommandError && isLockError(e.message)) {
      print(lockAdvice(named, [], false));
      return EXIT.locked;
    }
    throw e;
  }
  const counts = (k: Action["kind"]) => plan.actions.filter((a) => a.kind === k).length;
  print(
    `Imported ${next}: ${counts("record")} resource(s) recorded, ${counts("clear")} pending operation(s) cleared` +
      `${unresolved ? `, ${counts("unresolved")} left pending` : ""}. Next: "pulumi up" (and "pulumi refresh" for export jobs still running).`,
  );
  return unresolved ? EXIT.unresolved : EXIT.ok;
}
