#!/usr/bin/env bash
# Benchmarks the registry over time: a generated registry of N identities (default 10,000) given a year of
# history (scripts/synth-history.sh: one commit a month changing P percent of the identity files, default 3),
# then
#   - one `nhi check` of the work tree, for scale;
#   - `nhi trend` over the year, monthly (13 samples: each file version parsed once);
#   - the same 13 samples as 13 separate `nhi check --rev` runs (each parses everything);
#   - `nhi build` with each page's history (one `git log` pass), and with the Trends page (--history).
#
#   benches/trend.sh                     # 10,000 identities, 3 % a month
#   BENCH_TREND_SIZE=100000 BENCH_TREND_PERCENT=1 benches/trend.sh
#
# Registries come from `examples/synth.rs` under $BENCH_DIR (default /tmp/nhi-bench), shared with run.sh.
# Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${BENCH_TREND_SIZE:-10000}
percent=${BENCH_TREND_PERCENT:-3}
dir=${BENCH_DIR:-/tmp/nhi-bench}
start=2025-11-23
day=2026-11-23
mkdir -p "$dir"
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

echo "building nhi and the generators (release)" >&2
cargo build --release --locked --quiet
cargo build --release --locked --quiet --example synth
nhi="$PWD/target/release/nhi"

time_cmd() {
  local stats="$dir/.time"
  /usr/bin/time -o "$stats" -f "%e %M" "$@" >"$dir/.out" 2>&1 || true
  awk 'END { printf "%.2f %.0f\n", $1, $2 / 1024 }' "$stats"
}

reg="$dir/reg-$n"
if [ ! -f "$reg/.complete" ]; then
  rm -rf "$reg"
  ./target/release/examples/synth "$n" "$reg" 2>/dev/null
  touch "$reg/.complete"
fi
repo="$dir/history-$n-$percent"
if [ ! -f "$repo/.complete" ]; then
  rm -rf "$repo"
  echo "writing a year of history ($percent % of the identity files a month)" >&2
  scripts/synth-history.sh "$reg" "$repo" 12 "$percent" "$start"
  rm -f "$repo/registry/.complete"
  touch "$repo/.complete"
fi
cd "$repo"
commits=$(git rev-list --count HEAD)
blobs=$(git rev-list --objects --all -- registry/identities | cut -d' ' -f1 | git cat-file --batch-check='%(objecttype)' | grep -c blob || true)
find registry -type f -name '*.yaml' -print0 | xargs -0 cat >/dev/null # warm the page cache

rows=()
add() { rows+=("| $1 | $2 | $3 |"); echo "  $1: $2 s, $3 MiB" >&2; }

read -r s m < <(time_cmd "$nhi" check registry --as-of "$day" --format json)
add "\`nhi check\` (the work tree, once)" "$s" "$m"
read -r s m < <(time_cmd "$nhi" check registry --rev HEAD --as-of "$day" --format json)
add "\`nhi check --rev HEAD\` (read through git)" "$s" "$m"
read -r s m < <(time_cmd "$nhi" trend registry --since "$start" --as-of "$day" --format json)
points=$(grep -c '"date"' "$dir/.out" || true)
add "\`nhi trend --since $start\` ($points monthly samples)" "$s" "$m"
read -r s m < <(time_cmd bash -c "for d in \$(git log --first-parent --format=%cs); do '$nhi' check registry --at \$d --format json >/dev/null || true; done")
add "the same samples as $commits separate \`nhi check --at\` runs" "$s" "$m"
read -r s m < <(time_cmd "$nhi" build registry -o "$dir/site-history" --as-of "$day")
add "\`nhi build\` (each page lists its commits)" "$s" "$m"
rm -rf "$dir/plain-$n" && cp -r registry "$dir/plain-$n"
read -r s m < <(time_cmd "$nhi" build "$dir/plain-$n" -o "$dir/site-plain" --as-of "$day")
add "\`nhi build\` outside a repository (no history), for scale" "$s" "$m"
read -r s m < <(time_cmd "$nhi" build registry -o "$dir/site-trends" --as-of "$day" --history)
add "\`nhi build --history\` (and the Trends page)" "$s" "$m"

echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $(date -u +%Y-%m-%d)"
echo "$n identities, $commits commits, $blobs identity file versions ($percent % of the identity files changed a month)"
echo
echo "| command | wall (s) | peak memory (MiB) |"
echo "|---|---:|---:|"
printf '%s\n' "${rows[@]}"
