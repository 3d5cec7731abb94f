//! The runbook as Markdown: something to paste into the incident channel or ticket and work down.
//!
//! Registry values are escaped (they cannot open links, tags or mentions); ids and commands are code spans.

use std::fmt::Write;

use super::{Contact, Runbook};
use crate::report::markdown::code;

/// How many reached systems and exposed identities the tables show before summarising the rest.
pub const MAX_ROWS: usize = 25;

/// Renders `r`.
pub fn render(r: &Runbook) -> String {
    let mut md = String::new();
    let i = &r.identity;
    let _ = writeln!(md, "# If {} leaks\n", code(&i.id));
    let mut facts = Vec::new();
    if let Some(name) = &i.name {
        facts.push(text(name));
    }
    for (label, value) in [
        ("type", &i.kind),
        ("environment", &i.environment),
        ("credential", &i.credential),
        ("issued by", &i.system_of_record),
        ("external id", &i.external_id),
        ("vendor", &i.vendor),
        ("rotated or created", &i.last_rotated),
    ] {
        if let Some(v) = value {
            facts.push(format!("{label} {}", code_span(v)));
        }
    }
    facts.push(format!(
        "declared in {}",
        code_span(&format!("{}:{}", i.file, i.line))
    ));
    let _ = writeln!(md, "{}\n", facts.join(" · "));
    if r.blast.revoked {
        md.push_str("The identity is decommissioned and its credential revoked: it reaches nothing. Check that the revocation holds in the issuing system.\n\n");
    }
    who_to_call(&mut md, r);
    reaches(&mut md, r);
    kept(&mut md, r);
    steps(&mut md, r);
    md
}

fn contact_line(c: &Contact) -> String {
    let mut parts = vec![code(&c.id)];
    if let Some(n) = &c.name {
        parts.push(text(n));
    }
    for v in [&c.email, &c.slack, &c.github].into_iter().flatten() {
        parts.push(text(v));
    }
    let mut line = parts.join(" · ");
    if c.kind == "unknown" {
        line.push_str(" (not in the registry)");
    } else if !c.active {
        line.push_str(" (has left)");
    }
    line
}

fn who_to_call(md: &mut String, r: &Runbook) {
    md.push_str("## Who to call\n\n");
    match &r.owner {
        Some(o) => {
            let _ = writeln!(md, "- Owner: {}", contact_line(o));
            if let Some(lead) = &o.lead {
                let _ = writeln!(md, "- Team lead: {}", contact_line(lead));
            }
        }
        None => md.push_str("- Owner: none recorded. Whoever runs the issuing system decides.\n"),
    }
    if let Some(c) = &r.contact {
        let _ = writeln!(md, "- Technical contact: {}", contact_line(c));
    }
    md.push('\n');
}

fn reaches(md: &mut String, r: &Runbook) {
    let b = &r.blast;
    let _ = writeln!(
        md,
        "## What it reaches\n\nScore {}: {} system(s), {} critical; {} other identit{} exposed.\n",
        b.score,
        b.systems.len(),
        b.critical(),
        b.identities.len(),
        if b.identities.len() == 1 { "y" } else { "ies" }
    );
    if b.systems.is_empty() {
        return;
    }
    md.push_str("| system | criticality | level | path |\n|---|---|---|---|\n");
    for s in b.systems.iter().take(MAX_ROWS) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            code(&s.id),
            s.criticality.map_or("—", |c| c.as_str()),
            s.level,
            text(&s.explained)
        );
    }
    more(md, b.systems.len(), &r.identity.id);
    md.push('\n');
}

fn more(md: &mut String, n: usize, id: &str) {
    if n > MAX_ROWS {
        let _ = writeln!(
            md,
            "\n…and {} more (`nhi leak {id} --format json` lists everything).",
            n - MAX_ROWS
        );
    }
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        return "none recorded".to_string();
    }
    ids.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ")
}

fn kept(md: &mut String, r: &Runbook) {
    let _ = writeln!(
        md,
        "## Where the secret is\n\n- Kept in: {}\n- Consumers that need the new one: {}",
        list(&r.stores),
        list(&r.consumers)
    );
    if !r.exposed.is_empty() {
        let shown: Vec<String> = r.exposed.iter().take(MAX_ROWS).cloned().collect();
        let _ = write!(md, "- Exposed with it, to rotate too: {}", list(&shown));
        if r.exposed.len() > MAX_ROWS {
            let _ = write!(md, " and {} more", r.exposed.len() - MAX_ROWS);
        }
        md.push('\n');
    }
    md.push('\n');
}

fn steps(md: &mut String, r: &Runbook) {
    let _ = writeln!(md, "## Steps ({})\n", r.playbook);
    for s in &r.steps {
        let _ = write!(
            md,
            "{}. [ ] **{}**: {}",
            s.order,
            prose(&s.action),
            prose(&s.detail)
        );
        if let Some(record) = &s.record {
            let _ = write!(md, " Record: {}", code_span(record));
        }
        md.push('\n');
    }
}

/// Registry text or runbook prose, readable as it is in a terminal and safe where Markdown is rendered:
/// no tag, link, image, emphasis, table cell break or `@mention` can start in it; `quoted` parts become code
/// spans.
pub fn prose(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(n, part)| {
            if n % 2 == 1 {
                code_span(part)
            } else {
                text(part)
            }
        })
        .collect()
}

fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{2060}"),
            '\\' | '*' | '_' | '[' | ']' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A command as a code span (commands may hold quotes, never a backtick).
pub fn code_span(s: &str) -> String {
    let inner: String = s
        .chars()
        .map(|c| match c {
            '`' => '\'',
            '|' => '/',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("`{inner}`")
}
