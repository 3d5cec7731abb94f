//! Output formats for findings: one emitter per file behind one trait, chosen by [`Format`].

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;

use crate::Checked;

/// The output formats of `nhi check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with the source line, for people at a terminal.
    Human,
    /// GitHub Actions workflow commands (annotations) and a job summary.
    Github,
    /// The stable JSON document of the specification.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

/// What every emitter gets.
pub struct Context<'a> {
    pub checked: &'a Checked,
    /// The registry root as the user named it (for paths people can click).
    pub root: &'a Path,
    /// The registry's path inside its git work tree, `/`-terminated, or empty at the top.
    pub repo_prefix: String,
    /// Whether to colour the human output.
    pub color: bool,
    /// Files a pull request changed, relative to the top of the work tree (`--changed-from`): their
    /// findings are annotated first.
    pub changed: Option<BTreeSet<String>>,
}

impl Context<'_> {
    /// A registry-relative file as the repository sees it (what GitHub resolves).
    pub fn repo_path(&self, file: &str) -> String {
        format!("{}{file}", self.repo_prefix)
    }
}

/// One output format.
pub trait Emitter {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()>;
}

/// The emitter for `format`.
pub fn emitter(format: Format) -> Box<dyn Emitter> {
    match format {
        Format::Human => Box::new(human::Human),
        Format::Github => Box::new(github::Github),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif),
    }
}

/// A one-line count of findings, for the end of human and GitHub output.
pub fn summary_line(checked: &Checked) -> String {
    let c = checked.counts();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}, {}, {} waived in {} · as of {}",
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.notices, "notice"),
        c.waived,
        plural(checked.registry.identities.len(), "identity").replace("identitys", "identities"),
        checked.as_of
    )
}
