//! The ranking as JSON (`nhi rank --format json`): the summaries, serialized.

use std::io::{self, Write};

use crate::graph::Summary;

pub(super) fn write(summaries: &[Summary], out: &mut dyn Write) -> io::Result<()> {
    crate::report::pretty_json(out, summaries)
}
