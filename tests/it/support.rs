//! Helpers shared by the CLI tests: run the binary, build small registries in temporary directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const AS_OF: &str = "2026-11-23";

/// The test data folder.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// A file or folder of the test data folder, as a command-line argument.
pub fn sample(rel: &str) -> String {
    data(rel).display().to_string()
}

/// `nhi ARGS --format json --as-of AS_OF`: the exit code and the document, which must be JSON.
pub fn json_of(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let o = nhi(&[args, &["--format", "json", "--as-of", AS_OF]].concat());
    let json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    (o.status.code(), json)
}

/// Runs `nhi` with `args`.
pub fn nhi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nhi"))
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("TF_BUILD")
        .output()
        .expect("nhi runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A registry with a policy, one team with an active member, and the systems drafts may name.
pub fn minimal_registry() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "nhi.yaml",
        "kind: Policy\norganization: Import Test\n",
    );
    write(
        dir.path(),
        "owners/team.yaml",
        "kind: Team\nid: team-x\nname: Team X\n---\nkind: Person\nid: pat\nname: Pat\nteam: team-x\n",
    );
    write(
        dir.path(),
        "systems/vault.yaml",
        "kind: System\nid: vault\ntype: secret_store\ncriticality: high\nenvironment: prod\nowner: team-x\n",
    );
    dir
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// `nhi check ROOT --format json` as JSON.
pub fn check_json(root: &Path) -> serde_json::Value {
    let o = nhi(&[
        "check",
        &root.display().to_string(),
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "check failed to run: {}",
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout).expect("check prints JSON")
}

/// The rules of a JSON report's findings.
pub fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A copy of the GitHub Actions sample checkout with an `origin` remote in `.git/config` (git cannot track
/// a `.git` folder inside the project, so the clone's config is written at test time).
pub fn github_checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = data("import/github/checkout/.github/workflows");
    for entry in std::fs::read_dir(&source).expect("sample workflows") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("sample workflow");
        write(dir.path(), &format!(".github/workflows/{name}"), &text);
    }
    write(
        dir.path(),
        ".git/config",
        "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = git@github.com:northwind/web-shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
    );
    dir
}

/// One expected drift or trace finding: rule, severity, waiver, id, field, origin, line.
pub type Row = (String, String, String, String, String, String, u32);

/// Rows written by hand in a data file, one per line (`#` comments), seven columns.
pub fn expected_rows(rel: &str) -> std::collections::BTreeSet<Row> {
    let text = std::fs::read_to_string(data(rel)).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 7, "{l}");
            let s = |i: usize| f[i].to_string();
            (s(0), s(1), s(2), s(3), s(4), s(5), f[6].parse().unwrap())
        })
        .collect()
}

/// The rows of a drift (or trace) JSON report's findings; an absent value is `-`.
pub fn report_rows(report: &serde_json::Value) -> std::collections::BTreeSet<Row> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(&f["rule"]),
                text(&f["severity"]),
                text(&f["waived_by"]),
                text(&f["id"]),
                text(&f["field"]),
                text(&f["origin"]),
                u32::try_from(f["line"].as_u64().unwrap()).unwrap(),
            )
        })
        .collect()
}
