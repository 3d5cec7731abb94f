//! SARIF 2.1.0 as code scanning reads it: valid against the official schema, rule ids stable and indexed,
//! and fingerprints that do not move when the day changes (so alerts are not closed and reopened daily).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{nhi, repo};

fn sarif(dir: &std::path::Path, as_of: &str) -> Value {
    let out = nhi()
        .args(["check", "--format", "sarif", "--as-of", as_of])
        .arg(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    // The official file's `language` pattern has a stray `]` that is not a valid ECMA 262 regex, so the
    // schema itself fails format validation; nhi emits no `language`, and the pattern is fixed in memory only.
    let bad = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert_eq!(
        text.matches(bad).count(),
        2,
        "the vendored file is the official one"
    );
    let text = text.replace(bad, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[test]
fn output_validates_against_the_official_schema() {
    let validator = validator();
    for dir in ["tests/data/shared", "tests/data/independent", "registry"] {
        let log = sarif(&repo().join(dir), "2026-11-23");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{dir}: {errors:#?}");
        assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
    }
    // Hostile file names (`%`, `::`, newlines, unicode) still give valid URIs.
    let hostile = crate::github::hostile_registry();
    let log = sarif(hostile.path(), "2026-11-23");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "hostile: {errors:#?}");
    // The validator is not vacuous: a wrong version and a bad level are rejected.
    let mut broken = sarif(&repo().join("tests/data/shared"), "2026-11-23");
    broken["version"] = "2.0.0".into();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(validator.iter_errors(&broken).count() >= 2);
}

#[test]
fn the_sites_findings_sarif_is_the_check_output_and_validates() {
    let hostile = crate::github::hostile_registry();
    for dir in [repo().join("registry"), hostile.path().to_path_buf()] {
        let out = tempfile::tempdir().unwrap();
        let site = out.path().join("site");
        let built = nhi()
            .args([
                "build",
                "--as-of",
                "2026-11-23",
                "--commit",
                "0000000",
                "-o",
            ])
            .arg(&site)
            .arg(&dir)
            .output()
            .unwrap();
        assert!(built.status.code().is_some_and(|c| c < 2), "{built:?}");
        let written = std::fs::read(site.join("findings.sarif")).unwrap();
        let check = nhi()
            .args(["check", "--format", "sarif", "--as-of", "2026-11-23"])
            .arg(&dir)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&check.stdout),
            "{}",
            dir.display()
        );
        let log: Value = serde_json::from_slice(&written).unwrap();
        assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
        let errors: Vec<String> = validator()
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", dir.display());
    }
}

#[test]
fn rule_ids_are_stable_and_indexed() {
    let log = sarif(&repo().join("tests/data/independent"), "2026-11-23");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let catalogue: Vec<&str> = nhi::catalogue::RULES
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, catalogue, "every rule, in catalogue order");
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id);
    }
}

/// Fingerprint per (rule, file, subject, line) of every result.
fn fingerprints(log: &Value) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let location = &r["locations"][0]["physicalLocation"];
        let key = format!(
            "{} {} {} {}",
            r["ruleId"].as_str().unwrap(),
            location["artifactLocation"]["uri"].as_str().unwrap(),
            r["properties"]["id"],
            location["region"]["startLine"]
        );
        let print = r["partialFingerprints"]["nhiFinding/v1"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            map.insert(key.clone(), print).is_none(),
            "two results with one key: {key}"
        );
    }
    map
}

#[test]
fn fingerprints_do_not_change_with_the_day() {
    let dir = repo().join("tests/data/independent");
    let today = fingerprints(&sarif(&dir, "2026-11-23"));
    let later = fingerprints(&sarif(&dir, "2026-12-05"));
    let common: Vec<&String> = today.keys().filter(|k| later.contains_key(*k)).collect();
    assert!(
        common.len() >= 25,
        "most findings persist across the two days: {}",
        common.len()
    );
    for key in common {
        assert_eq!(today[key], later[key], "{key}");
    }
    // The messages do change (day counts), so the fingerprint is not a hash of the message.
    let a = sarif(&dir, "2026-11-23").to_string();
    let b = sarif(&dir, "2026-12-05").to_string();
    assert_ne!(a, b);
    let unique: std::collections::BTreeSet<&String> = today.values().collect();
    assert_eq!(
        unique.len(),
        today.len(),
        "no two results share a fingerprint"
    );
}
