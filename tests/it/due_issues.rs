//! The weekly issue workflow's script (`scripts/due-issues.sh`) against a fake `gh` on PATH, over several runs
//! of `nhi due --format github-issues` on a registry that changes between them: issues are created once,
//! left alone when nothing changed, updated in place, closed when nothing is due or the owner is gone,
//! reopened rather than duplicated, and a duplicate made by hand is closed.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::common::{nhi, repo};

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let registry = dir.path().join("registry");
        for entry in walkdir::WalkDir::new(repo().join("tests/data/due")) {
            let entry = entry.unwrap();
            let rel = entry
                .path()
                .strip_prefix(repo().join("tests/data/due"))
                .unwrap();
            if entry.file_type().is_dir() {
                fs::create_dir_all(registry.join(rel)).unwrap();
            } else {
                fs::copy(entry.path(), registry.join(rel)).unwrap();
            }
        }
        Repo { dir }
    }

    fn registry(&self) -> PathBuf {
        self.dir.path().join("registry")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("gh-state.json")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("gh-log.jsonl")
    }

    /// One scheduled run as of `day`: `nhi due --format github-issues`, then the script. Returns the gh calls
    /// that changed something (create, edit, close, reopen).
    fn run(&self, day: &str) -> Vec<Vec<String>> {
        let desired = self.dir.path().join("desired.json");
        let out = nhi()
            .args(["due", self.registry().to_str().unwrap(), "--as-of", day])
            .args(["--format", "github-issues"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        fs::write(&desired, &out.stdout).unwrap();
        let _ = fs::remove_file(self.log());
        let path = format!(
            "{}:{}",
            repo().join("tests/data/fake-gh").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let script = Command::new("bash")
            .arg(repo().join("scripts/due-issues.sh"))
            .arg(&desired)
            .env("PATH", path)
            .env("FAKE_GH_STATE", self.state())
            .env("FAKE_GH_LOG", self.log())
            .output()
            .expect("bash runs");
        assert!(
            script.status.success(),
            "the script failed:\n{}\n{}",
            String::from_utf8_lossy(&script.stdout),
            String::from_utf8_lossy(&script.stderr)
        );
        fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Vec<String>>(l).unwrap())
            .filter(|c| c[0] == "issue" && c[1] != "list")
            .collect()
    }

    fn issues(&self) -> Vec<Value> {
        let state: Value =
            serde_json::from_str(&fs::read_to_string(self.state()).unwrap()).unwrap();
        state["issues"].as_array().unwrap().clone()
    }

    /// The state of the issue of `owner` (exactly one must exist).
    fn issue_of(&self, owner: &str) -> String {
        let marker = format!("<!-- nhi-due owner={owner} -->");
        let all: Vec<Value> = self
            .issues()
            .into_iter()
            .filter(|i| i["body"].as_str().unwrap().contains(&marker))
            .collect();
        let open: Vec<&Value> = all.iter().filter(|i| i["state"] == "OPEN").collect();
        assert!(open.len() <= 1, "{owner}: {all:?}");
        open.first()
            .copied()
            .or(all.first())
            .map_or("none".into(), |i| i["state"].as_str().unwrap().to_string())
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.registry().join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        fs::write(&path, text.replace(from, to)).unwrap();
    }
}

fn verbs(calls: &[Vec<String>]) -> Vec<String> {
    calls
        .iter()
        .map(|c| format!("{} {}", c[1], c.get(2).map_or("", |s| s)))
        .collect()
}

fn tools_present() -> bool {
    ["bash", "jq", "python3"].iter().all(|tool| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn the_issue_script_creates_updates_closes_and_never_duplicates() {
    assert!(
        tools_present(),
        "bash, jq and python3 are needed (.ci/run installs them)"
    );
    let r = Repo::new();
    // First run: one issue per owner with something due; none for team-idle (nothing due, no issue yet).
    let calls = r.run("2026-11-23");
    assert_eq!(
        verbs(&calls)
            .iter()
            .filter(|v| v.starts_with("create"))
            .count(),
        3,
        "{calls:?}"
    );
    assert_eq!(r.issue_of("team-data"), "OPEN");
    assert_eq!(r.issue_of("team-web"), "OPEN");
    assert_eq!(r.issue_of("ana"), "OPEN");
    assert_eq!(r.issue_of("team-idle"), "none");
    let data = r
        .issues()
        .into_iter()
        .find(|i| i["title"].as_str().unwrap().contains("team-data"))
        .unwrap();
    assert!(data["body"].as_str().unwrap().contains("@duecorp/data"));
    assert!(data["labels"]
        .as_array()
        .unwrap()
        .contains(&Value::from("nhi-due")));

    // The same day again: nothing to do.
    assert_eq!(r.run("2026-11-23"), Vec::<Vec<String>>::new());

    // A day later the bodies change: edited in place, nothing created.
    let calls = r.run("2026-11-24");
    assert!(
        verbs(&calls).iter().all(|v| v.starts_with("edit")),
        "{calls:?}"
    );
    assert_eq!(r.issues().len(), 3);

    // team-web's work is recorded and its token retired: nothing of team-web is due, its issue closes.
    r.edit(
        "identities/web-cert.yaml",
        "expires: 2026-12-01",
        "expires: 2027-12-01",
    );
    fs::remove_file(r.registry().join("identities/checkout-token.yaml")).unwrap();
    let calls = r.run("2026-11-24");
    assert!(
        verbs(&calls).iter().any(|v| v.starts_with("close")),
        "{calls:?}"
    );
    assert_eq!(r.issue_of("team-web"), "CLOSED");
    assert_eq!(r.issue_of("team-data"), "OPEN");

    // Ana's script goes to the team: ana owns nothing any more and leaves the set; her issue closes.
    r.edit(
        "identities/ana-script.yaml",
        "owner: ana",
        "owner: team-data",
    );
    r.run("2026-11-24");
    assert_eq!(r.issue_of("ana"), "CLOSED");

    // Something of team-web falls due again: the closed issue is reopened, not duplicated.
    r.edit(
        "identities/web-cert.yaml",
        "expires: 2027-12-01",
        "expires: 2026-12-10",
    );
    let calls = r.run("2026-11-24");
    assert!(
        verbs(&calls).iter().any(|v| v.starts_with("reopen")),
        "{calls:?}"
    );
    assert_eq!(r.issue_of("team-web"), "OPEN");
    assert_eq!(r.issues().len(), 3);

    // A duplicate made by hand (the same marker) is closed; the original stays.
    let mut state: Value = serde_json::from_str(&fs::read_to_string(r.state()).unwrap()).unwrap();
    let mut copy = state["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"].as_str().unwrap().contains("team-data"))
        .unwrap()
        .clone();
    assert_eq!(copy["state"], "OPEN");
    copy["number"] = Value::from(99);
    state["issues"].as_array_mut().unwrap().push(copy);
    fs::write(r.state(), state.to_string()).unwrap();
    let calls = r.run("2026-11-24");
    assert!(verbs(&calls).contains(&"close 99".to_string()), "{calls:?}");
    for owner in ["team-data", "team-web"] {
        assert_eq!(r.issue_of(owner), "OPEN");
    }
}
