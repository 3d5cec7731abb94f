//! Findings in every format: one emitter per file behind one trait, chosen by [`Format`]. `nhi check` and
//! `nhi drift` both write through it.

pub mod azure;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;

use jiff::civil::Date;

use super::text::plural;
use crate::finding::{Counts, Finding};
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
    /// GitLab Code Quality JSON (`artifacts:reports:codequality`).
    Gitlab,
    /// JUnit XML for Jenkins, GitLab and Azure DevOps test reports: a failing test case per error.
    Junit,
    /// Azure Pipelines logging commands (`##vso[task.logissue …]`).
    Azure,
}

/// The findings to write, in output order, and what the summary says about them.
#[derive(Clone, Copy, Debug)]
pub struct Outcome<'a> {
    pub findings: &'a [Finding],
    /// The day the rules were evaluated as of.
    pub as_of: Date,
    /// How many identities the registry holds.
    pub identities: usize,
}

impl<'a> From<&'a Checked> for Outcome<'a> {
    fn from(checked: &'a Checked) -> Outcome<'a> {
        Outcome {
            findings: &checked.findings,
            as_of: checked.as_of,
            identities: checked.registry.identities.len(),
        }
    }
}

impl Outcome<'_> {
    pub fn counts(&self) -> Counts {
        Counts::of(self.findings)
    }

    /// Whether the gate fails: an unwaived error remains (or a warning, with `deny_warnings`).
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.findings.iter().any(|f| f.fails(deny_warnings))
    }
}

/// What every emitter gets.
pub struct Context<'a> {
    pub outcome: Outcome<'a>,
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
        Format::Gitlab => Box::new(gitlab::Gitlab),
        Format::Junit => Box::new(junit::Junit),
        Format::Azure => Box::new(azure::Azure),
    }
}

/// A comparison with a JSON document of its own (`nhi drift`, `nhi trace`) written in `format`: that
/// `document`, or the findings of `cx` through the emitter of `format`, after what `preface` writes for
/// people (in the human format only).
pub fn document_or_findings<D: serde::Serialize>(
    format: Format,
    document: impl FnOnce() -> D,
    preface: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    cx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == Format::Json {
        return super::pretty_json(out, &document());
    }
    if format == Format::Human {
        preface(out)?;
    }
    emitter(format).emit(cx, out)
}

/// A finding's message led by its subject (`Identity x: …`), as annotations and reports show it.
pub fn titled(f: &Finding) -> String {
    if f.subject.id.is_empty() {
        f.message.clone()
    } else {
        format!("{} {}: {}", f.subject.kind, f.subject.id, f.message)
    }
}

/// A one-line count of findings, for the end of human and GitHub output.
pub fn summary_line(outcome: &Outcome<'_>) -> String {
    let c = outcome.counts();
    format!(
        "{}, {}, {}, {} waived in {} · as of {}",
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
        plural(c.notices, "notice", "notices"),
        c.waived,
        plural(outcome.identities, "identity", "identities"),
        outcome.as_of
    )
}
