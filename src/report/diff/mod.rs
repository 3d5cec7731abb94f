//! What a change does to the registry (`nhi diff`): Markdown for a pull-request comment, or JSON for tools.

pub mod markdown;

use std::io::{self, Write};

use crate::diff::Diff;

/// The output formats of `nhi diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// For a pull-request comment or `$GITHUB_STEP_SUMMARY`
    Markdown,
    /// Everything, for tools
    Json,
}

/// Writes `diff` in `format`; `repo_prefix` turns registry paths into repository paths.
pub fn write(
    diff: &Diff,
    repo_prefix: &str,
    format: DiffFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        DiffFormat::Markdown => out.write_all(markdown::render(diff, repo_prefix).as_bytes()),
        DiffFormat::Json => crate::report::pretty_json(out, diff),
    }
}
