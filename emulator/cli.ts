#!/usr/bin/env node
/**
 * `npm run emulator -- --port <n>`: starts the emulator, prints its base URL on ONE line to stdout
 * (nothing else goes to stdout) and runs until SIGINT/SIGTERM. Other information goes to stderr.
 * (Through npm, `npm run emulator --silent -- --port 0`: without --silent npm prints its banner on
 * stdout first.) A start-up error a user causes (bad option, port in use, unusable --persist
 * file) is one line on stderr and exit code 2 (usage) or 1, not a stack trace.
 */
import { parseFaultSpec, type FaultRule } from "./faults";
import { startEmulator, type EmulatorOptions } from "./index";

const USAGE = `usage: atlas-export-emulator [--port <n>] [--host <loopback>] [--time-scale <x>]
  [--seed default|empty-buckets] [--persist <file>] [--fault-seed <n>] [--faults <spec>] [--strict-versions] [--log-bodies]
  --faults: rules separated by ";", each kind[:key=value,...], e.g.
    "rate-limit:rate=0.1,retryAfterSeconds=2;drop:method=POST,path=**/exportBuckets,nth=1"`;

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"];

/**
 * One line saying why the emulator could not start, for errors a user causes (port taken, a
 * --persist path that cannot be written or read); undefined for anything else (a bug: stack trace).
 */
export function startupErrorMessage(e: unknown, opts: EmulatorOptions): string | undefined {
  const err = e as NodeJS.ErrnoException;
  const where = `${opts.host ?? "127.0.0.1"}:${opts.port ?? 0}`;
  if (err?.syscall === "listen") {
    switch (err.code) {
      case "EADDRINUSE": return `port ${opts.port} on ${opts.host ?? "127.0.0.1"} is already in use; pick another --port, or --port 0 for a free one`;
      case "EACCES": return `not allowed to listen on ${where} (EACCES); use a port above 1023, or --port 0 for a free one`;
      case "EADDRNOTAVAIL": return `cannot listen on ${where}: the address is not available on this machine (EADDRNOTAVAIL)`;
      default: return `cannot listen on ${where}: ${err.message}`;
    }
  }
  if (opts.persistPath) {
    if (typeof err?.code === "string" && (err.syscall !== undefined || err.path !== undefined)) {
      const why: Record<string, string> = {
        ENOENT: "its directory does not exist",
        ENOTDIR: "a part of its path is not a directory",
        EISDIR: "it is a directory",
        EACCES: "permission denied",
        EROFS: "the file system is read-only",
      };
      return `--persist ${opts.persistPath}: cannot use ${err.path ?? opts.persistPath}: ${why[err.code] ?? err.message} (${err.code})`;
    }
    if (e instanceof SyntaxError) return `--persist ${opts.persistPath}: the file is not valid JSON (${e.message}); remove it to start from the seed`;
  }
  return undefined;
}

/** Parse argv into emulator options (exported for tests). */
export function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = {};
  const faults: FaultRule[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = value();
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n)) throw new Error(`${flag} needs a number, got ${v}`);
      return n;
    };
    switch (flag) {
      case "--port": {
        const port = num();
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535 (0 = any free port), got ${port}`);
        opts.port = port;
        break;
      }
      case "--host": {
        const host = value();
        // The emulator has no real authentication to speak of: it never listens beyond this machine.
        if (!LOOPBACK_HOSTS.includes(host)) throw new Error(`--host must be a loopback address (${LOOPBACK_HOSTS.join(", ")}), got ${host}`);
        opts.host = host;
        break;
      }
      case "--time-scale": opts.timeScale = num(); break;
      case "--seed": {
        const s = value();
        if (s !== "default" && s !== "empty-buckets") throw new Error(`--seed must be default or empty-buckets, got ${s}`);
        opts.seed = s;
        break;
      }
      case "--persist": opts.persistPath = value(); break;
      case "--fault-seed": opts.faultSeed = num(); break;
      case "--faults": faults.push(...parseFaultSpec(value())); break;
      case "--strict-versions": opts.strictVersions = true; break;
      case "--log-bodies": opts.logBodies = true; break;
      case "--help": case "-h": process.stderr.write(`${USAGE}\n`); process.exit(0); break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  if (faults.length) opts.faults = faults;
  return opts;
}

async function main(): Promise<void> {
  let opts: EmulatorOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`[atlas-emulator] error: ${(e as Error).message} (--help lists the options)\n`);
    process.exit(2);
  }
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emu = await startEmulator(opts);
  } catch (e) {
    const message = startupErrorMessage(e, opts);
    if (message === undefined) throw e;
    process.stderr.write(`[atlas-emulator] error: ${message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[atlas-emulator] ${sig}: stopping\n`);
    emu.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  const c = emu.credentials;
  process.stderr.write(
    `[atlas-emulator] listening on ${emu.url} (timeScale ${opts.timeScale ?? 1}, seed ${opts.seed ?? "default"}${opts.persistPath ? `, persist ${opts.persistPath}` : ""})\n` +
    `[atlas-emulator] project ${c.groupId}; API key ${c.apiKey.publicKey}; service account ${c.serviceAccount.clientId}\n`,
  );
  // The URL line comes last: whoever waits for it (a script, a CI step, a test) may stop the
  // emulator the moment it arrives, and by then the signal handlers and the banner are in place.
  process.stdout.write(`${emu.url}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`[atlas-emulator] ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  });
}
