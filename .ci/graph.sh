#!/usr/bin/env bash
# Checks the graph exports with independent tools: Graphviz renders every DOT output, NetworkX reads every
# GraphML export, and a checker of BloodHound's OpenGraph rules reads every OpenGraph export.
# Idempotent: installs graphviz (Debian) and networkx (PyPI, into target/ci-venv-graph) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null; then
  apt-get update -qq && apt-get install -y -qq graphviz >/dev/null
fi
VENV=target/ci-venv-graph
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c "import networkx" 2>/dev/null || "$VENV/bin/pip" install -q networkx

cargo build --locked -q
NHI=target/debug/nhi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

for reg in registry tests/blast/spec tests/blast/hostile; do
  name=$(echo "$reg" | tr '/' '_')
  for fmt in dot json graphml opengraph; do
    "$NHI" graph "$reg" --format "$fmt" > "$OUT/$name.$fmt"
  done
  dot -Tsvg "$OUT/$name.dot" > /dev/null
  echo "ok: $reg graph renders with Graphviz"
done
# Graphviz reads names back as written: quotes, backslashes and line breaks survive the DOT quoting.
dot -Tsvg "$OUT/tests_blast_hostile.dot" > "$OUT/hostile.svg"
grep -q 'xlink:title="Vault &quot;prod&quot; &lt;main&gt; &amp; co \\ backslash&#10;second line' "$OUT/hostile.svg"
echo "ok: hostile names survive DOT quoting"
"$NHI" blast payments-stripe-key tests/blast/spec --format dot | dot -Tsvg > /dev/null
"$NHI" blast vault-prod registry --format dot | dot -Tsvg > /dev/null
echo "ok: nhi blast --format dot renders with Graphviz"

"$VENV/bin/python" - "$OUT" <<'PY'
import json, re, sys, pathlib
import networkx as nx

out = pathlib.Path(sys.argv[1])
kind = re.compile(r"^[A-Za-z0-9_]+$")
for js in sorted(out.glob("*.json")):
    name = js.stem
    graph = json.loads(js.read_text())
    n, e = len(graph["nodes"]), len(graph["edges"])
    g = nx.read_graphml(out / f"{name}.graphml")
    assert g.is_directed(), name
    assert g.number_of_nodes() == n, (name, g.number_of_nodes(), n)
    assert g.number_of_edges() == e, (name, g.number_of_edges(), e)
    names = {x["key"]: x.get("name") for x in graph["nodes"]}
    for key, data in g.nodes(data=True):
        # Names come back as written, but for the bell that XML 1.0 cannot carry.
        want = names[key].replace("\x07", "\ufffd") if names[key] is not None else None
        assert data.get("name") == want, (key, data.get("name"), want)
    og = json.loads((out / f"{name}.opengraph").read_text())
    nodes, edges = og["graph"]["nodes"], og["graph"]["edges"]
    ids = {x["id"] for x in nodes}
    assert len(ids) == len(nodes) == n, name
    for x in nodes:
        assert isinstance(x["id"], str)
        assert 1 <= len(x["kinds"]) <= 3 and all(kind.match(k) for k in x["kinds"]), x["kinds"]
        assert "objectid" not in x["properties"], x["id"]
        for k, v in x["properties"].items():
            assert isinstance(v, (str, int, float, bool)) or (isinstance(v, list) and len({type(i) for i in v}) <= 1), (k, v)
    for x in edges:
        assert kind.match(x["kind"]), x["kind"]
        assert x["start"]["value"] in ids and x["end"]["value"] in ids
        assert all(not isinstance(v, (dict, type(None))) for v in x["properties"].values())
    assert len(edges) == e, name
    print(f"ok: {name}: GraphML reads in NetworkX, OpenGraph follows BloodHound's rules ({n} nodes, {e} edges)")
PY
