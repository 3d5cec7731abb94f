//! The offboarding reports as Markdown checklists, for the offboarding ticket or the pull request body.

use std::fmt::Write;

use super::text::{code, readable, span};
use crate::offboard::{vendor, Affected, Report};

/// Renders a person's offboarding report.
pub fn render(r: &Report) -> String {
    let mut md = String::new();
    let p = &r.person;
    let _ = write!(md, "# Offboarding {}", code(&p.id));
    if let Some(name) = &p.name {
        let _ = write!(md, " ({})", readable(name));
    }
    md.push_str("\n\n");
    let status = match (p.active, p.left_on) {
        (true, _) => "still active in the registry".to_string(),
        (false, Some(d)) => format!("left on {d}"),
        (false, None) => "marked as left (no `left_on`)".to_string(),
    };
    let team = p
        .team
        .as_deref()
        .map(code)
        .unwrap_or_else(|| "no team".into());
    let _ = writeln!(md, "{} · {team} · as of {}\n", status, r.as_of);
    if p.active {
        let _ = writeln!(
            md,
            "- [ ] Record the departure and hand everything over: `nhi offboard {} --to TEAM`\n",
            p.id
        );
    }
    section(
        &mut md,
        "Identities that become orphaned: hand them to a staffed team",
        &r.orphaned,
    );
    section(
        &mut md,
        "Teams left with no active member",
        &r.unstaffed_teams,
    );
    section(
        &mut md,
        "Exceptions that stop being in force (approver gone): re-approve or fix",
        &r.exceptions,
    );
    if !r.rotate.is_empty() {
        let _ = writeln!(
            md,
            "## Static credentials they could have copied: rotate now ({})\n",
            r.rotate.len()
        );
        for c in &r.rotate {
            let stores = if c.kept.stores.is_empty() {
                "no store recorded".to_string()
            } else {
                c.kept
                    .stores
                    .iter()
                    .map(|s| code(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                md,
                "- [ ] {} ({}; kept in {stores}); runbook `nhi leak {}`; record `{}`",
                code(&c.id),
                c.fields.join(", "),
                c.id,
                c.record
            );
        }
        md.push('\n');
    }
    let _ = writeln!(
        md,
        "## Every place the registry names them ({})\n",
        r.references.len()
    );
    if r.references.is_empty() {
        md.push_str("Nowhere.\n");
    }
    for x in &r.references {
        let _ = writeln!(
            md,
            "- [ ] {} {} `{}` at {}",
            x.kind,
            code(&x.id),
            x.field,
            span(&x.at.to_string())
        );
    }
    md
}

fn section(md: &mut String, title: &str, items: &[Affected]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(md, "## {title} ({})\n", items.len());
    for a in items {
        let _ = writeln!(
            md,
            "- [ ] {}: {} ({}:{})",
            code(&a.id),
            readable(&a.why),
            code(&a.at.file),
            a.at.line
        );
    }
    md.push('\n');
}

/// Renders a vendor's offboarding report.
pub fn render_vendor(r: &vendor::Report) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Ending the contract with {}\n", readable(&r.vendor));
    let _ = writeln!(
        md,
        "It holds or issued {} identit{}, issued {} more through its systems, runs {} system(s), and could read {} other credential(s).\n",
        r.holds.len(),
        if r.holds.len() == 1 { "y" } else { "ies" },
        r.issued.len(),
        r.systems.len(),
        r.exposed.len()
    );
    md.push_str("## Steps, in order\n\n");
    for s in &r.steps {
        let _ = write!(md, "{}. [ ] {}: {}.", s.order, code(&s.id), s.action);
        if let Some(record) = &s.record {
            let _ = write!(md, " Record: `{record}`");
        }
        md.push('\n');
    }
    md
}
