#!/usr/bin/env bash
# Makes `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs` available.
#
# 1. A Pulumi 3.x already on PATH (with its language host beside it or on PATH) is used as is.
# 2. Otherwise the CLI and the Node.js language host are built from the Go module proxy into a
#    cache directory outside the repo (default ~/.cache/pulumi-atlas-export), once, and reused.
#    The newest @pulumi/pulumi release is tried first; the proxy does not serve every release of
#    pkg/v3, so v3.259.0 (known to be served) is the fallback.
#
# Progress goes to stderr. The last line on stdout is the directory to put first on PATH.
# Usage: PATH="$(bash scripts/ensure-pulumi.sh):$PATH"
set -euo pipefail

log() { printf '[ensure-pulumi] %s\n' "$*" >&2; }

FALLBACK_VERSION=v3.259.0
CACHE_ROOT="${PULUMI_ATLAS_EXPORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-atlas-export}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The dynamic-provider plugin is a 4-line shell script shipped inside the @pulumi/pulumi package.
dynamic_plugin_src() {
  local f="$REPO_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  [ -f "$f" ] && printf '%s\n' "$f"
}

if [ "${PULUMI_ATLAS_EXPORT_FORCE_BUILD:-}" != "1" ] && command -v pulumi >/dev/null 2>&1; then
  existing="$(command -v pulumi)"
  ver="$(pulumi version 2>/dev/null || true)"
  if [[ "$ver" == v3.* ]]; then
    bindir="$(dirname "$existing")"
    if command -v pulumi-language-nodejs >/dev/null 2>&1 || [ -x "$bindir/pulumi-language-nodejs" ]; then
      log "using Pulumi $ver already on PATH at $existing"
      if ! command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1 && [ ! -x "$bindir/pulumi-resource-pulumi-nodejs" ]; then
        src="$(dynamic_plugin_src || true)"
        if [ -n "$src" ]; then
          mkdir -p "$CACHE_ROOT/dynamic-plugin"
          install -m 0755 "$src" "$CACHE_ROOT/dynamic-plugin/pulumi-resource-pulumi-nodejs"
          printf '%s:%s\n' "$bindir" "$CACHE_ROOT/dynamic-plugin"
          exit 0
        fi
      fi
      printf '%s\n' "$bindir"
      exit 0
    fi
    log "Pulumi $ver is on PATH but pulumi-language-nodejs is not; building our own"
  fi
fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
command -v go >/dev/null 2>&1 || { log "error: no pulumi on PATH and no go toolchain to build one"; exit 1; }

# Reuse any complete cached build, newest first.
find_cached() {
  local d
  for d in $(ls -1d "$CACHE_ROOT"/pulumi-v3.* 2>/dev/null | sort -V -r); do
    if [ -x "$d/bin/pulumi" ] && [ -f "$d/bin/.complete" ]; then
      printf '%s\n' "$d"; return 0
    fi
  done
  return 1
}

wanted_versions() {
  local newest
  if newest="$(cd /tmp && npm view @pulumi/pulumi version 2>/dev/null)" && [ -n "$newest" ]; then
    [ "v$newest" != "$FALLBACK_VERSION" ] && printf 'v%s\n' "$newest"
  fi
  printf '%s\n' "$FALLBACK_VERSION"
}

build_version() {
  local V="$1" out="$CACHE_ROOT/pulumi-$1" work sha start
  start=$(date +%s)
  log "checking that the Go module proxy serves github.com/pulumi/pulumi/pkg/v3@$V"
  if ! (cd /tmp && go list -m "github.com/pulumi/pulumi/pkg/v3@$V" >/dev/null 2>&1); then
    log "  not served; skipping $V"
    return 1
  fi
  log "building Pulumi $V into $out; the first build takes several minutes"
  work="$(mktemp -d)"
  mkdir -p "$out/bin"
  local LDF="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$V"
  if ! (
    set -e
    cd "$work"
    go mod init local/pulumi-build >/dev/null 2>&1
    log "  go get github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$V"
    go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$V" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\)' >&2 || true
    go get "github.com/pulumi/pulumi/sdk/v3@$V" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\)' >&2 || true
    log "  go build pulumi"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$LDF" -o "$out/bin/pulumi" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  ); then
    log "  build of the Pulumi CLI $V failed"; rm -rf "$out" "$work"; return 1
  fi
  local got; got="$("$out/bin/pulumi" version)"
  if [ "$got" != "$V" ]; then log "  built pulumi prints '$got', expected $V"; rm -rf "$out" "$work"; return 1; fi

  # The Node.js language host is its own module with no tags: ask for the release commit (the
  # sdk tag's Origin hash). The proxy may refuse it; the CLI still works for Automation API
  # inline programs, which need no language host. The exact error is kept in the cache.
  sha="$(cd /tmp && go mod download -json "github.com/pulumi/pulumi/sdk/v3@$V" 2>/dev/null \
    | sed -n 's/.*"Hash": *"\([0-9a-f]\{40\}\)".*/\1/p' | head -n1)"
  [ -n "$sha" ] || { [ "$V" = v3.259.0 ] && sha=0ac56e876614aedf12771d73ef7e80959b8a6fd4; }
  local lh_err="$out/language-host-unavailable.txt"
  if [ -z "$sha" ]; then
    echo "no release commit for $V from the proxy" > "$lh_err"
  elif ! (
    set -e
    cd "$work"
    log "  go get github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$sha"
    go get -tool "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$sha"
    log "  go build pulumi-language-nodejs"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$LDF" -o "$out/bin/pulumi-language-nodejs" \
      github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
  ) > "$lh_err" 2>&1; then
    log "  the Node.js language host could not be built (e2e tests use Automation API inline programs):"
    sed 's/^/[ensure-pulumi]     /' "$lh_err" | grep -v 'downloading\|added' | tail -n 4 >&2
  else
    rm -f "$lh_err"
  fi
  rm -rf "$work"
  touch "$out/bin/.complete"
  log "built Pulumi $V in $(( $(date +%s) - start ))s; cache size $(du -sh "$out" | cut -f1)"
}

dir=""
if [ "${PULUMI_ATLAS_EXPORT_FORCE_BUILD:-}" != "1" ] && dir="$(find_cached)"; then
  log "using cached Pulumi $("$dir/bin/pulumi" version) from $dir"
else
  mkdir -p "$CACHE_ROOT"
  for v in $(wanted_versions); do
    if build_version "$v"; then dir="$CACHE_ROOT/pulumi-$v"; break; fi
  done
  [ -n "$dir" ] || { log "error: could not build the Pulumi CLI from the Go module proxy"; exit 1; }
fi

# Keep the dynamic-provider plugin script next to the CLI (the engine looks there).
if [ ! -x "$dir/bin/pulumi-resource-pulumi-nodejs" ]; then
  src="$(dynamic_plugin_src || true)"
  if [ -n "$src" ]; then
    install -m 0755 "$src" "$dir/bin/pulumi-resource-pulumi-nodejs"
  else
    # Same content as the script in @pulumi/pulumi; written here so the CLI works before npm ci.
    cat > "$dir/bin/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ ! -z "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" $@
fi
SH
    chmod 0755 "$dir/bin/pulumi-resource-pulumi-nodejs"
  fi
fi
printf '%s\n' "$dir/bin"
