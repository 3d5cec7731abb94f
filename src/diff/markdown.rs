//! The diff as Markdown for a pull-request comment or a job summary: the headline first, then one table per
//! section, empty sections left out. Every registry value is escaped for Markdown and the HTML GitHub renders
//! inside it; tables are capped so a comment stays under GitHub's size limit.

use std::fmt::Write;

use super::blast::Reach;
use super::{headline, AccessChange, Diff, FindingRef, IdentityRef};
use crate::model::Level;

/// Rows per table; the rest is counted, and `--format json` has everything.
const MAX_ROWS: usize = 100;
/// Characters of a field value shown before it is cut.
const MAX_VALUE: usize = 200;

/// Renders `diff`; `repo_prefix` turns registry paths into repository paths (see `git::prefix_of`).
pub fn render(diff: &Diff, repo_prefix: &str) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## nhi diff against {}\n", code(&diff.base));
    let _ = writeln!(md, "**{}**\n", headline::headline(diff, &code));
    let commit = diff
        .base_commit
        .as_deref()
        .map(|c| format!(" ({})", code(&c[..c.len().min(12)])))
        .unwrap_or_default();
    let _ = writeln!(
        md,
        "Base {}{commit} → working tree · as of {}\n",
        code(&diff.base),
        diff.as_of
    );
    if !diff.base_exists {
        md.push_str("The base revision has no registry: everything is new.\n\n");
    }
    let path = |file: &str| code(&format!("{repo_prefix}{file}"));
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

/// An inline code span for an id or a path: backticks cannot close it early, lines cannot break the table.
pub fn code(s: &str) -> String {
    let inner: String = s
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .map(|c| match c {
            '`' => '\'',
            '\n' => ' ',
            c => c,
        })
        .collect::<String>()
        .replace('|', "\\|");
    format!("`{inner}`")
}

fn heading(md: &mut String, title: &str, n: usize) {
    let _ = writeln!(md, "### {title} ({n})\n");
}

fn more(md: &mut String, n: usize) {
    if n > MAX_ROWS {
        let _ = writeln!(
            md,
            "\n…and {} more (`nhi diff --format json` lists everything).",
            n - MAX_ROWS
        );
    }
    md.push('\n');
}

/// Prose (a finding's message) in a table cell: HTML and Markdown punctuation escaped, so a value cannot
/// become a link, an image, emphasis or a tag, and no `@handle` in it notifies anyone.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{2060}"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A finding's message: its `quoted` parts (ids, fields, values) as code spans, the rest as prose.
pub fn message(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { text(part) })
        .collect()
}

fn opt(value: Option<&str>) -> String {
    value.map_or_else(|| "—".to_string(), code)
}

fn identities(md: &mut String, title: &str, list: &[IdentityRef], path: &dyn Fn(&str) -> String) {
    if list.is_empty() {
        return;
    }
    heading(md, title, list.len());
    md.push_str("| identity | type | owner | environment | status | purpose | file |\n|---|---|---|---|---|---|---|\n");
    for i in list.iter().take(MAX_ROWS) {
        let owner = i.owner.as_deref().map_or_else(|| "—".to_string(), code);
        let _ = writeln!(
            md,
            "| {} | {} | {owner} | {} | {} | {} | {} |",
            code(&i.id),
            opt(i.kind.as_deref()),
            opt(i.environment.as_deref()),
            opt(i.status.as_deref()),
            i.purpose
                .as_deref()
                .map_or_else(|| "—".to_string(), |p| text(&truncate(p))),
            path(&i.file)
        );
    }
    more(md, list.len());
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
    v.map_or_else(|| "—".to_string(), |v| code(&truncate(v)))
}

fn changed(md: &mut String, diff: &Diff) {
    let list = &diff.identities.changed;
    if list.is_empty() {
        return;
    }
    heading(md, "Identities changed", list.len());
    md.push_str("| identity | field | before | after |\n|---|---|---|---|\n");
    let rows = list
        .iter()
        .flat_map(|c| c.fields.iter().map(move |f| (c, f)));
    let total = rows.clone().count();
    for (c, f) in rows.take(MAX_ROWS) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            code(&c.id),
            code(&f.field),
            value(f.before.as_deref()),
            value(f.after.as_deref())
        );
    }
    more(md, total);
}

fn level(l: Option<Level>) -> String {
    match l {
        None => "—".to_string(),
        Some(Level::Admin) => "**admin**".to_string(),
        Some(l) => l.to_string(),
    }
}

fn access(md: &mut String, title: &str, list: &[AccessChange]) {
    if list.is_empty() {
        return;
    }
    heading(md, title, list.len());
    md.push_str("| identity | system | criticality | before | after |\n|---|---|---|---|---|\n");
    for a in list.iter().take(MAX_ROWS) {
        let criticality = match a.criticality {
            None => "—".to_string(),
            Some(c) if c == crate::model::Criticality::Critical => format!("**{c}**"),
            Some(c) => c.to_string(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {criticality} | {} | {} |",
            code(&a.identity),
            code(&a.system),
            level(a.before),
            level(a.after)
        );
    }
    more(md, list.len());
}

fn blast(md: &mut String, diff: &Diff) {
    let list = &diff.blast_radius;
    if list.is_empty() {
        return;
    }
    heading(md, "Blast radius", list.len());
    md.push_str("| identity | systems | critical | score | change |\n|---|---|---|---|---|\n");
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
    for b in list.iter().take(MAX_ROWS) {
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
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {change}{via} |",
            code(&b.identity),
            pair(b.before, b.after, |r| r.systems as u64),
            pair(b.before, b.after, |r| r.critical as u64),
            pair(b.before, b.after, |r| u64::from(r.score)),
        );
    }
    more(md, list.len());
}

fn findings(md: &mut String, title: &str, list: &[FindingRef], path: &dyn Fn(&str) -> String) {
    if list.is_empty() {
        return;
    }
    heading(md, title, list.len());
    md.push_str("| severity | rule | subject | location | message |\n|---|---|---|---|---|\n");
    for f in list.iter().take(MAX_ROWS) {
        let severity = match &f.waived_by {
            Some(w) => format!("waived ({})", code(w)),
            None => f.severity.as_str().to_string(),
        };
        let subject = if f.id.is_empty() {
            f.kind.to_string()
        } else {
            format!("{} {}", f.kind, code(&f.id))
        };
        let _ = writeln!(
            md,
            "| {severity} | `{}` | {subject} | {}:{} | {} |",
            f.rule,
            path(&f.file),
            f.line,
            message(&f.message)
        );
    }
    more(md, list.len());
}
