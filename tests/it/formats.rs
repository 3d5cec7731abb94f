//! Every output format snapshotted from one shared registry (`tests/data/shared/`: errors, warnings,
//! notices, a schema finding, a secret and a waived finding). Review a snapshot diff before accepting it.

use std::process::Output;

use crate::common::{nhi, repo, stdout, AS_OF};

/// `nhi check tests/data/shared` from the repository root, so paths in the output are relative and stable.
fn shared(format: &str, summary: Option<&std::path::Path>) -> Output {
    let mut cmd = nhi();
    cmd.current_dir(repo()).args([
        "check",
        "tests/data/shared",
        "--as-of",
        AS_OF,
        "--format",
        format,
        "--color",
        "never",
    ]);
    if let Some(path) = summary {
        cmd.env("GITHUB_STEP_SUMMARY", path);
    }
    cmd.output().expect("nhi runs")
}

fn text(format: &str) -> String {
    let out = shared(format, None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the shared registry fails the gate"
    );
    stdout(&out).replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn human() {
    insta::assert_snapshot!("human", text("human"));
}

#[test]
fn json() {
    insta::assert_snapshot!("json", text("json"));
}

#[test]
fn sarif() {
    insta::assert_snapshot!("sarif", text("sarif"));
}

#[test]
fn gitlab() {
    insta::assert_snapshot!("gitlab", text("gitlab"));
}

#[test]
fn junit() {
    insta::assert_snapshot!("junit", text("junit"));
}

#[test]
fn azure() {
    insta::assert_snapshot!("azure", text("azure"));
}

#[test]
fn github_and_its_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "previous step\n").unwrap();
    let out = shared("github", Some(&summary));
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("github", stdout(&out));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("previous step\n"),
        "the summary is appended to, not replaced"
    );
    insta::assert_snapshot!("github_step_summary", md);
}

#[test]
fn github_is_the_default_under_actions() {
    let out = nhi()
        .current_dir(repo())
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "tests/data/shared", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), stdout(&shared("github", None)));
}

#[test]
fn color_always_colours_and_never_does_not() {
    let coloured = nhi()
        .current_dir(repo())
        .args([
            "check",
            "tests/data/shared",
            "--as-of",
            AS_OF,
            "--color",
            "always",
        ])
        .output()
        .unwrap();
    assert!(stdout(&coloured).contains("\x1b[1;31merror\x1b[0m"));
    assert!(!text("human").contains('\x1b'));
}

#[test]
fn waived_findings_are_in_json_sarif_and_summary_but_not_annotations() {
    let json: serde_json::Value = serde_json::from_str(&text("json")).unwrap();
    let waived: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["waived_by"].is_null())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["waived_by"], "exc-rotate");
    assert_eq!(json["summary"]["waived"], 1);
    let sarif: serde_json::Value = serde_json::from_str(&text("sarif")).unwrap();
    let suppressed = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .count();
    assert_eq!(suppressed, 1);
    assert!(
        !text("github").contains("rotation-overdue"),
        "a waived finding is no annotation"
    );
}
