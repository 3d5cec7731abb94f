//! GitLab Code Quality (`artifacts:reports:codequality`): one issue per unwaived finding, with a fingerprint
//! that survives re-runs and unrelated edits, so the merge-request widget shows what a change introduced.
//!
//! GitLab reads `description`, `check_name`, `fingerprint`, `severity` (info, minor, major, critical,
//! blocker), `location.path` (relative to the repository root) and `location.lines.begin`. It keeps only the
//! first issue of a fingerprint, so two findings that share every stable part are told apart by their rank.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{titled, Context, Emitter};
use crate::finding::{Finding, Severity};

pub struct Gitlab;

impl Emitter for Gitlab {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        crate::report::pretty_json(out, &document(cx))
    }
}

/// The report: a JSON array of issues, in the order of the findings.
pub fn document(cx: &Context<'_>) -> Value {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let issues: Vec<Value> = cx
        .outcome
        .findings
        .iter()
        .filter(|f| f.waived_by.is_none())
        .map(|f| {
            let path = cx.repo_path(&f.file);
            let key = stable_key(f, &path);
            let rank = seen.entry(key.clone()).or_insert(0);
            *rank += 1;
            issue(f, path, fingerprint(&key, *rank))
        })
        .collect();
    Value::Array(issues)
}

fn issue(f: &Finding, path: String, fingerprint: String) -> Value {
    json!({
        "description": titled(f),
        "check_name": f.rule.as_str(),
        "fingerprint": fingerprint,
        "severity": severity(f.severity),
        "location": {"path": path, "lines": {"begin": f.pos.line.get()}},
    })
}

/// Errors fail the gate, so they rank high in the widget; notices are for information.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Notice => "info",
    }
}

/// What identifies a finding across runs: the rule, the file, the document's kind and id and the JSON
/// pointer inside it. Not the line (an edit above it moves it) nor the message (day counts change daily).
fn stable_key(f: &Finding, path: &str) -> String {
    [
        f.rule.as_str(),
        path,
        f.subject.kind,
        &f.subject.id,
        &f.pointer,
    ]
    .join("\u{0}")
}

/// The first 128 bits of SHA-256 over the key and the rank among findings sharing it, in hex (the length
/// of the MD5 fingerprints GitLab's own analyzers write).
fn fingerprint(key: &str, rank: u32) -> String {
    let digest = Sha256::digest(format!("{key}\u{0}{rank}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_differ_by_rank_and_key() {
        let a = fingerprint("schema\u{0}x.yaml", 1);
        assert_eq!(a.len(), 32);
        assert_ne!(a, fingerprint("schema\u{0}x.yaml", 2));
        assert_ne!(a, fingerprint("schema\u{0}y.yaml", 1));
        assert_eq!(a, fingerprint("schema\u{0}x.yaml", 1));
    }
}
