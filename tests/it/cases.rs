//! CLI tests as data: `tests/cases/<rule>/{fires,passes}/` each hold a tiny registry and an `expected` file
//! (the exit code, then every finding as `RULE KIND ID FILE:LINE [waived-by EXC]`). One test walks them all.

use std::fs;

use crate::common::{check_json, finding_lines, repo};

#[test]
fn every_rule_has_a_case_that_fires_and_one_that_passes() {
    let cases = repo().join("tests/cases");
    let mut rules: Vec<String> = fs::read_dir(&cases)
        .expect("tests/cases")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    rules.sort();
    for rule in crate::common::SPEC_RULES {
        assert!(rules.iter().any(|r| r == rule), "no case for `{rule}`");
    }
    let mut failures = Vec::new();
    for rule in &rules {
        assert!(
            nhi::catalogue::get(rule).is_some(),
            "tests/cases/{rule} is not a rule id"
        );
        for kind in ["fires", "passes"] {
            let dir = cases.join(rule).join(kind);
            let expected = fs::read_to_string(dir.join("expected"))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let mut lines = expected
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'));
            let exit: i32 = lines
                .next()
                .and_then(|l| l.strip_prefix("exit "))
                .and_then(|n| n.parse().ok())
                .expect("`exit N` first");
            let mut want: Vec<String> = lines.map(str::to_string).collect();
            want.sort();
            let mentions = want
                .iter()
                .any(|l| l.split(' ').next() == Some(rule.as_str()));
            assert_eq!(
                mentions,
                kind == "fires",
                "{rule}/{kind}: the expected file must {} `{rule}`",
                if kind == "fires" { "list" } else { "not list" }
            );
            let (code, json) = check_json(&dir);
            let got = finding_lines(&json);
            if code != exit || got != want {
                failures.push(format!(
                    "{rule}/{kind}: exit {code} (want {exit})\n  got:  {got:#?}\n  want: {want:#?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
