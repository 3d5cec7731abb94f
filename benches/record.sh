#!/usr/bin/env bash
# Benchmarks the commands that record decisions:
#   - `nhi sync` of an IAM credential report with one row per identity into a registry of that many
#     identities, against `nhi drift` on the same input (target: sync within twice drift);
#   - a review campaign, `nhi review --owner`, over 1,000 identities (target: well under a second).
#
#   benches/record.sh                    # 100,000 identities and rows
#   BENCH_SYNC_SIZE=10000 benches/record.sh
#
# Registries come from `examples/synth.rs` under $BENCH_DIR (default /tmp/nhi-bench), shared with run.sh;
# sync and the campaign work on copies (they write). The synthetic identities name IAM roles; the copy turns
# them into users, as the credential report lists users. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${BENCH_SYNC_SIZE:-100000}
dir=${BENCH_DIR:-/tmp/nhi-bench}
day=2026-11-23
mkdir -p "$dir"
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

echo "building nhi and the generators (release)" >&2
# One invocation: the examples bring the dev-dependencies, whose features a separate build of the binary would
# resolve differently, so a second invocation would build nhi again (minutes on a small machine).
cargo build --release --locked --quiet --bin nhi --example synth --example synth_export
nhi="$PWD/target/release/nhi"
synth="$PWD/target/release/examples/synth"
export_gen="$PWD/target/release/examples/synth_export"

time_cmd() {
  local stats="$dir/.time"
  /usr/bin/time -o "$stats" -f "%e %M" "$@" >"$dir/.out" 2>&1 || true
  awk 'END { printf "%.2f %.0f\n", $1, $2 / 1024 }' "$stats"
}

registry() { # registry N: a generated registry of N identities, reused between runs
  local reg="$dir/reg-$1"
  if [ ! -f "$reg/.complete" ]; then
    rm -rf "$reg"
    "$synth" "$1" "$reg" 2>/dev/null
    touch "$reg/.complete"
  fi
  echo "$reg"
}

rows=()
add() { rows+=("| $1 | $2 | $3 | $4 |"); echo "  $1 $2: $3 s, $4 MiB" >&2; }

# The copies are removed when the script ends, not just before the next run's timings: on ext4, files
# created within a minute of a mass deletion are slower to create (the allocator steps over the inodes
# just freed), which would land in sync's own writes.
work="$dir/sync-$n"
camp="$dir/campaign-1000"
trap 'rm -rf "$work" "$camp"' EXIT

# sync against drift
src=$(registry "$n")
rm -rf "$work" && cp -r "$src" "$work"
find "$work/identities" -type f -name '*.yaml' -print0 | xargs -0 sed -i 's#:role/#:user/#'
"$export_gen" "$work" "$day" >"$dir/report-$n.csv"
find "$work" -type f -name '*.yaml' -print0 | xargs -0 cat >/dev/null # warm the page cache
sync # write out the copy first: its writeback would otherwise land in the timings of sync's own writes
read -r s m < <(time_cmd "$nhi" drift aws-credential-report "$dir/report-$n.csv" "$work" --as-of "$day" --format json)
add "$n" "\`nhi drift\` (report of $n rows)" "$s" "$m"
notices_before=$(grep -c '"severity": "notice"' "$dir/.out" || true)
read -r s m < <(NHI_TIMINGS=1 time_cmd "$nhi" sync aws-credential-report "$dir/report-$n.csv" "$work" --as-of "$day" --skip-unsafe)
phases=$(grep '^nhi: timing: \(plan\|stage\|rename\)' "$dir/.out" | awk '{printf "%s%s %s s", sep, $3, $4; sep=", "}')
written=$(grep -v '^nhi: timing' "$dir/.out" | grep -vc '^skipped' || true)
skipped=$(grep -c '^skipped' "$dir/.out" || true)
add "$n" "\`nhi sync\` (same report; $written files written, $skipped skipped; $phases)" "$s" "$m"
"$nhi" drift aws-credential-report "$dir/report-$n.csv" "$work" --as-of "$day" --format json >"$dir/.out" || true
notices_after=$(grep -c '"severity": "notice"' "$dir/.out" || true)
echo "  drift notices: $notices_before before sync, $notices_after after" >&2

# a review campaign over 1,000 identities: one owner for all of them
rm -rf "$camp" && cp -r "$(registry 1000)" "$camp"
find "$camp/identities" -type f -name '*.yaml' -print0 | xargs -0 sed -i 's#^owner: team-[0-9]*$#owner: team-0#'
sync
read -r s m < <(time_cmd "$nhi" review --owner team-0 "$camp" --by person-1 --within 36500 --as-of "$day" --skip-unsafe)
reviewed=$(grep -vc '^skipped' "$dir/.out" || true)
add 1000 "\`nhi review --owner\` ($reviewed files written)" "$s" "$m"
read -r s m < <(time_cmd "$nhi" check "$camp" --as-of "$day" --format json)
add 1000 "\`nhi check\` (for scale)" "$s" "$m"

echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $(date -u +%Y-%m-%d)"
echo "drift notices on the $n-row report: $notices_before before sync, $notices_after after"
echo
echo "| identities | command | wall (s) | peak memory (MiB) |"
echo "|---:|---|---:|---:|"
printf '%s\n' "${rows[@]}"
