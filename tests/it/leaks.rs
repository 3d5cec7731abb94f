//! Secret scanners' reports (gitleaks, trufflehog): `secret-in-code` findings at the scanner's file, line and
//! commit, matched to registry identities by the identifiers the report gives; and no output of any format
//! ever holds a secret value from the report (the reports hold them in full).

use crate::support as common;

use std::path::Path;

use common::{data, minimal_registry, nhi, sample, stderr, stdout, write, AS_OF};

/// Every string the sample reports hold that is the secret or part of it.
fn secret_values() -> Vec<String> {
    let mut values = Vec::new();
    let gitleaks: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("import/scanners/gitleaks.json")).unwrap())
            .unwrap();
    for f in gitleaks.as_array().unwrap() {
        for key in ["Secret", "Match"] {
            values.push(f[key].as_str().unwrap().to_string());
        }
    }
    let truffle = std::fs::read_to_string(data("import/scanners/trufflehog.jsonl")).unwrap();
    for line in truffle.lines() {
        let f: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in ["Raw", "RawV2", "Redacted"] {
            if let Some(v) = f[key].as_str().filter(|v| !v.is_empty()) {
                values.push(v.to_string());
                values.extend(v.split(':').map(str::to_string));
            }
        }
    }
    values.retain(|v| v.len() >= 8);
    assert!(values.len() >= 8, "{values:?}");
    values
}

fn assert_no_secret(what: &str, text: &str) {
    for value in secret_values() {
        assert!(
            !text.contains(&value),
            "{what} shows a secret value:\n{text}"
        );
    }
}

/// A registry declaring the IAM user whose key trufflehog verified.
fn registry() -> tempfile::TempDir {
    let dir = minimal_registry();
    write(
        dir.path(),
        "identities/deploy-bot.yaml",
        "kind: Identity\nid: deploy-bot\ntype: service_account\nowner: team-x\npurpose: Deploys\nenvironment: prod\nexternal_id: \"arn:aws:iam::123456789012:user/deploy-bot\"\nstatus: active\ncredential:\n  kind: static\n  created: 2026-10-01\n  stores: [vault]\n",
    );
    dir
}

fn drift(source: &str, report: &str, root: &Path, format: &str) -> (Option<i32>, String, String) {
    let o = nhi(&[
        "drift",
        source,
        report,
        &root.display().to_string(),
        "--format",
        format,
        "--as-of",
        AS_OF,
    ]);
    (o.status.code(), stdout(&o), stderr(&o))
}

/// (id, file, line) of every `secret-in-code` finding, and all rules seen.
fn leaks(json: &str) -> (Vec<(String, String, u64)>, Vec<String>) {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let mut out: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "secret-in-code")
        .map(|f| {
            assert_eq!(f["severity"], "error", "{f}");
            assert_eq!(f["origin"], "export", "{f}");
            (
                f["id"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    let rules = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    (out, rules)
}

fn row(id: &str, file: &str, line: u64) -> (String, String, u64) {
    (id.to_string(), file.to_string(), line)
}

#[test]
fn gitleaks_findings_are_secret_in_code_at_the_file_line_and_commit() {
    let dir = registry();
    let report = sample("import/scanners/gitleaks.json");
    let (code, json, err) = drift("gitleaks", &report, dir.path(), "json");
    assert_eq!(code, Some(1), "{err}");
    let (found, rules) = leaks(&json);
    assert_eq!(
        found,
        [
            row("unmatched", "config/payments.yml", 3),
            row("unmatched", "deploy/.env", 12)
        ]
    );
    assert!(rules.iter().all(|r| r == "secret-in-code"), "{rules:?}");
    assert!(
        json.contains("9c7e5b1a2f3d") && json.contains("github-pat"),
        "{json}"
    );
    assert!(json.contains("\"secret_in_code\": 2"), "{json}");
}

#[test]
fn trufflehog_findings_name_the_identity_its_verified_key_belongs_to() {
    let dir = registry();
    let report = sample("import/scanners/trufflehog.jsonl");
    let (code, json, err) = drift("trufflehog", &report, dir.path(), "json");
    assert_eq!(code, Some(1), "{err}");
    let (found, rules) = leaks(&json);
    assert_eq!(
        found,
        [
            row("deploy-bot", "keys", 4),
            row("unmatched", "scripts/notify.sh", 7)
        ]
    );
    assert!(rules.iter().all(|r| r == "secret-in-code"), "{rules:?}");
    assert!(json.contains("nhi leak deploy-bot"), "{json}");
}

#[test]
fn no_exception_or_policy_turns_a_leak_down() {
    let dir = registry();
    write(
        dir.path(),
        "nhi.yaml",
        "kind: Policy\nrules: {secret-in-code: off}\n",
    );
    write(
        dir.path(),
        "owners/approver.yaml",
        "kind: Team\nid: team-sec\n---\nkind: Person\nid: sam\nteam: team-sec\n",
    );
    write(
        dir.path(),
        "exceptions/exc.yaml",
        "kind: Exception\nid: exc-leak\nrule: secret-in-code\nidentities: [deploy-bot]\nreason: rotating\nrequested_by: pat\napproved_by: sam\napproved_on: 2026-11-01\nexpires: 2026-12-31\n",
    );
    let report = sample("import/scanners/trufflehog.jsonl");
    let (code, json, _) = drift("trufflehog", &report, dir.path(), "json");
    assert_eq!(code, Some(1));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let matched = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "deploy-bot")
        .unwrap();
    assert_eq!(matched["severity"], "error");
    assert!(matched["waived_by"].is_null(), "{matched}");
}

#[test]
fn no_output_of_any_format_holds_a_secret_value() {
    let dir = registry();
    for (source, file) in [
        ("gitleaks", "gitleaks.json"),
        ("trufflehog", "trufflehog.jsonl"),
    ] {
        let report = sample(&format!("import/scanners/{file}"));
        for format in ["human", "github", "json", "sarif"] {
            let (code, out, err) = drift(source, &report, dir.path(), format);
            assert_eq!(code, Some(1), "{source} {format}: {err}");
            assert_no_secret(&format!("{source} --format {format}"), &out);
            assert_no_secret(&format!("{source} --format {format} stderr"), &err);
        }
        let o = nhi(&["import", source, &report, "--as-of", AS_OF]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_no_secret("import", &stdout(&o));
        let target = tempfile::tempdir().unwrap();
        let o = nhi(&[
            "import",
            source,
            &report,
            "--as-of",
            AS_OF,
            "-o",
            &target.path().display().to_string(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_no_secret("import -o", &stdout(&o));
        for entry in walk(target.path()) {
            assert_no_secret(
                "a written file",
                &std::fs::read_to_string(entry).unwrap_or_default(),
            );
        }
    }
    // The site built with the drift report.
    let report = sample("import/scanners/trufflehog.jsonl");
    let (_, json, _) = drift("trufflehog", &report, dir.path(), "json");
    let drift_file = dir.path().join("drift.json");
    std::fs::write(&drift_file, json).unwrap();
    let site = tempfile::tempdir().unwrap();
    let o = nhi(&[
        "build",
        &dir.path().display().to_string(),
        "-o",
        &site.path().join("site").display().to_string(),
        "--as-of",
        AS_OF,
        "--drift",
        &drift_file.display().to_string(),
    ]);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
    let drift_page = std::fs::read_to_string(site.path().join("site/drift.html")).unwrap();
    assert!(
        drift_page.contains("Leaked secrets: 2"),
        "the Drift page lists the leaks"
    );
    let identity = walk(site.path())
        .into_iter()
        .find(|p| p.ends_with("deploy-bot.html"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    assert!(
        identity.contains("secret-in-code"),
        "the identity page shows its leak"
    );
    for page in walk(site.path()) {
        assert_no_secret(
            &page.display().to_string(),
            &String::from_utf8_lossy(&std::fs::read(&page).unwrap()),
        );
    }
}

#[test]
fn malformed_reports_never_quote_their_values() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = "ghp_Vq3ZkP8rT2mW9xLc4NbH7dJs1FgY6uRe0AoQ";
    let bad = tmp.path().join("bad.json");
    std::fs::write(
        &bad,
        format!("[{{\"RuleID\": \"github-pat\", \"File\": \"x\", \"StartLine\": \"{secret}\"}}]"),
    )
    .unwrap();
    let o = nhi(&["import", "gitleaks", &bad.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.json:1:"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains(secret) && !stdout(&o).contains(secret),
        "{}",
        stderr(&o)
    );
    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        format!("{{\"DetectorName\": \"Github\", \"Verified\": \"{secret}\"}}\n"),
    )
    .unwrap();
    let o = nhi(&["import", "trufflehog", &bad.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains(secret), "{}", stderr(&o));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}
