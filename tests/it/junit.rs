//! JUnit XML parsed back with an XML parser: one failing test case per unwaived error carrying the exact
//! file and message (hostile values included), counts that agree, and one passing case when clean.

use std::path::Path;

use serde_json::Value;

use crate::common::{nhi, repo, stdout, titled, TempRegistry, AS_OF};
use crate::github::hostile_registry;

fn run(dir: &Path, reg: &Path, format: &str) -> String {
    let out = nhi()
        .current_dir(dir)
        .args(["check", "--as-of", AS_OF, "--format", format])
        .arg(reg)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2));
    stdout(&out)
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Case {
    rule: String,
    file: String,
    line: String,
    message: String,
}

/// The failing cases, after checking the counts on both levels agree with them.
fn failing_cases(xml: &str) -> Vec<Case> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let failures: Vec<_> = cases
        .iter()
        .filter_map(|c| {
            c.children()
                .find(|n| n.has_tag_name("failure"))
                .map(|f| (c, f))
        })
        .collect();
    for node in [root, suites[0]] {
        assert_eq!(
            node.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        assert_eq!(
            node.attribute("failures"),
            Some(failures.len().to_string().as_str())
        );
    }
    failures
        .into_iter()
        .map(|(case, failure)| {
            let rule = failure.attribute("type").unwrap().to_string();
            assert_eq!(case.attribute("classname").unwrap(), format!("nhi.{rule}"));
            let message = failure.attribute("message").unwrap().to_string();
            let text = failure.text().unwrap_or_default();
            assert!(text.ends_with(&message), "{text:?} ends with {message:?}");
            Case {
                rule,
                file: case.attribute("file").unwrap().to_string(),
                line: case.attribute("line").unwrap().to_string(),
                message,
            }
        })
        .collect()
}

fn expected(json: &Value, prefix: &str) -> Vec<Case> {
    let mut list: Vec<Case> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived_by"].is_null() && f["severity"] == "error")
        .map(|f| Case {
            rule: f["rule"].as_str().unwrap().to_string(),
            file: format!("{prefix}{}", f["file"].as_str().unwrap()),
            line: f["line"].to_string(),
            message: titled(f),
        })
        .collect();
    list.sort();
    list
}

#[test]
fn one_failing_case_per_unwaived_error() {
    let shared = Path::new("tests/data/shared");
    let json: Value = serde_json::from_str(&run(&repo(), shared, "json")).unwrap();
    let mut cases = failing_cases(&run(&repo(), shared, "junit"));
    cases.sort();
    let expected = expected(&json, "tests/data/shared/");
    assert_eq!(
        expected.len(),
        4,
        "errors only: no warning, notice or waived finding"
    );
    assert_eq!(cases, expected);
}

#[test]
fn hostile_values_come_back_exactly() {
    let reg = hostile_registry();
    reg.write(
        "identities/tab\tand \u{1} control.yaml",
        "kind: Identity\nid: \"<a&b>\"\n",
    );
    let json: Value = serde_json::from_str(&run(reg.path(), reg.path(), "json")).unwrap();
    let xml = run(reg.path(), reg.path(), "junit");
    let mut cases = failing_cases(&xml);
    cases.sort();
    let mut expected = expected(&json, "");
    // XML 1.0 cannot hold U+0001 in any form: it becomes U+FFFD, and nothing else changes.
    for case in &mut expected {
        case.file = case.file.replace('\u{1}', "\u{fffd}");
    }
    assert!(expected.iter().any(|c| c.file.contains('\r')));
    assert!(expected.iter().any(|c| c.message.contains('\n')));
    assert!(expected.iter().any(|c| c.file.contains('\t')));
    assert_eq!(cases, expected);
}

#[test]
fn a_clean_registry_has_one_passing_case() {
    let reg = TempRegistry::new();
    let xml = run(reg.path(), reg.path(), "junit");
    assert!(failing_cases(&xml).is_empty());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attribute("name"), Some("gate"));
}
