//! The editor's promise, as a property over every YAML file under `tests/` and a generated registry: a
//! random edit of any value or supported field changes exactly the lines of that value, reads back (with
//! the loader's parser) as the same tree with only that value changed, and leaves every other byte; a file
//! the editor cannot handle is refused and left as it was.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use nhi::edit::{EditFile, Scalar};
use nhi::load::yaml::{self, Node, Value};
use nhi::synth::Rng;

/// Fields the commands set, by kind (inserted when missing).
const FIELDS: &[(&str, &[&str])] = &[
    (
        "Identity",
        &[
            "/review/last",
            "/review/by",
            "/review/note",
            "/review/ticket",
            "/vendor_review",
            "/last_used",
            "/credential/last_rotated",
            "/credential/expires",
            "/credential/revoked_on",
            "/status",
            "/decommissioned_on",
            "/owner",
            "/contact",
        ],
    ),
    ("Person", &["/active", "/left_on"]),
    ("Team", &["/lead"]),
    ("System", &["/owner"]),
    ("Exception", &["/approved_by", "/approved_on", "/expires"]),
];

/// Values that test the quoting: dates, ids, and text a plain scalar would misread.
const VALUES: &[&str] = &[
    "2026-12-02",
    "ken.ito",
    "team-payments",
    "yes",
    "true",
    "123",
    "null",
    "a: b",
    "x #y",
    "it's",
    "say \"hi\"",
    "a, b",
    "{x}",
    "- item",
    " padded",
    "Zürich — ü",
    "https://jira.example.com/browse/SEC-1",
    "",
];

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
}

/// What the loader reads, as JSON (the oracle), or `None` when it cannot read the file cleanly.
fn read(bytes: &[u8]) -> Option<Vec<Json>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let parsed = yaml::parse(text.strip_prefix('\u{feff}').unwrap_or(text));
    if parsed.fatal.is_some() || parsed.documents.iter().any(|d| !d.problems.is_empty()) {
        return None;
    }
    Some(parsed.documents.iter().map(|d| json(&d.root)).collect())
}

fn json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => Json::String(format!("{f:?}")),
        Value::Str(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.text.clone(), json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// Every pointer to a scalar (the values a command could set) and to a member (what it could remove).
fn pointers(value: &Json, at: String, leaves: &mut Vec<String>, members: &mut Vec<String>) {
    let children: Vec<(String, &Json)> = match value {
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => {
            leaves.push(at);
            return;
        }
    };
    for (token, child) in children {
        let p = format!("{at}/{token}");
        members.push(p.clone());
        pointers(child, p, leaves, members);
    }
}

enum Op {
    Set(String, Scalar),
    Remove(String),
}

fn pick_op(rng: &mut Rng, doc: &Json) -> Op {
    let (mut leaves, mut members) = (Vec::new(), Vec::new());
    pointers(doc, String::new(), &mut leaves, &mut members);
    let fields = FIELDS
        .iter()
        .find(|(k, _)| doc["kind"] == *k)
        .map_or(&[][..], |(_, f)| *f);
    let value = match rng.below(8) {
        0 => Scalar::Bool(rng.below(2) == 0),
        _ => Scalar::from(VALUES[rng.below(VALUES.len())]),
    };
    match rng.below(10) {
        0 if !leaves.is_empty() => {
            // The value already there: nothing to write.
            let p = leaves[rng.below(leaves.len())].clone();
            match doc.pointer(&p) {
                Some(Json::String(s)) => Op::Set(p, Scalar::from(s.as_str())),
                Some(Json::Bool(b)) => Op::Set(p, Scalar::Bool(*b)),
                _ => Op::Remove(p),
            }
        }
        1..=3 if !leaves.is_empty() => Op::Set(leaves[rng.below(leaves.len())].clone(), value),
        4..=7 if !fields.is_empty() => Op::Set(fields[rng.below(fields.len())].to_string(), value),
        _ if !members.is_empty() => Op::Remove(members[rng.below(members.len())].clone()),
        _ => Op::Set("/x-note".into(), value),
    }
}

fn expected(trees: &[Json], doc: usize, op: &Op) -> Vec<Json> {
    let mut trees = trees.to_vec();
    let target = &mut trees[doc];
    match op {
        Op::Set(pointer, value) => {
            let mut node = target;
            for token in pointer.split('/').skip(1) {
                let token = token.replace("~1", "/").replace("~0", "~");
                if node.is_null() {
                    *node = Json::Object(Map::new());
                }
                node = match node {
                    Json::Object(m) => m.entry(token).or_insert(Json::Null),
                    Json::Array(a) => &mut a[token.parse::<usize>().unwrap()],
                    _ => unreachable!("the editor refuses to descend into a scalar"),
                };
            }
            *node = match value {
                Scalar::Str(s) => Json::String(s.clone()),
                Scalar::Bool(b) => Json::Bool(*b),
                Scalar::Int(i) => Json::from(*i),
            };
        }
        Op::Remove(pointer) => {
            let (parent, last) = pointer.rsplit_once('/').unwrap();
            let last = last.replace("~1", "/").replace("~0", "~");
            match target.pointer_mut(parent).unwrap() {
                Json::Object(m) => {
                    m.shift_remove(&last);
                }
                Json::Array(a) => {
                    a.remove(last.parse::<usize>().unwrap());
                }
                _ => unreachable!(),
            }
        }
    }
    trees
}

/// The lines that differ: (removed, added), after the common first and last lines.
fn changed_lines<'a>(old: &'a str, new: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (
        a[head..a.len() - tail].to_vec(),
        b[head..b.len() - tail].to_vec(),
    )
}

fn in_flow(removed: &[&str], added: &[&str]) -> bool {
    removed.len() == 1 && added.len() == 1 && removed[0].contains(['{', '['])
}

#[derive(Default, Debug)]
struct Tally {
    edited: usize,
    unchanged: usize,
    refused_op: usize,
    refused_file: usize,
}

fn check_file(name: &str, bytes: &[u8], rng: &mut Rng, tally: &mut Tally) {
    let Some(trees) = read(bytes) else {
        let refused = EditFile::from_bytes(name, bytes.to_vec());
        assert!(
            refused.is_err(),
            "{name}: a file the loader cannot read is refused"
        );
        tally.refused_file += 1;
        return;
    };
    if trees.is_empty() {
        return;
    }
    let old = std::str::from_utf8(bytes).unwrap();
    for _ in 0..12 {
        let doc = rng.below(trees.len());
        let op = pick_op(rng, &trees[doc]);
        let mut file = EditFile::from_bytes(name, bytes.to_vec()).expect("a clean file opens");
        let result = match &op {
            Op::Set(p, v) => file.set(doc, p, v.clone()),
            Op::Remove(p) => file.remove(doc, p),
        };
        let new_bytes = file.bytes();
        match result {
            Err(e) => {
                assert_eq!(
                    new_bytes, bytes,
                    "{name}: a refused edit leaves the file ({e})"
                );
                tally.refused_op += 1;
                if std::env::var_os("EDIT_DEBUG").is_some() {
                    eprintln!("refused: {e}");
                }
            }
            Ok(false) => {
                assert_eq!(new_bytes, bytes, "{name}: no change, no new bytes");
                assert_eq!(
                    expected(&trees, doc, &op),
                    trees,
                    "{name}: `false` only when the value was there"
                );
                tally.unchanged += 1;
            }
            Ok(true) => {
                let new = std::str::from_utf8(&new_bytes).unwrap();
                let what = match &op {
                    Op::Set(p, v) => format!("set {p} to {v:?}"),
                    Op::Remove(p) => format!("remove {p}"),
                };
                assert_eq!(
                    read(&new_bytes).as_deref(),
                    Some(&expected(&trees, doc, &op)[..]),
                    "{name}: {what}:\n{new}"
                );
                let (removed, added) = changed_lines(
                    old.trim_start_matches('\u{feff}'),
                    new.trim_start_matches('\u{feff}'),
                );
                let nl = if old.contains("\r\n") { "\r\n" } else { "\n" };
                for line in &added {
                    assert!(
                        line.ends_with(nl) || !new.ends_with('\n') || !line.ends_with('\n'),
                        "{name}: {what}: line endings kept: {line:?}"
                    );
                }
                assert_eq!(
                    old.starts_with('\u{feff}'),
                    new.starts_with('\u{feff}'),
                    "{name}: BOM kept"
                );
                assert_eq!(
                    old.ends_with('\n'),
                    new.ends_with('\n'),
                    "{name}: final newline kept"
                );
                match &op {
                    Op::Set(p, _) if trees[doc].pointer(p).is_some() => {
                        assert_eq!(
                            (removed.len(), added.len()),
                            (1, 1),
                            "{name}: {what}: one line changes:\n{removed:?}\n{added:?}"
                        );
                    }
                    // Inside a flow collection the one line holding it changes; in block style lines are
                    // only added or only removed.
                    _ if in_flow(&removed, &added) => {}
                    Op::Set(..) => assert!(
                        removed.is_empty() && !added.is_empty(),
                        "{name}: {what}: lines only added: {removed:?}"
                    ),
                    Op::Remove(_) => assert!(
                        added.is_empty() && !removed.is_empty(),
                        "{name}: {what}: lines only removed: {added:?}"
                    ),
                }
                tally.edited += 1;
            }
        }
    }
}

#[test]
fn random_edits_change_exactly_their_lines_or_are_refused() {
    let mut files = Vec::new();
    yaml_files(Path::new("tests"), &mut files);
    let generated = tempfile::tempdir().unwrap();
    nhi::synth::generate(generated.path(), 300, 11).unwrap();
    yaml_files(generated.path(), &mut files);
    assert!(files.len() > 400, "found {} files", files.len());
    let mut rng = Rng(2026);
    let mut tally = Tally::default();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        check_file(&path.display().to_string(), &bytes, &mut rng, &mut tally);
        // The same file with CRLF line endings and a byte-order mark.
        if let Ok(text) = std::str::from_utf8(&bytes) {
            if !text.contains('\r') && !text.starts_with('\u{feff}') && rng.below(4) == 0 {
                let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
                check_file(
                    &format!("{} (CRLF, BOM)", path.display()),
                    crlf.as_bytes(),
                    &mut rng,
                    &mut tally,
                );
            }
        }
    }
    eprintln!("{tally:?}");
    // The editor must do its job, not refuse its way to a pass.
    assert!(tally.edited > 10 * tally.refused_op, "{tally:?}");
    assert!(tally.edited > 3000 && tally.unchanged > 100, "{tally:?}");
}
