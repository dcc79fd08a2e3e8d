#!/usr/bin/env bash
# The test command (`npm test`): makes the Pulumi CLI and its Node.js language host available
# (scripts/ensure-pulumi.sh: built once with Go and cached), compiles the package, type-checks the
# tests, then runs every vitest project, e2e included.
# Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Node >= 22.1 caches compiled code here for every Node process of the run (this one, vitest's
# workers, and the program and dynamic-provider processes the CLI starts): each of those loads
# @pulumi/pulumi (~770 modules) again, and the cache takes ~0.2 s of CPU off each load.
# Node 20 ignores the variable.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-${PULUMI_ATLAS_EXPORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-atlas-export}/node-compile-cache}"

echo "== node $(node --version), @pulumi/pulumi $(node -p 'require("@pulumi/pulumi/package.json").version')"
PULUMI_BIN_DIR="$(bash scripts/ensure-pulumi.sh)"
export PULUMI_BIN_DIR
export PATH="$PULUMI_BIN_DIR:$PATH"
echo "== pulumi $(pulumi version) from $PULUMI_BIN_DIR"
echo "== build"
npm run build --silent
echo "== typecheck tests"
npx tsc -p tsconfig.test.json
echo "== vitest"
exec npx vitest run "$@"
