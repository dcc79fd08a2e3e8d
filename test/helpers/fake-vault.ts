/**
 * A loopback stand-in for HashiCorp Vault's Transit secrets engine, so the e2e stacks of
 * Automation API programs can use Pulumi's `hashivault://` secrets provider instead of the
 * passphrase one.
 *
 * Why: the passphrase secrets provider derives its key with PBKDF2 (1,000,000 iterations of
 * SHA-256) in EVERY `pulumi` process that reads or writes a secret — every preview, up, refresh,
 * destroy, `stack export --show-secrets`, `stack output`, `stack history --show-secrets` — about
 * 0.2 s of CPU each, which over the ~600 CLI runs of one e2e pass was ~20 % of the suite's CPU.
 * With a cloud secrets provider the CLI asks the key service once per process to decrypt the
 * stack's data key (one loopback request) and then encrypts values with AES-256-GCM exactly as
 * with a passphrase, so secrets in state stay real ciphertext and every secret-scan assertion
 * keeps its meaning. The tests that model the user's own CLI path (a Pulumi.yaml project run by
 * `pulumi`, see test/helpers/cli.ts) and the secret scan keep the passphrase provider.
 *
 * Only the two calls gocloud.dev's hashivault keeper makes are served:
 * `PUT|POST /v1/transit/encrypt/<key>` `{plaintext: base64}` → `{data: {ciphertext}}` and
 * `PUT|POST /v1/transit/decrypt/<key>` `{ciphertext}` → `{data: {plaintext: base64}}`. The
 * "Vault" key is random per process: a stack's data key is readable only while the process that
 * created the stack runs, which is the life of an e2e stack.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a stack needs to use the fake Vault: the secrets provider URL and the CLI's environment. */
export interface FakeVault {
  /** `hashivault://e2e`: pass as `secretsProvider` when the stack is created. */
  secretsProvider: string;
  /** `VAULT_SERVER_URL` and `VAULT_SERVER_TOKEN` for every `pulumi` process of the stack. */
  env: Record<string, string>;
}

const TOKEN = "e2e-fake-vault-token";
let running: Promise<FakeVault> | undefined;
let server: Server | undefined;

/** The process's fake Vault, started on first use (port 0, loopback, unref'd: it never keeps the process alive). */
export function fakeVault(): Promise<FakeVault> {
  running ??= start();
  return running;
}

/** Stops the fake Vault (tests of this helper only; e2e files let it end with the process). */
export async function stopFakeVault(): Promise<void> {
  const s = server;
  running = undefined;
  server = undefined;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
}

async function start(): Promise<FakeVault> {
  const key = randomBytes(32);
  const s = createServer((req, res) => {
    handle(req, res, key).catch((e: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [String(e)] }));
    });
  });
  server = s;
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => resolve());
  });
  s.unref();
  const { port } = s.address() as AddressInfo;
  return {
    secretsProvider: "hashivault://e2e",
    env: { VAULT_SERVER_URL: `http://127.0.0.1:${port}`, VAULT_SERVER_TOKEN: TOKEN },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, key: Buffer): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (req.headers["x-vault-token"] !== TOKEN) return reply(403, { errors: ["permission denied"] });
  const m = /^\/v1\/transit\/(encrypt|decrypt)\/[\w.-]+$/.exec(req.url ?? "");
  if (!m || (req.method !== "PUT" && req.method !== "POST")) return reply(404, { errors: [`no handler for ${req.method} ${req.url}`] });
  let body: { plaintext?: unknown; ciphertext?: unknown };
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
  } catch {
    return reply(400, { errors: ["body is not JSON"] });
  }
  if (m[1] === "encrypt") {
    if (typeof body.plaintext !== "string") return reply(400, { errors: ["missing plaintext"] });
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", key, iv);
    const ct = Buffer.concat([c.update(Buffer.from(body.plaintext, "base64")), c.final()]);
    return reply(200, { data: { ciphertext: `vault:v1:${Buffer.concat([iv, c.getAuthTag(), ct]).toString("base64")}` } });
  }
  const text = typeof body.ciphertext === "string" ? body.ciphertext : "";
  if (!text.startsWith("vault:v1:")) return reply(400, { errors: ["invalid ciphertext"] });
  const raw = Buffer.from(text.slice("vault:v1:".length), "base64");
  try {
    const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    const pt = Buffer.concat([d.update(raw.subarray(28)), d.final()]);
    return reply(200, { data: { plaintext: pt.toString("base64") } });
  } catch {
    return reply(400, { errors: ["cipher: message authentication failed"] });
  }
}
