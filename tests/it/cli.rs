//! The command line's contract: exit codes, `--deny warnings`, policy overrides, and that the published
//! schemas, the example registry and the rule catalogue agree with each other and with the binary.

use std::fs;

use serde_json::Value;

use crate::common::{check_json, repo, rows, run, stderr, stdout, TempRegistry, AS_OF, SPEC_RULES};

fn code(args: &[&str]) -> i32 {
    run(args).status.code().expect("an exit code")
}

#[test]
fn the_example_registry_passes_without_schema_findings() {
    let (code, json) = check_json(&repo().join("registry"));
    assert_eq!(code, 0, "{json:#}");
    let schema: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "schema")
        .collect();
    assert!(schema.is_empty(), "{schema:#?}");
    assert!(json["summary"]["identities"].as_u64().unwrap() >= 40);
    assert!(
        json["summary"]["waived"].as_u64().unwrap() > 0,
        "the example shows waived findings"
    );
}

#[test]
fn every_published_schema_is_a_valid_draft_2020_12_schema() {
    let meta = jsonschema::draft202012::meta::validator();
    let mut count = 0;
    for entry in fs::read_dir(repo().join("schema")).unwrap() {
        let path = entry.unwrap().path();
        let schema: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema",
            "{}",
            path.display()
        );
        let errors: Vec<String> = meta.iter_errors(&schema).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        count += 1;
    }
    assert_eq!(count, 6);
}

#[test]
fn nhi_schema_prints_the_published_files() {
    for kind in [
        "identity",
        "team",
        "person",
        "system",
        "exception",
        "policy",
    ] {
        let out = run(&["schema", kind]);
        assert!(out.status.success());
        let file = fs::read_to_string(repo().join(format!("schema/{kind}.schema.json"))).unwrap();
        assert_eq!(stdout(&out), file, "nhi schema {kind}");
    }
    assert_eq!(
        stdout(&run(&["schema", "Identity"])),
        stdout(&run(&["schema", "identity"]))
    );
    assert_eq!(code(&["schema", "identiti"]), 2);
}

#[test]
fn nhi_rules_lists_every_spec_rule() {
    let out = run(&["rules", "--format", "json"]);
    assert!(out.status.success());
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in SPEC_RULES {
        assert!(ids.contains(&id), "`nhi rules` lacks {id}");
    }
    for r in &list {
        assert!(
            !r["nist"].as_array().unwrap().is_empty(),
            "{} maps to NIST CSF 2.0",
            r["id"]
        );
        assert!(["error", "warning", "notice"].contains(&r["default"].as_str().unwrap()));
    }
    let text = stdout(&run(&["rules"]));
    for id in SPEC_RULES {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(id)),
            "text list lacks {id}"
        );
    }
}

#[test]
fn nhi_explain_explains_and_hints_at_typos() {
    let out = run(&["explain", "rotation-overdue"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("rotation-overdue (error by default)"),
        "{text}"
    );
    assert!(text.contains("Fix:") && text.contains("NIST CSF 2.0"));
    let typo = run(&["explain", "rotation-overdeu"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("did you mean `rotation-overdue`?"),
        "{}",
        stderr(&typo)
    );
    assert!(typo.stdout.is_empty());
}

#[test]
fn exit_codes() {
    let cases = repo().join("tests/cases");
    let clean = cases.join("schema/passes");
    let failing = cases.join("schema/fires");
    let c = |dir: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "check",
            "--as-of",
            AS_OF,
            "--format",
            "json",
            dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        code(&args)
    };
    assert_eq!(c(&clean, &[]), 0);
    assert_eq!(c(&failing, &[]), 1);
    // 2: the registry cannot be read, or the command line is wrong.
    let empty = tempfile::tempdir().unwrap();
    let no_policy = run(&["check", "--as-of", AS_OF, empty.path().to_str().unwrap()]);
    assert_eq!(no_policy.status.code(), Some(2));
    assert!(
        stderr(&no_policy).contains("nhi.yaml"),
        "{}",
        stderr(&no_policy)
    );
    assert!(no_policy.stdout.is_empty());
    let file = cases.join("schema/passes/nhi.yaml");
    assert_eq!(c(&file, &[]), 2, "a file is not a registry directory");
    assert_eq!(c(&cases.join("no-such-dir"), &[]), 2);
    for bad_day in [
        "2026-13-01",
        "2026-11-31",
        "yesterday",
        "2026-1-1",
        "20261123",
    ] {
        assert_eq!(
            code(&["check", "--as-of", bad_day, clean.to_str().unwrap()]),
            2,
            "--as-of {bad_day}"
        );
    }
    assert_eq!(code(&["check", "--frobnicate", clean.to_str().unwrap()]), 2);
    assert_eq!(
        code(&["check", "--format", "xml", clean.to_str().unwrap()]),
        2
    );
    assert_eq!(code(&["frobnicate"]), 2);
    assert_eq!(code(&[]), 2);
    assert_eq!(code(&["--help"]), 0);
}

#[test]
fn deny_warnings_fails_on_warnings_only() {
    let cases = repo().join("tests/cases");
    let warning = cases.join("dormant/fires"); // one warning
    let notice = cases.join("owner-is-person/fires"); // one notice
    let args = |dir: &std::path::Path, deny: bool| {
        let mut a = vec!["check", "--as-of", AS_OF, dir.to_str().unwrap()];
        if deny {
            a.extend(["--deny", "warnings"]);
        }
        code(&a)
    };
    assert_eq!(args(&warning, false), 0);
    assert_eq!(args(&warning, true), 1);
    assert_eq!(args(&notice, true), 0, "notices never fail the gate");
    // A waived warning does not fail even with --deny warnings.
    let waived = cases.join("exception-unused/passes"); // a waived error, nothing else
    assert_eq!(args(&waived, true), 0);
    assert_eq!(
        code(&["check", "--deny", "notices", warning.to_str().unwrap()]),
        2
    );
}

#[test]
fn policy_overrides_change_severities_and_turn_rules_off() {
    let reg = TempRegistry::new();
    reg.write(
        "identities/person-owned.yaml",
        crate::common::CLEAN_IDENTITY
            .replace("id: ok", "id: person-owned")
            .replace("owner: team-a", "owner: alice"),
    );
    reg.write(
        "identities/dormant.yaml",
        crate::common::CLEAN_IDENTITY.replace("id: ok", "id: dormant") + "last_used: 2026-01-01\n",
    );
    let severities = |policy: &str| {
        reg.write("nhi.yaml", policy);
        let (code, json) = check_json(reg.path());
        let mut list = rows(&json["findings"], "{rule} {severity}");
        list.sort();
        (code, list)
    };
    assert_eq!(
        severities("kind: Policy\n"),
        (
            0,
            vec!["dormant warning".into(), "owner-is-person notice".into()]
        )
    );
    assert_eq!(
        severities("kind: Policy\nrules: {owner-is-person: error, dormant: notice}\n"),
        (
            1,
            vec!["dormant notice".into(), "owner-is-person error".into()]
        )
    );
    assert_eq!(
        severities("kind: Policy\nrules: {owner-is-person: 'off', dormant: 'off'}\n"),
        (0, vec![])
    );
    // YAML 1.2: an unquoted `off` is the string "off" too.
    assert_eq!(
        severities("kind: Policy\nrules: {owner-is-person: off}\n"),
        (0, vec!["dormant warning".into()])
    );
    // Periods come from the policy as well.
    assert_eq!(
        severities("kind: Policy\ndormant_days: 400\n"),
        (0, vec!["owner-is-person notice".into()])
    );
    // A misspelt level is a schema finding in nhi.yaml, not a silent default.
    let (code, list) = severities("kind: Policy\nrules: {dormant: fatal}\n");
    assert_eq!(code, 1);
    assert!(list.contains(&"schema error".to_string()), "{list:?}");
}
