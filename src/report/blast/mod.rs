//! One blast radius (`nhi blast`), one file per format: for people (`text`), for tools (`json`) and for
//! Graphviz (`dot`).

mod dot;
mod json;
mod text;

use std::io::{self, Write};

use crate::graph::Blast;

/// The output formats of `nhi blast` and `nhi rank`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BlastFormat {
    /// A table for people.
    Text,
    /// The result as JSON.
    Json,
    /// The explaining paths as a Graphviz digraph.
    Dot,
}

/// Writes `blast` in `format`.
pub fn write_blast(blast: &Blast, format: BlastFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        BlastFormat::Text => text::write(blast, out),
        BlastFormat::Json => json::write(blast, out),
        BlastFormat::Dot => dot::write(blast, out),
    }
}
