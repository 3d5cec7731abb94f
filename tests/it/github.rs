//! GitHub workflow commands and the job summary under hostile registry values: file names and messages with
//! `%`, CR, LF, `::`, commas and colons. The output is parsed back with the rules of `@actions/core` (and the
//! runner that reads them): every annotation line has the exact shape, unescaping gives back exactly the
//! original values, and nothing else in the output starts a workflow command.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{nhi, rows, stdout, titled, TempRegistry, AS_OF, CLEAN_IDENTITY};

/// The registry: hostile file names (when the file system allows them), ids and kinds.
pub fn hostile_registry() -> TempRegistry {
    let reg = TempRegistry::new();
    let names = [
        "identities/50% off, now: really.yaml",
        "identities/a::error file=x,line=1::pwned.yaml",
        "identities/line\nbreak::warning::x.yaml",
        "identities/carriage\rreturn.yaml",
        "identities/%0A%3A%2C%25.yaml",
        "identities/ünï cödé ✓.yaml",
    ];
    for (i, name) in names.iter().enumerate() {
        let doc = CLEAN_IDENTITY
            .replace("id: ok", &format!("id: hostile-{i}"))
            .replace("owner: team-a", "owner: nobody");
        reg.write(name, doc);
    }
    // Values that end up in messages: an unknown kind (echoed), a malformed id (the subject).
    reg.write(
        "identities/kind.yaml",
        "kind: \"%0A::error::x,y:z\"\nid: k\n",
    );
    reg.write(
        "identities/id.yaml",
        "kind: Identity\nid: \"x\\n::error file=a,line=1::pwned\\r%0A\"\n",
    );
    reg.write(
        "identities/colon.yaml",
        "kind: \"::notice::\\n::warning::\"\nid: k2\n",
    );
    reg
}

/// Decodes `%XX` sequences from `codes`, left to right, as the runner does.
fn unescape(s: &str, codes: &[(&str, char)]) -> String {
    let mut out = String::new();
    let mut rest = s;
    'outer: while let Some(c) = rest.chars().next() {
        if c == '%' {
            for (code, ch) in codes {
                if let Some(after) = rest.strip_prefix(code) {
                    out.push(*ch);
                    rest = after;
                    continue 'outer;
                }
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

const DATA: [(&str, char); 3] = [("%25", '%'), ("%0D", '\r'), ("%0A", '\n')];
const PROPERTY: [(&str, char); 5] = [
    ("%25", '%'),
    ("%0D", '\r'),
    ("%0A", '\n'),
    ("%3A", ':'),
    ("%2C", ','),
];

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Annotation {
    level: String,
    file: String,
    line: u64,
    col: u64,
    title: String,
    message: String,
}

/// Parses one workflow-command line strictly, or says why it is not one.
fn parse(line: &str) -> Result<Annotation, String> {
    let shape = regex::Regex::new(
        r"^::(error|warning|notice) file=[^,]*,line=\d+,col=\d+,title=[^:]*::.*$",
    )
    .unwrap();
    if !shape.is_match(line) {
        return Err(format!("not an annotation of the expected shape: {line:?}"));
    }
    let rest = &line[2..];
    let (command, rest) = rest.split_once(' ').unwrap();
    let (props, message) = rest.split_once("::").unwrap();
    let mut map = BTreeMap::new();
    for prop in props.split(',') {
        let (k, v) = prop
            .split_once('=')
            .ok_or_else(|| format!("property without `=` in {line:?}"))?;
        if map.insert(k.to_string(), unescape(v, &PROPERTY)).is_some() {
            return Err(format!("property {k} twice in {line:?}"));
        }
    }
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    assert_eq!(keys, ["col", "file", "line", "title"], "{line:?}");
    Ok(Annotation {
        level: command.to_string(),
        file: map["file"].clone(),
        line: map["line"].parse().unwrap(),
        col: map["col"].parse().unwrap(),
        title: map["title"].clone(),
        message: unescape(message, &DATA),
    })
}

/// What each unwaived finding of the JSON output must come back as.
fn expected_annotations(json: &Value) -> Vec<Annotation> {
    let level = |s: &str| {
        if s == "notice" {
            "notice".to_string()
        } else {
            s.to_string()
        }
    };
    let mut list: Vec<Annotation> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived_by"].is_null())
        .map(|f| Annotation {
            level: level(f["severity"].as_str().unwrap()),
            file: f["file"].as_str().unwrap().to_string(),
            line: f["line"].as_u64().unwrap(),
            col: f["column"].as_u64().unwrap(),
            title: f["rule"].as_str().unwrap().to_string(),
            // Each annotation carries the rule's fix on a line of its own (as `nhi explain` gives it).
            message: format!(
                "{}
Fix: {}",
                titled(f),
                nhi::catalogue::get(f["rule"].as_str().unwrap())
                    .expect("a rule of the catalogue")
                    .fix
            ),
        })
        .collect();
    list.sort();
    list
}

fn run(reg: &TempRegistry, format: &str, summary: Option<&std::path::Path>) -> String {
    let mut cmd = nhi();
    cmd.args(["check", "--as-of", AS_OF, "--format", format])
        .arg(reg.path());
    if let Some(s) = summary {
        cmd.env("GITHUB_STEP_SUMMARY", s);
    }
    stdout(&cmd.output().unwrap())
}

#[test]
fn annotations_round_trip_and_nothing_else_starts_a_command() {
    let reg = hostile_registry();
    let json: Value = serde_json::from_str(&run(&reg, "json", None)).unwrap();
    let files = rows(&json["findings"], "{file}");
    assert!(
        files.iter().any(|f| f.contains("::error")),
        "hostile file names are checked: {files:?}"
    );
    assert!(files.iter().any(|f| f.contains('\n')), "{files:?}");
    let out = run(&reg, "github", None);
    let mut parsed = Vec::new();
    let mut other = Vec::new();
    // The runner reads lines split at LF; a CR alone must not hide a command either.
    for line in out.split(['\n', '\r']) {
        if line.starts_with("::") {
            parsed.push(parse(line).unwrap());
        } else if !line.is_empty() {
            other.push(line);
        }
    }
    assert!(!out.contains('\r'));
    assert_eq!(
        other.len(),
        1,
        "only the summary line is not an annotation: {other:?}"
    );
    assert!(other[0].starts_with("nhi: "));
    for line in out.lines() {
        assert!(
            !line.trim_start().starts_with("::") || line.starts_with("::"),
            "{line:?}"
        );
    }
    parsed.sort();
    let expected = expected_annotations(&json);
    assert!(expected.len() >= 10, "{expected:#?}");
    assert_eq!(parsed, expected);
}

#[test]
fn the_step_summary_escapes_markdown_and_html() {
    let reg = hostile_registry();
    reg.write(
        "identities/md.yaml",
        "kind: \"![i](http://e.vil/p.png)<img src=x>\"\nid: md\n",
    );
    reg.write(
        "identities/md2.yaml",
        "kind: Identity\nid: \"<script>alert(1)</script>|`x`[a](javascript:x)\"\n",
    );
    reg.write(
        "identities/[link](http:evil.example) <b>.yaml",
        "kind: Identity\nid: y\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    run(&reg, "github", Some(&summary));
    let md = std::fs::read_to_string(&summary).unwrap();
    for bad in [
        "<img", "<script", "<b>", "![", "](", "[a]", "http://", "`x`",
    ] {
        assert!(!md.contains(bad), "the summary holds {bad:?}:\n{md}");
    }
    let json: Value = serde_json::from_str(&run(&reg, "json", None)).unwrap();
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| severity"))
        .collect();
    assert_eq!(
        rows.len(),
        json["findings"].as_array().unwrap().len(),
        "one row per finding, no row broken by a newline"
    );
    for row in rows {
        let unescaped_pipes = row
            .char_indices()
            .filter(|(i, c)| *c == '|' && (*i == 0 || row.as_bytes()[i - 1] != b'\\'))
            .count();
        assert_eq!(unescaped_pipes, 6, "five cells exactly: {row}");
    }
}

#[test]
fn annotations_carry_the_fix_and_the_summary_shows_code_as_code() {
    let reg = TempRegistry::new();
    reg.write(
        "identities/x.yaml",
        "kind: Identity\nid: x\ntype: bot\npurpose: p\nenvironment: dev\nstatus: active\ncredential: {kind: federated}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let out = run(&reg, "github", Some(&summary));
    let line = out
        .lines()
        .find(|l| l.contains("title=owner-missing::"))
        .expect("an owner-missing annotation");
    assert!(
        line.ends_with("%0AFix: Set `owner` to the Team accountable for the identity."),
        "{line}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    let row = md.lines().find(|l| l.contains("`owner-missing`")).unwrap();
    assert!(row.contains("has no `owner`"), "{row}");
    assert!(!row.contains("\\`"), "no escaped backticks: {row}");
    assert!(row.contains("`identities/x.yaml`:1"), "{row}");
}
