import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { AtlasApiError, isAtlasApiError } from "../../../provider/errors";
import {
  buildDigestAuthorization,
  computeDigestResponse,
  createCnonce,
  parseDigestChallenge,
} from "../../../provider/auth/digest";
import { API_KEY, apiCalls, closeHarnesses, atlasJson, GROUP, harness, headerOf, PRIVATE_KEY, serializations, type Harness } from "../client/helpers";

/** The challenge exactly as Atlas sends it. */
const challenge = (nonce: string, stale = false) =>
  `Digest realm="MMS Public API", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`;
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

/** Independent RFC 2617 check of an Authorization header against the expected request. */
function verifyDigest(authorization: string, method: string, expectedUri: string, password: string): Record<string, string> {
  expect(authorization.startsWith("Digest ")).toBe(true);
  const fields: Record<string, string> = {};
  for (const m of authorization.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) fields[m[1]!] = m[2] ?? m[3]!;
  expect(fields.uri).toBe(expectedUri);
  const ha1 = md5(`${fields.username}:${fields.realm}:${password}`);
  const ha2 = md5(`${method}:${fields.uri}`);
  expect(fields.response).toBe(md5(`${ha1}:${fields.nonce}:${fields.nc}:${fields.cnonce}:${fields.qop}:${ha2}`));
  return fields;
}

function headerFrom(headers: unknown, name: string): string | undefined {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    return undefined;
  }
  for (const [k, v] of Object.entries((headers ?? {}) as Record<string, unknown>)) if (k.toLowerCase() === name) return String(v);
  return undefined;
}

const SNAPSHOTS = `/api/atlas/v2/groups/${GROUP}/clusters/Cluster0/backup/snapshots`;
const ROLES = `/api/atlas/v2/groups/${GROUP}/cloudProviderAccess`;
const rolesBody = JSON.stringify({ awsIamRoles: [], azureServicePrincipals: [], gcpServiceAccounts: [] });

let h: Harness;
afterEach(closeHarnesses);

describe("parseDigestChallenge", () => {
  it("parses the challenge exactly as Atlas sends it", () => {
    expect(parseDigestChallenge(challenge("kWVA9Ciu7lNaN5QdjPe8kxPMReVjbt+B"))).toEqual({
      realm: "MMS Public API",
      domain: "",
      nonce: "kWVA9Ciu7lNaN5QdjPe8kxPMReVjbt+B",
      algorithm: "MD5",
      qop: "auth",
      stale: false,
      opaque: undefined,
    });
    expect(parseDigestChallenge(challenge("n", true))?.stale).toBe(true);
  });
  it("handles quoted commas, qop lists, opaque, several headers; rejects non-digest", () => {
    const c = parseDigestChallenge(['Basic realm="x"', 'Digest realm="a, b", nonce="n1", qop="auth,auth-int", opaque="op"']);
    expect(c).toMatchObject({ realm: "a, b", nonce: "n1", qop: "auth", opaque: "op", algorithm: "MD5" });
    expect(parseDigestChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseDigestChallenge('Digest realm="x", qop="auth-int", nonce="n"')).toBeUndefined();
    expect(parseDigestChallenge(undefined)).toBeUndefined();
  });
});

describe("computeDigestResponse", () => {
  it("matches an independent RFC 2617 computation (and the RFC's own example)", () => {
    // RFC 2617 §3.5 example.
    expect(
      computeDigestResponse({
        username: "Mufasa",
        password: "Circle Of Life",
        realm: "testrealm@host.com",
        nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        method: "GET",
        uri: "/dir/index.html",
        nc: "00000001",
        cnonce: "0a4f113b",
        qop: "auth",
      }),
    ).toBe("6629fae49393a05397450978507c4ef1");
    const header = buildDigestAuthorization(
      parseDigestChallenge(challenge("abc"))!,
      { publicKey: "pub", privateKey: "priv-secret" },
      { method: "POST", uri: "/api/atlas/v2/x?pageNum=2" },
      3,
      "0123456789abcdef",
    );
    const f = verifyDigest(header, "POST", "/api/atlas/v2/x?pageNum=2", "priv-secret");
    expect(f).toMatchObject({ nc: "00000003", cnonce: "0123456789abcdef", qop: "auth", algorithm: "MD5", username: "pub" });
    expect(header).toContain('algorithm="MD5"');
    expect(header).toContain("qop=auth,");
  });
  it("creates 16-hex cnonces", () => {
    expect(createCnonce()).toMatch(/^[0-9a-f]{16}$/);
    expect(createCnonce()).not.toBe(createCnonce());
  });
});

describe("digest exchange over HTTP", () => {
  it("challenges, answers correctly (uri = path + query), then reuses the nonce with nc=2", async () => {
    h = harness({ credentials: API_KEY });
    const seen: Record<string, string>[] = [];
    h.pool.intercept({ path: (p) => p.startsWith(SNAPSHOTS), method: "GET" }).reply(401, "", {
      headers: { "www-authenticate": challenge("nonce-one"), "content-type": "application/json;charset=ISO-8859-1" },
    });
    h.pool
      .intercept({ path: (p) => p.startsWith(SNAPSHOTS), method: "GET" })
      .reply((opts) => {
        const f = verifyDigest(headerFrom(opts.headers, "authorization")!, "GET", String(opts.path), PRIVATE_KEY);
        seen.push(f);
        return {
          statusCode: 200,
          data: JSON.stringify({ results: [{ id: "6a7943462c88faeba59ccf5f", status: "completed" }], totalCount: 1, links: [] }),
          responseOptions: { headers: atlasJson("2023-01-01") },
        };
      })
      .times(2);
    const first: unknown[] = [];
    for await (const s of h.client.listSnapshots(GROUP, "Cluster0")) first.push(s);
    for await (const s of h.client.listSnapshots(GROUP, "Cluster0", { itemsPerPage: 10 })) first.push(s);
    expect(first).toHaveLength(2);
    expect(seen.map((f) => [f.nonce, f.nc, f.username])).toEqual([
      ["nonce-one", "00000001", "unitpubk"],
      ["nonce-one", "00000002", "unitpubk"],
    ]);
    expect(seen[0]!.uri).toContain("?");
    expect(seen[0]!.cnonce).toMatch(/^[0-9a-f]{16}$/);
    expect(headerOf(apiCalls(h.agent)[0]!, "authorization")).toBeUndefined();
  });

  it("answers a stale=true challenge with the new nonce", async () => {
    h = harness({ credentials: API_KEY });
    h.pool.intercept({ path: ROLES, method: "GET" }).reply(401, "", { headers: { "www-authenticate": challenge("n1") } });
    h.pool.intercept({ path: ROLES, method: "GET" }).reply(200, rolesBody, { headers: atlasJson("2023-01-01") });
    await h.client.listCloudProviderAccessRoles(GROUP);
    // Next request reuses n1; the server says it is stale and offers n2.
    h.pool.intercept({ path: ROLES, method: "GET" }).reply(401, "", { headers: { "www-authenticate": challenge("n2", true) } });
    h.pool
      .intercept({ path: ROLES, method: "GET" })
      .reply((opts) => {
        const f = verifyDigest(headerFrom(opts.headers, "authorization")!, "GET", ROLES, PRIVATE_KEY);
        expect([f.nonce, f.nc]).toEqual(["n2", "00000001"]);
        return { statusCode: 200, data: rolesBody, responseOptions: { headers: atlasJson("2023-01-01") } };
      });
    await h.client.listCloudProviderAccessRoles(GROUP);
    expect(apiCalls(h.agent)).toHaveLength(4);
  });

  it("a wrong private key yields a 401 AtlasApiError naming only the public key", async () => {
    h = harness({ credentials: API_KEY });
    const body = JSON.stringify({ detail: "You are not authorized for this resource.", error: 401, errorCode: "USER_UNAUTHORIZED", reason: "Unauthorized" });
    h.pool
      .intercept({ path: ROLES, method: "GET" })
      .reply(401, body, { headers: { "www-authenticate": challenge("n1"), "content-type": "application/json" } })
      .times(2);
    const err = (await h.client.listCloudProviderAccessRoles(GROUP).catch((x: unknown) => x)) as AtlasApiError;
    expect(isAtlasApiError(err, 401)).toBe(true);
    expect(err.errorCode).toBe("USER_UNAUTHORIZED");
    expect(err.message).toContain('"unitpubk"');
    expect(apiCalls(h.agent)).toHaveLength(2); // challenge + one answer, no loop
    for (const text of serializations(err)) expect(text).not.toContain(PRIVATE_KEY);
  });
});
