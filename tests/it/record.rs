//! The commands that record decisions, on files with comments everywhere, flow style, CRLF, a BOM, several
//! documents, quoted dates and anchors: exactly the decision's lines change, `nhi check` no longer reports
//! what the command resolves, and every refusal exits 2 with the files byte-identical.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{check_json, nhi, stderr, stdout, AS_OF};

const PEOPLE: &str = "\
# Teams and people
kind: Team
id: team-a
lead: alice   # the lead
---
kind: Team
id: team-sec
---
kind: Team
id: team-solo
---
kind: Person
id: alice
team: team-a
---
kind: Person
id: bob
team: team-a
---
kind: Person
id: sam
team: team-sec
---
kind: Person
id: lee   # left
team: team-sec
active: false
left_on: 2026-06-01
---
kind: Person
id: solo
team: team-solo
";

const SYSTEMS: &str = "\
kind: System
id: vault
type: secret_store
criticality: high
environment: prod
owner: team-a
---
kind: System
id: app
type: service
criticality: medium
environment: prod
owner: solo
";

const PAY: &str = "\
# Payments key
kind: Identity   # the kind
id: pay
type: api_key
owner: team-a
contact: bob
purpose: \"Charges cards\"   # why
environment: prod
status: active
credential:
  kind: static
  created: \"2025-01-10\"   # quoted
  last_rotated: '2026-09-01'
  stores: [vault]

access:
  # main access
  - system: app
    level: write   # writes
review: {last: 2025-01-01, by: alice}   # flow
tags: [pci]
# trailing comment
";

const CRLF: &str = "\u{feff}kind: Identity\r\nid: crlf\r\ntype: api_key\r\nowner: team-a\r\npurpose: x\r\nenvironment: prod\r\nstatus: active\r\ncredential:\r\n  kind: static\r\n  created: 2025-01-10\r\n  stores: [vault]\r\nreview:\r\n  last: 2026-10-01\r\n  by: alice";

const ANCHORED: &str = "\
kind: Identity
id: anchored
type: api_key
owner: team-a
purpose: &p shared purpose
environment: prod
status: active
credential:
  kind: static
  created: 2026-10-01
  stores: [vault]
x-note: *p
";

const MULTI: &str = "\
kind: Identity
id: multi-a
type: token
owner: team-a
purpose: first
environment: prod
status: active
credential: {kind: short_lived}
---
# the second one
kind: Identity
id: multi-b
type: token
owner: solo
purpose: second
environment: prod
status: active
credential: {kind: short_lived}
review:
  last: 2026-11-01
  by: sam
";

const FILES: [(&str, &str); 7] = [
    ("nhi.yaml", "kind: Policy\nmax_exception_days: 90\n"),
    ("owners/people.yaml", PEOPLE),
    ("systems/systems.yaml", SYSTEMS),
    ("identities/pay.yaml", PAY),
    ("identities/crlf.yaml", CRLF),
    ("identities/anchored.yaml", ANCHORED),
    ("identities/multi.yaml", MULTI),
];

fn registry() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in FILES {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for dir in ["", "owners", "systems", "identities", "exceptions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten().filter(|e| e.path().is_file()) {
            out.insert(
                format!("{dir}/{}", e.file_name().to_string_lossy()),
                std::fs::read(e.path()).unwrap(),
            );
        }
    }
    out
}

fn file(root: &Path, rel: &str) -> String {
    String::from_utf8(std::fs::read(root.join(rel)).unwrap()).unwrap()
}

/// Runs `nhi ARGS… ROOT-as-given --as-of AS_OF` (the registry is placed by the caller in `args`).
fn run(args: &[&str]) -> (i32, String, String) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--as-of", AS_OF]);
    let o = nhi().args(&all).output().unwrap();
    (o.status.code().unwrap(), stdout(&o), stderr(&o))
}

/// The findings of `rules` on `id` that `nhi check` still reports.
fn still(root: &Path, rules: &[&str], id: &str) -> Vec<String> {
    let (_, json) = check_json(root);
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["id"] == id && rules.iter().any(|r| f["rule"] == *r) && f["waived_by"].is_null()
        })
        .map(|f| format!("{} {}", f["rule"], f["message"]))
        .collect()
}

/// Runs a command that must be refused: exit 2, a message containing `says`, no file changed.
fn refused(root: &Path, args: &[&str], says: &str) {
    let before = snapshot(root);
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    assert!(err.contains(says), "{args:?}: expected `{says}` in: {err}");
    assert_eq!(snapshot(root), before, "{args:?}: files untouched");
}

#[test]
fn review_edits_inside_the_flow_mapping_and_resolves_review_overdue() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    assert!(!still(dir.path(), &["review-overdue"], "pay").is_empty());
    let (code, out, err) = run(&[
        "review",
        "pay",
        root,
        "--by",
        "bob",
        "--on",
        "2026-11-20",
        "--note",
        "still needed",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "identities/pay.yaml: review of pay on 2026-11-20 by bob\n"
    );
    let expected = PAY.replace(
        "review: {last: 2025-01-01, by: alice}   # flow",
        "review: {last: 2026-11-20, by: bob, note: still needed}   # flow",
    );
    assert_eq!(file(dir.path(), "identities/pay.yaml"), expected);
    assert_eq!(
        still(dir.path(), &["review-overdue", "review-missing"], "pay"),
        Vec::<String>::new()
    );
    // The same review again: nothing to change, exit 0.
    let before = snapshot(dir.path());
    let (code, out, _) = run(&[
        "review",
        "pay",
        root,
        "--by",
        "bob",
        "--on",
        "2026-11-20",
        "--note",
        "still needed",
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    let before = snapshot(dir.path());
    let (code, out, err) = run(&[
        "review",
        "pay",
        root,
        "--by",
        "bob",
        "--on",
        "2026-11-20",
        "--dry-run",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("--- a/identities/pay.yaml\n+++ b/identities/pay.yaml\n@@"),
        "{out}"
    );
    assert!(out.contains("\n-review: {last: 2025-01-01, by: alice}   # flow\n+review: {last: 2026-11-20, by: bob}   # flow\n"), "{out}");
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn refusals_name_the_reason_and_leave_every_file() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    refused(
        dir.path(),
        &["review", "pay", root, "--by", "lee"],
        "left on 2026-06-01",
    );
    refused(
        dir.path(),
        &["review", "nosuch", root, "--by", "bob"],
        "no identity `nosuch`",
    );
    refused(
        dir.path(),
        &["review", "pay", root, "--by", "bob", "--on", "2026-02-30"],
        "2026-02-30",
    );
    refused(
        dir.path(),
        &["review", "pay", root, "--by", "bob", "--on", "2030-01-01"],
        "after today",
    );
    refused(
        dir.path(),
        &["review", "anchored", root, "--by", "bob"],
        "identities/anchored.yaml:5: this document uses an anchor",
    );
    // A review so old it is still overdue: the rule's own words.
    refused(
        dir.path(),
        &["review", "pay", root, "--by", "bob", "--on", "2025-02-01"],
        "review-overdue: last reviewed 2025-02-01",
    );
    refused(
        dir.path(),
        &["rotated", "pay", root, "--on", "2024-01-01"],
        "created on 2025-01-10",
    );
}

#[test]
fn a_campaign_writes_every_file_or_none_and_skip_unsafe_lists_the_rest() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    // `anchored` is due too, and cannot be edited: nothing is written.
    refused(
        dir.path(),
        &["review", "--owner", "team-a", root, "--by", "sam"],
        "identities/anchored.yaml:5",
    );
    let (code, out, err) = run(&[
        "review",
        "--owner",
        "team-a",
        root,
        "--by",
        "sam",
        "--skip-unsafe",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("skipped identities/anchored.yaml:5: "),
        "{out}"
    );
    assert_eq!(
        lines[1],
        "identities/multi.yaml: review of multi-a on 2026-11-23 by sam"
    );
    assert_eq!(
        lines[2],
        "identities/pay.yaml: review of pay on 2026-11-23 by sam"
    );
    // `crlf` is not due within 30 days; `multi-b` belongs to another owner.
    assert_eq!(file(dir.path(), "identities/crlf.yaml"), CRLF);
    assert_eq!(
        file(dir.path(), "identities/multi.yaml"),
        MULTI.replace(
            "credential: {kind: short_lived}\n---",
            "credential: {kind: short_lived}\nreview:\n  last: 2026-11-23\n  by: sam\n---"
        )
    );
    for id in ["pay", "multi-a"] {
        assert_eq!(
            still(dir.path(), &["review-overdue", "review-missing"], id),
            Vec::<String>::new()
        );
    }
    assert_eq!(still(dir.path(), &["review-missing"], "anchored").len(), 1);
}

#[test]
fn rotated_keeps_crlf_the_bom_and_the_missing_final_newline() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    assert!(!still(dir.path(), &["rotation-overdue"], "crlf").is_empty());
    let (code, out, err) = run(&["rotated", "crlf", root, "--on", "2026-11-01"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "identities/crlf.yaml: rotation of crlf on 2026-11-01\n"),
        "{err}"
    );
    let expected = CRLF.replace(
        "  created: 2025-01-10\r\n",
        "  created: 2025-01-10\r\n  last_rotated: 2026-11-01\r\n",
    );
    assert_eq!(file(dir.path(), "identities/crlf.yaml"), expected);
    assert_eq!(
        still(dir.path(), &["rotation-overdue"], "crlf"),
        Vec::<String>::new()
    );
    // A quoted date stays quoted.
    let (code, _, err) = run(&["rotated", "pay", root, "--on", "2026-11-02"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        file(dir.path(), "identities/pay.yaml"),
        PAY.replace("'2026-09-01'", "'2026-11-02'")
    );
}

#[test]
fn decommission_removes_the_access_entries_with_their_comments() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    let (code, out, err) = run(&["decommission", "pay", root, "--on", "2026-11-20"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "identities/pay.yaml: decommissioning of pay on 2026-11-20, revoked on 2026-11-20\n"
    );
    let expected = PAY
        .replace(
            "status: active\n",
            "status: decommissioned\ndecommissioned_on: 2026-11-20\n",
        )
        .replace(
            "  last_rotated: '2026-09-01'\n",
            "  last_rotated: '2026-09-01'\n  revoked_on: 2026-11-20\n",
        )
        .replace(
            "access:\n  # main access\n  - system: app\n    level: write   # writes\n",
            "",
        );
    assert_eq!(file(dir.path(), "identities/pay.yaml"), expected);
    assert_eq!(
        still(dir.path(), &["decommissioned-not-revoked"], "pay"),
        Vec::<String>::new()
    );
}

#[test]
fn an_exception_is_requested_approved_and_renewed_within_the_rules() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    let (code, out, err) = run(&[
        "new",
        "exception",
        root,
        "--id",
        "exc-1",
        "--rule",
        "rotation-overdue",
        "--identity",
        "crlf",
        "--reason",
        "Vendor: cannot rotate yet",
        "--requested-by",
        "bob",
        "--expires",
        "2027-01-15",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "exceptions/exc-1.yaml: exception exc-1 requested by bob, unapproved\n"
    );
    assert_eq!(
        still(dir.path(), &["exception-unapproved"], "exc-1").len(),
        1
    );
    refused(
        dir.path(),
        &["approve", "exc-1", root, "--by", "bob"],
        "exception-self-approved: `bob` both requested and approved it",
    );
    refused(
        dir.path(),
        &["approve", "exc-1", root, "--by", "alice"],
        "exception-self-approved: approver `alice` belongs to `team-a`",
    );
    refused(
        dir.path(),
        &["approve", "exc-1", root, "--by", "lee"],
        "approver `lee` left",
    );
    refused(
        dir.path(),
        &["approve", "exc-2", root, "--by", "sam"],
        "no exception `exc-2`",
    );
    let (code, out, err) = run(&[
        "approve",
        "exc-1",
        root,
        "--by",
        "sam",
        "--on",
        "2026-11-20",
    ]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "exceptions/exc-1.yaml: exception exc-1 approved by sam on 2026-11-20\n"
        ),
        "{err}"
    );
    assert_eq!(
        file(dir.path(), "exceptions/exc-1.yaml"),
        "kind: Exception\nid: exc-1\nrule: rotation-overdue\nidentities: [crlf]\nreason: \"Vendor: cannot rotate yet\"\nrequested_by: bob\napproved_by: sam\napproved_on: 2026-11-20\nexpires: 2027-01-15\n"
    );
    assert_eq!(
        still(
            dir.path(),
            &["exception-unapproved", "exception-self-approved"],
            "exc-1"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        still(dir.path(), &["rotation-overdue"], "crlf"),
        Vec::<String>::new(),
        "waived now"
    );
    refused(
        dir.path(),
        &[
            "renew",
            "exc-1",
            root,
            "--expires",
            "2027-06-01",
            "--by",
            "sam",
        ],
        "exception-too-long: runs 190 days",
    );
    let (code, _, err) = run(&[
        "renew",
        "exc-1",
        root,
        "--expires",
        "2027-02-01",
        "--by",
        "sam",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(file(dir.path(), "exceptions/exc-1.yaml")
        .contains("approved_on: 2026-11-23\nexpires: 2027-02-01\n"));
}

#[test]
fn the_policys_approvers_decide_who_may_approve() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    std::fs::write(
        dir.path().join("nhi.yaml"),
        "kind: Policy\napprovers: [alice]\n",
    )
    .unwrap();
    let (code, _, err) = run(&[
        "new",
        "exception",
        root,
        "--id",
        "exc-1",
        "--rule",
        "rotation-overdue",
        "--identity",
        "multi-b",
        "--reason",
        "r",
        "--requested-by",
        "bob",
        "--expires",
        "2027-01-15",
    ]);
    assert_eq!(code, 0, "{err}");
    refused(
        dir.path(),
        &["approve", "exc-1", root, "--by", "sam"],
        "approver `sam` is not one of the policy's approvers (alice)",
    );
    let (code, _, err) = run(&["approve", "exc-1", root, "--by", "alice"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        still(dir.path(), &["exception-unapproved"], "exc-1"),
        Vec::<String>::new()
    );
}

#[test]
fn offboarding_hands_over_to_a_staffed_team_and_replaces_the_contact() {
    let dir = registry();
    let root = dir.path().to_str().unwrap();
    refused(
        dir.path(),
        &["offboard", "solo", root, "--to", "team-solo"],
        "`team-solo` has no other active member",
    );
    let (code, out, err) = run(&[
        "offboard",
        "bob",
        root,
        "--to",
        "team-a",
        "--on",
        "2026-11-20",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "identities/pay.yaml: pay: contact alice\nowners/people.yaml: bob left on 2026-11-20\n"
    );
    assert_eq!(
        file(dir.path(), "identities/pay.yaml"),
        PAY.replace("contact: bob\n", "contact: alice\n")
    );
    assert_eq!(
        file(dir.path(), "owners/people.yaml"),
        PEOPLE.replace(
            "id: bob\nteam: team-a\n",
            "id: bob\nteam: team-a\nactive: false\nleft_on: 2026-11-20\n"
        )
    );
    assert_eq!(
        still(dir.path(), &["contact-left", "orphaned"], "pay"),
        Vec::<String>::new()
    );
    // The system `solo` owns, and `multi-b`, go to team-a when solo leaves.
    let (code, out, err) = run(&[
        "offboard",
        "solo",
        root,
        "--to",
        "team-a",
        "--on",
        "2026-11-21",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("identities/multi.yaml: multi-b: owner team-a\n")
            && out.contains("systems/systems.yaml: app: owner team-a\n"),
        "{out}"
    );
}
