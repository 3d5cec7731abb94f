#!/usr/bin/env bash
# The site in a real browser: builds the example registry's site with the release binary and loads it in
# headless Chromium (over HTTP on 127.0.0.1 and from file://), failing on a console error, a request that
# leaves the machine, a broken interaction or an axe-core accessibility violation. The registry is built from
# a temporary git repository with scripted history, so history sections and the Trends page are covered.
#
#   .ci/browser.sh                      # screenshots in target/browser-screenshots
#   SCREENSHOTS_DIR=/tmp/shots .ci/browser.sh
#
# Installs what it needs when missing: Debian's chromium (apt) and the npm packages of tests/browser (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
command -v node >/dev/null 2>&1 || { echo "browser test: node is required" >&2; exit 2; }

(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

cargo build --release --locked --bin nhi
site_dir="target/browser-site"
# The site is built from a repository with a year of history (the example registry, then monthly scripted
# rotations and reviews), so its pages list commits and the Trends page (--history) has samples to draw.
history_repo="target/browser-history"
rm -rf "$history_repo"
scripts/synth-history.sh registry "$history_repo" 12 10 2025-11-23
./target/release/nhi build "$history_repo/registry" -o "$site_dir" --as-of 2026-11-23 --history \
  --repo-url https://github.com/example/registry

export SITE_DIR="$PWD/$site_dir"
export SCREENSHOTS_DIR="${SCREENSHOTS_DIR:-$PWD/target/browser-screenshots}"
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
export IDENTITY="${IDENTITY:-payments-stripe-secret-key}"
(cd tests/browser && node site.test.mjs)
