#!/usr/bin/env bash
# Runs the cargo-fuzz target `check_document` for a bounded time (FUZZ_SECONDS, default 120). Needs a
# nightly toolchain; installs cargo-fuzz when missing. Without nightly it says so and runs the same entry
# point under the property tests instead. Exit non-zero on a crash, leaving the input in
# fuzz/artifacts/check_document/ (copy it to tests/data/fuzz-regressions/ once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-120}"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "no nightly toolchain here: cargo-fuzz cannot run; running the property tests over the same entry point"
  exec cargo test --locked --test it properties
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
cd fuzz
# A scratch corpus, so the committed seeds stay as they are.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cargo +nightly fuzz run check_document "$scratch" corpus/check_document -- \
  -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 -timeout=10
