#!/usr/bin/env bash
# Reconciles the repository's GitHub issues with the set `nhi due --format github-issues` wants: one issue
# per owner, found by its hidden marker (`<!-- nhi-due owner=ID -->`) among the issues carrying the label
# (default `nhi-due`). It creates the issues that are missing, updates the title and body of those that
# changed (reopening a closed one when something falls due again), closes those with nothing due, closes
# duplicates of a marker, and, when the set covers every owner, closes the issues of owners no longer in it.
# It never opens a second issue for a marker that has one, open or closed.
#
# Usage: due-issues.sh DESIRED.json   (needs gh, authenticated with issues: write, and jq)
# Environment: NHI_DUE_LABEL (default nhi-due); GH_REPO to name the repository outside a checkout.
set -euo pipefail

desired="${1:?usage: due-issues.sh DESIRED.json}"
label="${NHI_DUE_LABEL:-nhi-due}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

gh label create "$label" --color FBCA04 --description "What falls due, kept by nhi due" --force > /dev/null
# Issues are found by label, not by search: the search index lags behind a run that just created one.
gh issue list --label "$label" --state all --limit 1000 --json number,state,title,body > "$work/existing.json"

# The issue numbers carrying a marker, the open ones first, then the oldest.
numbers_for() {
  jq -r --arg m "$1" '[.[] | select(.body | contains($m))] | sort_by(.state != "OPEN", .number) | .[] | "\(.number) \(.state)"' "$work/existing.json"
}

count="$(jq '.issues | length' "$desired")"
for ((i = 0; i < count; i++)); do
  jq ".issues[$i]" "$desired" > "$work/issue.json"
  marker="$(jq -r .marker "$work/issue.json")"
  title="$(jq -r .title "$work/issue.json")"
  state="$(jq -r .state "$work/issue.json")"
  jq -r .body "$work/issue.json" > "$work/body.md"
  mapfile -t found < <(numbers_for "$marker")
  if [ "${#found[@]}" -eq 0 ]; then
    if [ "$state" = open ]; then
      gh issue create --title "$title" --body-file "$work/body.md" --label "$label" > /dev/null
      echo "created: $title"
    fi
    continue
  fi
  read -r number current <<< "${found[0]}"
  # Any further issue with the same marker is a duplicate (made by hand, or by an older run): close it.
  for extra in "${found[@]:1}"; do
    read -r dup dup_state <<< "$extra"
    if [ "$dup_state" = OPEN ]; then
      gh issue close "$dup" --comment "Duplicate of #$number." > /dev/null
      echo "closed duplicate: #$dup"
    fi
  done
  old_title="$(jq -r --argjson n "$number" '.[] | select(.number == $n) | .title' "$work/existing.json")"
  # Compared without trailing line breaks, which GitHub may keep or drop.
  printf '%s' "$(jq -r --argjson n "$number" '.[] | select(.number == $n) | .body' "$work/existing.json")" > "$work/old.md"
  printf '%s' "$(cat "$work/body.md")" > "$work/new.md"
  if [ "$state" = open ]; then
    if [ "$current" != OPEN ]; then
      gh issue reopen "$number" > /dev/null
      echo "reopened: #$number"
    fi
    if [ "$old_title" != "$title" ] || ! cmp -s "$work/old.md" "$work/new.md"; then
      gh issue edit "$number" --title "$title" --body-file "$work/body.md" > /dev/null
      echo "updated: #$number $title"
    fi
  elif [ "$current" = OPEN ]; then
    gh issue edit "$number" --title "$title" --body-file "$work/body.md" > /dev/null
    gh issue close "$number" --comment "Nothing is due any more." > /dev/null
    echo "closed: #$number $title"
  fi
done

# Owners no longer in a complete set (an owner removed from the registry): close their open issues.
if [ "$(jq -r .complete "$desired")" = true ]; then
  prefix="$(jq -r .marker "$desired")"
  jq -r '.issues[].marker' "$desired" > "$work/markers.txt"
  jq -r --arg p "$prefix" '.[] | select(.state == "OPEN") | select(.body | contains($p)) | "\(.number)\t\(.body | split("\n")[0])"' "$work/existing.json" |
    while IFS=$'\t' read -r number first; do
      if ! grep -qxF -- "$first" "$work/markers.txt"; then
        gh issue close "$number" --comment "Its owner is no longer in the registry." > /dev/null
        echo "closed: #$number (owner gone)"
      fi
    done
fi
