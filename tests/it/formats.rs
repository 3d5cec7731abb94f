//! Every output format snapshotted from one shared registry (`tests/data/shared/`: errors, warnings,
//! notices, a schema finding, a secret and a waived finding): `nhi check` in each format, `nhi drift` of an
//! export against it (`tests/data/shared-export/`) in each format, and `nhi diff` from a base that lacks
//! part of it. Review a snapshot diff before accepting it.

use std::process::Output;

use crate::common::{copy_dir, nhi, repo, stdout, AS_OF};
use crate::history::History;

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

/// `nhi drift` of the shared export against the shared registry, from the repository root.
fn drift(format: &str) -> String {
    let out = nhi()
        .current_dir(repo())
        .args([
            "drift",
            "aws-credential-report",
            "tests/data/shared-export/aws-credential-report.csv",
            "tests/data/shared",
            "--as-of",
            AS_OF,
            "--color",
            "never",
            "--format",
            format,
        ])
        .output()
        .expect("nhi runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an undeclared identity fails the gate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out).replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn drift_in_every_format() {
    for format in [
        "human", "github", "json", "sarif", "gitlab", "junit", "azure",
    ] {
        insta::assert_snapshot!(format!("drift_{format}"), drift(format));
    }
}

#[test]
fn drift_json_counts_what_the_other_formats_show() {
    let json: serde_json::Value = serde_json::from_str(&drift("json")).unwrap();
    let summary = &json["summary"];
    assert_eq!(
        (
            summary["undeclared"].as_u64(),
            summary["drift"].as_u64(),
            summary["stale"].as_u64(),
            summary["errors"].as_u64(),
            summary["notices"].as_u64()
        ),
        (Some(1), Some(2), Some(0), Some(1), Some(2))
    );
    let sarif: serde_json::Value = serde_json::from_str(&drift("sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3);
}

/// `nhi diff` of the shared registry (the working tree) against a base commit without `deploy-key` and
/// without `shop-db-user`'s access to `shop-dev`; the base's commit id is replaced by `[base]`.
fn diff(format: &str) -> String {
    let repo = History::new();
    let reg = repo.reg();
    copy_dir(&crate::common::repo().join("tests/data/shared"), &reg);
    let key = reg.join("identities/deploy-key.yaml");
    let user = reg.join("identities/shop-db-user.yaml");
    let (key_text, user_text) = (
        std::fs::read_to_string(&key).unwrap(),
        std::fs::read_to_string(&user).unwrap(),
    );
    let narrower = user_text.replace("  - system: shop-dev\n    level: read\n", "");
    assert_ne!(narrower, user_text, "the base has less access");
    std::fs::remove_file(&key).unwrap();
    std::fs::write(&user, narrower).unwrap();
    repo.commit(
        ("Wren Ito", "wren@example.com"),
        "2026-11-20T10:00:00Z",
        "base",
    );
    std::fs::write(&key, key_text).unwrap();
    std::fs::write(&user, user_text).unwrap();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let out = nhi()
        .current_dir(repo.path())
        .args([
            "diff", "--base", "HEAD", "reg", "--as-of", AS_OF, "--format", format,
        ])
        .output()
        .expect("nhi runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "diff reports, it does not gate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
        .replace(&base, "[base]")
        .replace(&base[..12], "[base]")
}

#[test]
fn diff_in_every_format() {
    for format in ["markdown", "json"] {
        insta::assert_snapshot!(format!("diff_{format}"), diff(format));
    }
}
