//! `nhi due` on `tests/data/due`: every format snapshotted, the iCalendar structure (CRLF, folding, stable
//! UIDs across days), Slack's limits on a large registry, the GitHub issue set, the owner filter and the
//! exit codes. Review a snapshot diff before accepting it.

use std::collections::BTreeMap;
use std::process::Output;

use serde_json::Value;

use crate::common::{nhi, repo, stdout, AS_OF};

/// `nhi due tests/data/due --as-of DAY ARGS…` from the repository root.
fn due_on(day: &str, args: &[&str]) -> Output {
    let mut cmd = nhi();
    cmd.current_dir(repo())
        .args(["due", "tests/data/due", "--as-of", day])
        .args(args);
    cmd.output().expect("nhi runs")
}

fn due(args: &[&str]) -> Output {
    due_on(AS_OF, args)
}

fn text_on(day: &str, args: &[&str]) -> String {
    let out = due_on(day, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

fn text(args: &[&str]) -> String {
    text_on(AS_OF, args)
}

#[test]
fn due_text() {
    insta::assert_snapshot!("due_text", text(&[]));
}

#[test]
fn due_markdown() {
    insta::assert_snapshot!("due_markdown", text(&["--format", "markdown"]));
}

#[test]
fn due_json() {
    insta::assert_snapshot!("due_json", text(&["--format", "json"]));
}

#[test]
fn due_ics() {
    insta::assert_snapshot!("due_ics", text(&["--format", "ics"]).replace("\r\n", "⏎\n"));
}

#[test]
fn due_slack() {
    let args = [
        "--format",
        "slack",
        "--site-url",
        "https://nhi.example.com/site",
    ];
    insta::assert_snapshot!("due_slack", text(&args));
}

#[test]
fn due_github_issues() {
    insta::assert_snapshot!("due_github_issues", text(&["--format", "github-issues"]));
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&text(args)).expect("JSON")
}

#[test]
fn json_follows_the_specification_and_lists_only_what_rules_can_report() {
    let doc = json(&["--format", "json"]);
    assert_eq!(doc["as_of"], AS_OF);
    assert_eq!(doc["within"], 30);
    let items = doc["items"].as_array().unwrap();
    for item in items {
        for key in [
            "owner", "what", "kind", "id", "due", "overdue", "file", "line", "command",
        ] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
    }
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    // A disabled identity has no obligations; `dormant` is no due rule anyway.
    assert!(!ids.contains(&"old-key"), "{ids:?}");
    // The exception over two teams' identities: one item per owner.
    let shared: Vec<&Value> = items.iter().filter(|i| i["id"] == "exc-shared").collect();
    let owners: Vec<&str> = shared
        .iter()
        .map(|i| i["owner"].as_str().unwrap())
        .collect();
    assert_eq!(owners, ["team-data", "team-web"]);
    // Never rotated and no creation day: no day, overdue.
    let unknown = items.iter().find(|i| i["id"] == "ana-script").unwrap();
    assert_eq!(unknown["due"], Value::Null);
    assert_eq!(unknown["overdue"], true);
    // Sorted by day, the unknown days first.
    let days: Vec<Option<&str>> = items.iter().map(|i| i["due"].as_str()).collect();
    let mut sorted = days.clone();
    sorted.sort();
    assert_eq!(days, sorted);
}

#[test]
fn the_owner_filter_and_the_window() {
    let web = json(&["--format", "json", "--owner", "team-web"]);
    let items = web["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["owner"] == "team-web"));
    let narrow = json(&["--format", "json", "--within", "0"]);
    let all_overdue = narrow["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["overdue"] == true);
    assert!(all_overdue, "{narrow}");
    let out = due(&["--owner", "team-nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("team-nobody"));
}

#[test]
fn fail_on_overdue_counts_only_unwaived_items() {
    assert_eq!(due(&["--fail-on-overdue"]).status.code(), Some(1));
    // team-web's only overdue item is waived by exc-shared.
    let web = due(&["--fail-on-overdue", "--owner", "team-web"]);
    assert_eq!(web.status.code(), Some(0));
    // Once exc-shared has expired, it waives nothing.
    let later = due_on("2026-12-06", &["--fail-on-overdue", "--owner", "team-web"]);
    assert_eq!(later.status.code(), Some(1));
}

/// (UID, SUMMARY) of every event, unfolded.
fn events(ics: &str) -> BTreeMap<String, String> {
    let unfolded = ics.replace("\r\n ", "");
    let mut out = BTreeMap::new();
    let mut uid = None;
    for line in unfolded.split("\r\n") {
        if let Some(u) = line.strip_prefix("UID:") {
            uid = Some(u.to_string());
        }
        if let Some(s) = line.strip_prefix("SUMMARY:") {
            out.insert(uid.take().expect("UID before SUMMARY"), s.to_string());
        }
    }
    out
}

#[test]
fn ics_is_crlf_folded_and_its_uids_stay_the_same_across_days() {
    let today = text(&["--format", "ics"]);
    assert!(today.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(today.ends_with("END:VCALENDAR\r\n"));
    for line in today.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
    assert!(today.contains("DTSTAMP:20261123T000000Z\r\n"));
    let a = events(&today);
    let b = events(&text_on("2026-11-30", &["--format", "ics"]));
    let shared: Vec<&String> = a.keys().filter(|k| b.contains_key(*k)).collect();
    assert!(shared.len() >= 5, "{a:?}\n{b:?}");
    for uid in shared {
        assert_eq!(a[uid], b[uid], "the same UID names the same obligation");
    }
    // The same registry and day: the same bytes.
    assert_eq!(today, text(&["--format", "ics"]));
}

#[test]
fn the_issue_set_has_one_issue_per_owner_with_a_marker_and_a_mention() {
    let doc = json(&["--format", "github-issues"]);
    assert_eq!(doc["complete"], true);
    let issues = doc["issues"].as_array().unwrap();
    let by_owner: BTreeMap<&str, &Value> = issues
        .iter()
        .map(|i| (i["owner"].as_str().unwrap(), i))
        .collect();
    let data = by_owner["team-data"];
    assert_eq!(data["state"], "open");
    let body = data["body"].as_str().unwrap();
    assert!(
        body.starts_with("<!-- nhi-due owner=team-data -->\n"),
        "{body}"
    );
    assert!(body.contains("@duecorp/data: "), "{body}");
    assert!(data["title"].as_str().unwrap().contains("team-data"));
    // A team with identities and nothing due: its issue closes.
    assert_eq!(by_owner["team-idle"]["state"], "closed");
    // An invalid handle is never mentioned.
    assert!(!by_owner["team-web"]["body"]
        .as_str()
        .unwrap()
        .contains("<script>"));
    let one = json(&["--format", "github-issues", "--owner", "team-web"]);
    assert_eq!(one["complete"], false);
    assert_eq!(one["issues"].as_array().unwrap().len(), 1);
}

#[test]
fn slack_payloads_stay_within_slacks_limits_on_a_large_registry() {
    let dir = tempfile::tempdir().unwrap();
    nhi::synth::generate(dir.path(), 3000, 11).unwrap();
    let root = dir.path().to_str().unwrap();
    for owner in [None, Some("team-0")] {
        let mut cmd = nhi();
        cmd.args([
            "due", root, "--as-of", AS_OF, "--within", "90", "--format", "slack",
        ]);
        cmd.args(["--site-url", "https://nhi.example.com"]);
        if let Some(o) = owner {
            cmd.args(["--owner", o]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let payload: Value = serde_json::from_slice(&out.stdout).unwrap();
        let blocks = payload["blocks"].as_array().unwrap();
        assert!(blocks.len() <= 50, "{} blocks", blocks.len());
        let mut listed = 0;
        for b in blocks {
            if let Some(t) = b["text"]["text"].as_str() {
                let limit = if b["type"] == "header" { 150 } else { 3000 };
                assert!(
                    t.chars().count() <= limit,
                    "{} characters",
                    t.chars().count()
                );
                listed += t.lines().filter(|l| l.starts_with("• ")).count();
            }
        }
        // Past the limits, the last block says how many more and links the site.
        let last = blocks.last().unwrap()["text"]["text"].as_str().unwrap();
        let more: usize = last
            .strip_prefix("…and ")
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if owner.is_none() {
            assert!(
                more > 0,
                "the whole registry does not fit one message: {last}"
            );
        }
        if more > 0 {
            assert!(
                last.contains("<https://nhi.example.com|the site>"),
                "{last}"
            );
        }
        let mut json_cmd = nhi();
        json_cmd.args([
            "due", root, "--as-of", AS_OF, "--within", "90", "--format", "json",
        ]);
        if let Some(o) = owner {
            json_cmd.args(["--owner", o]);
        }
        let all: Value = serde_json::from_slice(&json_cmd.output().unwrap().stdout).unwrap();
        assert_eq!(listed + more, all["items"].as_array().unwrap().len());
    }
}
