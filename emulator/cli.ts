#!/usr/bin/env node
/**
 * `npm run emulator -- --port <n>`: starts the emulator, prints its base URL on ONE line to stdout
 * (nothing else goes to stdout) and runs until SIGINT/SIGTERM. Other information goes to stderr.
 */
import { parseFaultSpec, type FaultRule } from "./faults";
import { startEmulator, type EmulatorOptions } from "./index";

const USAGE = `usage: atlas-export-emulator [--port <n>] [--host <loopback>] [--time-scale <x>]
  [--seed default|empty-buckets] [--persist <file>] [--fault-seed <n>] [--faults <spec>] [--strict-versions] [--log-bodies]
  --faults: rules separated by ";", each kind[:key=value,...], e.g.
    "rate-limit:rate=0.1,retryAfterSeconds=2;drop:method=POST,path=**/exportBuckets,nth=1"`;

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
      case "--port": opts.port = num(); break;
      case "--host": opts.host = value(); break;
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
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const emu = await startEmulator(opts);
  process.stdout.write(`${emu.url}\n`);
  const c = emu.credentials;
  process.stderr.write(
    `[atlas-emulator] listening on ${emu.url} (timeScale ${opts.timeScale ?? 1}, seed ${opts.seed ?? "default"}${opts.persistPath ? `, persist ${opts.persistPath}` : ""})\n` +
    `[atlas-emulator] project ${c.groupId}; API key ${c.apiKey.publicKey}; service account ${c.serviceAccount.clientId}\n`,
  );
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[atlas-emulator] ${sig}: stopping\n`);
    emu.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`[atlas-emulator] ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  });
}
