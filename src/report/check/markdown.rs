//! The Markdown job summary: counts, the verdict, and every finding in one table.
//!
//! GitHub renders HTML inside Markdown, so every value from the registry is escaped for both; the
//! `quoted` parts of messages (ids, fields, commands) are code spans.

use std::fmt::Write;

use super::Context;
use crate::finding::Counts;
use crate::report::text::{cell, code, message, quoted};

/// The summary for `$GITHUB_STEP_SUMMARY`.
pub fn summary(cx: &Context<'_>) -> String {
    let checked = &cx.outcome;
    let Counts {
        errors,
        warnings,
        notices,
        waived,
    } = checked.counts();
    let verdict = if checked.fails(false) {
        "❌ the gate fails"
    } else {
        "✅ the gate passes"
    };
    let mut md = String::new();
    let _ = writeln!(md, "## nhi check: {verdict}\n");
    let _ = writeln!(
        md,
        "{errors} error(s), {warnings} warning(s), {notices} notice(s), {waived} waived · {} identities · as of {}\n",
        checked.identities,
        checked.as_of
    );
    if checked.findings.is_empty() {
        md.push_str("No findings.\n");
        return md;
    }
    md.push_str("| severity | rule | subject | location | message |\n|---|---|---|---|---|\n");
    let mut rows: Vec<_> = checked.findings.iter().collect();
    rows.sort_by(|a, b| {
        (a.waived_by.is_some(), a.severity)
            .cmp(&(b.waived_by.is_some(), b.severity))
            .then_with(|| a.sort_key().cmp(&b.sort_key()))
    });
    for f in rows {
        let severity = match &f.waived_by {
            Some(w) => format!("waived ({})", cell(w)),
            None => f.severity.as_str().to_string(),
        };
        let subject = if f.subject.id.is_empty() {
            f.subject.kind.to_string()
        } else {
            format!("{} {}", f.subject.kind, code(&f.subject.id))
        };
        let location = format!("{}:{}", quoted(&cx.repo_path(&f.file)), f.pos.line);
        let _ = writeln!(
            md,
            "| {severity} | `{}` | {subject} | {location} | {} |",
            f.rule,
            message(&f.message)
        );
    }
    md
}
