//! GitHub Actions workflow commands: one annotation per unwaived finding, most severe first, escaped as
//! GitHub's toolkit (`@actions/core`) escapes them, and the full table in the job summary.
//!
//! GitHub shows only 10 error and 10 warning annotations per step, so order matters; the step summary
//! (`$GITHUB_STEP_SUMMARY`) holds everything, waived findings included.

use std::io::{self, Write};

use super::{markdown, summary_line, titled, Context, Emitter};
use crate::finding::Finding;

pub struct Github;

impl Emitter for Github {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        for f in ordered_in(cx) {
            writeln!(out, "{}", command(cx, f))?;
        }
        writeln!(out, "nhi: {}", escape_data(&summary_line(&cx.outcome)))?;
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            file.write_all(markdown::summary(cx).as_bytes())?;
        }
        Ok(())
    }
}

/// Unwaived findings, errors first, then warnings, then notices; in file order within a severity.
pub fn ordered(findings: &[Finding]) -> Vec<&Finding> {
    let mut list: Vec<&Finding> = findings.iter().filter(|f| f.waived_by.is_none()).collect();
    list.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.sort_key().cmp(&b.sort_key()))
    });
    list
}

/// As [`ordered`], with the findings in files the pull request changed first (`--changed-from`): GitHub
/// shows only the first 10 errors and 10 warnings of a step, and those are the ones the author can act on.
pub fn ordered_in<'c>(cx: &'c Context<'_>) -> Vec<&'c Finding> {
    let mut list = ordered(cx.outcome.findings);
    if let Some(changed) = &cx.changed {
        list.sort_by_key(|f| !changed.contains(&cx.repo_path(&f.file)));
    }
    list
}

/// The workflow command for one finding: the message, then on a line of its own what fixes it.
pub fn command(cx: &Context<'_>, f: &Finding) -> String {
    format!(
        "::{} file={},line={},col={},title={}::{}",
        f.severity.as_str(),
        escape_property(&cx.repo_path(&f.file)),
        f.pos.line,
        f.pos.column,
        escape_property(f.rule.as_str()),
        escape_data(&format!(
            "{}
Fix: {}",
            titled(f),
            f.rule.rule().fix
        ))
    )
}

/// `%`, CR and LF, as `escapeData` does.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `escapeData` plus `:` and `,`, as `escapeProperty` does.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_toolkit() {
        assert_eq!(escape_data("50%\r\n::error::x"), "50%25%0D%0A::error::x");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("%0A"), "%250A");
    }
}
