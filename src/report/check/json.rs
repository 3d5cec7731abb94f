//! The JSON output of the specification: `as_of`, `summary`, and the sorted findings.

use std::io::{self, Write};

use serde_json::json;

use super::{Context, Emitter, Outcome};
use crate::finding::Finding;

pub struct Json;

impl Emitter for Json {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        crate::report::pretty_json(out, &document(&cx.outcome))
    }
}

/// The JSON document (file paths relative to the registry root).
pub fn document(checked: &Outcome<'_>) -> serde_json::Value {
    let c = checked.counts();
    json!({
        "as_of": checked.as_of.to_string(),
        "summary": {
            "errors": c.errors,
            "warnings": c.warnings,
            "notices": c.notices,
            "waived": c.waived,
            "identities": checked.identities,
        },
        "findings": checked.findings.iter().map(finding).collect::<Vec<_>>(),
    })
}

fn finding(f: &Finding) -> serde_json::Value {
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "waived_by": f.waived_by,
        "kind": f.subject.kind,
        "id": f.subject.id,
        "file": &*f.file,
        "line": f.pos.line.get(),
        "column": f.pos.column.get(),
        "message": f.message,
    })
}
