//! The discovery sources teams hold NHIs in besides clouds and clusters: Secrets Manager, Azure service
//! principals, GitHub deploy keys, App installations and personal access tokens. For each, from a sample in
//! the provider's documented format: the drafts pass the schema, and drift on a hand-made registry gives
//! exactly the expected findings. Secrets Manager also feeds `nhi sync`.

use crate::support as common;

use std::collections::BTreeSet;

use common::{
    check_json, json_of, minimal_registry, nhi, report_rows, rules_of, sample, stderr, stdout,
    write, AS_OF,
};

/// Imports into a fresh registry: every draft loads as an identity, with no schema, duplicate or secret
/// finding.
fn drafts_pass_the_schema(source: &str, file: &str, extra: &[&str], count: usize) {
    let dir = minimal_registry();
    let root = dir.path().display().to_string();
    let mut args = vec![
        "import", source, file, "--as-of", AS_OF, "--owner", "team-x", "-o", &root,
    ];
    args.extend_from_slice(extra);
    let o = nhi(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = check_json(dir.path());
    for bad in [
        "schema",
        "duplicate-id",
        "duplicate-external-id",
        "secret-in-registry",
    ] {
        assert!(
            !rules_of(&report).iter().any(|r| r == bad),
            "{source}: `{bad}`: {report:#}"
        );
    }
    assert_eq!(
        report["summary"]["identities"],
        count,
        "{source}: {}",
        stdout(&o)
    );
}

type Row = (String, String, String, String);

fn rows(expected: &[(&str, &str, &str, &str)]) -> BTreeSet<Row> {
    expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

/// (rule, severity, id, field) of every finding of `nhi drift` on a registry of `identities`.
fn drift(source: &str, file: &str, extra: &[&str], identities: &[(&str, &str)]) -> BTreeSet<Row> {
    let dir = minimal_registry();
    for (id, body) in identities {
        write(
            dir.path(),
            &format!("identities/{id}.yaml"),
            &format!("kind: Identity\nid: {id}\ntype: api_key\nowner: team-x\npurpose: test\nenvironment: prod\n{body}"),
        );
    }
    let root = dir.path().display().to_string();
    let mut args = vec![
        "drift", source, file, &root, "--format", "json", "--as-of", AS_OF,
    ];
    args.extend_from_slice(extra);
    let o = nhi(&args);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    report_rows(&report)
        .into_iter()
        .map(|(rule, severity, _, id, field, _, _)| (rule, severity, id, field))
        .collect()
}

const SM: &str = "arn:aws:secretsmanager:eu-west-1:123456789012:secret";

#[test]
fn aws_secrets_manager() {
    let file = sample("import/secretsmanager/list-secrets.json");
    drafts_pass_the_schema("aws-secrets-manager", &file, &[], 2);
    let stripe = format!("external_id: \"{SM}:prod/payments/stripe\"\nstatus: active\ncredential:\n  kind: static\n  created: 2025-01-10\n  last_rotated: 2026-11-01\n  stores: [vault]\n");
    let ftp = format!("external_id: \"{SM}:legacy/ftp-Mn2OpQ\"\nstatus: active\ncredential:\n  kind: static\n  created: 2019-03-03\n  stores: [vault]\n");
    let gone = format!("external_id: \"{SM}:prod/old-Xy1Z2w\"\nstatus: active\ncredential:\n  kind: static\n  created: 2024-03-03\n  stores: [vault]\n");
    let found = drift(
        "aws-secrets-manager",
        &file,
        &[],
        &[
            ("stripe-key", &stripe),
            ("ftp-password", &ftp),
            ("gone-secret", &gone),
        ],
    );
    assert_eq!(
        found,
        rows(&[
            ("drift", "error", "stripe-key", "credential.last_rotated"),
            ("drift", "notice", "stripe-key", "last_used"),
            ("drift", "warning", "ftp-password", "status"),
            ("stale", "warning", "gone-secret", "-"),
            ("undeclared", "error", "prod-orders-db-password", "-"),
        ])
    );
}

#[test]
fn aws_secrets_manager_feeds_sync() {
    let file = sample("import/secretsmanager/list-secrets.json");
    let dir = minimal_registry();
    write(
        dir.path(),
        "identities/stripe-key.yaml",
        &format!("kind: Identity\nid: stripe-key\ntype: api_key\nowner: team-x\npurpose: test\nenvironment: prod\nexternal_id: \"{SM}:prod/payments/stripe-AbCdEf\"\nstatus: active\ncredential:\n  kind: static\n  created: 2025-01-10\n  stores: [vault]\nlast_used: 2026-01-01\n"),
    );
    let root = dir.path().display().to_string();
    let o = nhi(&[
        "sync",
        "aws-secrets-manager",
        &file,
        &root,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("identities/stripe-key.yaml")).unwrap();
    assert!(
        text.contains("last_used: 2026-11-22") && text.contains("last_rotated: 2026-10-15"),
        "{text}"
    );
    let (_, report) = json_of(&["drift", "aws-secrets-manager", &file, &root]);
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "stripe-key"),
        "{report:#}"
    );
}

#[test]
fn a_secrets_manager_listing_that_is_one_page_of_several_says_so() {
    let text =
        std::fs::read_to_string(common::data("import/secretsmanager/list-secrets.json")).unwrap();
    let mut listing: serde_json::Value = serde_json::from_str(&text).unwrap();
    let dir = minimal_registry();
    let root = dir.path().display().to_string();
    let notes = |listing: &serde_json::Value| {
        write(dir.path(), "page.json", &listing.to_string());
        let page = dir.path().join("page.json").display().to_string();
        let (_, report) = json_of(&["drift", "aws-secrets-manager", &page, &root]);
        report["notes"].to_string()
    };
    assert!(!notes(&listing).contains("one page of several"));
    listing["NextToken"] = "AQICAHhbsp".into();
    assert!(notes(&listing).contains("page.json is one page of several (`NextToken`)"));
}

#[test]
fn azure_service_principals() {
    let file = sample("import/azure/service-principals.json");
    drafts_pass_the_schema("azure-service-principals", &file, &[], 3);
    let found = drift(
        "azure-service-principals",
        &file,
        &[],
        &[
            ("billing-exporter", "external_id: \"azure-sp:3f6a2b1c-9d8e-4f70-a1b2-c3d4e5f60718\"\nstatus: active\ncredential:\n  kind: static\n  created: 2025-12-01\n  stores: [vault]\n"),
            ("old-ci", "external_id: \"azure-sp:c0ffee00-1111-4222-8333-444455556666\"\nstatus: active\ncredential:\n  kind: static\n  created: 2025-12-01\n  stores: [vault]\n"),
            ("retired-sp", "external_id: \"azure-sp:deadbeef-1111-4222-8333-444455556666\"\nstatus: active\ncredential:\n  kind: static\n  created: 2025-12-01\n  stores: [vault]\n"),
        ],
    );
    assert_eq!(
        found,
        rows(&[
            ("drift", "warning", "billing-exporter", "credential"),
            ("drift", "warning", "old-ci", "status"),
            ("stale", "warning", "retired-sp", "-"),
            ("undeclared", "error", "aks-payments-identity", "-"),
        ])
    );
    let o = nhi(&[
        "import",
        "azure-service-principals",
        &file,
        "--as-of",
        AS_OF,
    ]);
    let out = stdout(&o);
    // `hint` holds the first characters of a client secret: never read.
    assert!(!out.contains("Qx7") && !out.contains("Lm9"), "{out}");
}

#[test]
fn github_deploy_keys() {
    let file = sample("import/github-api/deploy-keys.json");
    let repo = ["--repo", "northwind/web-shop"];
    drafts_pass_the_schema("github-deploy-keys", &file, &repo, 2);
    let found = drift(
        "github-deploy-keys",
        &file,
        &repo,
        &[
            ("argocd-key", "external_id: \"github-deploy-key:northwind/web-shop:1\"\nstatus: active\ncredential:\n  kind: static\n  created: 2024-12-10\n  stores: [vault]\nlast_used: 2026-11-20\n"),
            ("release-key", "external_id: \"github-deploy-key:northwind/web-shop:2\"\nstatus: decommissioned\ndecommissioned_on: 2026-01-01\ncredential:\n  kind: static\n  created: 2021-03-01\n  revoked_on: 2026-01-01\n"),
            ("removed-key", "external_id: \"github-deploy-key:northwind/web-shop:9\"\nstatus: active\ncredential:\n  kind: static\n  created: 2024-12-10\n  stores: [vault]\n"),
        ],
    );
    assert_eq!(
        found,
        rows(&[
            ("drift", "error", "release-key", "status"),
            ("stale", "warning", "removed-key", "-"),
        ])
    );
    let o = nhi(&["import", "github-deploy-keys", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--repo OWNER/REPO"), "{}", stderr(&o));
}

#[test]
fn github_app_installations() {
    let file = sample("import/github-api/installations.json");
    drafts_pass_the_schema("github-app-installations", &file, &[], 2);
    let found = drift(
        "github-app-installations",
        &file,
        &[],
        &[(
            "old-deployer",
            "external_id: \"github-app:northwind:old-deployer\"\nstatus: active\ncredential:\n  kind: short_lived\n",
        )],
    );
    assert_eq!(
        found,
        rows(&[
            ("drift", "warning", "old-deployer", "status"),
            ("undeclared", "error", "github-app-renovate", "-"),
        ])
    );
}

#[test]
fn github_personal_access_tokens() {
    let file = sample("import/github-api/personal-access-tokens.json");
    let org = ["--org", "northwind"];
    drafts_pass_the_schema("github-personal-access-tokens", &file, &org, 2);
    let found = drift(
        "github-personal-access-tokens",
        &file,
        &org,
        &[(
            "release-pat",
            "external_id: \"github-pat:northwind:98716\"\nstatus: active\ncredential:\n  kind: static\n  created: 2026-05-16\n  stores: [vault]\nlast_used: 2026-11-01\n",
        )],
    );
    assert_eq!(
        found,
        rows(&[
            ("drift", "notice", "release-pat", "last_used"),
            ("undeclared", "warning", "pat-dana-triage-script", "-"),
        ])
    );
}
