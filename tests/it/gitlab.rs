//! GitLab Code Quality: the fields GitLab reads, one issue per unwaived finding, paths from the repository
//! root, and fingerprints that stay put across runs, days and unrelated edits (and differ between issues,
//! since GitLab keeps only the first issue of a fingerprint).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{nhi, repo, stdout, TempRegistry, AS_OF};

fn run(dir: &Path, reg: &str, format: &str, as_of: &str) -> Value {
    let out = nhi()
        .current_dir(dir)
        .args(["check", reg, "--as-of", as_of, "--format", format])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn each_unwaived_finding_is_one_issue_with_the_fields_gitlab_reads() {
    let report = run(&repo(), "tests/data/shared", "gitlab", AS_OF);
    let json = run(&repo(), "tests/data/shared", "json", AS_OF);
    let findings: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived_by"].is_null())
        .collect();
    let issues = report.as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    assert!(
        json["summary"]["waived"].as_u64().unwrap() > 0,
        "a waived finding is left out"
    );
    for (issue, f) in issues.iter().zip(&findings) {
        let keys: BTreeSet<&str> = issue
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "check_name",
                "description",
                "fingerprint",
                "location",
                "severity"
            ])
        );
        assert_eq!(issue["check_name"], f["rule"]);
        let sev = issue["severity"].as_str().unwrap();
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&sev));
        assert_eq!(
            issue["location"]["path"].as_str().unwrap(),
            format!("tests/data/shared/{}", f["file"].as_str().unwrap()),
            "relative to the repository root"
        );
        assert_eq!(issue["location"]["lines"]["begin"], f["line"]);
        assert!(issue["description"]
            .as_str()
            .unwrap()
            .ends_with(f["message"].as_str().unwrap()));
    }
    let severities: BTreeSet<&str> = issues
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, BTreeSet::from(["critical", "major", "info"]));
    let prints: BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), issues.len(), "fingerprints are unique");
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

/// Fingerprint by `check_name` and the subject named in the description.
fn prints(report: &Value) -> BTreeMap<(String, String), String> {
    report
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let subject = i["description"]
                .as_str()
                .unwrap()
                .split(':')
                .next()
                .unwrap();
            let key = (
                i["check_name"].as_str().unwrap().to_string(),
                subject.to_string(),
            );
            (key, i["fingerprint"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn fingerprints_survive_runs_days_and_unrelated_edits() {
    let reg = TempRegistry::new();
    let broken = crate::common::CLEAN_IDENTITY
        .replace("id: ok", "id: lost")
        .replace("owner: team-a", "owner: nobody")
        .replace("status: active", "status: active\nlast_used: 2026-01-01");
    reg.write("registry/identities/lost.yaml", &broken);
    for (from, to) in [
        ("nhi.yaml", "registry/nhi.yaml"),
        ("owners", "registry/owners"),
    ] {
        std::fs::rename(reg.path().join(from), reg.path().join(to)).unwrap();
    }
    std::fs::remove_dir_all(reg.path().join("identities")).unwrap();
    git(reg.path(), &["init", "-q"]);
    let before = run(reg.path(), "registry", "gitlab", AS_OF);
    let keys = prints(&before);
    assert!(keys.len() >= 2, "{before:#}");
    assert_eq!(
        before[0]["location"]["path"].as_str().unwrap(),
        "registry/identities/lost.yaml"
    );
    assert_eq!(
        run(reg.path(), "registry", "gitlab", AS_OF),
        before,
        "same bytes again"
    );
    // Another day changes the messages' day counts, not the fingerprints.
    let later = run(reg.path(), "registry", "gitlab", "2026-12-24");
    assert_ne!(later, before);
    assert_eq!(prints(&later), keys);
    // Lines above move every finding down; another identity adds findings of its own.
    reg.write(
        "registry/identities/lost.yaml",
        format!("# moved\n\n{broken}"),
    );
    reg.write(
        "registry/identities/other.yaml",
        broken.replace("id: lost", "id: other"),
    );
    let edited = run(reg.path(), "registry", "gitlab", AS_OF);
    let lines = |r: &Value| r[0]["location"]["lines"]["begin"].as_u64().unwrap();
    assert_eq!(lines(&edited), lines(&before) + 2);
    let edited_prints = prints(&edited);
    for (key, print) in &keys {
        assert_eq!(edited_prints.get(key), Some(print), "{key:?}");
    }
    assert_eq!(edited_prints.len(), keys.len() * 2);
}
