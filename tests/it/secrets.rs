//! `secret-in-registry`: the common secret formats are recognised (realistic fakes in
//! `tests/data/secrets/fakes.txt`), ordinary values are not (`ordinary.txt` and every string of `registry/`),
//! and no output ever repeats a secret's text.

use std::path::Path;

use nhi::load::yaml::{self, Node, Value};
use nhi::secrets::detect;

use crate::common::{nhi, repo, stdout, TempRegistry, AS_OF, CLEAN_IDENTITY};

/// `(name, value)` pairs of a data file (tab-separated, or one value a line), without comments.
fn lines(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo().join("tests/data/secrets").join(file)).unwrap();
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('\t') {
            Some((name, value)) => (name.to_string(), value.replace("\\n", "\n")),
            None => (l.to_string(), l.to_string()),
        })
        .collect()
}

#[test]
fn common_formats_are_recognised() {
    let missed: Vec<String> = lines("fakes.txt")
        .into_iter()
        .filter(|(_, v)| detect(v).is_none())
        .map(|(n, _)| n)
        .collect();
    assert!(missed.is_empty(), "not recognised: {missed:?}");
}

#[test]
fn ordinary_values_are_not_secrets() {
    let flagged: Vec<String> = lines("ordinary.txt")
        .into_iter()
        .filter(|(_, v)| detect(v).is_some())
        .map(|(_, v)| v)
        .collect();
    assert!(flagged.is_empty(), "taken for secrets: {flagged:#?}");
}

fn strings(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Str(s) => out.push(s.clone()),
        Value::Seq(items) => items.iter().for_each(|n| strings(n, out)),
        Value::Map(entries) => {
            for (k, v) in entries {
                out.push(k.text.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn no_string_of_the_example_registry_is_a_secret() {
    let mut files = Vec::new();
    yaml_files(&repo().join("registry"), &mut files);
    let mut all = Vec::new();
    for file in &files {
        let parsed = yaml::parse(&std::fs::read_to_string(file).unwrap());
        for doc in &parsed.documents {
            strings(&doc.root, &mut all);
        }
    }
    assert!(all.len() > 1000, "{}", all.len());
    let flagged: Vec<&String> = all.iter().filter(|s| detect(s).is_some()).collect();
    assert!(flagged.is_empty(), "{flagged:#?}");
}

/// A registry holding secrets in every place a value can be: fields, keys, lists, a block scalar, an
/// unknown kind, an id, the policy, a duplicate key, a tag, a broken file, a schema enum.
fn registry_with_secrets(secrets: &[(String, String)]) -> TempRegistry {
    let reg = TempRegistry::new();
    let quote = |s: &str| serde_json::to_string(s).unwrap();
    for (i, (_, secret)) in secrets.iter().enumerate() {
        let q = quote(secret);
        let base = CLEAN_IDENTITY.replace("id: ok", &format!("id: s{i}"));
        let text = match i % 8 {
            0 => format!("{base}external_id: {q}\n"),
            1 => format!("{base}x-notes:\n  - {q}\n"),
            2 => format!("{base}links: {{{q}: https://example.com}}\n"),
            3 => format!(
                "{}\nx-key: |\n  {}\n",
                base.trim_end(),
                secret.replace('\n', "\n  ")
            ),
            4 => format!("kind: {q}\nid: s{i}\npurpose: {q}\n"),
            5 => format!("kind: Identity\nid: {q}\n"),
            6 => format!("{base}type: {q}\n{q}: 1\n{q}: 2\n"),
            _ => format!("{base}x-broken: [{q}, !{i} {q}\n"),
        };
        reg.write(&format!("identities/s{i}.yaml"), text);
    }
    reg.write(
        "nhi.yaml",
        format!("kind: Policy\norganization: {}\n", quote(&secrets[0].1)),
    );
    reg
}

#[test]
fn no_output_repeats_a_secret() {
    let secrets = lines("fakes.txt");
    let reg = registry_with_secrets(&secrets);
    let checked = reg.check();
    let found = checked
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "secret-in-registry")
        .count();
    assert!(
        found >= secrets.len(),
        "{found} secret findings for {} secrets",
        secrets.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let mut outputs = Vec::new();
    for format in ["human", "json", "github", "sarif"] {
        let out = nhi()
            .args([
                "check", "--as-of", AS_OF, "--color", "never", "--format", format,
            ])
            .arg(reg.path())
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        outputs.push((
            format.to_string(),
            stdout(&out) + &String::from_utf8_lossy(&out.stderr),
        ));
    }
    outputs.push(("summary".into(), std::fs::read_to_string(&summary).unwrap()));
    for (name, secret) in &secrets {
        // The distinctive part of each secret: its longest line without the well-known prefix.
        let tail: String = secret
            .lines()
            .max_by_key(|l| l.len())
            .unwrap()
            .chars()
            .rev()
            .take(16)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        for (format, text) in &outputs {
            assert!(!text.contains(secret.as_str()), "{format} repeats {name}");
            if !tail.starts_with("-----") {
                assert!(
                    !text.contains(&tail),
                    "{format} repeats the end of {name}: {tail}"
                );
            }
        }
    }
}
