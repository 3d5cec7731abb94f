//! `nhi trend`: the points of a registry's trend as JSON (the document the site's Trends page reads too),
//! CSV (one row per sample for a spreadsheet) or Markdown (a table for a report).

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::history::trend::{Point, Rate, Trend};

/// The formats of `nhi trend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TrendFormat {
    Json,
    Csv,
    Markdown,
}

/// The JSON document: `{"points": [{"date", "commit", "summary", "by_rule", "rates"}], "before_registry"}`.
pub fn document(trend: &Trend) -> Value {
    json!({
        "points": trend.points.iter().map(point).collect::<Vec<_>>(),
        "before_registry": trend.before_registry.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

fn point(p: &Point) -> Value {
    json!({
        "date": p.date.to_string(),
        "commit": p.commit,
        "summary": {
            "errors": p.counts.errors,
            "warnings": p.counts.warnings,
            "notices": p.counts.notices,
            "waived": p.counts.waived,
            "identities": p.identities,
        },
        "by_rule": p.by_rule,
        "rates": p.rates,
    })
}

/// The measures of a point, in column order, with their headings.
pub const COLUMNS: [&str; 11] = [
    "date",
    "commit",
    "errors",
    "warnings",
    "notices",
    "waived",
    "identities",
    "rotated_on_time",
    "reviewed_on_time",
    "owned_by_active_team",
    "exceptions_in_force",
];

fn share(r: &Rate) -> String {
    r.rate.map_or_else(String::new, |x| format!("{x}"))
}

fn cells(p: &Point) -> [String; 11] {
    let c = &p.counts;
    [
        p.date.to_string(),
        p.commit.clone(),
        c.errors.to_string(),
        c.warnings.to_string(),
        c.notices.to_string(),
        c.waived.to_string(),
        p.identities.to_string(),
        share(&p.rates.rotated_on_time),
        share(&p.rates.reviewed_on_time),
        share(&p.rates.owned_by_active_team),
        p.rates.exceptions_in_force.met.to_string(),
    ]
}

/// Writes the trend in `format`.
pub fn write(trend: &Trend, format: TrendFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        TrendFormat::Json => crate::report::pretty_json(out, &document(trend)),
        TrendFormat::Csv => {
            writeln!(out, "{}", COLUMNS.join(","))?;
            for p in &trend.points {
                // Every cell is a day, a hex hash or a number: nothing to quote.
                writeln!(out, "{}", cells(p).join(","))?;
            }
            Ok(())
        }
        TrendFormat::Markdown => {
            writeln!(out, "| {} |", COLUMNS.join(" | "))?;
            writeln!(out, "|{}", "---|".repeat(COLUMNS.len()))?;
            for p in &trend.points {
                let mut row = cells(p);
                row[1] = format!("`{}`", crate::history::short(&row[1]));
                writeln!(out, "| {} |", row.join(" | "))?;
            }
            if !trend.before_registry.is_empty() {
                let days: Vec<String> = trend
                    .before_registry
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                writeln!(out, "\nNo registry yet on {}.", days.join(", "))?;
            }
            Ok(())
        }
    }
}
