//! `nhi sync`: after it, `nhi drift` on the same export gives none of the notices it answered, every other
//! finding stays, no status changes, and only the lines of the facts written change.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{nhi, repo, stderr, stdout, AS_OF};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// `nhi drift … --format json` as (rule, severity, id, field) rows.
fn drift(args: &[&str]) -> BTreeSet<(String, String, String, String)> {
    let o = nhi()
        .arg("drift")
        .args(args)
        .args(["--format", "json", "--as-of", AS_OF])
        .output()
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(&f["rule"]),
                text(&f["severity"]),
                text(&f["id"]),
                text(&f["field"]),
            )
        })
        .collect()
}

fn sync(args: &[&str]) -> (i32, String, String) {
    let o = nhi()
        .arg("sync")
        .args(args)
        .args(["--as-of", AS_OF])
        .output()
        .unwrap();
    (o.status.code().unwrap(), stdout(&o), stderr(&o))
}

fn is_answered(row: &(String, String, String, String)) -> bool {
    row.0 == "drift"
        && row.1 == "notice"
        && (row.3 == "last_used" || row.3 == "credential.last_rotated")
}

#[test]
fn sync_answers_the_aws_notices_and_leaves_everything_else() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/data/drift/aws/registry"), dir.path());
    let agent = dir.path().join("identities/build-agent.yaml");
    let original = std::fs::read_to_string(&agent).unwrap();
    // An older recorded rotation than the active key's: a rotation to record as well.
    std::fs::write(
        &agent,
        original.replace("last_rotated: 2026-09-15", "last_rotated: 2026-06-01"),
    )
    .unwrap();
    let before_files = snapshot(dir.path());
    let csv = repo()
        .join("tests/data/drift/aws/credential-report.csv")
        .display()
        .to_string();
    let root = dir.path().display().to_string();
    let before = drift(&["aws-credential-report", &csv, &root]);
    let answered: BTreeSet<_> = before.iter().filter(|r| is_answered(r)).cloned().collect();
    assert_eq!(answered.len(), 2, "{before:?}");

    let (code, out, err) = sync(&["aws-credential-report", &csv, &root, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("-last_used: 2026-11-01\n+last_used: 2026-11-20\n"),
        "{out}"
    );
    assert_eq!(
        snapshot(dir.path()),
        before_files,
        "a dry run writes nothing"
    );

    let (code, out, err) = sync(&["aws-credential-report", &csv, &root]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "identities/build-agent.yaml: build-agent last_used 2026-11-20 (was 2026-11-01); build-agent credential.last_rotated 2026-09-15 (was 2026-06-01)\n"
    );
    assert_eq!(
        std::fs::read_to_string(&agent).unwrap(),
        original.replace("last_used: 2026-11-01", "last_used: 2026-11-20"),
        "only the two lines changed"
    );
    let after = drift(&["aws-credential-report", &csv, &root]);
    let expected: BTreeSet<_> = before.difference(&answered).cloned().collect();
    assert_eq!(
        after, expected,
        "every other finding stays (statuses, errors, stale, undeclared)"
    );

    // Nothing left to write.
    let (code, out, _) = sync(&["aws-credential-report", &csv, &root]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn sync_records_the_oldest_active_gcp_key_as_the_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("nhi.yaml", "kind: Policy\n");
    write(
        "owners/o.yaml",
        "kind: Team\nid: team-data\n---\nkind: Person\nid: ana\nteam: team-data\n",
    );
    let etl = "kind: Identity\nid: etl\ntype: service_account\nowner: team-data\npurpose: Loads exports\nenvironment: prod\nexternal_id: \"etl@northwind-data.iam.gserviceaccount.com\"\nstatus: active\ncredential:\n  kind: static\n  created: 2024-01-01   # the first key\n";
    write("identities/etl.yaml", etl);
    let data = repo().join("tests/data/import/gcp");
    let accounts = data.join("service-accounts.json").display().to_string();
    let keys = data.join("keys-etl.json").display().to_string();
    let root = dir.path().display().to_string();
    let args = ["gcp-service-accounts", &accounts, &root, "--keys", &keys];
    let before = drift(&args);
    assert!(
        before
            .iter()
            .any(|r| r.2 == "etl" && r.3 == "credential.last_rotated"),
        "{before:?}"
    );
    let (code, out, err) = sync(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("identities/etl.yaml: etl credential.last_rotated 2025-02-03"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("identities/etl.yaml")).unwrap(),
        etl.replace(
            "# the first key\n",
            "# the first key\n  last_rotated: 2025-02-03\n"
        )
    );
    let after = drift(&args);
    assert!(!after.iter().any(is_answered), "{after:?}");
    assert!(
        after.iter().any(|r| r.2 == "etl" && r.3 == "credential"),
        "the two active keys still need a person: {after:?}"
    );
}

fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() {
                todo.push(e.path());
            } else {
                out.push((
                    e.path().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}
