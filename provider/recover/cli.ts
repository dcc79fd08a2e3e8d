#!/usr/bin/env node
/**
 * The `pulumi-atlas-export` command (package.json `bin`). Subcommands: `recover`.
 * Argument parsing only; the work is in run.ts.
 */
import { EXIT, recover, type RecoverOptions } from "./run";

/** Usage text. */
export const USAGE = `Usage: pulumi-atlas-export recover [options]

Repairs a stack after "pulumi up" was interrupted (killed, CI runner lost) while creating
ExportBucket/ExportJob resources (or creating/updating AutoExport resources): finds each pending
create's object in Atlas (for AutoExport: whether the cluster's backup schedule already shows it)
and records it in the state, or clears the pending operation when nothing landed. Prints the
plan; changes nothing without --yes.

Options:
  -s, --stack <name>     the stack (default: the selected stack, as for "pulumi")
  -C, --cwd <dir>        the Pulumi project directory (default: the current directory)
  -y, --yes              apply the plan with "pulumi stack import", after saving a backup
      --since <time>     when the interrupted "pulumi up" started (RFC 3339, e.g. your CI job's
                         start); only objects created since then count as its creates
      --backup-dir <dir> where the backup goes (default: <cwd>/.pulumi-atlas-export)
  -h, --help             this text

The backend and secrets come from the environment, as for "pulumi" (PULUMI_BACKEND_URL,
PULUMI_ACCESS_TOKEN, PULUMI_CONFIG_PASSPHRASE, ...). Atlas credentials and base URL come from
the stack's mongodbatlas:* config or MONGODB_ATLAS_* variables, exactly as for the provider.`;

/** Parsed command line, or an error message. */
export function parseArgs(argv: readonly string[]): { command: "recover"; options: RecoverOptions } | { help: true } | { error: string } {
  const args = [...argv];
  if (args.length === 0 || args[0] === "-h" || args[0] === "--help" || args[0] === "help") return { help: true };
  const command = args.shift();
  if (command !== "recover") return { error: `unknown command "${command}"` };
  const options: RecoverOptions = { yes: false };
  while (args.length > 0) {
    let arg = args.shift() as string;
    let inline: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string | undefined => inline ?? args.shift();
    switch (arg) {
      case "-h":
      case "--help":
        return { help: true };
      case "-y":
      case "--yes":
        options.yes = true;
        break;
      case "-s":
      case "--stack": {
        const v = value();
        if (!v) return { error: `${arg} needs a stack name` };
        options.stack = v;
        break;
      }
      case "-C":
      case "--cwd": {
        const v = value();
        if (!v) return { error: `${arg} needs a directory` };
        options.cwd = v;
        break;
      }
      case "--since": {
        const v = value();
        const ms = v ? Date.parse(v) : Number.NaN;
        if (!Number.isFinite(ms)) return { error: `--since needs a time such as 2026-01-31T12:00:00Z (got ${JSON.stringify(v ?? "")})` };
        options.sinceMs = ms;
        break;
      }
      case "--backup-dir": {
        const v = value();
        if (!v) return { error: `${arg} needs a directory` };
        options.backupDir = v;
        break;
      }
      default:
        return { error: `unknown option "${arg}"` };
    }
  }
  return { command: "recover", options };
}

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if ("help" in parsed) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if ("error" in parsed) {
    process.stderr.write(`pulumi-atlas-export: ${parsed.error}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await recover(parsed.options);
  } catch (e) {
    // Messages of this package and of the CLI never carry credentials.
    process.stderr.write(`pulumi-atlas-export recover: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
