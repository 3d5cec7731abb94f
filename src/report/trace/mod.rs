//! A trace (`nhi trace`): its own JSON document (`json`), or its findings through the emitters of `check/`
//! (human, GitHub, SARIF), with the issuances per identity first for people.

pub mod json;

use std::io::{self, Write};

use super::check::{document_or_findings, Context, Format};
use super::text::plural;
use crate::drift::Drifted;
pub use json::{load, Header, ReportError, Subject, Summary, TraceReport, Traced, VERSION};

/// Writes a trace in `format`: the JSON document, or the findings of `cx` (the same findings with paths as
/// the user can open them) through the emitter of `format`.
pub fn write(
    header: &Header<'_>,
    drifted: &[Drifted],
    traced: &[Traced],
    format: Format,
    cx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = || TraceReport::new(header, drifted, traced);
    document_or_findings(format, document, |out| issued(header, traced, out), cx, out)
}

/// The issuances, in all and per identity, for people before the findings.
fn issued(header: &Header<'_>, traced: &[Traced], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}: {} issued, {} refused",
        plural(header.events, "event", "events"),
        plural(header.issuances, "credential", "credentials"),
        header.failed
    )?;
    let at = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
    for t in traced {
        writeln!(
            out,
            "issued: {} {}× ({} refused), {} to {}, {}",
            t.id,
            t.count,
            t.failed,
            at(t.first),
            at(t.last),
            plural(t.subjects.len(), "distinct subject", "distinct subjects")
        )?;
    }
    Ok(())
}
