//! CLI tests as data: `tests/cases/<rule>/{fires,passes}/` each hold a tiny registry and an `expected` file
//! (the exit code, then every finding as `RULE KIND ID FILE:LINE [waived-by EXC]`). One test walks them all.
//! A case holding a `REPOSITORY` file is checked as the top of a git repository (a copy with a `.git`
//! folder), for rules that read the repository around the registry (CODEOWNERS).

use std::fs;

use crate::common::{check_json, finding_lines, repo};

/// The marker of a case that is the top of its own repository.
const REPOSITORY: &str = "REPOSITORY";

/// A copy of the case `dir` with an empty `.git` folder: the top of a repository, as far as `nhi` looks.
fn as_repository(dir: &std::path::Path) -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    copy(dir, tmp.path());
    fs::create_dir(tmp.path().join(".git")).unwrap();
    tmp
}

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
            let (code, json) = if dir.join(REPOSITORY).exists() {
                let copy = as_repository(&dir);
                check_json(copy.path())
            } else {
                check_json(&dir)
            };
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
