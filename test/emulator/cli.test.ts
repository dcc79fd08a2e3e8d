import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";

// `npm test` builds first (npm run build && vitest run); this test never builds by itself.
const ROOT = resolve(__dirname, "../..");
const CLI = join(ROOT, "dist/emulator/cli.js");
const built = existsSync(CLI);

let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGTERM");
});

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe("emulator CLI", () => {
  it.skipIf(!built)("prints its URL on one line and the README curl example lists the seeded bucket", async () => {
    child = spawn(process.execPath, [CLI, "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const lines = createInterface({ input: child.stdout! });
    const url = await new Promise<string>((res, rej) => {
      const t = setTimeout(() => rej(new Error("no URL line within 10 s")), 10_000);
      lines.once("line", (l) => { clearTimeout(t); res(l); });
      child!.once("exit", (code) => rej(new Error(`emulator exited with ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // Exactly the command of emulator/README.md.
    const r = await run("curl", ["-s", "--digest", "-u", "emulpubk:3b1e4f0a-5c2d-4e8f-9a7b-6c5d4e3f2a1b",
      "-H", "Accept: application/vnd.atlas.2024-05-30+json", `${url}/api/atlas/v2/groups/6a0000000000000000000001/backup/exportBuckets`]);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { results: { _id: string; bucketName: string }[]; totalCount: number };
    expect(body.totalCount).toBe(1);
    expect(body.results[0]).toMatchObject({ _id: "6a00000000000000000000c1", bucketName: "atlas-export-seeded" });

    const exited = new Promise<number | null>((res) => child!.once("exit", (code) => res(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it.skipIf(!built)("rejects unknown options with exit code 2", async () => {
    const r = await run(process.execPath, [CLI, "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("unknown option --bogus");
  });
});
