//! `nhi leak` and `nhi offboard`: the runbook carries what `nhi blast` finds and who to call; the offboarding
//! report names exactly the places a person appears, and what their leaving breaks.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{repo, run, stdout, AS_OF};

fn fixture() -> PathBuf {
    repo().join("tests/data/offboarding")
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stdout(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|x| {
            x.as_str()
                .map_or_else(|| x["id"].as_str().unwrap().to_string(), str::to_string)
        })
        .collect()
}

/// The 1-based line of the first line of `file` holding `needle` at or after the document with `id: ID`.
fn line_of(root: &Path, file: &str, id: &str, needle: &str) -> u64 {
    let text = fs::read_to_string(root.join(file)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == format!("id: {id}"))
        .unwrap_or_else(|| panic!("{file}: no id {id}"));
    let at = (start..lines.len())
        .find(|&n| lines[n].contains(needle))
        .unwrap_or_else(|| panic!("{file}: no {needle} after {id}"));
    at as u64 + 1
}

#[test]
fn the_references_are_exactly_the_fields_that_name_the_person() {
    let root = fixture();
    let dir = root.to_str().unwrap();
    let report = json(&["offboard", "pia", dir, "--format", "json", "--as-of", AS_OF]);
    let want = [
        (
            "Exception",
            "exc-1",
            "approved_by",
            "exceptions/exc-1.yaml",
            "approved_by: pia",
        ),
        (
            "Exception",
            "exc-2",
            "requested_by",
            "exceptions/exc-1.yaml",
            "requested_by: pia",
        ),
        (
            "Identity",
            "aws-key",
            "contact",
            "identities/aws-key.yaml",
            "contact: pia",
        ),
        (
            "Identity",
            "gcp-key",
            "owner",
            "identities/gcp-key.yaml",
            "owner: pia",
        ),
        (
            "Identity",
            "gcp-key",
            "used_by",
            "identities/gcp-key.yaml",
            "used_by: [pia]",
        ),
        (
            "Identity",
            "gh-token",
            "review.by",
            "identities/gh-token.yaml",
            "by: pia",
        ),
        ("Team", "team-a", "lead", "owners/owners.yaml", "lead: pia"),
        (
            "System",
            "db",
            "owner",
            "systems/systems.yaml",
            "owner: pia",
        ),
    ];
    let mut want: Vec<Value> = want
        .iter()
        .map(|(kind, id, field, file, needle)| {
            serde_json::json!({"kind": kind, "id": id, "field": field, "file": file,
                               "line": line_of(&root, file, id, needle)})
        })
        .collect();
    let mut got = report["references"].as_array().unwrap().clone();
    let key = |v: &Value| format!("{}{}{}", v["kind"], v["id"], v["field"]);
    want.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got, want);
    assert_eq!(report["person"]["id"], "pia");
}

#[test]
fn leaving_orphans_what_they_own_and_what_their_team_owns_and_lapses_their_approvals() {
    let dir = fixture();
    let r = json(&[
        "offboard",
        "pia",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    let mut orphaned = ids(&r["orphaned"]);
    orphaned.sort();
    // gcp-key is owned by pia; aws-key by team-solo, whose only member pia is.
    assert_eq!(orphaned, ["aws-key", "gcp-key"]);
    assert_eq!(ids(&r["unstaffed_teams"]), ["team-solo"]);
    // exc-1 is in force only while pia is an active approver; exc-2 was approved by sam.
    assert_eq!(ids(&r["exceptions"]), ["exc-1"]);
    let rotate: Vec<(String, Value)> = r["rotate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["id"].as_str().unwrap().to_string(), x["fields"].clone()))
        .collect();
    assert_eq!(
        rotate,
        [
            ("aws-key".to_string(), serde_json::json!(["contact"])),
            (
                "gcp-key".to_string(),
                serde_json::json!(["owner", "used_by"])
            ),
        ]
    );
    // The same report reads as a checklist.
    let out = run(&["offboard", "pia", dir.to_str().unwrap(), "--as-of", AS_OF]);
    let md = stdout(&out);
    assert!(md.contains("- [ ] `gcp-key`"), "{md}");
    assert!(md.contains("nhi offboard pia --to TEAM"), "{md}");
}

#[test]
fn a_vendor_s_credentials_are_revoked_before_its_systems_are_retired() {
    let dir = fixture();
    let r = json(&[
        "offboard",
        "--vendor",
        "stripe",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(ids(&r["holds"]), ["stripe-key"]);
    assert_eq!(ids(&r["systems"]), ["stripe"]);
    let steps = r["steps"].as_array().unwrap();
    assert_eq!(steps[0]["id"], "stripe-key");
    assert_eq!(steps[0]["record"], "nhi decommission stripe-key");
    assert_eq!(steps.last().unwrap()["id"], "stripe");
    let unknown = run(&["offboard", "--vendor", "nobody", dir.to_str().unwrap()]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn an_unknown_id_exits_2() {
    let dir = fixture();
    for args in [
        vec!["leak", "no-such-key", dir.to_str().unwrap()],
        vec!["offboard", "no-such-person", dir.to_str().unwrap()],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}

/// Every identity of the example registry: the runbook carries every system and identity `nhi blast`
/// finds, the stores, the consumers and the owner's e-mail.
#[test]
fn the_runbook_carries_the_blast_radius_stores_consumers_and_owner() {
    let root = repo().join("registry");
    let loaded = nhi::load::load(&root).unwrap();
    let registry = loaded.registry;
    let graph = nhi::graph::Graph::build(&registry);
    for doc in &registry.identities {
        let i = &doc.item;
        let r = nhi::leak::runbook(&registry, &graph, &i.id).expect("a runbook");
        let blast = graph.blast(&format!("identity:{}", i.id)).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["blast"],
            serde_json::to_value(&blast).unwrap(),
            "{}",
            i.id
        );
        let exposed: Vec<&str> = blast.identities.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(r.exposed, exposed, "{}", i.id);
        assert_eq!(r.kept.stores, i.credential.stores, "{}", i.id);
        assert_eq!(r.kept.consumers, i.used_by, "{}", i.id);
        let owner = i.owner.as_deref().unwrap();
        let email = registry
            .teams
            .iter()
            .find(|t| t.item.id == owner)
            .and_then(|t| t.item.email.clone())
            .or_else(|| {
                registry
                    .persons
                    .iter()
                    .find(|p| p.item.id == owner)
                    .and_then(|p| p.item.email.clone())
            });
        assert!(email.is_some(), "{owner} has an e-mail in the example");
        assert_eq!(
            json["owner"]["email"].as_str(),
            email.as_deref(),
            "{}",
            i.id
        );
        let steps = json["steps"].as_array().unwrap();
        assert!(!steps.is_empty());
        for (n, s) in steps.iter().enumerate() {
            assert_eq!(s["order"], n + 1);
        }
        let each = nhi::leak::EXPOSED_STEPS;
        if exposed.len() > each {
            let rest = format!("Rotate the {} other identities", exposed.len() - each);
            assert!(
                steps
                    .iter()
                    .any(|s| s["action"].as_str().unwrap().starts_with(&rest)),
                "{}",
                i.id
            );
        }
        for e in exposed.iter().take(each) {
            assert!(
                steps
                    .iter()
                    .any(|s| s["record"] == format!("nhi rotated {e}")),
                "{}: no step rotates {e}",
                i.id
            );
        }
    }
}

#[test]
fn the_command_prints_the_same_runbook_as_the_library() {
    let dir = fixture();
    let r = json(&[
        "leak",
        "gh-token",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let blast = json(&[
        "blast",
        "gh-token",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r["blast"], blast);
    // gh-token reads the vault: every credential kept there is exposed with it.
    let mut exposed = ids(&r["exposed"]);
    exposed.sort();
    assert!(
        exposed.contains(&"aws-key".to_string()) && exposed.contains(&"stripe-key".to_string()),
        "{exposed:?}"
    );
    assert_eq!(r["owner"]["email"], "team-a@example.com");
    assert_eq!(r["owner"]["slack"], "#team-a");
    assert_eq!(r["owner"]["lead"]["slack"], "@pia");
    assert_eq!(r["contact"], Value::Null);
    assert_eq!(r["playbook"], "github-token");
}

/// One snapshot of the Markdown per kind of credential (one row of the playbook table each).
#[test]
fn markdown_runbook_of_each_kind_of_credential() {
    let dir = fixture();
    for (id, playbook) in [
        ("aws-key", "aws-access-key"),
        ("gcp-key", "gcp-service-account-key"),
        ("gh-token", "github-token"),
        ("gh-app", "github-app-key"),
        ("k8s-token", "kubernetes-token"),
        ("ssh-deploy", "ssh-key"),
        ("web-cert", "tls-certificate"),
        ("stripe-key", "saas-api-key"),
        ("other-token", "generic"),
        ("fed-runner", "federated"),
    ] {
        let out = run(&["leak", id, dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
        let md = stdout(&out);
        assert!(md.contains(&format!("## Steps ({playbook})")), "{id}: {md}");
        insta::assert_snapshot!(format!("leak_{id}"), md);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The report foretells what `nhi offboard --to` refuses (an identity its edit would leave orphaned); once
/// the report's advice is followed, the departure is recorded and `nhi check` finds nothing orphaned,
/// nothing owned by the leaver and no schema finding.
#[test]
fn the_report_foretells_offboard_to_and_the_check_after_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(), dir.path());
    let root = dir.path().to_str().unwrap();
    let report = json(&[
        "offboard", "pia", root, "--format", "json", "--as-of", AS_OF,
    ]);
    let predicted = ids(&report["orphaned"]);
    let to = [
        "offboard", "pia", root, "--to", "team-a", "--on", AS_OF, "--as-of", AS_OF,
    ];
    let refused = run(&to);
    assert_eq!(refused.status.code(), Some(2));
    let why = crate::common::stderr(&refused);
    assert!(
        why.contains("aws-key") && predicted.contains(&"aws-key".to_string()),
        "{why}"
    );
    // The report's advice for aws-key (team-solo loses its only member): hand it to a staffed team.
    let file = dir.path().join("identities/aws-key.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replace("owner: team-solo", "owner: team-a")).unwrap();
    let out = run(&to);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        crate::common::stderr(&out)
    );
    let (_, checked) = crate::common::check_json(dir.path());
    let findings = checked["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["rule"] != "schema" && f["rule"] != "orphaned"),
        "{findings:#?}"
    );
    let after = json(&[
        "offboard", "pia", root, "--format", "json", "--as-of", AS_OF,
    ]);
    let refs = after["references"].as_array().unwrap();
    assert!(refs.iter().all(|r| r["field"] != "owner"), "{after:#}");
    assert_eq!(after["person"]["active"], false);
    // Leaving rotates nothing: what pia could have copied is still to rotate, and the rule says so.
    assert!(!after["rotate"].as_array().unwrap().is_empty());
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "rotate-after-departure"));
}
