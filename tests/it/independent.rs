//! A registry written from SPEC.md alone (`tests/data/independent/`), with a hand-derived list of every
//! finding it must produce: each with its rule, subject, severity, waiver and line, and nothing else.

use serde_json::Value;

use crate::common::{check_json, repo};

type Tuple = (String, String, String, String, Option<String>, String, u64);

fn tuple(
    rule: &Value,
    kind: &Value,
    id: &Value,
    severity: &Value,
    waived: &Value,
    file: &Value,
    line: &Value,
) -> Tuple {
    let s = |v: &Value| v.as_str().expect("a string").to_string();
    (
        s(rule),
        s(kind),
        s(id),
        s(severity),
        waived.as_str().map(str::to_string),
        s(file),
        line.as_u64().expect("a line"),
    )
}

#[test]
fn the_independent_registry_is_reported_completely() {
    let dir = repo().join("tests/data/independent");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut want: Vec<Tuple> = expected["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| tuple(&t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6]))
        .collect();
    want.sort();
    let (code, json) = check_json(&dir);
    let mut got: Vec<Tuple> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            tuple(
                &f["rule"],
                &f["kind"],
                &f["id"],
                &f["severity"],
                &f["waived_by"],
                &f["file"],
                &f["line"],
            )
        })
        .collect();
    got.sort();
    let missing: Vec<_> = want.iter().filter(|t| !got.contains(t)).collect();
    let spurious: Vec<_> = got.iter().filter(|t| !want.contains(t)).collect();
    assert!(
        missing.is_empty() && spurious.is_empty(),
        "missing: {missing:#?}\nspurious: {spurious:#?}"
    );
    assert_eq!(code, 1, "unwaived errors fail the gate");
    // Every rule of the specification fires at least once.
    for rule in crate::common::SPEC_RULES {
        assert!(
            want.iter().any(|t| t.0 == rule),
            "the independent registry has no `{rule}` finding"
        );
    }
    assert_eq!(json["summary"]["identities"], 32);
    assert_eq!(json["summary"]["waived"], 2);
}
