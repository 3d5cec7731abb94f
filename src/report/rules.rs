//! The rule catalogue for people: `nhi rules` (a table, or JSON) and `nhi explain RULE`.

use std::io::{self, Write};

use crate::catalogue::{Rule, NIST, OWASP, RULES};

/// Every rule, as a table or (`json`) as a JSON array.
pub fn list(json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        let list: Vec<_> = RULES.iter().map(rule_json).collect();
        return crate::report::pretty_json(out, &list);
    }
    writeln!(
        out,
        "{:<28} {:<8} {:<12} {:<26} summary",
        "rule", "default", "owasp", "nist csf 2.0"
    )?;
    for r in RULES {
        let owasp = if r.owasp.is_empty() {
            "-".to_string()
        } else {
            r.owasp.join(",")
        };
        writeln!(
            out,
            "{:<28} {:<8} {:<12} {:<26} {}",
            r.id,
            r.default.as_str(),
            owasp,
            r.nist.join(","),
            r.summary
        )?;
    }
    Ok(())
}

fn rule_json(r: &Rule) -> serde_json::Value {
    serde_json::json!({
        "id": r.id, "default": r.default.as_str(), "owasp": r.owasp, "nist": r.nist,
        "summary": r.summary, "explanation": r.explanation, "fix": r.fix, "waivable": r.waivable,
    })
}

/// One rule: what it checks, why, how to fix it, its mappings, and whether an exception can waive it.
pub fn explain(r: &Rule, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{} ({} by default)\n\n{}\n\n{}\n\nFix: {}\n",
        r.id,
        r.default.as_str(),
        r.summary,
        r.explanation,
        r.fix
    )?;
    for o in r.owasp {
        let title = OWASP.iter().find(|(id, _)| id == o).map_or("", |(_, t)| *t);
        writeln!(out, "OWASP NHI Top 10 (2025) {o}: {title}")?;
    }
    for n in r.nist {
        let title = NIST.iter().find(|(id, _)| id == n).map_or("", |(_, t)| *t);
        writeln!(out, "NIST CSF 2.0 {n}: {title}")?;
    }
    let waiver = if r.waivable {
        "An Exception can waive it for named identities."
    } else {
        "No Exception can waive it."
    };
    writeln!(out, "{waiver}")?;
    Ok(())
}
