//! A drift comparison (`nhi drift`): its own JSON document (`json`), or its findings through the emitters of
//! `check/` (human, GitHub, SARIF) with the export's notes first for people.

pub mod json;

use std::io::{self, Write};

use super::check::{document_or_findings, Context, Format};
use crate::drift::Drifted;
pub use json::{load, parse, DriftReport, Header, Item, ReportError, Summary, VERSION};

/// Writes a drift comparison in `format`: `drifted` as the JSON document, or the findings of `cx` (the same
/// findings with paths as the user can open them) through the emitter of `format`.
pub fn write(
    header: &Header<'_>,
    drifted: &[Drifted],
    format: Format,
    cx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = || DriftReport::new(header, drifted);
    document_or_findings(format, document, |out| notes(header, out), cx, out)
}

/// The export's notes, for people, before the findings.
fn notes(header: &Header<'_>, out: &mut dyn Write) -> io::Result<()> {
    for note in header.notes {
        writeln!(out, "note: {}", note.replace(|c: char| c.is_control(), " "))?;
    }
    Ok(())
}
