#!/usr/bin/env bash
# The test command (`npm test`): makes the Pulumi CLI and its Node.js language host available
# (scripts/ensure-pulumi.sh: built once with Go and cached), compiles the package, type-checks the
# tests, then runs every vitest project, e2e included.
# Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== node $(node --version), @pulumi/pulumi $(node -p 'require("@pulumi/pulumi/package.json").version')"
PULUMI_BIN_DIR="$(bash scripts/ensure-pulumi.sh)"
export PULUMI_BIN_DIR
export PATH="$PULUMI_BIN_DIR:$PATH"
echo "== pulumi $(pulumi version) from $PULUMI_BIN_DIR"
echo "== build"
npx tsc -p tsconfig.json
echo "== typecheck tests"
npx tsc -p tsconfig.test.json
echo "== vitest"
exec npx vitest run "$@"
