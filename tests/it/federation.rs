//! Federated identities end to end: drafts and drift from IAM role exports (`aws-iam-roles`), in the formats
//! AWS documents (`get-account-authorization-details` with policy objects, `list-roles` with URL-encoded
//! policies).

use crate::support as common;

use std::collections::BTreeSet;

use common::{json_of, nhi, sample, stdout, Row, AS_OF};

fn expected(rel: &str) -> BTreeSet<Row> {
    common::expected_rows(rel)
}

fn rows(report: &serde_json::Value) -> BTreeSet<Row> {
    common::report_rows(report)
}

fn roles(name: &str) -> String {
    sample(&format!("import/aws-roles/{name}"))
}

#[test]
fn drift_of_role_trust_policies_finds_exactly_the_hand_written_findings() {
    let registry = sample("drift/aws-roles/registry");
    for export in ["authorization-details.json", "list-roles-encoded.json"] {
        let (code, report) = json_of(&["drift", "aws-iam-roles", &roles(export), &registry]);
        assert_eq!(code, Some(1), "{report:#}");
        let mut want = expected("drift/aws-roles/expected.txt");
        if export == "list-roles-encoded.json" {
            // `list-roles` has no `RoleLastUsed`, and its lines differ: compare what does not depend on them.
            want.retain(|r| r.4 != "last_used");
            let strip = |set: BTreeSet<Row>| -> BTreeSet<Row> {
                set.into_iter()
                    .map(|mut r| {
                        if r.5 == "export" {
                            r.6 = 0;
                        }
                        r
                    })
                    .collect()
            };
            assert_eq!(strip(rows(&report)), strip(want), "{report:#}");
        } else {
            assert_eq!(rows(&report), want, "{report:#}");
        }
        assert_eq!(report["source"], "aws-iam-roles");
        assert_eq!(report["summary"]["skipped"], 1, "the service-linked role");
    }
}

#[test]
fn import_drafts_federated_roles_and_leaves_service_roles_alone() {
    let o = nhi(&[
        "import",
        "aws-iam-roles",
        &roles("authorization-details.json"),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let docs: Vec<&str> = out.split("\n---\n").collect();
    let doc = |id: &str| {
        *docs
            .iter()
            .find(|d| d.contains(&format!("\nid: {id}\n")))
            .unwrap_or_else(|| panic!("no draft {id} in\n{out}"))
    };
    let ec2 = doc("ec2role");
    assert!(
        ec2.contains("kind: short_lived") && !ec2.contains("federation:"),
        "{ec2}"
    );
    assert!(ec2.contains("assumed by the service ec2.amazonaws.com"));
    let deploy = doc("deploy-prod");
    assert!(deploy.contains("federation:\n  issuer: \"https://token.actions.githubusercontent.com\"\n  subjects:\n    - \"repo:northwind/deploy:environment:prod\"\n  audience: \"sts.amazonaws.com\"\n"), "{deploy}");
    assert!(deploy.contains("last_used: 2026-11-20"));
    let plan = doc("terraform-plan");
    assert!(
        plan.contains(
            "    - \"repo:northwind/infrastructure:pull_request\"\n    - \"repo:northwind/*\"\n"
        ),
        "{plan}"
    );
    let any = doc("github-any");
    assert!(any.contains("  subjects: []"), "{any}");
    assert!(doc("checkout-irsa").contains(
        "issuer: \"https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\""
    ));
    assert!(out.contains("# skipped arn:aws:iam::123456789012:role/aws-service-role/"));
    assert!(!out.contains("\nid: awsserviceroleforsupport"));
    // The drafts are valid registry documents, and `check` judges their breadth.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nhi.yaml"), "kind: Policy\n").unwrap();
    let o = nhi(&[
        "import",
        "aws-iam-roles",
        &roles("list-roles-encoded.json"),
        "-o",
        &dir.path().display().to_string(),
        "--owner",
        "team-x",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let report = common::check_json(dir.path());
    let broad: BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "federation-too-broad")
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        broad,
        BTreeSet::from(["terraform-plan".to_string(), "github-any".to_string()])
    );
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "schema"),
        "{report:#}"
    );
}

#[test]
fn malformed_role_exports_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("roles.json");
    std::fs::write(&bad, "{\"Roles\": [\n{\"RoleName\": \"a\", \"Arn\": \"arn:aws:iam::123456789012:role/a\", \"AssumeRolePolicyDocument\": \"%7Bbroken\"}\n]}").unwrap();
    let o = nhi(&["import", "aws-iam-roles", &bad.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(
        err.contains("roles.json:2:") && err.contains("trust policy"),
        "{err}"
    );
}
