/**
 * Drives the real Pulumi CLI and engine from tests: Automation API stacks on a throwaway
 * `file://` backend, with inline programs.
 *
 * Why inline programs here: many tests need dozens of engine round-trips with the program in
 * the test's own process (to change it between steps and read its objects). The CLI then talks
 * to a language server inside this process; every other part is real: the CLI, the engine's
 * planning (preview, replace, refresh), the state files, and the dynamic-provider plugin
 * process that loads our serialized `__provider`. The path users run (`pulumi up` on a
 * Pulumi.yaml project through the Node.js language host) is covered by `test/helpers/cli.ts`.
 *
 * The package under test is loaded with Node's own `require` (not vitest's transform) so the
 * closure serializer finds it in `require.cache`, exactly as in a user's program. The workspace
 * lives under `<repo>/.e2e/` so the provider process resolves `pulumi-atlas-export/runtime`
 * through the self-link in `node_modules`, as a user's project resolves its dependency.
 */
import { execFileSync } from "node:child_process";
import { expect } from "vitest";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fakeVault } from "./fake-vault";

export const repoRoot = path.resolve(__dirname, "..", "..");
/** Node's own require, rooted at the repo: modules loaded through it are in `require.cache`. */
export const nativeRequire = createRequire(path.join(repoRoot, "package.json"));

type Automation = typeof import("@pulumi/pulumi/automation");
/** `@pulumi/pulumi/automation`, loaded natively. */
export const automation: Automation = nativeRequire("@pulumi/pulumi/automation");
/** `@pulumi/pulumi`, loaded natively (the same instance the package under test uses). */
export const pulumi: typeof import("@pulumi/pulumi") = nativeRequire("@pulumi/pulumi");
/** The built package under test (`dist/`), loaded as a user's program loads it. */
export function loadPackage(): typeof import("../../provider/index") {
  return nativeRequire("pulumi-atlas-export");
}

let pulumiBinDir: string | undefined;
/** One `PulumiCommand` per process: `PulumiCommand.get` runs `pulumi version` each time. */
let pulumiCommand: Promise<import("@pulumi/pulumi/automation").PulumiCommand> | undefined;

/**
 * The directory holding `pulumi` and `pulumi-resource-pulumi-nodejs`: `PULUMI_BIN_DIR` when the
 * test script already resolved it, otherwise whatever `scripts/ensure-pulumi.sh` provides
 * (cached after the first build).
 */
export function ensurePulumiBinDir(): string {
  if (pulumiBinDir) return pulumiBinDir;
  const fromEnv = process.env["PULUMI_BIN_DIR"];
  if (fromEnv) {
    pulumiBinDir = fromEnv;
  } else {
    const out = execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    pulumiBinDir = out.trim().split("\n").pop()!;
  }
  // The engine finds the dynamic-provider plugin on PATH or next to `pulumi`; put both first.
  process.env["PATH"] = `${pulumiBinDir}${path.delimiter}${process.env["PATH"] ?? ""}`;
  return pulumiBinDir;
}

/** A config value for the stack; `secret` values are encrypted in state by the engine. */
export interface ConfigEntry {
  value: string;
  secret?: boolean;
}

export interface TestStackOptions {
  /** Used in the project name and the work dir name. */
  name: string;
  /** The inline Pulumi program. Its return value becomes the stack outputs. */
  program: () => Promise<Record<string, unknown> | void>;
  /** Extra environment for the CLI and so for the provider process. */
  env?: Record<string, string>;
  /** Stack config, e.g. `mongodbatlas:privateKey`. */
  config?: Record<string, ConfigEntry>;
  /**
   * The stack's secrets provider: `"vault"` (default) is Pulumi's `hashivault://` provider
   * against test/helpers/fake-vault.ts, which spares every CLI run the passphrase provider's
   * PBKDF2 (see that file); `"passphrase"` is what a user's `file://` stack gets by default.
   * Secrets are AES-256-GCM ciphertext in state with both.
   */
  secrets?: "vault" | "passphrase";
}

export interface TestStack {
  stack: import("@pulumi/pulumi/automation").Stack;
  workDir: string;
  /** Every line the engine printed during this stack's operations (for secret scans and logs). */
  output: string[];
  /** Handlers that collect engine output; pass to up/preview/refresh/destroy. */
  onOutput: (line: string) => void;
  /** Every file the backend and workspace wrote (state, checkpoints, backups, history, logs). */
  files(): { path: string; text: string }[];
  /** The exported deployment's resources of the given type token (e.g. `atlas:ExportBucket`). */
  resources(typeSuffix?: string): Promise<StateResource[]>;
  /** Removes the stack and its work dir. */
  cleanup(): Promise<void>;
}

/** A resource in an exported deployment. */
export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
  [k: string]: unknown;
}

/** Creates an Automation API stack on a fresh `file://` backend under `<repo>/.e2e/`. */
export async function createTestStack(opts: TestStackOptions): Promise<TestStack> {
  const binDir = ensurePulumiBinDir();
  const base = path.join(repoRoot, ".e2e");
  mkdirSync(base, { recursive: true });
  const workDir = mkdtempSync(path.join(base, `${opts.name}-`));
  const backendDir = path.join(workDir, "backend");
  mkdirSync(backendDir);
  const projectName = `e2e-${opts.name}`.replace(/[^a-zA-Z0-9-_.]/g, "-");
  pulumiCommand ??= automation.PulumiCommand.get({ root: path.dirname(binDir) });
  const cmd = await pulumiCommand;
  const vault = (opts.secrets ?? "vault") === "vault" ? await fakeVault() : undefined;
  // createStack, not createOrSelectStack: the backend is new, so `stack select` could only fail
  // (one CLI run saved per stack).
  const stackName = "test";
  const stack = await automation.LocalWorkspace.createStack(
    { stackName, projectName, program: opts.program },
    {
      workDir,
      pulumiCommand: cmd,
      pulumiHome: path.join(workDir, "pulumi-home"),
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
      ...(vault ? { secretsProvider: vault.secretsProvider } : {}),
      envVars: {
        ...(vault ? vault.env : { PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase" }),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        PULUMI_ATLAS_EXPORT_POLL_INTERVAL_MS: "200",
        ...opts.env,
      },
    },
  );
  // All keys in one `pulumi config set-all` (one CLI start instead of one per key).
  const config = Object.entries(opts.config ?? {});
  if (config.length > 0) {
    await stack.setAllConfig(Object.fromEntries(config.map(([key, e]) => [key, { value: e.value, secret: e.secret ?? false }])));
  }
  const checkpointFile = path.join(backendDir, ".pulumi", "stacks", projectName, `${stackName}.json`);
  withoutFollowUpRuns(stack, checkpointFile);
  const output: string[] = [];
  const onOutput = (line: string): void => {
    output.push(line);
    if (process.env["E2E_VERBOSE"]) process.stdout.write(line);
  };
  return {
    stack,
    workDir,
    output,
    onOutput,
    files: () => listFiles(workDir),
    async resources(typeSuffix?: string) {
      const all = (await deploymentOf(stack, checkpointFile)).resources ?? [];
      return typeSuffix ? all.filter((r) => r.type.endsWith(typeSuffix)) : all;
    },
    async cleanup() {
      // The backend, the workspace and PULUMI_HOME all live in workDir: removing it removes the
      // stack (a `pulumi stack rm` first would only cost one more CLI run).
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

type AutomationStack = import("@pulumi/pulumi/automation").Stack;
type UpdateSummary = import("@pulumi/pulumi/automation").UpdateSummary;
type OutputMap = import("@pulumi/pulumi/automation").OutputMap;
type EngineEvent = import("@pulumi/pulumi/automation").EngineEvent;

/**
 * The deployment in the `file://` backend's checkpoint file, when it holds no secret value
 * (then it is what `pulumi stack export --show-secrets` prints); otherwise undefined.
 */
function plainCheckpoint(checkpointFile: string): { resources?: StateResource[] } | undefined {
  if (!existsSync(checkpointFile)) return undefined;
  const text = readFileSync(checkpointFile, "utf8");
  if (text.includes(SECRET_SIG_KEY)) return undefined;
  return (JSON.parse(text) as { checkpoint?: { latest?: { resources?: StateResource[] } } }).checkpoint?.latest;
}

/** The stack's deployment: from the checkpoint file (no CLI run) unless it needs decrypting. */
async function deploymentOf(stack: AutomationStack, checkpointFile: string): Promise<{ resources?: StateResource[] }> {
  return plainCheckpoint(checkpointFile) ?? ((await stack.exportStack()).deployment as { resources?: StateResource[] });
}

/**
 * The Automation API ends every `up`, `refresh` and `destroy` with more CLI runs: `pulumi stack
 * history` for the result's `summary`, and for `up` two `pulumi stack output` runs for its
 * `outputs`. Each CLI start costs ~0.35 s of CPU (Go package init), about 150 runs per leg of
 * the suite. Here the `summary` is the engine's own change summary of that operation (its
 * SummaryEvent, which is also what `stack history` records), and `outputs` are the root stack
 * resource's outputs in the checkpoint file (the CLI still runs when the state holds a secret).
 * `stack.history()` and `stack.exportStack()` called by a test still run the CLI.
 */
function withoutFollowUpRuns(stack: AutomationStack, checkpointFile: string): void {
  const proto = Object.getPrototypeOf(stack) as AutomationStack;
  let summaryEvent: { resourceChanges?: Record<string, number> } | undefined;
  let kind: UpdateSummary["kind"] = "update";
  for (const op of ["up", "refresh", "destroy"] as const) {
    const original = (proto[op] as (o?: { onEvent?: (e: EngineEvent) => void }) => Promise<unknown>).bind(stack);
    Object.defineProperty(stack, op, {
      value: async (opts?: { onEvent?: (e: EngineEvent) => void }) => {
        summaryEvent = undefined;
        kind = op === "up" ? "update" : op;
        try {
          return await original({
            ...opts,
            onEvent: (e) => {
              if (e.summaryEvent) summaryEvent = e.summaryEvent;
              opts?.onEvent?.(e);
            },
          });
        } finally {
          // A later `stack.info()` from a test reads the real history again.
          summaryEvent = undefined;
        }
      },
    });
  }
  Object.defineProperty(stack, "info", {
    value: async (showSecrets?: boolean): Promise<UpdateSummary | undefined> => {
      if (!summaryEvent) return proto.info.call(stack, showSecrets);
      // Only `kind`, `result` and `resourceChanges` are known from the event; the rest is not faked.
      return { kind, result: "succeeded", resourceChanges: { ...summaryEvent.resourceChanges } } as UpdateSummary;
    },
  });
  Object.defineProperty(stack, "outputs", {
    value: async (): Promise<OutputMap> => {
      const deployment = plainCheckpoint(checkpointFile);
      if (!deployment) return proto.outputs.call(stack);
      const outputs = deployment.resources?.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs ?? {};
      return Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value, secret: false }]));
    },
  });
}

function listFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      // Plugin binaries are not written by our flows; skip the CLI's plugin cache if any.
      if (name === "plugins") continue;
      out.push(...listFiles(p));
    } else if (st.size < 20 * 1024 * 1024) {
      out.push({ path: p, text: readFileSync(p, "utf8") });
    }
  }
  return out;
}

/** Byte length of each resource's serialized `__provider` in a deployment. */
export function providerBytes(resources: StateResource[]): number[] {
  return resources
    .map((r) => r.outputs?.["__provider"] ?? r.inputs?.["__provider"])
    .filter((p): p is string | { ciphertext: string } => p !== undefined)
    .map((p) => Buffer.byteLength(typeof p === "string" ? p : JSON.stringify(p)));
}

/**
 * `pulumi stack export` WITHOUT `--show-secrets`: what the state holds at rest. (The Automation
 * API's `stack.exportStack()` passes `--show-secrets`, so it shows secret values decrypted.)
 */
export async function exportStackAtRest(t: TestStack): Promise<string> {
  const ws = t.stack.workspace as import("@pulumi/pulumi/automation").LocalWorkspace;
  const env: Record<string, string> = { ...(ws.pulumiHome ? { PULUMI_HOME: ws.pulumiHome } : {}), ...ws.envVars };
  // `PulumiCommand.run` exists at runtime but is marked internal in the SDK's typings.
  const cmd = ws.pulumiCommand as unknown as {
    run(args: string[], cwd: string, env: Record<string, string>): Promise<{ stdout: string }>;
  };
  const r = await cmd.run(["stack", "export", "--stack", t.stack.name], ws.workDir, env);
  return r.stdout;
}

/** The signature key/value Pulumi uses to mark a secret value in a deployment. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A copy of a deployment with every secret value (`{<sig>: <secret sig>, ...}`, encrypted at rest,
 * decrypted by `--show-secrets`) replaced by `"[secret]"`, and how many there were.
 */
export function redactSecretValues(value: unknown): { redacted: unknown; secrets: unknown[] } {
  const secrets: unknown[] = [];
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o[SECRET_SIG_KEY] === SECRET_SIG) {
        secrets.push(o);
        return "[secret]";
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return { redacted: walk(value), secrets };
}

/**
 * Asserts that no secret appears in the stack export, any workspace file (state, backups,
 * history, config, logs) or the engine output. Returns how many secret values (encrypted at
 * rest) hold one of them.
 *
 * `stack.exportStack()` runs `pulumi stack export --show-secrets`, which decrypts values the
 * engine stores as secrets: with credentials in stack config, the default `pulumi-nodejs`
 * provider's inputs carry the (secret) `mongodbatlas:*` config, encrypted at rest. So in that
 * export the secret may appear ONLY inside secret values; outside them, and in the export at
 * rest (`pulumi stack export` without `--show-secrets`), it must not appear at all.
 */
export async function expectNoSecret(t: TestStack, secrets: string[]): Promise<number> {
  for (const s of secrets) expect(s.length, "the secret to look for must be non-empty").toBeGreaterThan(10);
  const deployment = await t.stack.exportStack();
  const { redacted, secrets: secretValues } = redactSecretValues(deployment);
  const decryptedOutsideSecrets = JSON.stringify(redacted);
  const atRest = await exportStackAtRest(t);
  const files = t.files();
  const output = t.output.join("");
  // Sanity: there is something to scan (state, history, engine lines).
  expect(atRest).toContain('"deployment"');
  expect(files.some((f) => f.path.includes(`${path.sep}.pulumi${path.sep}`))).toBe(true);
  expect(output.length).toBeGreaterThan(0);
  for (const s of secrets) {
    expect(decryptedOutsideSecrets).not.toContain(s);
    expect(atRest).not.toContain(s);
    for (const f of files) expect(f.text, f.path).not.toContain(s);
    expect(output).not.toContain(s);
  }
  const inSecretValues = secretValues.filter((v) => secrets.some((s) => JSON.stringify(v).includes(s))).length;
  console.log(
    `[e2e] scanned exportStack (${decryptedOutsideSecrets.length} chars; the credential only inside ${inSecretValues} secret value(s), encrypted at rest), ` +
      `the export at rest, ${files.length} files, ${t.output.length} output lines: no credential`,
  );
  return inSecretValues;
}

/** A process seen in `/proc` (Linux only). */
export interface ProcInfo {
  pid: number;
  ppid: number;
  argv: string[];
  /** working directory, "" when unreadable */
  cwd: string;
}

/** Every process of this user whose /proc entry is readable (Linux only; [] elsewhere). */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[] = [];
  try {
    names = readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  for (const n of names) {
    try {
      const argv = readFileSync(`/proc/${n}/cmdline`, "utf8").split("\0").filter((a) => a.length > 0);
      const stat = readFileSync(`/proc/${n}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      let cwd = "";
      try {
        cwd = readlinkSync(`/proc/${n}/cwd`);
      } catch {
        // another user's process, or gone
      }
      out.push({ pid: Number(n), ppid, argv, cwd });
    } catch {
      // the process exited while we looked
    }
  }
  return out;
}

/** The `pulumi` CLI processes and dynamic-provider processes running in a test stack's work dir. */
export function stackProcesses(workDir: string): { cli: ProcInfo[]; providers: ProcInfo[] } {
  const inDir = listProcesses().filter((p) => p.cwd === workDir);
  return {
    cli: inDir.filter((p) => path.basename(p.argv[0] ?? "") === "pulumi"),
    providers: inDir.filter((p) => p.argv.some((a) => a.includes("dynamic-provider"))),
  };
}

type EmulatorLike = Pick<import("../../emulator/index").RunningEmulator, "url" | "credentials" | "store">;

/** Environment that points the provider at the emulator with its seeded API key (digest). */
export function emulatorApiKeyEnv(emulator: EmulatorLike): Record<string, string> {
  return {
    MONGODB_ATLAS_BASE_URL: emulator.url,
    MONGODB_ATLAS_PUBLIC_API_KEY: emulator.credentials.apiKey.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: emulator.credentials.apiKey.privateKey,
  };
}

/**
 * Adds `count` completed scheduled snapshots to a cluster (ids `<prefix><22 digits>`), one per
 * export job a test needs: Atlas runs one export per snapshot at a time. Returns their ids.
 */
export function addCompletedSnapshots(
  emulator: EmulatorLike,
  where: { groupId: string; clusterName: string; idPrefix: string },
  count: number,
): string[] {
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${where.idPrefix}${String(i).padStart(24 - where.idPrefix.length, "0")}`;
    emulator.store.addSnapshot({
      groupId: where.groupId,
      clusterName: where.clusterName,
      id,
      requestedAt: now - 3_600_000 - i * 1000,
      retentionInDays: 7,
      snapshotType: "scheduled",
      frequencyType: "hourly",
      storageSizeBytes: 1_000_000,
      seeded: true,
    });
    ids.push(id);
  }
  return ids;
}

/**
 * Removes every `MONGODB_ATLAS_*` variable from this process, so the CLI and the provider
 * process see only the credentials a test stack is given.
 */
export function clearAtlasEnv(): void {
  for (const k of Object.keys(process.env)) if (k.startsWith("MONGODB_ATLAS_")) delete process.env[k];
}

/** Runs an operation that must fail; returns its message (a CommandError carries stdout+stderr). */
export async function failureOf(op: Promise<unknown>): Promise<string> {
  try {
    await op;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error("the operation was expected to fail but succeeded");
}
