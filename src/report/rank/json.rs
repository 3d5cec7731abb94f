//! The ranking as JSON (`nhi rank --format json`): the summaries, serialized.

use std::io::{self, Write};

use crate::graph::Summary;

pub(super) fn write(summaries: &[Summary], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, summaries)?;
    writeln!(out)
}
