#!/usr/bin/env bash
# Makes the Pulumi CLI available with its Node.js language host, so `pulumi preview` / `pulumi up`
# run a Pulumi.yaml project: `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`
# in ONE directory (spread over several, every pulumi command warns about which plugin it picked).
#
# 1. A Pulumi 3.x on PATH with pulumi-language-nodejs beside it is used as is.
# 2. Otherwise, with the language host's source in ../shared/pulumi-language-nodejs (read-only; it
#    is copied to a temp dir first), both are built with Go into a cache outside the repo, once:
#      $CACHE_ROOT/pulumi-<V>/bin/{pulumi,pulumi-language-nodejs,pulumi-resource-pulumi-nodejs,.complete}
#    where V is the github.com/pulumi/pulumi/pkg/v3 version that source's go.mod requires, so the
#    CLI and the language host share one module graph and one download. CACHE_ROOT defaults to
#    ~/.cache/pulumi-atlas-export (PULUMI_ATLAS_EXPORT_CACHE overrides it).
# 3. Only when that source is absent: the CLI alone from the Go module proxy (newest @pulumi/pulumi
#    release the proxy serves, else v3.259.0). Without a language host only Automation API inline
#    programs run (`npm run demo` falls back to one).
#
# Progress goes to stderr, with elapsed time, and a line every PULUMI_ATLAS_EXPORT_PROGRESS_SECONDS
# (default 30) while `go` runs. The last line on stdout is the directory to put first on PATH.
# Usage: PATH="$(bash scripts/ensure-pulumi.sh):$PATH"
# Other knobs: PULUMI_ATLAS_EXPORT_FORCE_BUILD=1 ignores PATH and the cache;
# PULUMI_LANGUAGE_NODEJS_SRC points at the language host's source elsewhere.
set -euo pipefail

log() { printf '[ensure-pulumi] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

FALLBACK_VERSION=v3.259.0
CACHE_ROOT="${PULUMI_ATLAS_EXPORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-atlas-export}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LH_SRC="${PULUMI_LANGUAGE_NODEJS_SRC:-$REPO_ROOT/../shared/pulumi-language-nodejs}"
PROGRESS_SECONDS="${PULUMI_ATLAS_EXPORT_PROGRESS_SECONDS:-30}"
FORCE="${PULUMI_ATLAS_EXPORT_FORCE_BUILD:-}"
GO_BUILD_FLAGS=(-trimpath -tags osusergo,grpcnotrace)

elapsed() { local s=$(( SECONDS - $1 )); if (( s >= 60 )); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi; }

# Runs "$@" with its output on stderr; while it runs, logs "<label>: still running (elapsed)"
# every PROGRESS_SECONDS, so a long `go build` never leaves a silent terminal.
run_with_progress() {
  local label="$1" t0=$SECONDS next=$PROGRESS_SECONDS rc=0 pid
  shift
  "$@" >&2 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    if (( SECONDS - t0 >= next )); then
      log "  $label: still running ($(elapsed "$t0"))"
      next=$(( next + PROGRESS_SECONDS ))
    fi
  done
  wait "$pid" || rc=$?
  if (( rc == 0 )); then log "  $label: done in $(elapsed "$t0")"; else log "  $label: FAILED after $(elapsed "$t0") (exit $rc)"; fi
  return "$rc"
}

# The dynamic-provider plugin is a 4-line shell script shipped inside the @pulumi/pulumi package.
install_dynamic_plugin() {
  local dest="$1/pulumi-resource-pulumi-nodejs" src="$REPO_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  [ -x "$dest" ] && return 0
  if [ -f "$src" ]; then
    install -m 0755 "$src" "$dest"
  else
    # Same content as the script in @pulumi/pulumi; written here so the CLI works before npm ci.
    cat > "$dest" <<'SH'
#!/bin/sh
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ ! -z "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" $@
fi
SH
    chmod 0755 "$dest"
  fi
}

# ---- 1. A Pulumi CLI on PATH with its language host beside it.
if [ "$FORCE" != "1" ] && command -v pulumi >/dev/null 2>&1; then
  existing="$(command -v pulumi)"
  bindir="$(dirname "$existing")"
  ver="$(pulumi version 2>/dev/null || true)"
  if [[ "$ver" == v3.* ]] && [ -x "$bindir/pulumi-language-nodejs" ]; then
    log "using Pulumi $ver already on PATH at $existing"
    if [ ! -x "$bindir/pulumi-resource-pulumi-nodejs" ]; then
      # Not ours to write into: add the plugin from a directory of ours (pulumi may warn once per run).
      mkdir -p "$CACHE_ROOT/dynamic-plugin"
      install_dynamic_plugin "$CACHE_ROOT/dynamic-plugin"
      log "  $bindir has no pulumi-resource-pulumi-nodejs; adding $CACHE_ROOT/dynamic-plugin to PATH"
      printf '%s:%s\n' "$bindir" "$CACHE_ROOT/dynamic-plugin"
      exit 0
    fi
    printf '%s\n' "$bindir"
    exit 0
  elif [[ "$ver" == v3.* ]]; then
    log "Pulumi $ver is on PATH at $existing but pulumi-language-nodejs is not beside it; using our own build"
  fi
fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

go_version() { go version 2>/dev/null | awk '{print $3}' | sed 's/^go//'; }

# Fails with a clear message when `go` is missing or older than the `go` line of the given go.mod.
require_go_for() {
  local gomod="$1" what="$2" need have
  command -v go >/dev/null 2>&1 ||
    die "building $what needs Go, and no 'go' is on PATH. Install Go (https://go.dev/dl/) or put a Pulumi CLI with its Node.js language host (pulumi-language-nodejs beside pulumi) on PATH."
  need="$(sed -n 's/^go \([0-9][0-9.]*\).*/\1/p' "$gomod" | head -n1)"
  have="$(go_version)"
  [ -n "$need" ] || return 0
  if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ]; then
    die "building $what needs Go >= $need (the 'go' line of $gomod), but 'go version' says go$have ($(command -v go)). GOTOOLCHAIN=local is set, so Go will not download a newer toolchain itself: install Go >= $need, or put a Pulumi CLI with its Node.js language host on PATH."
  fi
  log "Go $have (>= $need, required by $gomod)"
}

# Holds an exclusive lock on the cache while building, so two runs never build into one directory.
lock_cache() {
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/.build.lock"
  if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
    log "another build into $CACHE_ROOT is running; waiting for it"
    flock 9
  fi
}

complete_with_lh() { [ -f "$1/bin/.complete" ] && [ -x "$1/bin/pulumi" ] && [ -x "$1/bin/pulumi-language-nodejs" ]; }

check_version() { # <binary> <args> <expected>
  local got; got="$("$1" $2 2>/dev/null | head -n1 || true)"
  [ "$got" = "$3" ] || die "$1 $2 prints '$got', expected $3"
}

# ---- 2. Build (or reuse) the CLI and the language host from the language host's source.
build_with_language_host() {
  local V="$1" out="$CACHE_ROOT/pulumi-$1" work start=$SECONDS LDF
  LDF="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$V"
  require_go_for "$LH_SRC/go.mod" "pulumi-language-nodejs and the Pulumi CLI $V"
  log "building the Pulumi CLI $V and its Node.js language host into $out/bin"
  log "  the first build downloads the Go modules and compiles (often 10+ minutes on 2 cores); later runs reuse $out"
  work="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-atlas-export-build.XXXXXX")"
  BUILD_WORK="$work"
  trap 'rm -rf "${BUILD_WORK:-}"' EXIT
  # The source folder may be read-only (it is in CI) and `go build -mod=mod` may update go.sum.
  cp "$LH_SRC"/go.mod "$LH_SRC"/go.sum "$LH_SRC"/*.go "$work"/
  chmod -R u+w "$work"
  mkdir -p "$out/bin"
  rm -f "$out/bin/.complete"
  if [ ! -x "$out/bin/pulumi" ] || [ "$("$out/bin/pulumi" version 2>/dev/null || true)" != "$V" ]; then
    log "  step 1/2: go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$V (in the language host's module, so both share one module graph)"
    (cd "$work" && run_with_progress "go build pulumi" \
      go build "${GO_BUILD_FLAGS[@]}" -ldflags "$LDF" -o "$out/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) ||
      die "the build of the Pulumi CLI failed (see the go output above)"
    check_version "$out/bin/pulumi" version "$V"
  else
    log "  step 1/2: the Pulumi CLI $V is already built in $out/bin"
  fi
  log "  step 2/2: go build pulumi-language-nodejs (source: $LH_SRC)"
  (cd "$work" && run_with_progress "go build pulumi-language-nodejs" \
    go build "${GO_BUILD_FLAGS[@]}" -ldflags "$LDF" -o "$out/bin/pulumi-language-nodejs" .) ||
    die "the build of pulumi-language-nodejs failed (see the go output above)"
  check_version "$out/bin/pulumi-language-nodejs" -version "$V"
  install_dynamic_plugin "$out/bin"
  rm -f "$out/language-host-unavailable.txt"
  touch "$out/bin/.complete"
  log "built Pulumi $V with its Node.js language host in $(elapsed "$start"); cache size $(du -sh "$out" | cut -f1)"
}

# ---- 3. No language host source: the CLI alone from the Go module proxy.
find_cached_cli() {
  local d bare=""
  # Newest first; a cached CLI built with its language host serves Pulumi.yaml projects too, so
  # it wins over a newer one without.
  for d in $(ls -1d "$CACHE_ROOT"/pulumi-v3.* 2>/dev/null | sort -V -r); do
    if complete_with_lh "$d"; then printf '%s\n' "$d"; return 0; fi
    if [ -z "$bare" ] && [ -x "$d/bin/pulumi" ] && [ -f "$d/bin/.complete" ]; then bare="$d"; fi
  done
  if [ -n "$bare" ]; then printf '%s\n' "$bare"; return 0; fi
  return 1
}

wanted_versions() {
  local newest
  if newest="$(cd /tmp && npm view @pulumi/pulumi version 2>/dev/null)" && [ -n "$newest" ]; then
    [ "v$newest" != "$FALLBACK_VERSION" ] && printf 'v%s\n' "$newest"
  fi
  printf '%s\n' "$FALLBACK_VERSION"
}

build_cli_only() {
  local V="$1" out="$CACHE_ROOT/pulumi-$1" work start=$SECONDS gomod LDF
  LDF="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$V"
  command -v go >/dev/null 2>&1 || die "no Pulumi CLI on PATH and no 'go' to build one. Install Go (https://go.dev/dl/) or the Pulumi CLI."
  log "checking that the Go module proxy serves github.com/pulumi/pulumi/pkg/v3@$V"
  gomod="$(cd /tmp && go mod download -json "github.com/pulumi/pulumi/pkg/v3@$V" 2>/dev/null |
    sed -n 's/.*"GoMod": *"\([^"]*\)".*/\1/p' | head -n1)" || true
  if [ -z "$gomod" ] || [ ! -f "$gomod" ]; then log "  not served; skipping $V"; return 1; fi
  require_go_for "$gomod" "the Pulumi CLI $V"
  log "building the Pulumi CLI $V (no language host: $LH_SRC is absent) into $out/bin"
  work="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-atlas-export-build.XXXXXX")"
  mkdir -p "$out/bin"
  # A throw-away wrapper module that requires pkg/v3 (`go install` would refuse its replace lines).
  if ! (
    cd "$work" &&
      go mod init local/pulumi-build >/dev/null 2>&1 &&
      run_with_progress "go get pulumi@$V" go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$V" &&
      run_with_progress "go get sdk@$V" go get "github.com/pulumi/pulumi/sdk/v3@$V" &&
      run_with_progress "go build pulumi" \
        go build "${GO_BUILD_FLAGS[@]}" -ldflags "$LDF" -o "$out/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  ); then
    log "  build of the Pulumi CLI $V failed"; rm -rf "$out" "$work"; return 1
  fi
  rm -rf "$work"
  check_version "$out/bin/pulumi" version "$V"
  echo "built without pulumi-language-nodejs: its source ($LH_SRC) was absent and the Go module proxy does not serve it" \
    > "$out/language-host-unavailable.txt"
  install_dynamic_plugin "$out/bin"
  touch "$out/bin/.complete"
  log "built Pulumi $V in $(elapsed "$start"); cache size $(du -sh "$out" | cut -f1)"
}

if [ -f "$LH_SRC/go.mod" ]; then
  V="$(sed -n 's/^[[:space:]]*github\.com\/pulumi\/pulumi\/pkg\/v3 \(v[0-9][^[:space:]]*\).*/\1/p' "$LH_SRC/go.mod" | head -n1)"
  [ -n "$V" ] || die "$LH_SRC/go.mod does not require github.com/pulumi/pulumi/pkg/v3"
  dir="$CACHE_ROOT/pulumi-$V"
  if [ "$FORCE" = "1" ] || ! complete_with_lh "$dir"; then
    lock_cache
    # Another run may have finished the build while this one waited for the lock.
    if [ "$FORCE" = "1" ] || ! complete_with_lh "$dir"; then build_with_language_host "$V"; fi
  else
    log "using cached Pulumi $V with its Node.js language host from $dir/bin"
  fi
else
  dir=""
  if [ "$FORCE" != "1" ]; then dir="$(find_cached_cli)" || dir=""; fi
  if [ -n "$dir" ] && complete_with_lh "$dir"; then
    log "using cached Pulumi $("$dir/bin/pulumi" version) with its Node.js language host from $dir/bin (no language host source at $LH_SRC to build from: not rebuilt)"
  elif [ -n "$dir" ]; then
    log "no language host source at $LH_SRC: the Pulumi CLI alone (Automation API inline programs only)"
    log "using cached Pulumi $("$dir/bin/pulumi" version) from $dir/bin"
  else
    log "no language host source at $LH_SRC: building the Pulumi CLI alone (Automation API inline programs only)"
    lock_cache
    for v in $(wanted_versions); do
      if build_cli_only "$v"; then dir="$CACHE_ROOT/pulumi-$v"; break; fi
    done
    [ -n "$dir" ] || die "could not build the Pulumi CLI from the Go module proxy"
  fi
fi

install_dynamic_plugin "$dir/bin"
printf '%s\n' "$dir/bin"
