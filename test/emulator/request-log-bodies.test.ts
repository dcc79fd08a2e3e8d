/**
 * The request log's optional headers and bodies (`logBodies` / `--log-bodies`): what was sent and
 * answered is visible, credentials are not (Authorization, digest responses, bearer tokens,
 * OAuth client secrets and issued tokens).
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseArgs } from "../../emulator/cli";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { bearerFetch, oauthToken, plainFetch } from "../helpers/digest-fetch";
import { GROUP, V2, apiFor } from "../helpers/emulator";

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});
const BUCKETS = `${V2}/groups/${GROUP}/backup/exportBuckets`;

describe("request log with bodies", () => {
  it("is off by default: entries carry no headers or bodies", async () => {
    emu = await startEmulator({ timeScale: 0 });
    await apiFor(() => emu!).get(BUCKETS, "2024-05-30");
    expect(emu.requestLog.length).toBeGreaterThan(0);
    for (const e of emu.requestLog) {
      expect(e.request).toBeUndefined();
      expect(e.response).toBeUndefined();
    }
  });

  it("logs request and response headers and bodies, with the digest response redacted", async () => {
    emu = await startEmulator({ timeScale: 0, logBodies: true });
    const { privateKey } = emu.credentials.apiKey;
    const r = await apiFor(() => emu!).post(BUCKETS, "2024-05-30", { bucketName: "logged-bucket", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" });
    expect(r.status).toBe(200);
    const [challenge, created] = emu.requestLog;
    expect(challenge!.status).toBe(401);
    expect(challenge!.response!.headers["www-authenticate"]).toMatch(/^Digest realm="MMS Public API"/);
    expect(created!.status).toBe(200);
    expect(created!.request!.headers["accept"]).toBe("application/vnd.atlas.2024-05-30+json");
    expect(created!.request!.body).toEqual({ bucketName: "logged-bucket", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" });
    const authz = created!.request!.headers["authorization"]!;
    expect(authz).toMatch(/^Digest /);
    expect(authz).toContain('username="emulpubk"');
    expect(authz).toContain('response="[REDACTED]"');
    expect(created!.response!.headers["content-type"]).toBe("application/vnd.atlas.2024-05-30+json;charset=utf-8");
    expect(created!.response!.body).toEqual(r.json);
    const everything = JSON.stringify(emu.requestLog);
    expect(everything).not.toContain(privateKey);
    // the real digest response hash of the request is nowhere in the log
    expect(everything).not.toMatch(/response="[0-9a-f]{32}"/);
  });

  it("redacts OAuth client secrets in form bodies, issued tokens and bearer tokens; also via GET /__emulator/requests", async () => {
    emu = await startEmulator({ timeScale: 0, logBodies: true });
    const { clientId, clientSecret } = emu.credentials.serviceAccount;
    const tok = await oauthToken(emu.url, clientId, clientSecret);
    const token = tok.json.access_token as string;
    // client_secret_post style: the secret in the form body (the emulator still wants Basic, so 401)
    await plainFetch(`${emu.url}/api/oauth/token`, {
      method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
    });
    await bearerFetch(`${emu.url}${BUCKETS}`, token, { headers: { Accept: "application/vnd.atlas.2024-05-30+json" } });
    const [tokenEntry, postStyle, bearer] = emu.requestLog;
    expect(tokenEntry!.request!.headers["authorization"]).toBe("Basic [REDACTED]");
    expect(tokenEntry!.request!.body).toEqual({ grant_type: "client_credentials" });
    expect(tokenEntry!.response!.body).toEqual({ access_token: "[REDACTED]", expires_in: 3600, token_type: "Bearer" });
    expect(postStyle!.request!.body).toEqual({ grant_type: "client_credentials", client_id: clientId, client_secret: "[REDACTED]" });
    expect(bearer!.request!.headers["authorization"]).toBe("Bearer [REDACTED]");
    expect(bearer!.status).toBe(200);
    expect(bearer!.response!.body).toMatchObject({ totalCount: 1 });
    const served = await plainFetch(`${emu.url}/__emulator/requests`);
    for (const text of [JSON.stringify(emu.requestLog), served.text]) {
      expect(text).not.toContain(clientSecret);
      expect(text).not.toContain(token);
      expect(text).not.toContain(Buffer.from(`${clientId}:${clientSecret}`).toString("base64"));
    }
    expect(served.json[2].request.headers.authorization).toBe("Bearer [REDACTED]");
  });

  it("--log-bodies turns it on from the CLI", () => {
    expect(parseArgs(["--log-bodies"]).logBodies).toBe(true);
    expect(parseArgs([]).logBodies).toBeUndefined();
  });
});
