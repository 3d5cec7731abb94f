//! Azure Pipelines logging commands: one `##vso[task.logissue …]` per unwaived error or warning, written and
//! escaped exactly as Microsoft's task library (`azure-pipelines-task-lib`, `taskcommand.js`) writes them,
//! so that no registry value can end the command early or start another one.
//!
//! Azure has two issue levels, error and warning; notices are left to the closing count (an issue of either
//! level would mark the job as having issues). The agent reads a command anywhere in a line, so nothing else
//! printed here carries a registry value.

use std::io::{self, Write};

use super::github::ordered_in;
use super::{summary_line, titled, Context, Emitter};
use crate::finding::{Finding, Severity};

pub struct Azure;

impl Emitter for Azure {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        for f in ordered_in(cx) {
            if f.severity != Severity::Notice {
                writeln!(out, "{}", command(cx, f))?;
            }
        }
        writeln!(out, "nhi: {}", escape_data(&summary_line(&cx.outcome)))
    }
}

/// The logging command for one finding, properties in the order the task library's `logIssue` sets them
/// and each followed by `;`, as `TaskCommand.toString` writes them.
pub fn command(cx: &Context<'_>, f: &Finding) -> String {
    format!(
        "##vso[task.logissue type={};code={};sourcepath={};linenumber={};columnnumber={};]{}",
        f.severity.as_str(),
        escape_property(f.rule.as_str()),
        escape_property(&cx.repo_path(&f.file)),
        f.pos.line,
        f.pos.column,
        escape_data(&titled(f))
    )
}

/// `escapedata`: `%` first (as `%AZP25`), then CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `escape`: `escapedata` plus `]` (which would end the properties) and `;` (which would start another).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(']', "%5D").replace(';', "%3B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_task_library() {
        assert_eq!(escape_data("50%\r\n##vso[x]"), "50%AZP25%0D%0A##vso[x]");
        assert_eq!(escape_property("a;b]c%\n"), "a%3Bb%5Dc%AZP25%0A");
        assert_eq!(escape_data("%0A"), "%AZP250A");
    }
}
