/**
 * Where credentials and the base URL come from.
 *
 * Precedence (see docs/ARCHITECTURE.md):
 * 1. The source: stack config (`mongodbatlas:*`) beats environment variables. The choice is made
 *    per source, not per key, so a stack-config service account is never completed with an
 *    environment secret: if any credential key is set in stack config, the environment's
 *    credentials are ignored.
 * 2. Within the chosen source, a complete service account (OAuth client credentials) beats a
 *    complete API key pair (HTTP Digest).
 * A half-set pair in the chosen source is an error (it is almost always a typo or a missing
 * `--secret` value), reported as one AtlasConfigError that names the key to set and never echoes a value.
 * The base URL is resolved on its own: stack config, then env, then https://cloud.mongodb.com.
 */
import * as z from "zod";
import { AtlasConfigError } from "./errors";
import { checkBaseUrl } from "./client/base-url";

/** The shape of Pulumi's `ConfigureRequest.config` (namespaced keys, decrypted values). */
export interface ConfigSource {
  get(key: string): string | undefined;
  /**
   * Every key that is set, if the source can list them. Used only to find misspelled keys
   * (`mongodbatlas:privatekey`), which are otherwise silently ignored.
   */
  keys?(): readonly string[];
}

/** Which credentials to authenticate with. */
export type Credentials =
  | { kind: "serviceAccount"; clientId: string; clientSecret: string }
  | { kind: "apiKey"; publicKey: string; privateKey: string };

/** Everything the client needs to reach Atlas. */
export interface ResolvedConfig {
  baseUrl: string;
  credentials: Credentials;
  /** Where the credentials came from. */
  source: "stack" | "env";
  /** Where `baseUrl` was set, for messages: e.g. `stack config "mongodbatlas:baseUrl"` or `the default`. */
  baseUrlSource?: string;
}

/** Atlas's public base URL, used when neither stack config nor env sets one. */
export const DEFAULT_BASE_URL = "https://cloud.mongodb.com";

/** Stack config keys this package reads. */
export const STACK_KEYS = {
  clientId: "mongodbatlas:clientId",
  clientSecret: "mongodbatlas:clientSecret",
  publicKey: "mongodbatlas:publicKey",
  privateKey: "mongodbatlas:privateKey",
  baseUrl: "mongodbatlas:baseUrl",
} as const;

/** Environment variables this package reads (first name listed wins where there are aliases). */
export const ENV_KEYS = {
  clientId: ["MONGODB_ATLAS_CLIENT_ID"],
  clientSecret: ["MONGODB_ATLAS_CLIENT_SECRET"],
  publicKey: ["MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY"],
  privateKey: ["MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY"],
  baseUrl: ["MONGODB_ATLAS_BASE_URL"],
} as const;

type Field = "clientId" | "clientSecret" | "publicKey" | "privateKey";

/** Trimmed non-empty string, or undefined: an empty env var means "not set". */
const optionalValue = z
  .string()
  .optional()
  .transform((v) => {
    const t = v?.trim();
    return t ? t : undefined;
  });

const rawSchema = z.object({
  clientId: optionalValue,
  clientSecret: optionalValue,
  publicKey: optionalValue,
  privateKey: optionalValue,
  baseUrl: optionalValue,
});
type Raw = z.infer<typeof rawSchema>;

interface SourceView {
  name: "stack" | "env";
  values: Raw;
  /** How to tell the user to set a field in this source. */
  label(field: Field | "baseUrl"): string;
}

function readStack(stack: ConfigSource | undefined): SourceView {
  const get = (key: string): string | undefined => {
    const v = stack?.get(key);
    return typeof v === "string" ? v : undefined;
  };
  const values = rawSchema.parse({
    clientId: get(STACK_KEYS.clientId),
    clientSecret: get(STACK_KEYS.clientSecret),
    publicKey: get(STACK_KEYS.publicKey),
    privateKey: get(STACK_KEYS.privateKey),
    baseUrl: get(STACK_KEYS.baseUrl),
  });
  return { name: "stack", values, label: (f) => `stack config "${STACK_KEYS[f]}"` };
}

function readEnv(env: NodeJS.ProcessEnv): SourceView {
  const first = (names: readonly string[]): string | undefined => {
    for (const n of names) {
      const v = env[n];
      if (typeof v === "string" && v.trim() !== "") return v;
    }
    return undefined;
  };
  const values = rawSchema.parse({
    clientId: first(ENV_KEYS.clientId),
    clientSecret: first(ENV_KEYS.clientSecret),
    publicKey: first(ENV_KEYS.publicKey),
    privateKey: first(ENV_KEYS.privateKey),
    baseUrl: first(ENV_KEYS.baseUrl),
  });
  return { name: "env", values, label: (f) => `environment variable ${ENV_KEYS[f].join(" (or ") + (ENV_KEYS[f].length > 1 ? ")" : "")}` };
}

function hasAnyCredential(v: Raw): boolean {
  return Boolean(v.clientId || v.clientSecret || v.publicKey || v.privateKey);
}

const HOW_TO_SET =
  "Set a service account with `pulumi config set mongodbatlas:clientId <id>` and " +
  "`pulumi config set --secret mongodbatlas:clientSecret <secret>` (or the environment variables " +
  "MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET), or an API key with " +
  "`pulumi config set mongodbatlas:publicKey <key>` and `pulumi config set --secret mongodbatlas:privateKey <key>` " +
  "(or MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY).";

function halfSetProblem(src: SourceView, a: Field, b: Field): string | undefined {
  const va = src.values[a];
  const vb = src.values[b];
  if (va && !vb) return `${src.label(a)} is set but ${src.label(b)} is not`;
  if (!va && vb) return `${src.label(b)} is set but ${src.label(a)} is not`;
  return undefined;
}

function credentialsFrom(src: SourceView): Credentials {
  const problems = [halfSetProblem(src, "clientId", "clientSecret"), halfSetProblem(src, "publicKey", "privateKey")].filter(
    (p): p is string => p !== undefined,
  );
  if (problems.length > 0) {
    throw new AtlasConfigError(
      `Incomplete MongoDB Atlas credentials in ${src.name === "stack" ? "stack config" : "the environment"}: ` +
        `${problems.join("; ")}. Set both values of the pair (or neither). ${HOW_TO_SET}`,
    );
  }
  const v = src.values;
  if (v.clientId && v.clientSecret) return { kind: "serviceAccount", clientId: v.clientId, clientSecret: v.clientSecret };
  if (v.publicKey && v.privateKey) return { kind: "apiKey", publicKey: v.publicKey, privateKey: v.privateKey };
  // Unreachable when hasAnyCredential() was true and no pair is half set; kept for type safety.
  throw new AtlasConfigError(`No MongoDB Atlas credentials found. ${HOW_TO_SET}`);
}

/** A key that differs from one of ours only in letter case, and the right spelling. */
export interface MisspelledKey {
  /** `stack config` or `environment variable`. */
  where: "stack config" | "environment variable";
  found: string;
  expected: string;
}

/**
 * Keys set in stack config or the environment that match one this package reads except for
 * letter case (`mongodbatlas:privatekey`, `MONGODB_ATLAS_Private_Key`). Pulumi config keys and
 * (on Linux) environment variables are case-sensitive, so such a key would be ignored. Never throws.
 */
export function findMisspelledKeys(stack: ConfigSource | undefined, env: NodeJS.ProcessEnv): MisspelledKey[] {
  const out: MisspelledKey[] = [];
  const check = (where: MisspelledKey["where"], names: readonly string[], known: readonly string[]) => {
    const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
    for (const name of names) {
      const expected = byLower.get(name.toLowerCase());
      if (expected !== undefined && expected !== name) out.push({ where, found: name, expected });
    }
  };
  let stackKeys: readonly string[] = [];
  try {
    stackKeys = stack?.keys?.() ?? [];
  } catch {
    stackKeys = [];
  }
  check("stack config", stackKeys, Object.values(STACK_KEYS));
  const envKeys = Object.keys(env).filter((k) => typeof env[k] === "string" && env[k]!.trim() !== "");
  check("environment variable", envKeys, Object.values(ENV_KEYS).flat());
  return out;
}

function misspelledMessage(found: MisspelledKey[]): string {
  const each = found.map((m) => `${m.where} "${m.found}" is set, but the key is spelled "${m.expected}"`).join("; ");
  const stackFix = found.some((m) => m.where === "stack config")
    ? ` For stack config: \`pulumi config rm <wrong key>\`, then \`pulumi config set [--secret] <right key> <value>\`.`
    : "";
  return `MongoDB Atlas configuration key with the wrong letter case, which would be ignored: ${each}.${stackFix}`;
}

/** Every environment variable name this package reads, lower-cased (for {@link configEnvFingerprint}). */
const ENV_NAMES_LOWER = new Set(Object.values(ENV_KEYS).flat().map((k) => k.toLowerCase()));

/**
 * The part of `env` that {@link resolveConfig} depends on, as one string: the name and value of
 * every variable whose name matches one this package reads in any letter case (the values read,
 * and the misspelled names it rejects). Equal fingerprints (with the same stack config) resolve
 * to the same result, so a caller can reuse a resolution without scanning every variable's value
 * again (each `process.env` read is a `getenv` call). Holds secrets: keep it in memory only.
 */
export function configEnvFingerprint(env: NodeJS.ProcessEnv = process.env): string {
  let out = "";
  for (const k of Object.keys(env)) {
    if (ENV_NAMES_LOWER.has(k.toLowerCase())) out += `${k}\u0000${env[k] ?? ""}\u0000`;
  }
  return out;
}

/**
 * Resolves credentials and base URL from stack config and the environment (precedence above).
 *
 * @throws AtlasConfigError when a key is set with the wrong letter case (naming it and the right
 *   spelling), no credentials are set, a pair is half set in the winning source, or the base URL
 *   is not an https origin (plain http is allowed for loopback hosts only; no path, query or fragment).
 *   The message names the keys / environment variables to set and never contains a value.
 */
export function resolveConfig(stack: ConfigSource | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  // A misspelled key is a setting the user meant to make: ignoring it would silently use other
  // credentials or the public Atlas URL, so it is an error even when resolution would succeed.
  const misspelled = findMisspelledKeys(stack, env);
  if (misspelled.length > 0) throw new AtlasConfigError(misspelledMessage(misspelled));
  const fromStack = readStack(stack);
  const fromEnv = readEnv(env);

  let source: SourceView;
  if (hasAnyCredential(fromStack.values)) source = fromStack;
  else if (hasAnyCredential(fromEnv.values)) source = fromEnv;
  else throw new AtlasConfigError(`No MongoDB Atlas credentials found in stack config or the environment. ${HOW_TO_SET}`);

  const credentials = credentialsFrom(source);

  const baseUrlSetting = fromStack.values.baseUrl
    ? { value: fromStack.values.baseUrl, label: fromStack.label("baseUrl") }
    : fromEnv.values.baseUrl
      ? { value: fromEnv.values.baseUrl, label: fromEnv.label("baseUrl") }
      : { value: DEFAULT_BASE_URL, label: "the default base URL" };
  const baseUrl = checkBaseUrl(baseUrlSetting.value, baseUrlSetting.label);

  return { baseUrl, credentials, source: source.name, baseUrlSource: baseUrlSetting.label };
}
