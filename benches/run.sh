#!/usr/bin/env bash
# Benchmarks nhi against the floor (reading the files) and the schema validators teams use in CI today.
#
#   benches/run.sh                      # 10k and 100k identities
#   BENCH_SIZES="1000000" benches/run.sh
#   BENCH_SKIP_SLOW=1 benches/run.sh    # skip check-jsonschema (minutes at 100k)
#   BENCH_BUILD_ALL=1                    # also build the site above 100k identities
#   BENCH_SITE_ONLY=1                    # only nhi check, the site (clean build, size, one-file rebuild) and nhi diff
#
# Registries are generated deterministically by `examples/synth.rs` under $BENCH_DIR (default
# /tmp/nhi-bench) and reused between runs. On ext4, files created just after many were deleted (the
# previous run's site) are slow to create: ext4 checks every recently freed inode before reusing it. For
# the figures a fresh CI runner sees, point BENCH_DIR at a new file system (docs/benchmarks.md says how). Each command runs once after a warm-up read of the tree, timed
# with /usr/bin/time (wall seconds and peak resident memory). The table is printed in Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${BENCH_SIZES:-"10000 100000"}
dir=${BENCH_DIR:-/tmp/nhi-bench}
tools="$dir/tools"
mkdir -p "$dir" "$tools"

need() { command -v "$1" >/dev/null 2>&1; }
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

echo "building nhi and the generator (release)" >&2
# One invocation, so the binary is built once with the features the examples' dev-dependencies bring.
cargo build --release --locked --quiet --bin nhi --example synth
nhi="$PWD/target/release/nhi"
synth="$PWD/target/release/examples/synth"

# The validators teams use today, each installed into $tools.
if [ -z "${BENCH_SKIP_SLOW:-}" ] && [ ! -x "$tools/venv/bin/check-jsonschema" ]; then
  python3 -m venv "$tools/venv" && "$tools/venv/bin/pip" install -q check-jsonschema >&2
fi
if need npm && [ ! -x "$tools/node_modules/.bin/ajv" ]; then
  (cd "$tools" && npm install --silent --no-audit --no-fund ajv-cli@5 ajv-formats@3 >/dev/null 2>&1) || true
fi

# time_cmd LABEL COMMAND...: prints "seconds peak_mib" (the command's own exit code is ignored: nhi exits 1
# when the gate fails, which synthetic registries do on purpose).
time_cmd() {
  local stats="$dir/.time"
  /usr/bin/time -o "$stats" -f "%e %M" "$@" >"$dir/.stdout" 2>/dev/null || true
  awk 'END { printf "%.2f %.0f\n", $1, $2 / 1024 }' "$stats"
}

# site_rows N REGISTRY: a clean site build and its size on disk, a rebuild into it after one identity file
# changed (which writes only the files whose bytes change), and `nhi diff` of that change against the
# registry's commit (the registry is made a git repository on first use). The change is undone afterwards.
site_rows() {
  local n=$1 reg=$2 site="$dir/site-$n"
  if [ "$n" -gt 100000 ] && [ -z "${BENCH_BUILD_ALL:-}" ]; then return; fi
  # A git repository first: pages show each document's commits, so it must be one for both builds.
  if [ ! -d "$reg/.git" ]; then
    git -C "$reg" init -q && git -C "$reg" add -A &&
      git -C "$reg" -c user.name=bench -c user.email=bench@example.com commit -qm registry
  fi
  # Warm the repository too, as the tree was: `nhi diff` reads the base revision from it, and `nhi check`,
  # which it is compared with, reads the tree from a warm cache.
  find "$reg/.git" -type f -print0 | xargs -0 cat >/dev/null
  rm -rf "$site"
  read -r s m < <(time_cmd "$nhi" build "$reg" -o "$site" --as-of 2026-11-23)
  add "\`nhi build\` (the site, clean)" "$s" "$m"
  rows+=("| $n | site size: $(find "$site" -type f | wc -l) files, $(du -sb "$site" | awk '{printf "%.0f", $1 / 1e6}') MB of bytes, $(du -sk "$site" | awk '{printf "%.0f", $1 * 1024 / 1e6}') MB on disk, a tar of $(tar -C "$site" -cf - . | wc -c | awk '{printf "%.0f", $1 / 1048576}') MiB (GitHub Pages: up to 1,024) | | |")
  local file
  file=$(find "$reg/identities" -name '*.yaml' | sort | sed -n 1p)
  cp "$file" "$dir/.saved"
  sed -i '0,/^environment: [a-z]*$/s//environment: sandbox/' "$file"
  read -r s m < <(time_cmd "$nhi" build "$reg" -o "$site" --as-of 2026-11-23)
  local out
  out=$(sed -n 's/.*files, \([0-9]*\) written.*/\1/p' "$dir/.stdout")
  add "\`nhi build\` again after one identity file changed (writes $out files)" "$s" "$m"
  read -r s m < <(time_cmd "$nhi" diff --base HEAD "$reg" --as-of 2026-11-23 --format json)
  add "\`nhi diff --base HEAD\` (one identity file changed)" "$s" "$m"
  cp "$dir/.saved" "$file"
}

rows=()
for n in $sizes; do
  reg="$dir/reg-$n"
  if [ ! -f "$reg/.complete" ]; then
    rm -rf "$reg"
    echo "generating $n identities into $reg" >&2
    "$synth" "$n" "$reg" 2>/dev/null
    touch "$reg/.complete"
  fi
  files=$(find "$reg" -type f -name '*.yaml' | wc -l)
  bytes=$(du -sb "$reg" | cut -f1)
  find "$reg" -type f -name '*.yaml' -print0 | xargs -0 cat >/dev/null # warm the page cache

  add() { rows+=("| $n | $1 | $2 | $3 |"); echo "  $n $1: $2 s, $3 MiB" >&2; }
  read -r s m < <(time_cmd sh -c "find '$reg' -type f -name '*.yaml' -print0 | xargs -0 cat")
  add "floor: \`cat\` of every file" "$s" "$m"
  read -r s m < <(time_cmd "$nhi" check "$reg" --as-of 2026-11-23 --format json)
  add "\`nhi check\` (all kinds, all rules)" "$s" "$m"
  if [ -n "${BENCH_SITE_ONLY:-}" ]; then
    site_rows "$n" "$reg"
    echo "  ($files files, $((bytes / 1024 / 1024)) MiB)" >&2
    continue
  fi
  read -r s m < <(time_cmd "$nhi" due "$reg" --as-of 2026-11-23 --format json)
  add "\`nhi due\` (every obligation, 30 days, JSON)" "$s" "$m"
  read -r s m < <(time_cmd "$nhi" due "$reg" --as-of 2026-11-23 --within 90 --format ics)
  add "\`nhi due --within 90 --format ics\`" "$s" "$m"
  read -r s m < <(time_cmd "$nhi" rank "$reg" --top 20)
  add "\`nhi rank\` (load + every identity's blast radius)" "$s" "$m"
  site_rows "$n" "$reg"
  if [ -x "$tools/node_modules/.bin/ajv" ]; then
    read -r s m < <(time_cmd "$tools/node_modules/.bin/ajv" validate --spec=draft2020 --strict=false -c ajv-formats \
      -s schema/identity.schema.json -d "$reg/identities/**/*.yaml")
    add "ajv-cli (identity schema only)" "$s" "$m"
  fi
  if [ -z "${BENCH_SKIP_SLOW:-}" ] && [ -x "$tools/venv/bin/check-jsonschema" ] && [ "$n" -le 100000 ]; then
    read -r s m < <(time_cmd sh -c "find '$reg/identities' -type f -name '*.yaml' -print0 | xargs -0 -n 20000 '$tools/venv/bin/check-jsonschema' --schemafile schema/identity.schema.json")
    add "check-jsonschema (identity schema only)" "$s" "$m"
  fi
  echo "  ($files files, $((bytes / 1024 / 1024)) MiB)" >&2
done

echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $(date -u +%Y-%m-%d)"
echo
echo "| identities | command | wall (s) | peak memory (MiB) |"
echo "|---:|---|---:|---:|"
printf '%s\n' "${rows[@]}"
