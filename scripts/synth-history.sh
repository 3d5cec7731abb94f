#!/usr/bin/env bash
# Gives a registry a history in git, for benchmarks and the browser test:
#
#   scripts/synth-history.sh REGISTRY REPO [MONTHS] [PERCENT] [START]
#
# REPO becomes a new git repository holding a copy of REGISTRY under `registry/`, committed on START (default
# 2025-11-01). Each of the MONTHS (default 12) following months, PERCENT (default 3) of the identity files
# change: the credential rotated or the review recorded on that month's day (the `last_rotated:` or `last:`
# line rewritten), as one commit with a scripted author and date and a pull-request number in its subject.
set -euo pipefail

from=${1:?usage: synth-history.sh REGISTRY REPO [MONTHS] [PERCENT] [START]}
repo=${2:?usage: synth-history.sh REGISTRY REPO [MONTHS] [PERCENT] [START]}
months=${3:-12}
percent=${4:-3}
start=${5:-2025-11-01}
authors=("Amara Okafor <amara.okafor@northwind.example>" "Lena Fischer <lena.fischer@northwind.example>" "Jonas Weber <jonas.weber@northwind.example>")

mkdir -p "$repo"
cp -r "$from" "$repo/registry"
cd "$repo"
git init -q -b main
git config commit.gpgsign false

commit() { # commit DAY N SUBJECT
  local who=${authors[$(($2 % ${#authors[@]}))]}
  local name=${who% <*} email=${who#*<}
  email=${email%>}
  git add -A
  GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
    GIT_AUTHOR_DATE="${1}T10:00:00Z" GIT_COMMITTER_DATE="${1}T10:00:00Z" \
    git commit -q --allow-empty -m "$3"
}

commit "$start" 0 "Registry"
mapfile -t files < <(find registry/identities -type f -name '*.yaml' | LC_ALL=C sort)
count=${#files[@]}
per_month=$(( (count * percent + 50) / 100 ))
[ "$per_month" -ge 1 ] || per_month=1
cursor=0
for month in $(seq 1 "$months"); do
  day=$(date -u -d "$start + $month month" +%F)
  for _ in $(seq 1 "$per_month"); do
    # A stride through the files, so each month touches different ones.
    file=${files[$(( (cursor * 7919) % count ))]}
    cursor=$((cursor + 1))
    if [ $((cursor % 2)) -eq 0 ] && grep -q '^  last:' "$file"; then
      sed -i "0,/^  last:.*/s//  last: $day/" "$file"
    elif grep -q '^  last_rotated:' "$file"; then
      sed -i "0,/^  last_rotated:.*/s//  last_rotated: $day/" "$file"
    else
      echo "# touched $day" >>"$file"
    fi
  done
  commit "$day" "$month" "Rotations and reviews of $(date -u -d "$day" '+%B %Y') (#$((100 + month)))"
done
echo "wrote $((months + 1)) commits to $repo" >&2
