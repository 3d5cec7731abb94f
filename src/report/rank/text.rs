//! The ranking as a table for people (`nhi rank`): rank, identity, score and what it reaches.

use std::io::{self, Write};

use crate::graph::Summary;
use crate::report::text::{column_width, terminal as plain};

pub(super) fn write(summaries: &[Summary], out: &mut dyn Write) -> io::Result<()> {
    let width = column_width(summaries.iter().map(|s| s.identity.as_str()), 8);
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
