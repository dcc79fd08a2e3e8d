/**
 * scripts/ensure-pulumi.sh's decisions, with a fake `go` on PATH (a real build takes 10+ minutes
 * and CI's cache is warm, so without these tests the build path would never run in CI):
 * which version it builds (the pkg/v3 the language host's go.mod requires), that it builds in a
 * copy of the read-only source, that the three executables end up in one cached directory, that
 * a cached build is reused, that a too-old Go is named, and that long steps report progress.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(root, "scripts", "ensure-pulumi.sh");
const V = "v3.259.0";

/**
 * A stand-in for `go`: logs each call with its working directory, answers `go version`, and for
 * `go build -o X` writes an X that prints the version from `-ldflags -X …Version=`. With
 * FAKE_GO_WAIT_FOR set it does not finish a build before that file (the script's stderr) shows a
 * progress line, so the progress test waits on an event, not on a duration.
 */
const FAKE_GO = `#!/usr/bin/env bash
echo "$PWD|$*" >> "$FAKE_GO_LOG"
case "$1" in
  version) echo "go version go$FAKE_GO_VERSION linux/amd64" ;;
  build)
    out=""; ver=""; prev=""
    for a in "$@"; do
      [ "$prev" = "-o" ] && out="$a"
      case "$a" in *version.Version=*) ver="\${a##*version.Version=}" ;; esac
      prev="$a"
    done
    if [ -n "\${FAKE_GO_WAIT_FOR:-}" ]; then
      for _ in $(seq 1 600); do grep -q "still running" "$FAKE_GO_WAIT_FOR" && break; sleep 0.1; done
    fi
    printf '#!/bin/sh\\necho %s\\n' "$ver" > "$out"; chmod +x "$out" ;;
  mod)
    case "$2" in
      init) ;;
      download) gm="$(dirname "$FAKE_GO_LOG")/pkg-go.mod"; printf 'module github.com/pulumi/pulumi/pkg/v3\n\ngo 1.24.0\n' > "$gm"; echo "{\\"GoMod\\": \\"$gm\\"}" ;;
      *) echo "fake go: unexpected $*" >&2; exit 3 ;;
    esac ;;
  get) ;;
  *) echo "fake go: unexpected $*" >&2; exit 3 ;;
esac
`;

let dir = "";
let cache = "";
let src = "";
let goLog = "";
let fakeBin = "";

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ensure-pulumi-"));
  cache = path.join(dir, "cache");
  src = path.join(dir, "pulumi-language-nodejs");
  goLog = path.join(dir, "go.log");
  fakeBin = path.join(dir, "fakebin");
  mkdirSync(src);
  mkdirSync(fakeBin);
  writeFileSync(
    path.join(src, "go.mod"),
    `module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3\n\ngo 1.25.11\n\nrequire (\n\tgithub.com/pulumi/pulumi/pkg/v3 ${V}\n\tgithub.com/pulumi/pulumi/sdk/v3 ${V}\n)\n`,
  );
  writeFileSync(path.join(src, "go.sum"), "");
  writeFileSync(path.join(src, "main.go"), "package main\n");
  for (const f of ["go.mod", "go.sum", "main.go"]) chmodSync(path.join(src, f), 0o444);
  writeFileSync(path.join(fakeBin, "go"), FAKE_GO, { mode: 0o755 });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the script with the fake go; `waitForProgress` makes each fake build wait for a progress line. */
function ensure(extraEnv: Record<string, string> = {}, pathDirs: string[] = [fakeBin], waitForProgress = false): Run {
  const stderrFile = path.join(dir, `stderr-${Math.random().toString(36).slice(2)}.txt`);
  const fd = openSync(stderrFile, "w");
  try {
    const r = spawnSync("bash", [SCRIPT], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", fd],
      env: {
        HOME: dir,
        PATH: [...pathDirs, "/usr/bin", "/bin"].join(path.delimiter),
        PULUMI_ATLAS_EXPORT_CACHE: cache,
        PULUMI_LANGUAGE_NODEJS_SRC: src,
        PULUMI_ATLAS_EXPORT_PROGRESS_SECONDS: "1",
        FAKE_GO_LOG: goLog,
        FAKE_GO_VERSION: "1.26.8",
        ...(waitForProgress ? { FAKE_GO_WAIT_FOR: stderrFile } : {}),
        ...extraEnv,
      },
    });
    return { status: r.status, stdout: r.stdout, stderr: readFileSync(stderrFile, "utf8") };
  } finally {
    closeSync(fd);
  }
}

const goCalls = () => (existsSync(goLog) ? readFileSync(goLog, "utf8").trim().split("\n") : []);
const builds = () => goCalls().filter((l) => l.split("|")[1]?.startsWith("build "));

describe("scripts/ensure-pulumi.sh", () => {
  it("builds the CLI at the pkg/v3 version of the language host's go.mod, and the language host, into one cached bin directory", () => {
    const r = ensure();
    expect(r.status, r.stderr).toBe(0);
    const bin = path.join(cache, `pulumi-${V}`, "bin");
    expect(r.stdout).toBe(`${bin}\n`);
    for (const exe of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", ".complete"]) {
      expect(existsSync(path.join(bin, exe)), exe).toBe(true);
    }
    expect(spawnSync(path.join(bin, "pulumi"), ["version"], { encoding: "utf8" }).stdout.trim()).toBe(V);

    const [cli, lh, ...more] = builds();
    expect(more).toEqual([]);
    expect(cli).toContain("github.com/pulumi/pulumi/pkg/v3/cmd/pulumi");
    expect(cli).toContain(`version.Version=${V}`);
    expect(lh).toMatch(/ \.$/);
    // Both ran in one writable copy of the source, never in the (read-only) source folder.
    const cwd = (l: string | undefined) => l?.split("|")[0];
    expect(cwd(cli)).toBe(cwd(lh));
    expect(cwd(cli)).not.toBe(src);
    expect(r.stderr).toContain(`Go 1.26.8 (>= 1.25.11, required by ${src}/go.mod)`);
  });

  it("reports progress with elapsed time while go runs", () => {
    const r = ensure({}, [fakeBin], true);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/go build pulumi: still running \(\d+s\)/);
    expect(r.stderr).toMatch(/go build pulumi: done in \d+s/);
    expect(r.stderr).toMatch(/go build pulumi-language-nodejs: done in \d+s/);
    expect(r.stderr).toMatch(/built Pulumi v3\.259\.0 with its Node\.js language host in \d+s/);
  });

  it("reuses a complete cached build without calling go", () => {
    expect(ensure().status).toBe(0);
    const before = goCalls().length;
    const r = ensure();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${path.join(cache, `pulumi-${V}`, "bin")}\n`);
    expect(goCalls().length).toBe(before);
    expect(r.stderr).toContain("using cached Pulumi v3.259.0 with its Node.js language host");
  });

  it("adds only the language host to a cached CLI that lacks it", () => {
    const bin = path.join(cache, `pulumi-${V}`, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho ${V}\n`, { mode: 0o755 });
    writeFileSync(path.join(bin, ".complete"), "");
    const r = ensure();
    expect(r.status, r.stderr).toBe(0);
    expect(builds()).toHaveLength(1);
    expect(builds()[0]).toMatch(/ \.$/);
    expect(existsSync(path.join(bin, "pulumi-language-nodejs"))).toBe(true);
  });

  it("names the Go version the go.mod requires when the installed Go is older, and builds nothing", () => {
    const r = ensure({ FAKE_GO_VERSION: "1.24.3" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("needs Go >= 1.25.11");
    expect(r.stderr).toContain("go1.24.3");
    expect(builds()).toEqual([]);
    expect(existsSync(path.join(cache, `pulumi-${V}`, "bin", ".complete"))).toBe(false);
  });

  it("without the language host's source: builds the CLI alone from the proxy and says why there is no language host", () => {
    // `npm view @pulumi/pulumi version` picks the newest release to try first: answered here.
    writeFileSync(path.join(fakeBin, "npm"), "#!/bin/sh\necho 3.276.0\n", { mode: 0o755 });
    const r = ensure({ PULUMI_LANGUAGE_NODEJS_SRC: path.join(dir, "absent") });
    expect(r.status, r.stderr).toBe(0);
    const out = path.join(cache, "pulumi-v3.276.0");
    expect(r.stdout).toBe(`${path.join(out, "bin")}\n`);
    expect(existsSync(path.join(out, "bin", "pulumi-language-nodejs"))).toBe(false);
    expect(existsSync(path.join(out, "bin", "pulumi-resource-pulumi-nodejs"))).toBe(true);
    expect(readFileSync(path.join(out, "language-host-unavailable.txt"), "utf8")).toContain("absent");
    expect(r.stderr).toContain("Automation API inline programs only");
    expect(builds()).toHaveLength(1);
  });

  it("without the language host's source: reuses a cached build that has its language host, and does not claim inline programs only", () => {
    expect(ensure().status).toBe(0); // a full build (CLI and language host) in the cache
    // A cached CLI without a language host, newer, so that preferring the newest alone would pick it.
    const bare = path.join(cache, "pulumi-v3.276.0", "bin");
    mkdirSync(bare, { recursive: true });
    writeFileSync(path.join(bare, "pulumi"), "#!/bin/sh\necho v3.276.0\n", { mode: 0o755 });
    writeFileSync(path.join(bare, ".complete"), "");
    const before = goCalls().length;
    const r = ensure({ PULUMI_LANGUAGE_NODEJS_SRC: path.join(dir, "absent") });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${path.join(cache, `pulumi-${V}`, "bin")}\n`);
    expect(goCalls().length).toBe(before);
    expect(r.stderr).toContain(`using cached Pulumi ${V} with its Node.js language host`);
    expect(r.stderr).not.toContain("inline programs only");
  });

  it("uses a Pulumi CLI on PATH that has its language host beside it, without building", () => {
    const other = path.join(dir, "other-pulumi");
    mkdirSync(other);
    for (const exe of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
      writeFileSync(path.join(other, exe), "#!/bin/sh\necho v3.270.0\n", { mode: 0o755 });
    }
    const r = ensure({}, [other, fakeBin]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${other}\n`);
    expect(builds()).toEqual([]);
  });
});
