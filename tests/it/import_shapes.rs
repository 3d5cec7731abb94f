//! Real export shapes: each defect seen on documented samples (wrappers, YAML, encodings, concatenations,
//! duplicates, line endings, missing columns, dropped facts, misclassified secrets) with its regression test.

use crate::support as common;

use std::path::Path;

use common::{
    check_json, data, json_of, minimal_registry, nhi, rules_of, sample, stderr, stdout, write,
    AS_OF,
};

/// `nhi import ARGS --as-of AS_OF` printed as a stream: (exit code, stdout, stderr).
fn import(args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--as-of", AS_OF]);
    let o = nhi(&all);
    (o.status.code(), stdout(&o), stderr(&o))
}

/// `nhi import SOURCE EXPORT --owner team-x` into a new minimal registry, which must succeed.
fn import_into(source: &str, export: &str) -> tempfile::TempDir {
    let dir = minimal_registry();
    let root = dir.path().display().to_string();
    let (code, _, err) = import(&[source, export, "--owner", "team-x", "-o", &root]);
    assert_eq!(code, Some(0), "{err}");
    dir
}

/// `nhi import ARGS` stops (exit 2) with an error that says each of `words`.
fn refused(args: &[&str], words: &[&str]) {
    let (code, out, err) = import(args);
    assert_eq!(code, Some(2), "{out}");
    for w in words {
        assert!(err.contains(w), "{w}: {err}");
    }
}

/// The drafts of a stream without the line each was drafted from (wrappers shift lines, not facts).
fn drafts(stream: &str) -> String {
    stream
        .lines()
        .filter(|l| !l.starts_with("# Drafted by") && !l.starts_with("# note:"))
        .filter(|l| !l.contains("also listed at"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn drift(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    json_of(&[&["drift"], args].concat())
}

/// (rule, id, line) of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The findings of `nhi drift` of a credential report against the hand-made AWS registry.
fn aws_drift(report: &str) -> Vec<(String, String, u64)> {
    let registry = sample("drift/aws/registry");
    findings(&drift(&["aws-credential-report", report, &registry]).1)
}

fn temp_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

#[test]
fn wrappers_yaml_and_encodings_import_like_the_plain_json() {
    let tmp = tempfile::tempdir().unwrap();
    let plain_keys = sample("import/gcp/keys-etl.json");
    let (code, plain, err) = import(&[
        "gcp-service-accounts",
        &sample("import/gcp/service-accounts.json"),
        "--keys",
        &plain_keys,
    ]);
    assert_eq!(code, Some(0), "{err}");
    let json_text = std::fs::read_to_string(data("import/gcp/service-accounts.json")).unwrap();
    let forms = [
        (
            sample("import/gcp/service-accounts.yaml"),
            sample("import/gcp/keys-etl.yaml"),
        ),
        (
            sample("import/gcp/service-accounts-rest.json"),
            sample("import/gcp/keys-etl-rest.json"),
        ),
        (
            temp_file(tmp.path(), "utf16.json", &utf16le_with_bom(&json_text)),
            plain_keys.clone(),
        ),
    ];
    for (list, keys) in &forms {
        let (code, out, err) = import(&["gcp-service-accounts", list, "--keys", keys]);
        assert_eq!(code, Some(0), "{list}: {err}");
        assert_eq!(drafts(&out), drafts(&plain), "{list}");
    }

    let (code, plain, err) = import(&[
        "k8s-service-accounts",
        &sample("import/k8s/serviceaccounts.json"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, yaml, err) = import(&[
        "k8s-service-accounts",
        &sample("import/k8s/serviceaccounts.yaml"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(drafts(&yaml), drafts(&plain));
}

#[test]
fn one_identity_listed_twice_is_one_draft_and_one_finding() {
    let tmp = tempfile::tempdir().unwrap();
    // `kubectl get sa -n payments -o json` followed by `-A`: overlapping documents one after another.
    let k8s = std::fs::read_to_string(data("import/k8s/serviceaccounts.json")).unwrap();
    let twice = temp_file(tmp.path(), "sa.json", format!("{k8s}\n{k8s}").as_bytes());
    let (code, once, _) = import(&[
        "k8s-service-accounts",
        &sample("import/k8s/serviceaccounts.json"),
    ]);
    assert_eq!(code, Some(0));
    let (code, out, err) = import(&["k8s-service-accounts", &twice]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(drafts(&out), drafts(&once));
    assert!(out.contains("listed more than once"), "{out}");
    let ids: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("external_id:"))
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{out}");

    // A credential report concatenated with itself (header and all): one drift finding per identity.
    let csv = std::fs::read_to_string(data("drift/aws/credential-report.csv")).unwrap();
    let doubled = temp_file(tmp.path(), "report.csv", format!("{csv}{csv}").as_bytes());
    assert_eq!(
        aws_drift(&doubled),
        aws_drift(&sample("drift/aws/credential-report.csv"))
    );
}

#[test]
fn crlf_reports_keep_their_line_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(data("drift/aws/credential-report.csv")).unwrap();
    let crlf = temp_file(tmp.path(), "crlf.csv", csv.replace('\n', "\r\n").as_bytes());
    assert_eq!(
        aws_drift(&crlf),
        aws_drift(&sample("drift/aws/credential-report.csv"))
    );
    // Errors too: a bad value on line 3.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    lines[2] = lines[2].replacen("false", "maybe", 1);
    let bad = temp_file(
        tmp.path(),
        "bad.csv",
        (lines.join("\r\n") + "\r\n").as_bytes(),
    );
    refused(&["aws-credential-report", &bad], &["bad.csv:3:"]);
}

#[test]
fn the_credential_report_json_envelope_and_utf16_read_like_the_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_path = sample("import/aws/credential-report.csv");
    let csv = std::fs::read(&csv_path).unwrap();
    let (code, plain, _) = import(&["aws-credential-report", &csv_path]);
    assert_eq!(code, Some(0));
    // `aws iam get-credential-report` prints the CSV base64-encoded in `Content`.
    let envelope = serde_json::json!({
        "Content": base64(&csv),
        "ReportFormat": "text/csv",
        "GeneratedTime": "2026-11-23T08:00:00Z",
    });
    let json = temp_file(
        tmp.path(),
        "report.json",
        serde_json::to_string_pretty(&envelope).unwrap().as_bytes(),
    );
    let (code, out, err) = import(&["aws-credential-report", &json]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(drafts(&out), drafts(&plain));
    let utf16 = temp_file(
        tmp.path(),
        "report16.csv",
        &utf16le_with_bom(&String::from_utf8(csv.clone()).unwrap()),
    );
    let (code, out, err) = import(&["aws-credential-report", &utf16]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(drafts(&out), drafts(&plain));
    // Still base64: said plainly.
    let encoded = temp_file(tmp.path(), "encoded.csv", base64(&csv).as_bytes());
    refused(&["aws-credential-report", &encoded], &["base64"]);
}

#[test]
fn reports_of_several_accounts_concatenated_with_their_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(data("import/aws/credential-report.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    let other = format!(
        "{header}\nbatch-bot,arn:aws:iam::210987654321:user/batch-bot,2024-02-02T10:00:00+00:00,false,N/A,N/A,N/A,false,true,2025-12-01T10:00:00+00:00,2026-11-01T10:00:00+00:00,eu-central-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    );
    let both = temp_file(tmp.path(), "both.csv", format!("{csv}{other}").as_bytes());
    let dir = import_into("aws-credential-report", &both);
    let batch = std::fs::read_to_string(
        dir.path()
            .join("identities/aws-credential-report/batch-bot.yaml"),
    )
    .unwrap();
    assert!(
        batch.contains("arn:aws:iam::210987654321:user/batch-bot"),
        "{batch}"
    );
    let report = check_json(dir.path());
    assert!(
        !rules_of(&report)
            .iter()
            .any(|r| r == "schema" || r == "duplicate-external-id"),
        "{report:#}"
    );
}

#[test]
fn a_report_missing_a_column_the_reading_needs_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(data("import/aws/credential-report.csv")).unwrap();
    let drop_column = |name: &str| -> String {
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let i = header.iter().position(|h| *h == name).unwrap();
        csv.lines()
            .map(|l| {
                let mut f: Vec<&str> = l.split(',').collect();
                // The sample quotes one ARN with a comma; its row is left out here.
                if f.len() == header.len() {
                    f.remove(i);
                    f.join(",")
                } else {
                    String::new()
                }
            })
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let without = temp_file(
        tmp.path(),
        "no-active.csv",
        drop_column("access_key_1_active").as_bytes(),
    );
    let words = ["`access_key_1_active`", "no-active.csv:1:"];
    refused(&["aws-credential-report", &without], &words);
    // Harmless columns may be missing: the report still reads.
    let harmless = temp_file(
        tmp.path(),
        "no-mfa.csv",
        drop_column("mfa_active").as_bytes(),
    );
    let (code, _, err) = import(&["aws-credential-report", &harmless]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn error_messages_are_said_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = import(&["github-actions", &tmp.path().display().to_string()]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err.matches("no .github/workflows directory").count(),
        1,
        "{err}"
    );
    let missing = tmp.path().join("absent.csv").display().to_string();
    let (_, _, err) = import(&["aws-credential-report", &missing]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !err.contains("): No such file or directory (os error 2): "),
        "{err}"
    );
}

#[test]
fn gcp_exposed_keys_are_secret_in_code_findings_with_the_url() {
    let dir = minimal_registry();
    let root = dir.path().display().to_string();
    write(
        dir.path(),
        "identities/dataflow.yaml",
        "kind: Identity\nid: dataflow-old\ntype: service_account\nowner: team-x\npurpose: dataflow\nenvironment: prod\nexternal_id: \"dataflow-old@northwind-data.iam.gserviceaccount.com\"\nstatus: disabled\ncredential:\n  kind: static\n  created: 2024-04-02\n",
    );
    let keys = sample("import/gcp/keys-dataflow-exposed.json");
    let (code, report) = drift(&[
        "gcp-service-accounts",
        &sample("import/gcp/service-accounts.json"),
        &root,
        "--keys",
        &keys,
    ]);
    assert_eq!(code, Some(1));
    let leaks: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secret-in-code")
        .collect();
    assert_eq!(leaks.len(), 1, "{report:#}");
    let leak = leaks[0];
    assert_eq!(leak["id"], "dataflow-old");
    assert_eq!(leak["severity"], "error");
    assert_eq!(leak["line"], 2);
    let message = leak["message"].as_str().unwrap();
    assert!(
        message.contains(
            "https://github.com/northwind/pipelines/blob/4b2d9e1/dataflow/credentials.json"
        ) && message.contains("nhi leak dataflow-old"),
        "{message}"
    );
    // The draft keeps keyOrigin and the disable reason.
    let (_, out, _) = import(&[
        "gcp-service-accounts",
        &sample("import/gcp/service-accounts.json"),
        "--keys",
        &keys,
    ]);
    assert!(
        out.contains("USER_PROVIDED") && out.contains("disable reason EXPOSED"),
        "{out}"
    );
}

#[test]
fn gcp_without_key_listings_is_not_drafted_static() {
    let (_, out, _) = import(&[
        "gcp-service-accounts",
        &sample("import/gcp/service-accounts.json"),
    ]);
    assert!(!out.contains("  kind: static"), "{out}");
    let dir = import_into(
        "gcp-service-accounts",
        &sample("import/gcp/service-accounts.json"),
    );
    let report = check_json(dir.path());
    assert!(
        !rules_of(&report).iter().any(|r| r == "rotation-overdue"),
        "{report:#}"
    );
}

#[test]
fn kubernetes_labels_and_annotations_are_kept_and_secrets_left_out() {
    let (code, out, err) = import(&[
        "k8s-service-accounts",
        &sample("import/k8s/serviceaccounts-labelled.json"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    for fact in [
        "label app.kubernetes.io/name: ledger",
        "label app.kubernetes.io/part-of: payments",
        "annotation northwind.example/owner: team-payments",
        "looks like a secret was left out",
    ] {
        assert!(out.contains(fact), "{fact}: {out}");
    }
    assert!(!out.contains("ghp_"), "{out}");
}

#[test]
fn github_actions_identifiers_federation_run_comments_and_to_json() {
    let checkout = sample("import/github/oidc");
    let (code, out, err) = import(&["github-actions", &checkout, "--repo", "northwind/infra"]);
    assert_eq!(code, Some(0), "{err}");
    let ids: Vec<&str> = out.lines().filter_map(|l| l.strip_prefix("id: ")).collect();
    assert_eq!(
        ids,
        [
            "infra-aws_role_to_assume",
            "infra-datadog_api_key",
            "infra-dockerhub_token",
            "infra-upload_signing_key"
        ],
        "{out}"
    );
    for skipped in [
        "AWS_REGION",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_SUBSCRIPTION_ID",
        "DOCKERHUB_USERNAME",
    ] {
        assert!(
            out.contains(&format!(
                "# skipped github-actions:northwind/infra:{skipped}: holds"
            )),
            "{skipped}: {out}"
        );
    }
    let role = out
        .split("---")
        .find(|d| d.contains("id: infra-aws_role_to_assume"))
        .unwrap();
    assert!(
        role.contains("  kind: federated") && role.contains("type: workload"),
        "{role}"
    );
    let datadog = out
        .split("---")
        .find(|d| d.contains("id: infra-datadog_api_key"))
        .unwrap();
    // The `if:` line once, and the commented line inside the `run:` block (GitHub substitutes it).
    assert_eq!(datadog.matches("referenced at").count(), 2, "{datadog}");
    assert!(
        datadog.contains("deploy.yml:20") && datadog.contains("deploy.yml:23"),
        "{datadog}"
    );
    assert!(!out.contains("NOT_IN_A_BLOCK"), "{out}");
    assert!(out.contains("deploy.yml:24: `toJSON(secrets)`"), "{out}");
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
