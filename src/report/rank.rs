//! The blast-radius ranking (`nhi rank`): a table for people, or JSON.

use std::io::{self, Write};

use super::text::terminal as plain;
use crate::graph::Summary;

/// Writes the top of the ranking as a table, or as JSON when `json`.
pub fn write_ranking(summaries: &[Summary], json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, summaries)?;
        return writeln!(out);
    }
    let width = summaries
        .iter()
        .map(|s| s.identity.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    writeln!(
        out,
        "{:>4}  {:<width$}  {:>6}  {:>7}  {:>8}  {:>10}  highest",
        "rank", "identity", "score", "systems", "critical", "identities"
    )?;
    for (n, s) in summaries.iter().enumerate() {
        writeln!(
            out,
            "{:>4}  {:<width$}  {:>6}  {:>7}  {:>8}  {:>10}  {}",
            n + 1,
            plain(&s.identity),
            s.score,
            s.systems,
            s.critical,
            s.identities,
            s.highest.map_or("-", |c| c.as_str())
        )?;
    }
    Ok(())
}
