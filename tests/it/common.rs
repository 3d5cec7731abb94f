//! Helpers shared by the suite: running the binary, and throwaway registries.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The rule ids of SPEC section 4, in its order.
pub const SPEC_RULES: [&str; 27] = [
    "schema",
    "duplicate-id",
    "unknown-reference",
    "owner-missing",
    "orphaned",
    "owner-is-person",
    "credential-expired",
    "credential-expiring",
    "rotation-overdue",
    "review-missing",
    "review-overdue",
    "dormant",
    "decommissioned-not-revoked",
    "secret-outside-vault",
    "admin-without-justification",
    "prefer-short-lived",
    "cross-environment",
    "shared-identity",
    "human-use",
    "vendor-review-overdue",
    "exception-expired",
    "exception-expiring",
    "exception-unapproved",
    "exception-self-approved",
    "exception-too-long",
    "exception-unused",
    "secret-in-registry",
];

/// The day every test evaluates the rules as of.
pub const AS_OF: &str = "2026-11-23";

/// The repository root (where `registry/`, `schema/` and `tests/` are).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `nhi` binary with an environment that cannot change its output.
pub fn nhi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nhi"));
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "TF_BUILD",
        "NO_COLOR",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `nhi` with `args`.
pub fn run(args: &[&str]) -> Output {
    nhi().args(args).output().expect("the nhi binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `nhi check DIR --as-of AS_OF --format json`: the exit code and the parsed document.
pub fn check_json(dir: &Path) -> (i32, Value) {
    let out = nhi()
        .args(["check", "--as-of", AS_OF, "--format", "json"])
        .arg(dir)
        .output()
        .expect("nhi runs");
    let code = out.status.code().expect("nhi exits with a code");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json output ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (code, json)
}

/// The findings of a JSON document as `RULE KIND ID FILE:LINE [waived-by EXC]` lines, sorted.
pub fn finding_lines(json: &Value) -> Vec<String> {
    let mut lines: Vec<String> = json["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .map(|f| {
            let waived = f["waived_by"]
                .as_str()
                .map(|w| format!(" waived-by {w}"))
                .unwrap_or_default();
            format!(
                "{} {} {} {}:{}{waived}",
                s(&f["rule"]),
                s(&f["kind"]),
                s(&f["id"]),
                s(&f["file"]),
                f["line"]
            )
        })
        .collect();
    lines.sort();
    lines
}

/// Each item of the array `list` as `template` with every `{key}` (or `{key/sub}`) replaced by the item's
/// value there: a string as it is, anything else as JSON (`null` where there is none).
pub fn rows(list: &Value, template: &str) -> Vec<String> {
    let fill = |item: &Value| {
        let mut row = String::new();
        let mut rest = template;
        while let Some((before, after)) = rest.split_once('{') {
            let (key, tail) = after.split_once('}').expect("a closed {key}");
            row.push_str(before);
            match item.pointer(&format!("/{key}")).unwrap_or(&Value::Null) {
                Value::String(text) => row.push_str(text),
                other => row.push_str(&other.to_string()),
            }
            rest = tail;
        }
        row + rest
    };
    list.as_array().expect("a list").iter().map(fill).collect()
}

/// The lines of `after` that `before` does not have, in order.
pub fn added_lines<'a>(before: &str, after: &'a str) -> Vec<&'a str> {
    after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}

/// A registry in a temporary directory: `nhi.yaml` plus whatever files a test writes.
pub struct TempRegistry {
    pub dir: tempfile::TempDir,
}

impl TempRegistry {
    /// A registry with a policy, one staffed team and one clean identity (`ok`), so a test can add one file
    /// and see that the others are still checked.
    pub fn new() -> TempRegistry {
        let reg = TempRegistry::empty();
        reg.write(
            "owners/team.yaml",
            "kind: Team\nid: team-a\n---\nkind: Person\nid: alice\nteam: team-a\n",
        );
        reg.write("identities/ok.yaml", CLEAN_IDENTITY);
        reg
    }

    /// A registry holding only `nhi.yaml`.
    pub fn empty() -> TempRegistry {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let reg = TempRegistry { dir };
        reg.write("nhi.yaml", "kind: Policy\n");
        reg
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the folder");
        std::fs::write(&path, contents).expect("write the file");
        path
    }

    /// Checks through the library (no process), as of [`AS_OF`].
    pub fn check(&self) -> nhi::Checked {
        nhi::check(self.path(), as_of()).expect("the registry loads")
    }
}

/// An identity with no finding as of [`AS_OF`] in [`TempRegistry::new`]; a second identity with `id: ok`
/// would be a duplicate, so tests use other ids.
pub const CLEAN_IDENTITY: &str = "kind: Identity
id: ok
type: api_key
owner: team-a
purpose: Stays clean while its neighbours are hostile
environment: dev
status: active
credential: {kind: federated}
review: {last: 2026-11-01, by: alice}
";

pub fn as_of() -> jiff::civil::Date {
    AS_OF.parse().expect("a date")
}

/// Whether the suite runs as root (where `chmod 000` does not stop reading).
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A JSON finding's message led by its subject (`Identity x: …`), as annotations and reports show it.
pub fn titled(f: &Value) -> String {
    let id = f["id"].as_str().expect("an id");
    let message = f["message"].as_str().expect("a message");
    if id.is_empty() {
        message.to_string()
    } else {
        format!("{} {id}: {message}", f["kind"].as_str().expect("a kind"))
    }
}

/// Copies the directory tree `from` into `to` (created).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
