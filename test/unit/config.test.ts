import { describe, expect, it } from "vitest";
import { DEFAULT_BASE_URL, resolveConfig, type ConfigSource } from "../../provider/config";
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
