//! The blast-radius ranking (`nhi rank`), one file per format: a table for people (`text`), or JSON.

mod json;
mod text;

use std::io::{self, Write};

use crate::graph::Summary;

/// Writes the top of the ranking as a table, or as JSON when `json`.
pub fn write_ranking(summaries: &[Summary], json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        json::write(summaries, out)
    } else {
        text::write(summaries, out)
    }
}
