/**
 * The e2e stacks' fake Vault (test/helpers/fake-vault.ts) answers the two Transit calls Pulumi's
 * `hashivault://` secrets provider makes, as Vault does: encrypt returns a `vault:v1:` ciphertext
 * that is not the plaintext, decrypt returns the plaintext, a wrong token or a tampered
 * ciphertext is refused.
 */
import { afterAll, describe, expect, it } from "vitest";
import { fakeVault, stopFakeVault } from "../helpers/fake-vault";

async function call(op: "encrypt" | "decrypt", body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const v = await fakeVault();
  const res = await fetch(`${v.env["VAULT_SERVER_URL"]}/v1/transit/${op}/e2e`, {
    method: "PUT",
    headers: { "x-vault-token": token ?? v.env["VAULT_SERVER_TOKEN"]!, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe("fake Vault transit", () => {
  afterAll(stopFakeVault);

  it("is what the e2e stacks are configured with", async () => {
    const v = await fakeVault();
    expect(v.secretsProvider).toBe("hashivault://e2e");
    expect(v.env["VAULT_SERVER_URL"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(v.env["VAULT_SERVER_TOKEN"]).toBeTruthy();
  });

  it("round-trips a data key; the ciphertext differs each time and never contains the plaintext", async () => {
    const key = Buffer.from("0123456789abcdef0123456789abcdef");
    const a = await call("encrypt", { plaintext: key.toString("base64") });
    const b = await call("encrypt", { plaintext: key.toString("base64") });
    expect(a.status).toBe(200);
    const ct: string = a.json.data.ciphertext;
    expect(ct).toMatch(/^vault:v1:/);
    expect(ct).not.toBe(b.json.data.ciphertext);
    expect(Buffer.from(ct.slice(9), "base64").includes(key)).toBe(false);
    const d = await call("decrypt", { ciphertext: ct });
    expect(d.status).toBe(200);
    expect(Buffer.from(d.json.data.plaintext, "base64").equals(key)).toBe(true);
  });

  it("refuses a wrong token, a tampered ciphertext and other paths", async () => {
    expect((await call("encrypt", { plaintext: "eA==" }, "wrong")).status).toBe(403);
    const ct: string = (await call("encrypt", { plaintext: "eA==" })).json.data.ciphertext;
    const raw = Buffer.from(ct.slice(9), "base64");
    raw[raw.length - 1] ^= 1;
    expect((await call("decrypt", { ciphertext: `vault:v1:${raw.toString("base64")}` })).status).toBe(400);
    const v = await fakeVault();
    const other = await fetch(`${v.env["VAULT_SERVER_URL"]}/v1/sys/health`, { headers: { "x-vault-token": v.env["VAULT_SERVER_TOKEN"]! } });
    expect(other.status).toBe(404);
  });
});
