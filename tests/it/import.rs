//! `nhi import`: each source's documented sample export becomes drafts that validate against the schemas.

use crate::support as common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{
    check_json, data, github_checkout, minimal_registry, nhi, rules_of, sample, stderr, stdout,
    write, AS_OF,
};

/// `nhi import ARGS --as-of AS_OF -o DIR`.
fn import_to(dir: &Path, args: &[&str]) -> std::process::Output {
    let root = dir.display().to_string();
    nhi(&[&["import"], args, &["--as-of", AS_OF, "-o", &root]].concat())
}

/// Imports into a fresh minimal registry and returns it with the ids written.
fn import_into_registry(args: &[&str]) -> (tempfile::TempDir, BTreeSet<String>, String) {
    let dir = minimal_registry();
    let o = import_to(dir.path(), args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let source = args[0];
    let folder = dir.path().join("identities").join(source);
    let ids = match std::fs::read_dir(&folder) {
        Ok(entries) => entries
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".yaml")
                    .to_string()
            })
            .collect(),
        Err(_) => BTreeSet::new(),
    };
    (dir, ids, stdout(&o))
}

fn read(dir: &Path, source: &str, id: &str) -> String {
    std::fs::read_to_string(
        dir.join("identities")
            .join(source)
            .join(format!("{id}.yaml")),
    )
    .unwrap()
}

/// The drafts are valid documents: no `schema`, `duplicate-id` or `secret-in-registry` finding, and every
/// draft is loaded as an identity.
fn assert_valid(dir: &Path, count: usize) {
    let report = check_json(dir);
    let rules = rules_of(&report);
    for bad in ["schema", "duplicate-id", "secret-in-registry"] {
        assert!(
            !rules.iter().any(|r| r == bad),
            "a `{bad}` finding: {report:#}"
        );
    }
    assert_eq!(report["summary"]["identities"], count, "{report:#}");
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn aws_credential_report_drafts_skip_root_and_console_users() {
    let csv = sample("import/aws/credential-report.csv");
    let (dir, ids, out) =
        import_into_registry(&["aws-credential-report", &csv, "--owner", "team-x"]);
    let expected = [
        "deploy-bot",
        "legacy-etl",
        "ci-runner",
        "reports-exporter",
        "old-backup",
        "cert-signer",
    ];
    assert_eq!(ids, set(&expected));
    assert!(out.contains("2 skipped"), "{out}");
    assert_valid(dir.path(), expected.len());
    let deploy = read(dir.path(), "aws-credential-report", "deploy-bot");
    for fact in [
        "external_id: \"arn:aws:iam::123456789012:user/deploy-bot\"",
        "owner: team-x\n",
        "status: active",
        "  kind: static",
        "  created: 2021-08-30",
        "  last_rotated: 2026-03-04",
        "last_used: 2026-11-20",
    ] {
        assert!(
            deploy.contains(fact),
            "deploy-bot lacks {fact:?}:\n{deploy}"
        );
    }
    // Inactive keys only: disabled, with the last use of the old key; `no_information` is no date at all.
    let backup = read(dir.path(), "aws-credential-report", "old-backup");
    assert!(
        backup.contains("status: disabled") && backup.contains("last_used: 2021-07-07"),
        "{backup}"
    );
    let etl = read(dir.path(), "aws-credential-report", "legacy-etl");
    assert!(
        etl.contains("has a console password") && etl.contains("no MFA"),
        "{etl}"
    );
    let exporter = read(dir.path(), "aws-credential-report", "reports-exporter");
    assert!(
        exporter.contains("user/reports,exporter\"") && !exporter.contains("last_used"),
        "{exporter}"
    );
    let signer = read(dir.path(), "aws-credential-report", "cert-signer");
    assert!(
        signer.contains("last_rotated: 2025-05-05")
            && signer.contains("signing certificate 1: active"),
        "{signer}"
    );
}

#[test]
fn gcp_service_accounts_with_key_listings() {
    let list = sample("import/gcp/service-accounts.json");
    let etl_keys = sample("import/gcp/keys-etl.json");
    let compute_keys = sample("import/gcp/keys-compute.json");
    let (dir, ids, _) = import_into_registry(&[
        "gcp-service-accounts",
        &list,
        "--keys",
        &etl_keys,
        "--keys",
        &compute_keys,
    ]);
    let expected = [
        "etl-northwind-data",
        "412345678901-compute-developer",
        "dataflow-old-northwind-data",
        "northwind-data-appspot",
    ];
    assert_eq!(ids, set(&expected));
    assert_valid(dir.path(), expected.len());
    let etl = read(dir.path(), "gcp-service-accounts", "etl-northwind-data");
    // Two active user-managed keys (the oldest counts), a disabled one, a system-managed one ignored.
    for fact in [
        "  kind: static",
        "  last_rotated: 2025-02-03",
        "  expires: 2027-08-01",
        "owner: todo-owner  # TODO",
    ] {
        assert!(etl.contains(fact), "etl lacks {fact:?}:\n{etl}");
    }
    assert!(
        etl.contains("purpose: \"Loads the nightly exports into BigQuery\""),
        "{etl}"
    );
    let compute = read(
        dir.path(),
        "gcp-service-accounts",
        "412345678901-compute-developer",
    );
    assert!(compute.contains("  kind: short_lived"), "{compute}");
    let old = read(
        dir.path(),
        "gcp-service-accounts",
        "dataflow-old-northwind-data",
    );
    assert!(old.contains("status: disabled"), "{old}");
}

#[test]
fn k8s_service_accounts_federation_and_skipped_defaults() {
    let list = sample("import/k8s/serviceaccounts.json");
    let (dir, ids, _) =
        import_into_registry(&["k8s-service-accounts", &list, "--environment", "staging"]);
    assert_eq!(
        ids,
        set(&[
            "payments-checkout-service",
            "data-etl-runner",
            "data-legacy-reporter"
        ])
    );
    assert_valid(dir.path(), 3);
    let checkout = read(
        dir.path(),
        "k8s-service-accounts",
        "payments-checkout-service",
    );
    for fact in [
        "external_id: \"k8s:payments/checkout-service\"",
        "  kind: federated",
        "  created: 2024-03-18",
        "environment: staging\n",
    ] {
        assert!(
            checkout.contains(fact),
            "checkout lacks {fact:?}:\n{checkout}"
        );
    }
    assert!(checkout.contains("arn:aws:iam::123456789012:role/checkout-service"));
    let legacy = read(dir.path(), "k8s-service-accounts", "data-legacy-reporter");
    assert!(
        legacy.contains("  kind: static") && legacy.contains("legacy-reporter-token-x7k2p"),
        "{legacy}"
    );
    let (dir, ids, _) = import_into_registry(&["k8s-service-accounts", &list, "--all"]);
    assert!(
        ids.contains("payments-default") && ids.contains("kube-system-coredns"),
        "{ids:?}"
    );
    assert_valid(dir.path(), 5);
}

#[test]
fn github_actions_secrets_in_every_notation() {
    let sample = github_checkout();
    let checkout = sample.path().display().to_string();
    let (dir, ids, out) = import_into_registry(&["github-actions", &checkout]);
    // AWS_ACCESS_KEY_ID holds an identifier (its secret key is the credential): skipped.
    let expected = [
        "web-shop-aws_secret_access_key",
        "web-shop-deploy_ssh_key",
        "web-shop-npm_token",
        "web-shop-slack_webhook_url",
    ];
    assert_eq!(
        ids,
        set(&expected),
        "GITHUB_TOKEN, commented-out and non-expression references are not secrets"
    );
    assert!(
        out.contains("skipped github-actions:northwind/web-shop:AWS_ACCESS_KEY_ID"),
        "{out}"
    );
    assert!(
        out.contains("secrets: inherit") && out.contains("GITHUB_TOKEN"),
        "{out}"
    );
    assert_valid(dir.path(), expected.len());
    let slack = read(dir.path(), "github-actions", "web-shop-slack_webhook_url");
    assert!(
        slack.contains("external_id: \"github-actions:northwind/web-shop:SLACK_WEBHOOK_URL\""),
        "{slack}"
    );
    assert!(
        slack.contains("release.yml:16") && slack.contains("release.yml:17"),
        "{slack}"
    );
    let ssh = read(dir.path(), "github-actions", "web-shop-deploy_ssh_key");
    assert!(ssh.contains("type: ssh_key"), "{ssh}");
}

#[test]
fn without_output_a_yaml_stream_is_printed() {
    let csv = sample("import/aws/credential-report.csv");
    let o = nhi(&["import", "aws-credential-report", &csv, "--as-of", AS_OF]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().filter(|l| *l == "---").count(), 6, "{out}");
    assert!(
        out.contains("# skipped arn:aws:iam::123456789012:root"),
        "{out}"
    );
}

#[test]
fn existing_files_are_never_overwritten() {
    let csv = sample("import/aws/credential-report.csv");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "identities/aws-credential-report/ci-runner.yaml",
        "hand-written\n",
    );
    let o = import_to(dir.path(), &["aws-credential-report", &csv]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ci-runner.yaml"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(
            dir.path()
                .join("identities/aws-credential-report/ci-runner.yaml")
        )
        .unwrap(),
        "hand-written\n"
    );
    assert!(
        !dir.path()
            .join("identities/aws-credential-report/deploy-bot.yaml")
            .exists(),
        "nothing is written"
    );
}

#[test]
fn a_registry_output_skips_what_it_declares_and_keeps_ids_unique() {
    let csv = sample("import/aws/credential-report.csv");
    let (dir, first, _) = import_into_registry(&["aws-credential-report", &csv]);
    assert_eq!(first.len(), 6);
    let o = import_to(dir.path(), &["aws-credential-report", &csv]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("wrote 0 draft(s)") && stdout(&o).contains("6 already in the registry"),
        "{}",
        stdout(&o)
    );
}

/// The header line of the sample AWS credential report.
fn credential_report_header() -> String {
    let csv = std::fs::read_to_string(data("import/aws/credential-report.csv")).unwrap();
    csv.lines().next().unwrap().to_string()
}

#[test]
fn names_that_sanitise_alike_get_unique_ids() {
    let dir = tempfile::tempdir().unwrap();
    let header = credential_report_header();
    let row = |user: &str| {
        format!("{user},arn:aws:iam::123456789012:user/{user},2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")
    };
    write(
        dir.path(),
        "report.csv",
        &format!(
            "{header}\n{}\n{}\n{}\n",
            row("Deploy+Bot"),
            row("deploy=bot"),
            row("..hidden")
        ),
    );
    let out = dir.path().join("out");
    let o = nhi(&[
        "import",
        "aws-credential-report",
        &dir.path().join("report.csv").display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(out.join("identities/aws-credential-report"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["deploy-bot-2.yaml", "deploy-bot.yaml", "hidden.yaml"]
    );
}

#[test]
fn malformed_exports_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let header = credential_report_header();
    let good = "a,arn:aws:iam::123456789012:user/a,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";
    let cases: Vec<(&str, &str, String, &str, &str)> = vec![
        ("aws-credential-report", "short.csv", format!("{header}\n{good}\nb,arn:aws:iam::123456789012:user/b,2024\n"), "short.csv:3", "fields"),
        ("aws-credential-report", "date.csv", format!("{header}\n{}\n", good.replace("2024-01-01T00:00:00+00:00", "yesterday")), "date.csv:2", "ISO 8601"),
        ("aws-credential-report", "header.csv", "name,id\nx,y\n".to_string(), "header.csv:1", "credential report"),
        ("gcp-service-accounts", "bad.json", "[\n  {\"email\": \"a@p.iam.gserviceaccount.com\"},\n  {\"email\": \"b@p.iam.gserviceaccount.com\",\n   \"disabled\": maybe}\n]\n".into(), "bad.json:4", "invalid JSON"),
        ("gcp-service-accounts", "cut.json", "[\n  {\"email\": \"a@p.iam.gserviceaccount.com\"},\n  {\"email\": \"b@p".into(), "cut.json:3", "ends inside"),
        ("k8s-service-accounts", "pods.json", "{\"kind\": \"List\", \"items\": [\n{\"kind\": \"Pod\", \"metadata\": {\"name\": \"x\", \"namespace\": \"y\"}}]}".into(), "pods.json:2", "Pod"),
    ];
    for (source, name, text, place, words) in cases {
        write(dir.path(), name, &text);
        let o = nhi(&[
            "import",
            source,
            &dir.path().join(name).display().to_string(),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(place) && err.contains(words), "{name}: {err}");
    }
    let o = nhi(&[
        "import",
        "github-actions",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".github/workflows"), "{}", stderr(&o));
}

#[test]
fn large_exports_import_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.json");
    let mut text = String::from("[\n");
    for i in 0..20_000 {
        let sep = if i == 0 { "" } else { ",\n" };
        text.push_str(&format!("{sep}{{\"email\": \"sa-{i}@big-project.iam.gserviceaccount.com\", \"projectId\": \"big-project\"}}"));
    }
    text.push_str("\n]\n");
    std::fs::write(&path, text).unwrap();
    let o = nhi(&[
        "import",
        "gcp-service-accounts",
        &path.display().to_string(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().filter(|l| *l == "---").count(), 20_000);
}
