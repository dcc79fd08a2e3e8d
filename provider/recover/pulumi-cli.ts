/**
 * The Pulumi CLI as `recover` uses it: every read and write of the stack goes through `pulumi`
 * (found on PATH), run in the project directory with this process's environment, so the backend
 * (`PULUMI_BACKEND_URL`, `pulumi login`, the project's `backend.url`), the secrets provider
 * (`PULUMI_CONFIG_PASSPHRASE`, …) and the selected stack are exactly the CLI's.
 */
import { spawn } from "node:child_process";
import type { ExportedStack } from "./state";
import type { HistoryEntry } from "./plan";

/** Which stack: `--stack`/`-s` and `--cwd`/`-C`, as the CLI takes them. */
export interface StackSelection {
  stack?: string;
  cwd?: string;
}

/** A finished `pulumi` run. */
export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `pulumi <args>`; stdout and stderr are captured, never printed here. */
export type PulumiRunner = (args: string[], sel: StackSelection) => Promise<PulumiResult>;

/** A `pulumi` command that failed; the message carries the end of its stderr (the CLI prints no secret there). */
export class PulumiCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly result: PulumiResult,
  ) {
    // stderr only: stdout may be a partial answer of `config --show-secrets`.
    const detail = (result.stderr.trim() || "(no error output)").split("\n").slice(-8).join("\n");
    super(`"pulumi ${args.join(" ")}" failed (exit ${result.code}):\n${detail}`);
    this.name = "PulumiCommandError";
  }
}

/** The real runner: spawns `pulumi` (PATH) in `sel.cwd` with this process's environment. */
export const spawnPulumi: PulumiRunner = (args, sel) =>
  new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], {
      cwd: sel.cwd ?? process.cwd(),
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: process.env["PULUMI_SKIP_UPDATE_CHECK"] ?? "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) =>
      reject(new Error(`could not run "pulumi" (${e.message}); install the Pulumi CLI and put it on PATH`, { cause: e })),
    );
    child.on("close", (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }),
    );
  });

function stackArgs(sel: StackSelection): string[] {
  return sel.stack ? ["--stack", sel.stack] : [];
}

async function ok(run: PulumiRunner, args: string[], sel: StackSelection): Promise<string> {
  const r = await run(args, sel);
  if (r.code !== 0) throw new PulumiCommandError(args, r);
  return r.stdout;
}

/** The stack's API around the runner. */
export class PulumiStack {
  constructor(
    readonly sel: StackSelection,
    private readonly run: PulumiRunner = spawnPulumi,
  ) {}

  /**
   * `pulumi stack export`, without `--show-secrets`: secrets stay ciphertext, so neither the
   * plan, the backup nor the imported file ever holds a decrypted secret. Returns the raw text
   * (the backup) and the parsed document.
   */
  async exportState(): Promise<{ text: string; state: ExportedStack }> {
    const text = await ok(this.run, ["stack", "export", ...stackArgs(this.sel)], this.sel);
    return { text, state: JSON.parse(text) as ExportedStack };
  }

  /** `pulumi stack history --output json`: newest first. */
  async history(): Promise<HistoryEntry[]> {
    const text = await ok(this.run, ["stack", "history", "--output", "json", ...stackArgs(this.sel)], this.sel);
    const parsed: unknown = text.trim() === "" ? [] : JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as HistoryEntry[]) : [];
  }

  /**
   * The stack's `mongodbatlas:*` config, decrypted (`pulumi config --json --show-secrets`), as the
   * engine hands it to the provider. Only those keys are kept; the values are never printed.
   */
  async atlasConfig(): Promise<Map<string, string>> {
    const text = await ok(this.run, ["config", "--json", "--show-secrets", ...stackArgs(this.sel)], this.sel);
    const all = JSON.parse(text) as Record<string, { value?: unknown }>;
    const out = new Map<string, string>();
    for (const [key, entry] of Object.entries(all)) {
      if (key.startsWith("mongodbatlas:") && typeof entry?.value === "string") out.set(key, entry.value);
    }
    return out;
  }

  /** The backend URL the CLI uses for this project (`pulumi whoami --output json`), if it says. */
  async backendUrl(): Promise<string | undefined> {
    const r = await this.run(["whoami", "--output", "json"], this.sel);
    if (r.code !== 0) return undefined;
    try {
      const url = (JSON.parse(r.stdout) as { url?: unknown }).url;
      return typeof url === "string" ? url : undefined;
    } catch {
      return undefined;
    }
  }

  /** `pulumi stack import --file <file>`. */
  async importState(file: string): Promise<void> {
    await ok(this.run, ["stack", "import", "--file", file, ...stackArgs(this.sel)], this.sel);
  }
}
