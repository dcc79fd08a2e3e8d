import { afterEach, describe, expect, it } from "vitest";
import { MockAgent } from "undici";
import { AtlasClient, type AtlasClientOptions } from "../../../provider/client";
import { checkBaseUrl, isLoopbackHost } from "../../../provider/client/base-url";
import { AtlasConfigError } from "../../../provider/errors";
import { USER_AGENT, VERSION } from "../../../provider/version";
import { API_KEY, PRIVATE_KEY, SA, SA_SECRET, serializations } from "./helpers";

const agents: MockAgent[] = [];
const agent = () => {
  const a = new MockAgent();
  a.disableNetConnect();
  agents.push(a);
  return a;
};
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function construct(options: unknown): unknown {
  try {
    return new AtlasClient(options as AtlasClientOptions);
  } catch (e) {
    return e;
  }
}

describe("AtlasClient constructor", () => {
  it("accepts valid options and fromConfig()", () => {
    expect(new AtlasClient({ baseUrl: "https://cloud.mongodb.com/", credentials: SA, dispatcher: agent() }).baseUrl).toBe(
      "https://cloud.mongodb.com",
    );
    const c = AtlasClient.fromConfig(
      { baseUrl: "http://127.0.0.1:8080", credentials: API_KEY, source: "env" },
      { dispatcher: agent(), retry: { maxAttempts: 2 } },
    );
    expect(c.authKind).toBe("apiKey");
  });

  it("allows plain http only for loopback hosts", () => {
    for (const url of ["http://127.0.0.1:1234", "http://localhost:1", "http://[::1]:8080", "http://127.10.0.3"]) {
      expect(construct({ baseUrl: url, credentials: SA, dispatcher: agent() })).toBeInstanceOf(AtlasClient);
    }
    for (const url of ["http://cloud.mongodb.com", "http://10.0.0.1", "http://128.0.0.1", "ftp://x", "not a url"]) {
      expect(construct({ baseUrl: url, credentials: SA, dispatcher: agent() })).toBeInstanceOf(AtlasConfigError);
    }
    expect(isLoopbackHost("127.0.0.300")).toBe(false);
    // A *.localhost name resolves wherever the resolver says: not loopback for credentials.
    for (const url of ["http://atlas.localhost:8080", "http://emulator.localhost", "http://localhost.attacker.example"]) {
      expect(construct({ baseUrl: url, credentials: SA, dispatcher: agent() }), url).toBeInstanceOf(AtlasConfigError);
    }
    expect(isLoopbackHost("foo.localhost")).toBe(false);
    expect(() => checkBaseUrl("https://user:pw@cloud.mongodb.com")).toThrow(AtlasConfigError);
  });

  it("rejects a base URL with a path, query or fragment, naming the setting and the expected form", () => {
    for (const url of ["https://cloud.mongodb.com/api/atlas/v2", "https://cloud.mongodb.com/api", "https://cloud.mongodb.com?pretty=true", "https://cloud.mongodb.com#frag"]) {
      const e = construct({ baseUrl: url, baseUrlSource: 'stack config "mongodbatlas:baseUrl"', credentials: SA, dispatcher: agent() });
      expect(e, url).toBeInstanceOf(AtlasConfigError);
      expect((e as Error).message, url).toContain('stack config "mongodbatlas:baseUrl" must be the Atlas origin without');
      expect((e as Error).message, url).toContain("e.g. https://cloud.mongodb.com");
    }
    expect((construct({ baseUrl: "https://cloud.mongodb.com/api/atlas/v2", credentials: SA, dispatcher: agent() }) as Error).message).toMatch(
      /^baseUrl must be the Atlas origin without a path \(\/api\/atlas\/v2\)/,
    );
  });

  it("throws AtlasConfigError immediately for bad options, naming the option but never a secret", () => {
    const cases: unknown[] = [
      undefined,
      { baseUrl: "https://cloud.mongodb.com" },
      { baseUrl: "https://cloud.mongodb.com", credentials: { kind: "apiKey", publicKey: "", privateKey: PRIVATE_KEY } },
      { baseUrl: "https://cloud.mongodb.com", credentials: { kind: "serviceAccount", clientId: 5, clientSecret: SA_SECRET } },
      { baseUrl: "https://cloud.mongodb.com", credentials: SA, timeouts: { headersMs: -1 } },
      { baseUrl: "https://cloud.mongodb.com", credentials: SA, retry: { maxAttempts: 0 } },
      { baseUrl: "https://cloud.mongodb.com", credentials: SA, dispatcher: {} },
      { baseUrl: "https://cloud.mongodb.com", credentials: SA, sleep: 5 },
      { baseUrl: "https://cloud.mongodb.com", credentials: SA, timeout: 5 },
    ];
    for (const options of cases) {
      const err = construct(options);
      expect(err, JSON.stringify(options)).toBeInstanceOf(AtlasConfigError);
      for (const text of serializations(err)) {
        expect(text).not.toContain(PRIVATE_KEY);
        expect(text).not.toContain(SA_SECRET);
      }
    }
    expect(String((construct(cases[4]) as Error).message)).toContain("timeouts.headersMs");
  });

  it("creates and closes its own Agent when no dispatcher is given", async () => {
    const c = new AtlasClient({ baseUrl: "https://cloud.mongodb.com", credentials: SA });
    await expect(c.close()).resolves.toBeUndefined();
  });
});

describe("version", () => {
  it("reads VERSION from the package's own package.json and builds the User-Agent", async () => {
    const { readFileSync } = await import("node:fs");
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", `file://${__filename}`), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(USER_AGENT).toBe(`pulumi-atlas-export/${pkg.version} (node ${process.version}; ${process.platform} ${process.arch})`);
  });
});
