import { describe, expect, it } from "vitest";
import { configEnvFingerprint, DEFAULT_BASE_URL, ENV_KEYS, resolveConfig, type ConfigSource } from "../../provider/config";
import { AtlasConfigError } from "../../provider/errors";

const stack = (values: Record<string, string>): ConfigSource => ({ get: (k) => values[k] });
const SECRET = "mdb_sa_sk_config0test0secret";
const PRIV = "priv-0000-config-test-key";

function errorOf(fn: () => unknown): AtlasConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AtlasConfigError);
    return e as AtlasConfigError;
  }
  throw new Error("expected an AtlasConfigError");
}

describe("resolveConfig", () => {
  it("reads a service account from stack config", () => {
    expect(resolveConfig(stack({ "mongodbatlas:clientId": "id1", "mongodbatlas:clientSecret": SECRET }), {})).toEqual({
      baseUrl: DEFAULT_BASE_URL,
      credentials: { kind: "serviceAccount", clientId: "id1", clientSecret: SECRET },
      source: "stack",
      baseUrlSource: "the default base URL",
    });
  });

  it("reads API keys from env, both name families", () => {
    expect(resolveConfig(undefined, { MONGODB_ATLAS_PUBLIC_API_KEY: "pub", MONGODB_ATLAS_PRIVATE_API_KEY: PRIV }).credentials).toEqual({
      kind: "apiKey",
      publicKey: "pub",
      privateKey: PRIV,
    });
    expect(resolveConfig(undefined, { MONGODB_ATLAS_PUBLIC_KEY: "pub2", MONGODB_ATLAS_PRIVATE_KEY: PRIV }).credentials).toMatchObject({
      publicKey: "pub2",
    });
    // The *_API_KEY name wins when both are set.
    expect(
      resolveConfig(undefined, {
        MONGODB_ATLAS_PUBLIC_API_KEY: "a",
        MONGODB_ATLAS_PUBLIC_KEY: "b",
        MONGODB_ATLAS_PRIVATE_API_KEY: PRIV,
      }).credentials,
    ).toMatchObject({ publicKey: "a" });
  });

  it("prefers a service account over API keys in the same source", () => {
    const env = {
      MONGODB_ATLAS_CLIENT_ID: "id",
      MONGODB_ATLAS_CLIENT_SECRET: SECRET,
      MONGODB_ATLAS_PUBLIC_API_KEY: "pub",
      MONGODB_ATLAS_PRIVATE_API_KEY: PRIV,
    };
    expect(resolveConfig(undefined, env)).toMatchObject({ credentials: { kind: "serviceAccount" }, source: "env" });
  });

  it("stack config beats env, per source: a stack service account is never mixed with an env secret", () => {
    const env = { MONGODB_ATLAS_CLIENT_ID: "env-id", MONGODB_ATLAS_CLIENT_SECRET: "env-secret-value" };
    expect(resolveConfig(stack({ "mongodbatlas:publicKey": "pub", "mongodbatlas:privateKey": PRIV }), env)).toMatchObject({
      credentials: { kind: "apiKey", publicKey: "pub" },
      source: "stack",
    });
    // Half a pair in stack config is an error, not completed from env.
    const err = errorOf(() => resolveConfig(stack({ "mongodbatlas:clientId": "stack-id" }), env));
    expect(err.message).toContain('"mongodbatlas:clientSecret"');
  });

  it("says exactly what to set when nothing is configured", () => {
    const err = errorOf(() => resolveConfig(undefined, {}));
    for (const name of [
      "mongodbatlas:clientId",
      "mongodbatlas:clientSecret",
      "mongodbatlas:publicKey",
      "mongodbatlas:privateKey",
      "MONGODB_ATLAS_CLIENT_ID",
      "MONGODB_ATLAS_CLIENT_SECRET",
      "MONGODB_ATLAS_PUBLIC_API_KEY",
      "MONGODB_ATLAS_PRIVATE_API_KEY",
    ]) {
      expect(err.message).toContain(name);
    }
  });

  it("reports a half-set env pair by name, without echoing any value", () => {
    const err = errorOf(() => resolveConfig(undefined, { MONGODB_ATLAS_PRIVATE_API_KEY: PRIV, MONGODB_ATLAS_CLIENT_SECRET: SECRET }));
    expect(err.message).toContain("MONGODB_ATLAS_PUBLIC_API_KEY");
    expect(err.message).toContain("MONGODB_ATLAS_CLIENT_ID");
    for (const text of [err.message, String(err.stack), JSON.stringify(err)]) {
      expect(text).not.toContain(PRIV);
      expect(text).not.toContain(SECRET);
    }
  });

  it("treats empty and whitespace-only values as unset", () => {
    const cfg = resolveConfig(stack({ "mongodbatlas:clientId": " ", "mongodbatlas:clientSecret": "" }), {
      MONGODB_ATLAS_PUBLIC_API_KEY: "pub",
      MONGODB_ATLAS_PRIVATE_API_KEY: ` ${PRIV}\n`,
    });
    expect(cfg).toMatchObject({ source: "env", credentials: { privateKey: PRIV } });
  });

  it("resolves the base URL: stack, then env, then the default; https or loopback http only", () => {
    const creds = { MONGODB_ATLAS_PUBLIC_API_KEY: "pub", MONGODB_ATLAS_PRIVATE_API_KEY: PRIV };
    expect(resolveConfig(undefined, { ...creds, MONGODB_ATLAS_BASE_URL: "http://127.0.0.1:43121/" }).baseUrl).toBe("http://127.0.0.1:43121");
    expect(
      resolveConfig(stack({ "mongodbatlas:baseUrl": "https://cloud.mongodbgov.com" }), { ...creds, MONGODB_ATLAS_BASE_URL: "http://localhost:1" })
        .baseUrl,
    ).toBe("https://cloud.mongodbgov.com");
    const err = errorOf(() => resolveConfig(undefined, { ...creds, MONGODB_ATLAS_BASE_URL: "http://atlas.internal" }));
    expect(err.message).toContain("MONGODB_ATLAS_BASE_URL");
    expect(err.message).toContain("https");
  });

  it("rejects a base URL with a path, query or fragment before any request, naming the key and the expected form", () => {
    const creds = { MONGODB_ATLAS_PUBLIC_API_KEY: "pub", MONGODB_ATLAS_PRIVATE_API_KEY: PRIV };
    const viaStack = errorOf(() => resolveConfig(stack({ "mongodbatlas:baseUrl": "https://cloud.mongodb.com/api/atlas/v2" }), creds));
    expect(viaStack.message).toContain('stack config "mongodbatlas:baseUrl"');
    expect(viaStack.message).toContain("a path (/api/atlas/v2)");
    expect(viaStack.message).toContain("https://cloud.mongodb.com");
    for (const url of ["https://cloud.mongodb.com/api/atlas/v2/", "http://127.0.0.1:4000/x", "https://cloud.mongodb.com?envelope=true", "https://cloud.mongodb.com/#x", "https://cloud.mongodb.com?"]) {
      const err = errorOf(() => resolveConfig(undefined, { ...creds, MONGODB_ATLAS_BASE_URL: url }));
      expect(err.message, url).toContain("environment variable MONGODB_ATLAS_BASE_URL");
      expect(err.message, url).toContain("e.g. https://cloud.mongodb.com");
    }
    // A bare trailing slash is the origin.
    expect(resolveConfig(undefined, { ...creds, MONGODB_ATLAS_BASE_URL: "https://cloud.mongodb.com/" }).baseUrl).toBe("https://cloud.mongodb.com");
  });

  it("plain http only for localhost, 127.0.0.0/8 and ::1; *.localhost and other names are refused", () => {
    const creds = { MONGODB_ATLAS_PUBLIC_API_KEY: "pub", MONGODB_ATLAS_PRIVATE_API_KEY: PRIV };
    for (const url of ["http://localhost:1", "http://127.0.0.1:2", "http://127.255.0.9", "http://[::1]:3", "http://LOCALHOST:4"]) {
      expect(resolveConfig(undefined, { ...creds, MONGODB_ATLAS_BASE_URL: url }).baseUrl, url).toMatch(/^http:\/\//);
    }
    for (const url of ["http://atlas.localhost:1", "http://localhost.example.com", "http://127.0.0.1.nip.io", "http://[::2]:1", "http://0.0.0.0:1", "http://[::ffff:10.0.0.1]"]) {
      const err = errorOf(() => resolveConfig(undefined, { ...creds, MONGODB_ATLAS_BASE_URL: url }));
      expect(err.message, url).toMatch(/must use https: plain http is only allowed for loopback hosts/);
    }
  });

  it("names a stack config key set with the wrong letter case, and its right spelling", () => {
    const values = { "mongodbatlas:publicKey": "pub", "mongodbatlas:privatekey": PRIV };
    const src: ConfigSource = { get: (k) => (values as Record<string, string>)[k], keys: () => Object.keys(values) };
    const err = errorOf(() => resolveConfig(src, {}));
    expect(err.message).toContain('stack config "mongodbatlas:privatekey" is set, but the key is spelled "mongodbatlas:privateKey"');
    expect(err.message).toContain("pulumi config rm");
    expect(err.message).not.toContain(PRIV);
    // Even when the environment has complete credentials: the typo must not be ignored silently.
    const typoUrl = { "mongodbatlas:baseurl": "http://127.0.0.1:1" };
    const err2 = errorOf(() =>
      resolveConfig({ get: () => undefined, keys: () => Object.keys(typoUrl) }, { MONGODB_ATLAS_CLIENT_ID: "i", MONGODB_ATLAS_CLIENT_SECRET: SECRET }),
    );
    expect(err2.message).toContain('"mongodbatlas:baseurl" is set, but the key is spelled "mongodbatlas:baseUrl"');
  });

  it("names an environment variable set with the wrong letter case", () => {
    const err = errorOf(() => resolveConfig(undefined, { MONGODB_ATLAS_PUBLIC_API_KEY: "pub", MONGODB_ATLAS_Private_API_KEY: PRIV }));
    expect(err.message).toContain('environment variable "MONGODB_ATLAS_Private_API_KEY" is set, but the key is spelled "MONGODB_ATLAS_PRIVATE_API_KEY"');
    expect(err.message).not.toContain(PRIV);
  });

  it("defaults env to process.env", () => {
    const saved = { ...process.env };
    try {
      process.env.MONGODB_ATLAS_CLIENT_ID = "pid";
      process.env.MONGODB_ATLAS_CLIENT_SECRET = SECRET;
      expect(resolveConfig(undefined).credentials).toMatchObject({ clientId: "pid" });
    } finally {
      process.env = saved;
    }
  });
});

describe("configEnvFingerprint", () => {
  const base = { PATH: "/bin", HOME: "/root", MONGODB_ATLAS_CLIENT_ID: "mdb_sa_id_x", MONGODB_ATLAS_CLIENT_SECRET: SECRET };

  it("changes with every variable resolveConfig reads, and with a name it rejects for its letter case", () => {
    const fp = configEnvFingerprint(base);
    for (const name of Object.values(ENV_KEYS).flat()) {
      expect(configEnvFingerprint({ ...base, [name]: "v" }), name).not.toBe(fp);
      expect(configEnvFingerprint({ ...base, [name.toLowerCase()]: "v" }), name.toLowerCase()).not.toBe(fp);
    }
    expect(configEnvFingerprint({ ...base, MONGODB_ATLAS_CLIENT_SECRET: `${SECRET}2` })).not.toBe(fp);
  });

  it("ignores every other variable, so equal fingerprints resolve alike", () => {
    const fp = configEnvFingerprint(base);
    const other = { ...base, PATH: "/usr/bin", MONGODB_ATLAS_PROJECT_ID: "x", PULUMI_HOME: "/p" };
    expect(configEnvFingerprint(other)).toBe(fp);
    expect(resolveConfig(undefined, other)).toEqual(resolveConfig(undefined, base));
  });
});
