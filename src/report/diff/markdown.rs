//! The diff as Markdown for a pull-request comment or a job summary: the headline first, then one table per
//! section, empty sections left out. Every registry value is escaped for Markdown and the HTML GitHub renders
//! inside it; tables are capped so a comment stays under GitHub's size limit.

use std::fmt::Write;

use crate::diff::blast::Reach;
use crate::diff::{headline, AccessChange, Diff, FindingRef, IdentityRef};
use crate::model::Level;
use crate::report::text::{cell, message, span};

/// Rows per table; the rest is counted, and `--format json` has everything.
const MAX_ROWS: usize = 100;
/// Characters of a field value shown before it is cut.
const MAX_VALUE: usize = 200;

/// Renders `diff`; `repo_prefix` turns registry paths into repository paths (see `git::prefix_of`).
pub fn render(diff: &Diff, repo_prefix: &str) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## nhi diff against {}\n", span(&diff.base));
    let _ = writeln!(md, "**{}**\n", headline::headline(diff, &span));
    let commit = diff
        .base_commit
        .as_deref()
        .map(|c| format!(" ({})", span(&c[..c.len().min(12)])))
        .unwrap_or_default();
    let _ = writeln!(
        md,
        "Base {}{commit} → working tree · as of {}\n",
        span(&diff.base),
        diff.as_of
    );
    if !diff.base_exists {
        md.push_str("The base revision has no registry: everything is new.\n\n");
    }
    let path = |file: &str| span(&format!("{repo_prefix}{file}"));
    identities(&mut md, "Identities added", &diff.identities.added, &path);
    identities(
        &mut md,
        "Identities removed",
        &diff.identities.removed,
        &path,
    );
    changed(&mut md, diff);
    access(&mut md, "Access gained", &diff.access.gained);
    access(&mut md, "Access lost", &diff.access.lost);
    blast(&mut md, diff);
    findings(
        &mut md,
        "Findings introduced",
        &diff.findings.introduced,
        &path,
    );
    findings(&mut md, "Findings fixed", &diff.findings.fixed, &path);
    findings(&mut md, "Findings now waived", &diff.findings.waived, &path);
    findings(
        &mut md,
        "Findings no longer waived",
        &diff.findings.unwaived,
        &path,
    );
    md
}

/// A section: its heading with `n` (what it counts), the table of `columns`, a row of cells per item (the
/// first [`MAX_ROWS`] of `rows`) and how many more rows there are. A section with nothing in it is left out.
fn section<T>(
    md: &mut String,
    title: &str,
    n: usize,
    columns: &[&str],
    rows: impl Iterator<Item = T> + Clone,
    cells: impl Fn(T) -> Vec<String>,
) {
    if n == 0 {
        return;
    }
    let _ = writeln!(md, "### {title} ({n})\n");
    let _ = writeln!(
        md,
        "| {} |\n|{}",
        columns.join(" | "),
        "---|".repeat(columns.len())
    );
    let total = rows.clone().count();
    for row in rows.take(MAX_ROWS) {
        let _ = writeln!(md, "| {} |", cells(row).join(" | "));
    }
    if total > MAX_ROWS {
        let _ = writeln!(
            md,
            "\n…and {} more (`nhi diff --format json` lists everything).",
            total - MAX_ROWS
        );
    }
    md.push('\n');
}

fn opt(value: Option<&str>) -> String {
    value.map_or_else(|| "—".to_string(), span)
}

fn identities(md: &mut String, title: &str, list: &[IdentityRef], path: &dyn Fn(&str) -> String) {
    let columns = [
        "identity",
        "type",
        "owner",
        "environment",
        "status",
        "purpose",
        "file",
    ];
    section(md, title, list.len(), &columns, list.iter(), |i| {
        vec![
            span(&i.id),
            opt(i.kind.map(|v| v.as_str())),
            opt(i.owner.as_deref()),
            opt(i.environment.map(|v| v.as_str())),
            opt(i.status.map(|v| v.as_str())),
            i.purpose
                .as_deref()
                .map_or_else(|| "—".to_string(), |p| cell(&truncate(p))),
            path(&i.file),
        ]
    });
}

/// A value cut to [`MAX_VALUE`] characters.
fn truncate(v: &str) -> String {
    if v.chars().count() > MAX_VALUE {
        format!("{}…", v.chars().take(MAX_VALUE).collect::<String>())
    } else {
        v.to_string()
    }
}

fn value(v: Option<&str>) -> String {
    v.map_or_else(|| "—".to_string(), |v| span(&truncate(v)))
}

fn changed(md: &mut String, diff: &Diff) {
    let list = &diff.identities.changed;
    let rows = list
        .iter()
        .flat_map(|c| c.fields.iter().map(move |f| (c, f)));
    let columns = ["identity", "field", "before", "after"];
    section(
        md,
        "Identities changed",
        list.len(),
        &columns,
        rows,
        |(c, f)| {
            vec![
                span(&c.id),
                span(&f.field),
                value(f.before.as_deref()),
                value(f.after.as_deref()),
            ]
        },
    );
}

fn level(l: Option<Level>) -> String {
    match l {
        None => "—".to_string(),
        Some(Level::Admin) => "**admin**".to_string(),
        Some(l) => l.to_string(),
    }
}

fn access(md: &mut String, title: &str, list: &[AccessChange]) {
    let columns = ["identity", "system", "criticality", "before", "after"];
    section(md, title, list.len(), &columns, list.iter(), |a| {
        let criticality = match a.criticality {
            None => "—".to_string(),
            Some(c) if c == crate::model::Criticality::Critical => format!("**{c}**"),
            Some(c) => c.to_string(),
        };
        vec![
            span(&a.identity),
            span(&a.system),
            criticality,
            level(a.before),
            level(a.after),
        ]
    });
}

fn blast(md: &mut String, diff: &Diff) {
    let list = &diff.blast_radius;
    let pair = |b: Option<Reach>, a: Option<Reach>, f: fn(&Reach) -> u64| {
        let side = |r: Option<Reach>| {
            r.as_ref()
                .map_or_else(|| "—".to_string(), |r| f(r).to_string())
        };
        if b.is_some() && b.map(|r| f(&r)) == a.map(|r| f(&r)) {
            side(a)
        } else {
            format!("{} → {}", side(b), side(a))
        }
    };
    let columns = ["identity", "systems", "critical", "score", "change"];
    section(md, "Blast radius", list.len(), &columns, list.iter(), |b| {
        let delta = b.score_delta();
        let change = match (b.before, b.after) {
            (None, _) => "new".to_string(),
            (_, None) => "removed".to_string(),
            _ if delta > 0 => format!("grows (+{delta})"),
            _ if delta < 0 => format!("shrinks ({delta})"),
            _ => "same score".to_string(),
        };
        let via = if b.indirect {
            " (through the graph)"
        } else {
            ""
        };
        vec![
            span(&b.identity),
            pair(b.before, b.after, |r| r.systems as u64),
            pair(b.before, b.after, |r| r.critical as u64),
            pair(b.before, b.after, |r| u64::from(r.score)),
            format!("{change}{via}"),
        ]
    });
}

fn findings(md: &mut String, title: &str, list: &[FindingRef], path: &dyn Fn(&str) -> String) {
    let columns = ["severity", "rule", "subject", "location", "message"];
    section(md, title, list.len(), &columns, list.iter(), |f| {
        let severity = match &f.waived_by {
            Some(w) => format!("waived ({})", span(w)),
            None => f.severity.as_str().to_string(),
        };
        let subject = if f.id.is_empty() {
            f.kind.to_string()
        } else {
            format!("{} {}", f.kind, span(&f.id))
        };
        vec![
            severity,
            format!("`{}`", f.rule),
            subject,
            format!("{}:{}", path(&f.file), f.line),
            message(&f.message),
        ]
    });
}
