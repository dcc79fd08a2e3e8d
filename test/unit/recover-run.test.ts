/**
 * `recover` around the planner: what it asks the Pulumi CLI (a fake runner with canned answers),
 * the lock refusal, dry run vs --yes, the backup, and that no credential is ever printed.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AtlasApi, ExportBucketResponse } from "../../provider/client/api";
import { parseArgs } from "../../provider/recover/cli";
import { isLockError } from "../../provider/recover/lock";
import type { PulumiResult } from "../../provider/recover/pulumi-cli";
import { EXIT, recover } from "../../provider/recover/run";
import type { ExportedStack } from "../../provider/recover/state";
import { autoExportId } from "../../provider/resources/auto-export-handlers";
import {
  AUTO_EXPORT_TYPE,
  BUCKET_TYPE,
  PROJECT,
  UPDATE_STARTED,
  atlasBucket,
  atlasSchedule,
  autoExportInputs,
  bucketInputs,
  deployment,
  oid,
  pending,
  recorded,
} from "../fixtures/recover/state";
import { FakeAtlas } from "../fixtures/resources/fake-atlas";

const SECRET = "3b1e4f0a-5c2d-4e8f-9a7b-6c5d4e3f2a1b";
const op = pending(BUCKET_TYPE, "b", bucketInputs("crash-bucket"));
let exported: ExportedStack = { version: 3, deployment: deployment([], [op]) };
const BUCKET_ID = oid(UPDATE_STARTED + 10_000, 1);

let dir: string;
let calls: string[][];
let printed: string[];
let importedFile: string | undefined;
let importAnswer: PulumiResult;

function runner(backendDir: string) {
  return async (args: string[]): Promise<PulumiResult> => {
    calls.push(args);
    const ok = (stdout: string): PulumiResult => ({ code: 0, stdout, stderr: "" });
    switch (`${args[0]} ${args[1]}`) {
      case "stack export":
        return ok(JSON.stringify(exported));
      case "stack history":
        return ok(JSON.stringify([{ kind: "update", startTime: UPDATE_STARTED / 1000 - 5, result: "succeeded" }]));
      case "whoami --output":
        return ok(JSON.stringify({ user: "me", url: `file://${backendDir}` }));
      case "config --json":
        return ok(JSON.stringify({ "mongodbatlas:privateKey": { value: SECRET, secret: true }, "mongodbatlas:publicKey": { value: "emulpubk" } }));
      case "stack import":
        importedFile = args[args.indexOf("--file") + 1];
        return importAnswer;
      default:
        return { code: 1, stdout: "", stderr: `unexpected ${args.join(" ")}` };
    }
  };
}

const seenConfig: Map<string, string>[] = [];
function fakeAtlas(buckets: ExportBucketResponse[]) {
  return async (config: Map<string, string>) => {
    seenConfig.push(config);
    return {
      listExportBuckets: async function* () {
        yield* buckets;
      },
    } as unknown as AtlasApi;
  };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "recover-run-"));
  calls = [];
  printed = [];
  importedFile = undefined;
  importAnswer = { code: 0, stdout: "", stderr: "" };
  exported = { version: 3, deployment: deployment([], [op]) };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const deps = (buckets: ExportBucketResponse[] = [atlasBucket(BUCKET_ID, "crash-bucket")]) => ({
  runPulumi: runner(path.join(dir, "backend")),
  atlas: fakeAtlas(buckets),
  now: () => new Date(UPDATE_STARTED + 600_000),
  print: (l: string) => printed.push(l),
  env: {},
});

describe("recover run", () => {
  it("refuses while the file backend holds a lock of the stack, says how to clear it, and asks Atlas nothing", async () => {
    const lockDir = path.join(dir, "backend", ".pulumi", "locks", "organization", "proj", "test");
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(path.join(lockDir, "0b7c.json"), JSON.stringify({ pid: 4242, username: "ci", hostname: "runner", timestamp: "2026-01-10T12:00:00Z" }));
    seenConfig.length = 0;
    const code = await recover({ yes: true, stack: "test", cwd: dir }, deps());
    expect(code).toBe(EXIT.locked);
    const text = printed.join("\n");
    expect(text).toContain("update in progress");
    expect(text).toContain("pid 4242");
    expect(text).toContain("pulumi cancel --stack test");
    expect(calls.some((c) => c[1] === "import")).toBe(false);
    expect(seenConfig).toHaveLength(0);
  });

  it("dry run: prints the plan, changes nothing; the stack selection reaches every pulumi command", async () => {
    const code = await recover({ yes: false, stack: "test", cwd: dir }, deps());
    expect(code).toBe(EXIT.ok);
    expect(printed.join("\n")).toMatch(/RECORD ExportBucket "b" \(pending creating\): Atlas has export bucket [0-9a-f]{24}/);
    expect(printed.join("\n")).toContain("No changes made");
    expect(calls.some((c) => c[1] === "import")).toBe(false);
    for (const c of calls.filter((c) => c[0] !== "whoami")) expect(c.slice(-2)).toEqual(["--stack", "test"]);
    // Secrets stay ciphertext: the state is exported without --show-secrets.
    expect(calls.find((c) => c[1] === "export")).not.toContain("--show-secrets");
  });

  it("--yes: saves the exported state, imports the recovered one, and never prints a credential", async () => {
    seenConfig.length = 0;
    const code = await recover({ yes: true, stack: "test", cwd: dir }, deps());
    expect(code).toBe(EXIT.ok);
    // The provider's config resolution gets the stack's mongodbatlas:* config.
    expect(seenConfig[0]?.get("mongodbatlas:privateKey")).toBe(SECRET);
    const backupLine = printed.find((l) => l.startsWith("Saved the exported state to "))!;
    const backup = backupLine.slice("Saved the exported state to ".length).split(" (")[0]!;
    expect(JSON.parse(readFileSync(backup, "utf8"))).toEqual(exported);
    const imported = JSON.parse(readFileSync(importedFile!, "utf8")) as ExportedStack;
    expect(imported.deployment.pending_operations).toBeUndefined();
    expect(imported.deployment.resources!.find((r) => r.urn === op.resource.urn)?.id).toBe(BUCKET_ID);
    expect(printed.join("\n")).not.toContain(SECRET);
    expect(printed.join("\n")).toContain("1 resource(s) recorded");
  });

  it("--yes: when the import finds the stack locked (any backend), the same advice, not a stack trace", async () => {
    importAnswer = { code: 255, stdout: "", stderr: "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`." };
    const code = await recover({ yes: true, stack: "test", cwd: dir }, deps());
    expect(code).toBe(EXIT.locked);
    expect(printed.join("\n")).toContain("pulumi cancel");
    expect(isLockError(importAnswer.stderr)).toBe(true);
  });

  it("exits with 'unresolved' when a pending create stays ambiguous, and imports nothing", async () => {
    const twin = oid(UPDATE_STARTED - 3_600_000, 2);
    const code = await recover({ yes: true, stack: "test", cwd: dir }, deps([atlasBucket(twin, "crash-bucket")]));
    expect(code).toBe(EXIT.unresolved);
    expect(printed.join("\n")).toContain(`LEAVE ExportBucket "b"`);
    expect(importedFile).toBeUndefined();
  });
});

describe("recover run: other resource types", () => {
  it("leaves their pending operations in the imported state, says so and what Pulumi offers for them", async () => {
    const foreign = pending("aws:s3/bucket:Bucket", "raw", { bucket: "x" });
    exported = { version: 3, deployment: deployment([], [op, foreign]) };
    const code = await recover({ yes: true, stack: "test", cwd: dir }, deps());
    expect(code).toBe(EXIT.ok);
    const text = printed.join("\n");
    expect(text).toContain("Left alone: 1 pending operation(s) of resource types recover does not own");
    expect(text).toContain(foreign.resource.urn);
    expect(text).toContain("pulumi refresh --clear-pending-creates");
    expect(text).toContain("--import-pending-creates");
    const imported = JSON.parse(readFileSync(importedFile!, "utf8")) as ExportedStack;
    expect(imported.deployment.pending_operations).toEqual([foreign]);
  });
});

describe("recover run: AutoExport", () => {
  it("asks Atlas for the schedule on a pending update (not only creates) and records the update that landed", async () => {
    const bucketId = oid(UPDATE_STARTED - 3_600_000, 1);
    const id = autoExportId(PROJECT, "Cluster0");
    const before = recorded(AUTO_EXPORT_TYPE, "ae", id, autoExportInputs(oid(UPDATE_STARTED - 3_600_000, 2)));
    const upd = pending(AUTO_EXPORT_TYPE, "ae", autoExportInputs(bucketId), { id }, "updating");
    exported = { version: 3, deployment: deployment([before], [upd]) };
    const atlas = new FakeAtlas();
    atlas.schedules.set("Cluster0", atlasSchedule(bucketId));
    const code = await recover({ yes: true, stack: "test", cwd: dir }, { ...deps(), atlas: async () => atlas });
    expect(code).toBe(EXIT.ok);
    expect(atlas.calls).toEqual(["getBackupSchedule"]);
    expect(printed.join("\n")).toMatch(/RECORD AutoExport "ae" \(pending updating\): Atlas already shows the auto-export of cluster Cluster0/);
    const imported = JSON.parse(readFileSync(importedFile!, "utf8")) as ExportedStack;
    expect(imported.deployment.pending_operations).toBeUndefined();
    const r = imported.deployment.resources!.filter((x) => x.urn === upd.resource.urn);
    expect(r).toHaveLength(1);
    expect(r[0]!.outputs).toMatchObject({ exportBucketId: bucketId, autoExportEnabled: true });
  });
});

describe("recover command line", () => {
  it("takes the CLI's stack selection flags and --since", () => {
    expect(parseArgs(["recover", "-s", "dev", "-C", "/p", "--yes", "--since=2026-01-10T12:00:00Z"])).toEqual({
      command: "recover",
      options: { yes: true, stack: "dev", cwd: "/p", sinceMs: Date.parse("2026-01-10T12:00:00Z") },
    });
    expect(parseArgs(["recover", "--stack", "org/proj/dev", "--cwd", "x"])).toMatchObject({ options: { stack: "org/proj/dev", cwd: "x", yes: false } });
    expect(parseArgs(["recover", "--since", "yesterday"])).toMatchObject({ error: expect.stringContaining("--since") });
    expect(parseArgs(["recover", "--force"])).toEqual({ error: 'unknown option "--force"' });
    expect(parseArgs([])).toEqual({ help: true });
  });
});
