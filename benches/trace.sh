#!/usr/bin/env bash
# Benchmarks `nhi trace cloudtrail` on a synthetic day of CloudTrail (default 1,000,000 events, ~1.4 GB).
#
#   benches/trace.sh                    # 1,000,000 events
#   TRACE_EVENTS=100000 benches/trace.sh
#
# The log and its registry are generated deterministically by `examples/cloudtrail_synth.rs` under
# $BENCH_DIR (default /tmp/nhi-bench-trace) and reused between runs. Each command runs once after a warm-up
# read of the log, timed with /usr/bin/time (wall seconds and peak resident memory). `cat` is the floor:
# reading the bytes. The table is printed in Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."

events=${TRACE_EVENTS:-1000000}
dir=${BENCH_DIR:-/tmp/nhi-bench-trace}/$events
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

echo "building nhi and the generator (release)" >&2
# One invocation, so the binary is built once with the features the examples' dev-dependencies bring.
cargo build --release --locked --quiet --bin nhi --example cloudtrail_synth
nhi="$PWD/target/release/nhi"
if [ ! -s "$dir/cloudtrail.json" ]; then
  "$PWD/target/release/examples/cloudtrail_synth" "$events" "$dir"
fi
log="$dir/cloudtrail.json"
size=$(du -m "$log" | cut -f1)
cat "$log" > /dev/null

measure() {
  local label=$1; shift
  local stats
  stats=$(mktemp)
  /usr/bin/time -o "$stats" -f "%e %M" "$@" > /dev/null 2>&1 || true
  read -r wall rss < <(tail -n 1 "$stats")
  rm -f "$stats"
  printf '| %s | %s | %s s | %s MiB |\n' "$label" "$events" "$wall" "$(( rss / 1024 ))"
}

echo "| command | events (${size} MiB) | wall | peak memory |"
echo "|---|---|---|---|"
measure "cat (reading the log)" cat "$log"
measure "nhi trace cloudtrail --format json" "$nhi" trace cloudtrail "$log" "$dir/registry" --format json --as-of 2026-11-23
measure "nhi trace cloudtrail (human)" "$nhi" trace cloudtrail "$log" "$dir/registry" --as-of 2026-11-23
