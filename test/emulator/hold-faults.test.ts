/**
 * `hold` and `commit-then-hold`: a request kept without an answer until its client goes away, so
 * a test can kill a client at a known point of a create (test/e2e/crash.e2e.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index";

const GROUP = "6a0000000000000000000001";
let emu: RunningEmulator;

beforeEach(async () => {
  emu = await startEmulator({ port: 0, seed: "empty-buckets", timeScale: 0 });
});
afterEach(async () => emu.close());

async function token(): Promise<string> {
  const { clientId, clientSecret } = emu.credentials.serviceAccount;
  const r = await fetch(`${emu.url}/api/oauth/token`, {
    method: "POST",
    headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

async function heldCount(): Promise<number> {
  const rules = (await (await fetch(`${emu.url}/__emulator/faults`)).json()) as { held: number }[];
  return rules.reduce((n, r) => n + r.held, 0);
}

async function until(cond: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 2000 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await cond()).toBe(true);
}

/** Starts a bucket POST that the test can abandon (the client going away). */
async function postBucket(): Promise<{ abort: () => void; done: Promise<unknown> }> {
  const ac = new AbortController();
  const done = fetch(`${emu.url}/api/atlas/v2/groups/${GROUP}/backup/exportBuckets`, {
    method: "POST",
    signal: ac.signal,
    headers: { Authorization: `Bearer ${await token()}`, Accept: "application/vnd.atlas.2024-05-30+json", "Content-Type": "application/json" },
    body: JSON.stringify({ bucketName: "held-bucket", cloudProvider: "AWS", iamRoleId: "6a00000000000000000000b1" }),
  }).catch((e: unknown) => e);
  return { abort: () => ac.abort(), done };
}

describe("hold faults", () => {
  it("hold: the request waits unprocessed, shown as held; when the client goes away nothing was applied", async () => {
    emu.faults.add({ kind: "hold", method: "POST", path: "**/exportBuckets", times: 1 });
    const req = await postBucket();
    await until(async () => (await heldCount()) === 1);
    expect(emu.store.listBuckets(GROUP)).toHaveLength(0);
    req.abort();
    await req.done;
    await until(async () => (await heldCount()) === 0);
    expect(emu.store.listBuckets(GROUP)).toHaveLength(0);
    expect(emu.requestLog.at(-1)).toMatchObject({ method: "POST", status: 0, fault: "hold" });
  });

  it("commit-then-hold: the request is applied, then held without an answer until the client goes away", async () => {
    emu.faults.add({ kind: "commit-then-hold", method: "POST", path: "**/exportBuckets", times: 1 });
    const req = await postBucket();
    await until(async () => (await heldCount()) === 1);
    expect(emu.store.listBuckets(GROUP).map((b) => b.bucketName)).toEqual(["held-bucket"]);
    req.abort();
    await req.done;
    await until(async () => (await heldCount()) === 0);
    expect(emu.requestLog.at(-1)).toMatchObject({ status: 0, fault: "commit-then-hold", appliedStatus: 200 });
  });
});
