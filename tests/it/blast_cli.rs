//! CLI tests of `nhi blast`, `nhi rank` and `nhi graph` on the registries under `tests/blast/`.

use crate::common::copy_dir;
use crate::graphutil;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;

use graphutil::{case, nhi, parse_dot};
use regex::Regex;
use serde_json::Value;

fn spec() -> String {
    case("blast/spec").display().to_string()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The edges of `nhi graph --format json`: (from key, to key, edge label).
fn graph_edges(registry: &str) -> HashSet<(String, String, String)> {
    let (code, out, _) = nhi(&["graph", registry, "--format", "json"]);
    assert_eq!(code, 0);
    let g = json(&out);
    let s = |v: &Value| v.as_str().unwrap().to_string();
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (s(&e["from"]), s(&e["to"]), s(&e["edge"])))
        .collect()
}

/// Checks that `path` starts at the root, follows real edges, and ends at `target`.
fn assert_path(
    edges: &HashSet<(String, String, String)>,
    root: &str,
    root_kind: &str,
    target: &str,
    path: &Value,
) {
    let mut at = format!("{}:{root}", root_kind.to_lowercase());
    for step in path.as_array().unwrap() {
        let edge = &step["edge"];
        let (label, to_kind) = match edge["kind"].as_str().unwrap() {
            "access" => (edge["level"].as_str().unwrap().to_string(), "system"),
            other => (other.to_string(), "identity"),
        };
        let from = at.split_once(':').unwrap().1;
        assert_eq!(step["from"], from, "path to {target} does not chain");
        let to = format!("{to_kind}:{}", step["to"].as_str().unwrap());
        assert!(
            edges.contains(&(at.clone(), to.clone(), label.clone())),
            "{at} -[{label}]-> {to} is no edge"
        );
        at = to;
    }
    assert_eq!(
        at.split_once(':').unwrap().1,
        target,
        "path does not end at {target}"
    );
}

#[test]
fn blast_names_exactly_what_section_6_implies_with_valid_paths() {
    let expect = json(&fs::read_to_string(case("blast/spec/expect.json")).unwrap());
    let edges = graph_edges(&spec());
    for (root, want) in expect
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.starts_with('_'))
    {
        let (code, out, err) = nhi(&["blast", root, &spec(), "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let got = json(&out);
        let systems: BTreeMap<&str, &str> = got["systems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), s["level"].as_str().unwrap()))
            .collect();
        let want_systems: BTreeMap<&str, &str> = want["systems"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        assert_eq!(systems, want_systems, "systems of {root}");
        let ids: BTreeSet<&str> = got["identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        let want_ids: BTreeSet<&str> = want["identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        assert_eq!(ids, want_ids, "identities picked up by {root}");
        assert_eq!(got["score"], want["score"], "score of {root}");
        let kind = got["root_kind"].as_str().unwrap();
        for item in got["systems"]
            .as_array()
            .unwrap()
            .iter()
            .chain(got["identities"].as_array().unwrap())
        {
            assert_path(
                &edges,
                root,
                kind,
                item["id"].as_str().unwrap(),
                &item["path"],
            );
        }
        for (id, explained) in want
            .get("explained")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let s = got["systems"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == id.as_str())
                .unwrap();
            assert_eq!(s["explained"], *explained);
        }
    }
}

#[test]
fn blast_text_matches_the_expected_output() {
    let (code, out, _) = nhi(&["blast", "payments-stripe-key", &spec()]);
    assert_eq!(code, 0);
    let expected = fs::read_to_string(case("blast/spec/payments-stripe-key.txt")).unwrap();
    assert_eq!(out, expected);
}

#[test]
fn blast_dot_parses_and_holds_the_explaining_paths() {
    let (code, out, _) = nhi(&["blast", "payments-stripe-key", &spec(), "--format", "dot"]);
    assert_eq!(code, 0);
    let dot = parse_dot(&out).unwrap();
    let nodes: HashSet<&str> = dot.nodes.iter().map(String::as_str).collect();
    for key in [
        "identity:payments-stripe-key",
        "system:aws-prod",
        "identity:ci-deployer",
        "system:metrics",
    ] {
        assert!(nodes.contains(key), "{key} missing");
    }
    assert!(dot
        .edges
        .iter()
        .all(|(f, t, _)| nodes.contains(f.as_str()) && nodes.contains(t.as_str())));
    // A tree of shortest paths: one edge into every node but the root.
    assert_eq!(dot.edges.len(), dot.nodes.len() - 1);
}

#[test]
fn blast_of_an_unknown_id_exits_2_with_a_suggestion() {
    let (code, out, err) = nhi(&["blast", "payments-stripe-kye", &spec()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("no identity or system `payments-stripe-kye`")
            && err.contains("did you mean `payments-stripe-key`"),
        "{err}"
    );
}

#[test]
fn rank_lists_identities_by_score_then_id() {
    let (code, out, _) = nhi(&["rank", &spec(), "--format", "json", "--top", "0"]);
    assert_eq!(code, 0);
    let all = json(&out);
    let rows: Vec<(u64, &str)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["score"].as_u64().unwrap(),
                s["identity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows.len(), 10);
    assert!(rows
        .windows(2)
        .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)));
    assert_eq!(rows[0], (47, "payments-stripe-key"));
    let (_, text, _) = nhi(&["rank", &spec(), "--top", "2"]);
    assert_eq!(text.lines().count(), 3);
    assert!(text.lines().nth(1).unwrap().contains("payments-stripe-key"));
}

#[test]
fn graph_dot_parses_with_hostile_names() {
    for registry in [spec(), case("blast/hostile").display().to_string()] {
        let (code, out, _) = nhi(&["graph", &registry, "--format", "dot"]);
        assert_eq!(code, 0);
        let dot = parse_dot(&out).unwrap_or_else(|e| panic!("{e}:\n{out}"));
        let edges = graph_edges(&registry);
        assert_eq!(dot.edges.len(), edges.len());
        let nodes: HashSet<&str> = dot.nodes.iter().map(String::as_str).collect();
        assert!(dot
            .edges
            .iter()
            .all(|(f, t, _)| nodes.contains(f.as_str()) && nodes.contains(t.as_str())));
    }
    let (_, out, _) = nhi(&[
        "graph",
        &case("blast/hostile").display().to_string(),
        "--format",
        "dot",
    ]);
    let dot = parse_dot(&out).unwrap();
    // An identity and a system both named `app` stay two nodes.
    assert!(
        dot.nodes.contains(&"identity:app".to_string())
            && dot.nodes.contains(&"system:app".to_string())
    );
    assert_eq!(dot.nodes.len(), 4);
}

#[test]
fn graph_graphml_parses_and_keeps_names_intact() {
    let registry = case("blast/hostile").display().to_string();
    let (code, out, _) = nhi(&["graph", &registry, "--format", "graphml"]);
    assert_eq!(code, 0);
    let doc = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{e}:\n{out}"));
    let nodes: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("node"))
        .collect();
    let edges: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("edge"))
        .collect();
    assert_eq!(nodes.len(), 4);
    assert_eq!(edges.len(), graph_edges(&registry).len());
    let ids: HashSet<&str> = nodes.iter().map(|n| n.attribute("id").unwrap()).collect();
    assert!(edges
        .iter()
        .all(|e| ids.contains(e.attribute("source").unwrap())
            && ids.contains(e.attribute("target").unwrap())));
    let name_of = |id: &str| {
        let node = nodes
            .iter()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap();
        node.children()
            .find(|d| d.attribute("key") == Some("n_name"))
            .and_then(|d| d.text())
            .unwrap()
            .to_string()
    };
    assert_eq!(name_of("system:app"), "</data></node><node id='x'>");
    assert_eq!(
        name_of("identity:key"),
        "\"; digraph { evil -> x } // <script>alert(1)</script>"
    );
    // The bell (U+0007) cannot be carried by XML 1.0; everything else survives, line break included.
    assert_eq!(
        name_of("system:vault"),
        "Vault \"prod\" <main> & co \\ backslash\nsecond line \u{FFFD} bell ]; } -> x"
    );
}

#[test]
fn graph_opengraph_follows_the_bloodhound_shape() {
    let kind_re = Regex::new(r"^[A-Za-z0-9_]+$").unwrap();
    for registry in [spec(), case("blast/hostile").display().to_string()] {
        let (code, out, _) = nhi(&["graph", &registry, "--format", "opengraph"]);
        assert_eq!(code, 0);
        let doc = json(&out);
        let nodes = doc["graph"]["nodes"].as_array().unwrap();
        let edges = doc["graph"]["edges"].as_array().unwrap();
        let ids: HashSet<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), nodes.len(), "node ids are unique");
        for n in nodes {
            let kinds = n["kinds"].as_array().unwrap();
            assert!((1..=3).contains(&kinds.len()));
            assert!(
                kinds.iter().all(|k| kind_re.is_match(k.as_str().unwrap())),
                "{kinds:?}"
            );
            assert!(["NHIIdentity", "NHISystem"].contains(&kinds[0].as_str().unwrap()));
            assert_flat(&n["properties"]);
            assert!(
                n["properties"].get("objectid").is_none(),
                "BloodHound refuses objectid among properties"
            );
        }
        for e in edges {
            assert!(
                kind_re.is_match(e["kind"].as_str().unwrap()),
                "{}",
                e["kind"]
            );
            for end in ["start", "end"] {
                assert_eq!(e[end]["match_by"], "id");
                assert!(ids.contains(e[end]["value"].as_str().unwrap()));
            }
            assert_flat(&e["properties"]);
        }
        assert_eq!(edges.len(), graph_edges(&registry).len());
    }
}

/// OpenGraph properties: primitive values or homogeneous arrays of primitives, never objects or null.
fn assert_flat(props: &Value) {
    for (key, v) in props.as_object().unwrap() {
        match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            Value::Array(items) => {
                let kinds: HashSet<_> = items.iter().map(std::mem::discriminant).collect();
                assert!(
                    kinds.len() <= 1
                        && items
                            .iter()
                            .all(|i| !i.is_object() && !i.is_array() && !i.is_null()),
                    "{key}"
                );
            }
            _ => panic!("property {key} is {v}"),
        }
    }
}

#[test]
fn blast_radius_critical_fires_past_max_critical_reach_only() {
    let (code, out, _) = nhi(&[
        "check",
        &spec(),
        "--as-of",
        "2026-11-23",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let findings: Vec<Value> = json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "blast-radius-critical")
        .cloned()
        .collect();
    assert_eq!(
        findings.len(),
        1,
        "only the static credential reaching 4 critical systems: {findings:?}"
    );
    assert_eq!(findings[0]["id"], "payments-stripe-key");
    assert_eq!(findings[0]["severity"], "warning");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "reaches 4 critical systems (aws-prod, checkout-service, stripe, vault-prod)"
        ),
        "{message}"
    );

    // With the threshold at 4 the same registry has no such finding.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&case("blast/spec"), dir.path());
    fs::write(
        dir.path().join("nhi.yaml"),
        "kind: Policy\nmax_critical_reach: 4\n",
    )
    .unwrap();
    let (_, out, _) = nhi(&[
        "check",
        &dir.path().display().to_string(),
        "--as-of",
        "2026-11-23",
        "--format",
        "json",
    ]);
    assert!(!out.contains("blast-radius-critical"));
}

#[test]
fn review_period_follows_the_blast_radius_not_only_direct_access() {
    let registry = case("blast/review-period").display().to_string();
    let (code, out, _) = nhi(&[
        "check",
        &registry,
        "--as-of",
        "2026-11-23",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let findings = json(&out)["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "review-overdue");
    assert_eq!(findings[0]["id"], "docs-bot");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message
            .contains("the review period is 90 days (its blast radius reaches a critical system)"),
        "{message}"
    );
}

#[test]
fn the_example_registry_still_passes_the_gate() {
    let registry = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("registry");
    let (code, out, _) = nhi(&[
        "check",
        &registry.display().to_string(),
        "--as-of",
        "2026-11-23",
        "--color",
        "never",
    ]);
    assert_eq!(code, 0, "{out}");
}
