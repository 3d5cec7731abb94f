//! The synthetic registry generator and `nhi check` on 1,000 identities: the same seed gives the same
//! registry, references resolve, and the planted defects are found.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .display()
                .to_string();
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

#[test]
fn generated_registry_is_deterministic_and_checked() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let sizes = nhi::synth::generate(a.path(), 1000, 42).unwrap();
    nhi::synth::generate(b.path(), 1000, 42).unwrap();
    assert_eq!(files(a.path()), files(b.path()), "same seed, same bytes");
    assert_eq!(
        files(a.path())
            .keys()
            .filter(|k| k.starts_with("identities/"))
            .count(),
        1000
    );

    let out = Command::new(env!("CARGO_BIN_EXE_nhi"))
        .args(["check", "--as-of", "2026-11-23", "--format", "json"])
        .arg(a.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the planted defects fail the gate"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["identities"], sizes.identities);
    let findings = report["findings"].as_array().unwrap();
    let rules: std::collections::BTreeSet<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for planted in [
        "schema",
        "rotation-overdue",
        "review-overdue",
        "owner-missing",
        "dormant",
    ] {
        assert!(
            rules.contains(planted),
            "{planted} not found among {rules:?}"
        );
    }
    assert!(
        report["summary"]["waived"].as_u64().unwrap() > 0,
        "exceptions waive planted rotations"
    );
    // References resolve: the generator never names an id it did not write.
    assert!(!rules.contains("unknown-reference"), "{rules:?}");
    assert!(!rules.contains("duplicate-id"), "{rules:?}");
    for f in findings {
        let file = a.path().join(f["file"].as_str().unwrap());
        let lines = std::fs::read_to_string(&file).unwrap().lines().count() as u64;
        let line = f["line"].as_u64().unwrap();
        assert!(
            line >= 1 && line <= lines.max(1),
            "{f} points past the end of its file"
        );
    }
}
