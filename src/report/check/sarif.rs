//! SARIF 2.1.0 for GitHub code scanning: every rule with its help and compliance tags, every finding with a
//! stable `partialFingerprints` entry; waived findings carry an external suppression. The log is written
//! result by result as it is serialised (the site's `findings.sarif` of a million identities too), never
//! held as one JSON tree.

use std::io::{self, Write};

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{json, Value};

use super::{titled, Context, Emitter};
use crate::catalogue::{self, Rule};
use crate::finding::{Finding, Severity};

pub struct Sarif;

impl Emitter for Sarif {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        crate::report::pretty_json(out, &Log(cx))
    }
}

/// The SARIF log: one run of the tool, its rules and a result per finding.
struct Log<'c, 'a>(&'c Context<'a>);

impl Serialize for Log<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut log = s.serialize_struct("Log", 3)?;
        log.serialize_field("$schema", "https://json.schemastore.org/sarif-2.1.0.json")?;
        log.serialize_field("version", "2.1.0")?;
        log.serialize_field("runs", &[Run(self.0)])?;
        log.end()
    }
}

struct Run<'c, 'a>(&'c Context<'a>);

impl Serialize for Run<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cx = self.0;
        let tool = json!({"driver": {
            "name": "nhi",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": catalogue::RULES.iter().map(rule).collect::<Vec<_>>(),
        }});
        let results = cx.outcome.findings.iter().map(|f| result(cx, f));
        let mut run = s.serialize_struct("Run", 3)?;
        run.serialize_field("tool", &tool)?;
        run.serialize_field("columnKind", "unicodeCodePoints")?;
        run.serialize_field("results", &Results(std::cell::Cell::new(Some(results))))?;
        run.end()
    }
}

/// A sequence serialised from an iterator, each element made as it is written.
struct Results<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = Value>> Serialize for Results<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.take().into_iter().flatten())
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Notice => "note",
    }
}

fn rule(r: &Rule) -> Value {
    let mut tags: Vec<String> = vec!["security".into()];
    tags.extend(r.owasp.iter().map(|o| format!("OWASP-{o}")));
    tags.extend(r.nist.iter().map(|n| format!("NIST-CSF-{n}")));
    let mappings = |title: &str, ids: &[&str]| {
        if ids.is_empty() {
            String::new()
        } else {
            format!("\n\n{title}: {}", ids.join(", "))
        }
    };
    let help = format!(
        "{}\n\nFix: {}{}{}",
        r.explanation,
        r.fix,
        mappings("OWASP NHI Top 10", r.owasp),
        mappings("NIST CSF 2.0", r.nist)
    );
    json!({
        "id": r.id,
        "name": camel(r.id.as_str()),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.explanation},
        "help": {"text": help, "markdown": help},
        "defaultConfiguration": {"level": level(r.default)},
        "properties": {"tags": tags, "precision": "very-high"},
    })
}

fn result(cx: &Context<'_>, f: &Finding) -> Value {
    let index = f.rule.index();
    let mut result = json!({
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": titled(f)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri(&cx.repo_path(&f.file))},
            "region": {"startLine": f.pos.line.get(), "startColumn": f.pos.column.get()},
        }}],
        "partialFingerprints": {"nhiFinding/v1": fingerprint(f)},
        "properties": {"kind": f.subject.kind, "id": f.subject.id},
    });
    if let Some(w) = &f.waived_by {
        result["suppressions"] = json!([{"kind": "external", "status": "accepted", "justification": format!("waived by exception {w}")}]);
    }
    result
}

/// A stable fingerprint: the rule, the subject and the place in the document, not the message (which
/// carries day counts that change daily).
pub fn fingerprint(f: &Finding) -> String {
    let key = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
        f.rule, f.subject.kind, f.subject.id, f.file, f.pointer
    );
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Percent-encodes what a relative URI reference cannot hold as is.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn camel(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
