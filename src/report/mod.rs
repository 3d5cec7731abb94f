//! Every output of every command: one folder (or file) per subject, one file per format.
//!
//! `check/` writes findings (human, GitHub, JSON, SARIF, the Markdown job summary) behind one trait, for
//! `nhi check` and `nhi drift`; `blast`, `rank`, `graph`, `diff/`, `drift/`, `due/`, `trace/`, `rules`,
//! `leak` (the incident runbook) and `offboard` (the checklists) write what their commands compute; `text`
//! makes registry text safe for terminals and Markdown and holds the wording helpers they share. Nothing
//! else in the library prints.

use std::io::{self, Write};

use serde::Serialize;

pub mod blast;
pub mod check;
pub mod diff;
pub mod drift;
pub mod due;
pub mod graph;
pub mod leak;
pub mod offboard;
pub mod rank;
pub mod rules;
pub mod saved;
pub mod text;
pub mod trace;
pub mod trend;

pub use check::{
    emitter, github, human, json, markdown, sarif, summary_line, Context, Emitter, Format,
};

/// A JSON document as every `--format json` output writes it: pretty-printed, then a line break.
pub fn pretty_json(out: &mut dyn Write, document: &(impl Serialize + ?Sized)) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, document)?;
    writeln!(out)
}
