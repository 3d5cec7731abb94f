//! `nhi drift`: undeclared, stale and drifted identities, against hand-written expectations.

use crate::support as common;

use std::collections::BTreeSet;

use common::{
    check_json, data, github_checkout, minimal_registry, nhi, rules_of, sample, stderr, stdout,
    write, Row, AS_OF,
};

fn expected(rel: &str) -> BTreeSet<Row> {
    common::expected_rows(rel)
}

fn actual(report: &serde_json::Value) -> BTreeSet<Row> {
    common::report_rows(report)
}

fn drift_json(args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut all = vec!["drift"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--as-of", AS_OF]);
    let o = nhi(&all);
    let json = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (o.status.code(), json, stdout(&o))
}

#[test]
fn aws_drift_finds_exactly_the_hand_written_findings() {
    let csv = sample("drift/aws/credential-report.csv");
    let registry = sample("drift/aws/registry");
    let (code, report, out) = drift_json(&["aws-credential-report", &csv, &registry]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        actual(&report),
        expected("drift/aws/expected.txt"),
        "{report:#}"
    );
    let summary = &report["summary"];
    assert_eq!(
        (
            summary["undeclared"].as_u64(),
            summary["stale"].as_u64(),
            summary["drift"].as_u64()
        ),
        (Some(3), Some(1), Some(7))
    );
    assert_eq!(
        (
            summary["errors"].as_u64(),
            summary["waived"].as_u64(),
            summary["skipped"].as_u64()
        ),
        (Some(5), Some(1), Some(2))
    );
    for f in report["findings"].as_array().unwrap() {
        let file = f["file"].as_str().unwrap();
        match f["origin"].as_str().unwrap() {
            "registry" => assert_eq!(
                file,
                format!("identities/{}.yaml", f["id"].as_str().unwrap())
            ),
            _ => assert_eq!(file, csv),
        }
    }
}

#[test]
fn the_json_report_loads_back() {
    let csv = sample("drift/aws/credential-report.csv");
    let registry = sample("drift/aws/registry");
    let (_, _, out) = drift_json(&["aws-credential-report", &csv, &registry]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drift.json");
    std::fs::write(&path, &out).unwrap();
    let report = nhi::report::drift::load(&path).expect("loads");
    assert_eq!(report.source, "aws-credential-report");
    assert_eq!(report.as_of.to_string(), AS_OF);
    assert_eq!(report.for_identity("legacy-sftp").count(), 2);
    let undeclared: Vec<&str> = report.undeclared().map(|f| f.id.as_str()).collect();
    assert_eq!(
        undeclared,
        ["shadow-admin", "old-lambda-deployer-2", "inactive-shadow"]
    );
    assert_eq!(
        serde_json::to_string_pretty(&report).unwrap() + "\n",
        out,
        "writing and reading agree"
    );
    std::fs::write(&path, out.replace("\"version\": 1", "\"version\": 9")).unwrap();
    assert!(nhi::report::drift::load(&path)
        .unwrap_err()
        .to_string()
        .contains("version 9"));
}

#[test]
fn human_and_sarif_outputs_point_at_files_people_can_open() {
    let csv = sample("drift/aws/credential-report.csv");
    let registry = sample("drift/aws/registry");
    let drift = |output: &[&str]| {
        let args = [
            "drift",
            "aws-credential-report",
            &csv,
            &registry,
            "--as-of",
            AS_OF,
        ];
        nhi(&[&args[..], output].concat())
    };
    let o = drift(&["--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("{registry}/identities/report-uploader.yaml:13:3")),
        "{out}"
    );
    assert!(out.contains(&format!("{csv}:9:1")), "{out}");
    assert!(out.contains("gate: failed"), "{out}");
    let o = drift(&["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 11);
    assert!(results
        .iter()
        .any(|r| r["suppressions"].is_array() && r["ruleId"] == "drift"));
}

#[test]
fn check_does_not_call_drift_exceptions_unused() {
    let report = check_json(&data("drift/aws/registry"));
    assert!(
        !rules_of(&report).iter().any(|r| r == "exception-unused"),
        "{report:#}"
    );
}

#[test]
fn k8s_stale_is_a_warning_and_bare_namespace_ids_match() {
    let dir = minimal_registry();
    let identity = |id: &str, ext: &str, kind: &str| {
        format!("kind: Identity\nid: {id}\ntype: {kind}\nowner: team-x\npurpose: test\nenvironment: prod\nexternal_id: \"{ext}\"\nstatus: active\ncredential:\n  kind: federated\n")
    };
    for (file, id, external_id, kind) in [
        ("a", "checkout", "k8s:payments/checkout-service", "workload"),
        ("b", "etl-runner", "data/etl-runner", "workload"),
        ("c", "reporter", "k8s:data/legacy-reporter", "workload"),
        ("d", "gone", "k8s:data/gone", "workload"),
        ("e", "tls", "data/some-tls-secret", "certificate"),
        ("f", "elsewhere", "k8s:other-ns/x", "workload"),
    ] {
        let rel = format!("identities/{file}.yaml");
        write(dir.path(), &rel, &identity(id, external_id, kind));
    }
    let list = sample("import/k8s/serviceaccounts.json");
    let root = dir.path().display().to_string();
    let (code, report, out) = drift_json(&["k8s-service-accounts", &list, &root]);
    let rows: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["id"].as_str().unwrap().into(),
                f["field"].as_str().unwrap_or("-").into(),
            )
        })
        .collect();
    // legacy-reporter has a long-lived token Secret while the registry says federated: an error.
    assert_eq!(
        rows,
        [
            ("drift".into(), "reporter".into(), "credential.kind".into()),
            ("stale".into(), "gone".into(), "-".into())
        ],
        "{out}"
    );
    assert_eq!(code, Some(1));
    write(
        dir.path(),
        "identities/c.yaml",
        &identity("reporter", "k8s:data/legacy-reporter", "workload")
            .replace("federated", "static"),
    );
    let (code, _, out) = drift_json(&["k8s-service-accounts", &list, &root]);
    assert_eq!(code, Some(0), "a stale warning passes the gate: {out}");
    let o = nhi(&[
        "drift",
        "k8s-service-accounts",
        &list,
        &root,
        "--as-of",
        AS_OF,
        "--deny",
        "warnings",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn github_actions_and_gcp_drift() {
    let dir = minimal_registry();
    let root = dir.path().display().to_string();
    write(
        dir.path(),
        "identities/npm.yaml",
        "kind: Identity\nid: npm\ntype: token\nowner: team-x\npurpose: publish\nenvironment: prod\nexternal_id: \"github-actions:Northwind/Web-Shop:npm_token\"\nstatus: decommissioned\ndecommissioned_on: 2026-10-01\ncredential:\n  kind: static\n  revoked_on: 2026-10-01\n",
    );
    let repo = github_checkout();
    let checkout = repo.path().display().to_string();
    let (code, report, out) = drift_json(&["github-actions", &checkout, &root]);
    assert_eq!(code, Some(1), "{out}");
    let ids: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["id"].as_str().unwrap()))
        .collect();
    assert!(
        ids.contains(&("drift", "npm")),
        "matched case-insensitively: {out}"
    );
    // AWS_ACCESS_KEY_ID is an identifier (its secret key is the credential), so not undeclared.
    assert_eq!(
        ids.iter().filter(|(r, _)| *r == "undeclared").count(),
        3,
        "{out}"
    );
    let workflow = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "web-shop-slack_webhook_url")
        .unwrap();
    assert!(
        workflow["file"]
            .as_str()
            .unwrap()
            .ends_with(".github/workflows/release.yml")
            && workflow["line"] == 16,
        "{workflow}"
    );

    let dir = minimal_registry();
    let root = dir.path().display().to_string();
    write(
        dir.path(),
        "identities/etl.yaml",
        "kind: Identity\nid: etl\ntype: service_account\nowner: team-x\npurpose: etl\nenvironment: prod\nexternal_id: \"etl@northwind-data.iam.gserviceaccount.com\"\nstatus: active\ncredential:\n  kind: static\n  created: 2025-02-03\n  last_rotated: 2026-09-01\n  stores: [vault]\n",
    );
    let list = sample("import/gcp/service-accounts.json");
    let keys = sample("import/gcp/keys-etl.json");
    let (_, report, out) = drift_json(&["gcp-service-accounts", &list, &root, "--keys", &keys]);
    let etl: BTreeSet<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "etl")
        .map(|f| {
            (
                f["field"].as_str().unwrap().into(),
                f["severity"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("credential.last_rotated", "error"),
        ("credential", "warning"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(etl, want, "{out}");
}

#[test]
fn rules_and_explain_list_the_drift_rules() {
    let out = stdout(&nhi(&["rules"]));
    for rule in ["undeclared", "stale", "drift"] {
        assert!(out.lines().any(|l| l.starts_with(rule)), "{out}");
    }
    let o = nhi(&["explain", "stale"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("An Exception can waive it"));
    assert!(stdout(&nhi(&["explain", "undeclared"])).contains("No Exception can waive it"));
}

#[test]
fn a_policy_can_change_drift_severities() {
    let dir = minimal_registry();
    write(
        dir.path(),
        "nhi.yaml",
        "kind: Policy\nrules: {undeclared: warning}\n",
    );
    let csv = sample("drift/aws/credential-report.csv");
    let (code, report, _) = drift_json(&[
        "aws-credential-report",
        &csv,
        &dir.path().display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        report["summary"]["undeclared"],
        11 - 2,
        "all 11 rows but root and the console user bob"
    );
    let o = nhi(&[
        "drift",
        "aws-credential-report",
        "/nonexistent.csv",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent.csv"));
}
