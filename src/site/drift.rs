//! Drift reports on the site (`nhi build --drift FILE`): the Drift page, each identity's drift items, and
//! the dashboard's count. A report is what `nhi drift --format json` wrote; its values are as hostile as the
//! registry's, so they go in as data and the templates escape them. Only the export's file name is shown,
//! never the path it was read from.

use std::path::Path;

use anyhow::{anyhow, Result};
use serde_json::{json, Value};

use super::index::Site;
use crate::drift::Origin;
use crate::report::drift::{self as report, DriftReport, Item};
use crate::report::saved::{self, file_name};

/// Loads every report, in a fixed order (source, export file name, day, then the order given); the first
/// one that cannot be read stops the build before anything is written.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Vec<DriftReport>> {
    // The error's own sentence names the file and the cause; its source would repeat the cause.
    saved::load_all(paths, report::load, |r| (&r.source, &r.export, r.as_of))
        .map_err(|e| anyhow!("{e}"))
}

/// Items in a stable order: rule, id, field, external id, where.
fn sorted<'a>(items: impl Iterator<Item = &'a Item>) -> Vec<&'a Item> {
    let mut items: Vec<&Item> = items.collect();
    items.sort_by(|a, b| {
        (&a.rule, &a.id, &a.field, &a.external_id, &a.file, a.line).cmp(&(
            &b.rule,
            &b.id,
            &b.field,
            &b.external_id,
            &b.file,
            b.line,
        ))
    });
    items
}

fn item(site: &Site<'_>, report: &DriftReport, i: &Item, root: &str) -> Value {
    let subject = match i.origin {
        Origin::Registry => site.identity_link(&i.id, root),
        Origin::Export => Site::link(&i.id, None),
    };
    json!({
        "rule": Site::link(&i.rule, site.rule_href(&i.rule, root)),
        "severity": i.severity.as_str(),
        "waived_by": i.waived_by.as_deref().map(|w| Site::link(w, site.exception_href(w, root))),
        "id": subject,
        "external_id": i.external_id,
        "where": format!("{}:{}", file_name(&i.file), i.line),
        "field": i.field,
        "registry": i.registry,
        "export": i.export,
        "message": i.message,
        "source": report.source,
        "export_file": file_name(&report.export),
        "as_of": report.as_of.to_string(),
    })
}

/// The Drift page.
pub fn page(site: &Site<'_>, root: &str) -> Value {
    let reports: Vec<Value> = site
        .drift
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let rows = |rule: &str| -> Vec<Value> {
                sorted(r.findings.iter().filter(|f| f.rule == rule))
                    .into_iter()
                    .map(|i| item(site, r, i, root))
                    .collect()
            };
            json!({
                "anchor": format!("report-{}", n + 1),
                "source": r.source,
                "export": file_name(&r.export),
                "as_of": r.as_of.to_string(),
                "summary": r.summary,
                "undeclared": rows("undeclared"),
                "stale": rows("stale"),
                "drift": rows("drift"),
                "leaks": rows("secret-in-code"),
                "notes": r.notes,
            })
        })
        .collect();
    json!({"root": root, "title": "Drift", "reports": reports, "totals": totals(site)})
}

/// The drift items of the registry identity `id`, from every report.
pub fn of_identity(site: &Site<'_>, id: &str, root: &str) -> Vec<Value> {
    site.drift
        .iter()
        .flat_map(|r| {
            sorted(r.for_identity(id))
                .into_iter()
                .map(move |i| item(site, r, i, root))
        })
        .collect()
}

/// Counts over every report, for the dashboard; `null` when no report was given.
pub fn totals(site: &Site<'_>) -> Value {
    if site.drift.is_empty() {
        return Value::Null;
    }
    let sum = |f: fn(&DriftReport) -> usize| site.drift.iter().map(f).sum::<usize>();
    json!({
        "reports": site.drift.len(),
        "findings": sum(|r| r.findings.len()),
        "undeclared": sum(|r| r.summary.undeclared),
        "stale": sum(|r| r.summary.stale),
        "drift": sum(|r| r.summary.drift),
        "open": sum(|r| r.findings.iter().filter(|f| f.waived_by.is_none()).count()),
    })
}
