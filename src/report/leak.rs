//! The runbook as Markdown: something to paste into the incident channel or ticket and work down.
//!
//! Registry values are escaped (they cannot open links, tags or mentions); ids and commands are code spans.

use std::fmt::Write;

use super::text::{code, prose, readable, span};
use crate::leak::{Contact, Runbook};

/// How many reached systems and exposed identities the tables show before summarising the rest.
pub const MAX_ROWS: usize = 25;

/// Renders `r`.
pub fn render(r: &Runbook) -> String {
    let mut md = String::new();
    let i = &r.identity;
    let _ = writeln!(md, "# If {} leaks\n", code(&i.id));
    let mut facts = Vec::new();
    if let Some(name) = &i.name {
        facts.push(prose(name));
    }
    for (label, value) in [
        ("type", i.kind.map(|k| k.to_string())),
        ("environment", i.environment.map(|e| e.to_string())),
        ("credential", i.credential.map(|c| c.to_string())),
        ("issued by", i.system_of_record.clone()),
        ("external id", i.external_id.clone()),
        ("vendor", i.vendor.clone()),
        ("rotated or created", i.last_rotated.map(|d| d.to_string())),
    ] {
        if let Some(v) = value {
            facts.push(format!("{label} {}", span(&v)));
        }
    }
    facts.push(format!("declared in {}", span(&i.at.to_string())));
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
        parts.push(prose(n));
    }
    for v in [&c.email, &c.slack, &c.github].into_iter().flatten() {
        parts.push(prose(v));
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
            prose(&s.explained)
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
        list(&r.kept.stores),
        list(&r.kept.consumers)
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
            readable(&s.action),
            readable(&s.detail)
        );
        if let Some(record) = &s.record {
            let _ = write!(md, " Record: {}", span(record));
        }
        md.push('\n');
    }
}
