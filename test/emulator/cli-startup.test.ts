/**
 * The emulator CLI as users start it: through npm it prints exactly one stdout line (the README's
 * `npm run emulator --silent -- --port 0`), and the start-up errors users cause are one line on
 * stderr with a non-zero exit code, never a Node stack trace.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../helpers/build";

const CLI = path.join(repoRoot, "dist", "emulator", "cli.js");

beforeAll(() => ensureBuilt(["dist/emulator/cli.js"]));

/** Runs the built CLI until it exits (start-up errors exit at once; the timeout is only a safety net). */
function startFails(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line, prefixed, no stack frame ("    at ..."). */
function expectOneLineError(stderr: string, ...parts: string[]): void {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^\[atlas-emulator\] error: /);
  for (const p of parts) expect(lines[0]).toContain(p);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe("emulator CLI start-up errors", () => {
  let dir = "";
  let blocker: Server | undefined;
  let busyPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "emulator-cli-"));
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, "127.0.0.1", resolve));
    busyPort = (blocker.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("--host 0.0.0.0: refused, the emulator only listens on loopback", () => {
    const r = startFails(["--host", "0.0.0.0"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expectOneLineError(r.stderr, "--host must be a loopback address", "0.0.0.0");
  });

  it("--port 99999: refused with the valid range", () => {
    const r = startFails(["--port", "99999"]);
    expect(r.status).toBe(2);
    expectOneLineError(r.stderr, "--port must be an integer from 0 to 65535", "99999");
  });

  it("a port in use: names the port and suggests --port 0", () => {
    const r = startFails(["--port", String(busyPort)]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expectOneLineError(r.stderr, `port ${busyPort} on 127.0.0.1 is already in use`, "--port 0");
  });

  it("a --persist path whose directory does not exist, or a directory", () => {
    const missing = path.join(dir, "no-such-dir", "state.json");
    const r = startFails(["--port", "0", "--persist", missing]);
    expect(r.status).toBe(1);
    expectOneLineError(r.stderr, `--persist ${missing}`, "its directory does not exist (ENOENT)");

    const d = startFails(["--port", "0", "--persist", dir]);
    expect(d.status).toBe(1);
    expectOneLineError(d.stderr, `--persist ${dir}`, "it is a directory (EISDIR)");
  });

  it("a --persist file that is not JSON: says so and how to start afresh", () => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, "{not json");
    const r = startFails(["--port", "0", "--persist", bad]);
    expect(r.status).toBe(1);
    expectOneLineError(r.stderr, `--persist ${bad}: the file is not valid JSON`, "remove it");
  });
});

describe("npm run emulator --silent -- --port 0 (the README's command)", () => {
  it("prints exactly one line on stdout, the base URL, and stops on SIGTERM", async () => {
    const child = spawn("npm", ["run", "emulator", "--silent", "--", "--port", "0"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: SIGTERM reaches npm, sh and node alike
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code))); // after stdio drained
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes("\n")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`npm exited with ${code} before printing a line:\n${stderr}`)));
    });
    process.kill(-child.pid!, "SIGTERM");
    await exited;
    expect(stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
    expect(readFileSync(path.join(repoRoot, "README.md"), "utf8")).toContain("npm run emulator --silent -- --port 0");
    expect(stderr).toContain("[atlas-emulator] listening on");
  }, 120_000);
});
