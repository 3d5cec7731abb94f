//! Azure Pipelines logging commands under hostile registry values (`%`, CR, LF, `;`, `]`, `##vso[` in file
//! names, kinds and ids). Every command is parsed back as the task library's `commandFromString` parses it
//! and must give back exactly the original values; nothing else in the output holds `##vso[`. With
//! `NHI_AZURE_TASKLIB` naming an installed `azure-pipelines-task-lib` (as `.ci/azure.sh` does), the real
//! library parses the output too, and its `logIssue` must write the very same lines.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common::{nhi, repo, stdout, titled, TempRegistry, AS_OF};
use crate::github::hostile_registry;

/// The registry of the GitHub test, plus names that matter to Azure's syntax.
fn azure_registry() -> TempRegistry {
    let reg = hostile_registry();
    let doc = |id: &str| {
        crate::common::CLEAN_IDENTITY
            .replace("id: ok", &format!("id: {id}"))
            .replace("owner: team-a", "owner: nobody")
    };
    reg.write(
        "identities/x;type=warning]##vso[task.setvariable variable=a]b.yaml",
        doc("azure-0"),
    );
    reg.write("identities/%AZP25%5D%3B.yaml", doc("azure-1"));
    reg.write(
        "identities/semi.yaml",
        "kind: \"a;b]##vso[task.complete result=Succeeded]%AZP25\\n##vso[x]\"\nid: s\n",
    );
    reg
}

fn run(reg: &Path, format: &str) -> String {
    let out = nhi()
        .args(["check", "--as-of", AS_OF, "--format", format])
        .arg(reg)
        .output()
        .unwrap();
    stdout(&out)
}

/// `unescape` and `unescapedata` of taskcommand.js, in their order.
fn unescape(s: &str, property: bool) -> String {
    let mut s = s.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        s = s.replace("%5D", "]").replace("%3B", ";");
    }
    s.replace("%AZP25", "%")
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Issue {
    kind: String,
    file: String,
    line: String,
    col: String,
    code: String,
    message: String,
}

/// `commandFromString`: the command between the first `[` and the first `]`, `;`-separated properties.
fn parse(line: &str) -> Issue {
    let lb = line.find('[').unwrap();
    let rb = line.find(']').unwrap();
    let info = &line[lb + 1..rb];
    let (command, props) = info.split_once(' ').unwrap();
    assert_eq!(command, "task.logissue", "{line:?}");
    let mut map = BTreeMap::new();
    for prop in props.split(';').filter(|p| !p.trim().is_empty()) {
        let (k, v) = prop.split_once('=').unwrap();
        assert!(
            map.insert(k, unescape(v, true)).is_none(),
            "{k} twice: {line:?}"
        );
    }
    let keys: Vec<&str> = map.keys().copied().collect();
    assert_eq!(
        keys,
        ["code", "columnnumber", "linenumber", "sourcepath", "type"],
        "{line:?}"
    );
    Issue {
        kind: map["type"].clone(),
        file: map["sourcepath"].clone(),
        line: map["linenumber"].clone(),
        col: map["columnnumber"].clone(),
        code: map["code"].clone(),
        message: unescape(&line[rb + 1..], false),
    }
}

/// What each unwaived error and warning of the JSON output must come back as.
fn expected(json: &Value) -> Vec<Issue> {
    let mut list: Vec<Issue> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived_by"].is_null() && f["severity"] != "notice")
        .map(|f| Issue {
            kind: f["severity"].as_str().unwrap().to_string(),
            file: f["file"].as_str().unwrap().to_string(),
            line: f["line"].to_string(),
            col: f["column"].to_string(),
            code: f["rule"].as_str().unwrap().to_string(),
            message: titled(f),
        })
        .collect();
    list.sort();
    list
}

#[test]
fn commands_round_trip_and_nothing_else_holds_a_command() {
    let reg = azure_registry();
    let json: Value = serde_json::from_str(&run(reg.path(), "json")).unwrap();
    let out = run(reg.path(), "azure");
    assert!(!out.contains('\r'), "a CR alone would split a line");
    let mut parsed = Vec::new();
    let mut other = Vec::new();
    for line in out.lines() {
        if line.starts_with("##vso[") {
            // The agent reads the first `##vso[` of a line (here at its start) up to the first `]`: a
            // `##vso[` further on is inside an escaped value, as the task library leaves it.
            parsed.push(parse(line));
        } else {
            assert!(!line.contains("##vso["), "{line:?}");
            other.push(line);
        }
    }
    assert_eq!(other.len(), 1, "only the count is not a command: {other:?}");
    assert!(other[0].starts_with("nhi: "));
    parsed.sort();
    let expected = expected(&json);
    assert!(
        expected
            .iter()
            .any(|i| i.file.contains("##vso[") && i.file.contains(';')),
        "hostile names are checked: {expected:#?}"
    );
    assert!(expected.iter().any(|i| i.message.contains('\n')));
    assert_eq!(parsed, expected);
    if let Some(lib) = std::env::var_os("NHI_AZURE_TASKLIB") {
        with_task_library(Path::new(&lib), &out, &expected);
    }
}

/// Parses `out` with the real task library (`.ci/azure-tasklib.mjs`) and compares.
fn with_task_library(lib: &Path, out: &str, expected: &[Issue]) {
    let dir = tempfile::tempdir().unwrap();
    let (file, result) = (dir.path().join("out.txt"), dir.path().join("out.json"));
    std::fs::write(&file, out).unwrap();
    let status = std::process::Command::new("node")
        .arg(repo().join(".ci/azure-tasklib.mjs"))
        .args([lib, &file, &result])
        .output()
        .expect("node runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let read: Value = serde_json::from_slice(&std::fs::read(&result).unwrap()).unwrap();
    let mut issues: Vec<Issue> = read["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["command"], "task.logissue");
            assert_eq!(
                c["same_as_logissue"], true,
                "logIssue writes {}",
                c["logissue"]
            );
            let p = |k: &str| c["properties"][k].as_str().unwrap().to_string();
            Issue {
                kind: p("type"),
                file: p("sourcepath"),
                line: p("linenumber"),
                col: p("columnnumber"),
                code: p("code"),
                message: c["message"].as_str().unwrap().to_string(),
            }
        })
        .collect();
    issues.sort();
    assert_eq!(issues, expected);
    assert_eq!(read["other"].as_array().unwrap().len(), 1);
}

#[test]
fn azure_is_the_default_under_azure_pipelines() {
    let shared = repo().join("tests/data/shared");
    let default = nhi()
        .env("TF_BUILD", "True")
        .args(["check", "--as-of", AS_OF])
        .arg(&shared)
        .output()
        .unwrap();
    assert_eq!(stdout(&default), run(&shared, "azure"));
    assert!(stdout(&default).starts_with("##vso[task.logissue type=error;"));
}
