//! `nhi trace cloudtrail`: CloudTrail log files and `lookup-events` output (built from the events AWS
//! documents, and GitHub Actions' web identity events) against a hand-made registry.

use crate::support as common;

use std::collections::BTreeSet;

use common::{data, expected_rows, json_of, nhi, report_rows, sample, stderr, stdout, Row, AS_OF};

fn trace(log: &str, format: &str) -> (Option<i32>, String) {
    let log = sample(&format!("trace/{log}"));
    let registry = sample("trace/registry");
    let o = nhi(&[
        "trace",
        "cloudtrail",
        &log,
        &registry,
        "--format",
        format,
        "--as-of",
        AS_OF,
    ]);
    (o.status.code(), stdout(&o))
}

/// The 0-based event index of each line of `cloudtrail.json` (events from line 2), as the line its item
/// starts on in `lookup-events.json` (11 lines per event, the first on line 3).
fn lookup_line(records_line: u32) -> u32 {
    3 + 11 * (records_line - 2)
}

#[test]
fn log_files_give_exactly_the_hand_written_findings() {
    let (code, out) = trace("cloudtrail.json", "json");
    assert_eq!(code, Some(1), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report_rows(&report),
        expected_rows("trace/expected.txt"),
        "{report:#}"
    );
    let s = &report["summary"];
    assert_eq!(
        (
            s["events"].as_u64(),
            s["issuances"].as_u64(),
            s["failed"].as_u64()
        ),
        (Some(11), Some(7), Some(3))
    );
    assert_eq!(
        (s["undeclared"].as_u64(), s["unexpected_subject"].as_u64()),
        (Some(1), Some(1))
    );
    let deploy = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "deploy-prod")
        .unwrap();
    assert_eq!(
        (deploy["count"].as_u64(), deploy["failed"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(deploy["first"], "2026-11-20T08:01:33Z");
    assert_eq!(deploy["last"], "2026-11-21T10:30:00Z");
    let subjects: Vec<(String, u64, bool)> = deploy["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["subject"].as_str().unwrap().to_string(),
                s["count"].as_u64().unwrap(),
                s["declared"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        subjects,
        [
            (
                "repo:northwind/deploy:environment:prod".to_string(),
                2,
                true
            ),
            (
                "repo:northwind/deploy:ref:refs/heads/feature-x".to_string(),
                1,
                false
            ),
        ]
    );
    let ec2 = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "ec2-dev")
        .unwrap();
    assert_eq!(
        ec2["subjects"][0]["subject"], "arn:aws:iam::777788889999:user/JohnDoe",
        "AssumeRole: the caller"
    );
    assert_eq!(ec2["subjects"][0]["issuer"], "aws");
}

#[test]
fn lookup_events_output_gives_the_same_findings_at_its_own_lines() {
    let (code, out) = trace("lookup-events.json", "json");
    assert_eq!(code, Some(1), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let want: BTreeSet<Row> = expected_rows("trace/expected.txt")
        .into_iter()
        .map(|mut r| {
            if r.5 == "export" {
                r.6 = lookup_line(r.6);
            }
            r
        })
        .collect();
    assert_eq!(report_rows(&report), want, "{report:#}");
    assert_eq!(report["summary"]["issuances"], 7);
}

#[test]
fn no_token_or_key_reaches_any_output() {
    let secrets = [
        "IQoJb3JpZ2luX2VjEB4aCXVzLXdlc3QtMSJHMEUCIQDexampleSessionToken",
        "ASIAY34FZKBOKMUTVV7A",
        "ASIAY34FZKBOKMUTVV7B",
        "ASIACQRSTUVWRAOEXAMPLE",
        "AKIAQRSTUVWXYZEXAMPLE",
        "AKIAI44QH8DHBEXAMPLE",
        "encoded session token blob",
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ",
        "c2lnbmF0dXJlLW5vdC1yZWFs",
    ];
    for log in ["cloudtrail.json", "lookup-events.json"] {
        for format in ["human", "json", "github", "sarif"] {
            let (code, out) = trace(log, format);
            assert_eq!(code, Some(1), "{log} {format}: {out}");
            for s in secrets {
                assert!(
                    !out.contains(s),
                    "{log} --format {format} echoes `{s}`:\n{out}"
                );
            }
            assert!(
                out.contains("withheld"),
                "{log} {format}: the error message holding a token is withheld"
            );
        }
    }
}

#[test]
fn a_log_of_declared_subjects_passes_and_a_broken_log_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data("trace/cloudtrail.json")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The header, the two issuances to the declared subject, the end.
    let clean = format!(
        "{}\n{}\n{}\n]}}\n",
        lines[0],
        lines[2],
        lines[3].trim_end_matches(',')
    );
    let log = dir.path().join("clean.json");
    std::fs::write(&log, clean).unwrap();
    let registry = sample("trace/registry");
    let o = nhi(&[
        "trace",
        "cloudtrail",
        &log.display().to_string(),
        &registry,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("issued: deploy-prod 2×"),
        "{}",
        stdout(&o)
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        format!(
            "{}\n{}\n{{\"eventSource\": \"sts.amazonaws.com\",\n]}}\n",
            lines[0], lines[1]
        ),
    )
    .unwrap();
    let o = nhi(&[
        "trace",
        "cloudtrail",
        &broken.display().to_string(),
        &registry,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("broken.json:4"), "{}", stderr(&o));

    let other = dir.path().join("roles.json");
    std::fs::write(&other, "{\"Roles\": []}").unwrap();
    let o = nhi(&[
        "trace",
        "cloudtrail",
        &other.display().to_string(),
        &registry,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no `Records`"), "{}", stderr(&o));
}

#[test]
fn a_directory_of_log_files_is_read_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data("trace/cloudtrail.json")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(
        dir.path().join("b.json"),
        format!(
            "{{\"Records\": [\n{}\n]}}\n",
            lines[4].trim_end_matches(',')
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        format!(
            "{{\"Records\": [\n{}\n]}}\n",
            lines[2].trim_end_matches(',')
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a log").unwrap();
    let registry = sample("trace/registry");
    let logs = dir.path().display().to_string();
    let (code, report) = json_of(&["trace", "cloudtrail", &logs, &registry]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["summary"]["issuances"], 2);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "unexpected-subject");
    assert!(f["message"].as_str().unwrap().contains("b.json:2"), "{f}");
}

#[test]
fn the_site_shows_who_may_obtain_and_who_did() {
    let dir = tempfile::tempdir().unwrap();
    let (_, json) = trace("cloudtrail.json", "json");
    let report = dir.path().join("trace.json");
    std::fs::write(&report, json).unwrap();
    let site = dir.path().join("site");
    let registry = sample("trace/registry");
    let o = nhi(&[
        "build",
        &registry,
        "-o",
        &site.display().to_string(),
        "--as-of",
        AS_OF,
        "--trace",
        &report.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(site.join("identities/deploy-prod.html")).unwrap();
    assert!(
        page.contains("Who may obtain it") && page.contains("Who obtained it"),
        "{page}"
    );
    assert!(
        page.contains("repo:northwind/deploy:ref:refs/heads/feature-x"),
        "the undeclared subject, escaped"
    );
    assert!(page.contains("not declared"));
    assert!(
        page.contains("3 issuances") && page.contains("3 refused attempts"),
        "{page}"
    );
    // The Google example's subject holds `<` and `>`: escaped, never markup.
    let web = std::fs::read_to_string(site.join("identities/web-app.html")).unwrap();
    assert!(web.contains("&lt;id of user&gt;") && !web.contains("<id of user>"));
    // An identity without federation still shows who obtained it.
    let ec2 = std::fs::read_to_string(site.join("identities/ec2-dev.html")).unwrap();
    assert!(ec2.contains("no <code>federation</code>") && ec2.contains("JohnDoe"));
    // A drift report is not a trace report.
    let o = nhi(&[
        "build",
        &registry,
        "-o",
        &site.display().to_string(),
        "--trace",
        &registry,
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sync_cloudtrail_records_the_last_issuance_as_last_used() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("registry");
    std::fs::create_dir_all(root.join("identities")).unwrap();
    std::fs::create_dir_all(root.join("owners")).unwrap();
    for rel in ["nhi.yaml", "owners/owners.yaml", "identities/roles.yaml"] {
        std::fs::copy(data(&format!("trace/registry/{rel}")), root.join(rel)).unwrap();
    }
    let before = std::fs::read_to_string(root.join("identities/roles.yaml")).unwrap();
    let log = sample("trace/cloudtrail.json");
    let registry = root.display().to_string();
    let o = nhi(&["sync", "cloudtrail", &log, &registry, "--as-of", AS_OF]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = std::fs::read_to_string(root.join("identities/roles.yaml")).unwrap();
    let added = crate::common::added_lines(&before, &after);
    // deploy-prod's last issuance; the documented examples' days; none for the role retired before its
    // issuance (an incident, not a fact to record); only lines added, nothing else changed.
    assert_eq!(
        added,
        [
            "last_used: 2026-11-21",
            "last_used: 2016-03-23",
            "last_used: 2014-07-18"
        ]
    );
    assert_eq!(after.lines().count(), before.lines().count() + 3);
    let o = nhi(&["sync", "cloudtrail", &log, &registry, "--as-of", AS_OF]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(root.join("identities/roles.yaml")).unwrap(),
        after,
        "nothing more to write"
    );
    assert!(!stdout(&o).contains("ASIA"));
}
