//! JUnit XML, the test report Jenkins (`junit`), GitLab (`artifacts:reports:junit`) and Azure DevOps
//! (`PublishTestResults`) all read: one failing test case per unwaived error, so a registry error shows up
//! where a team already looks for failed tests.
//!
//! Warnings and notices do not fail the gate and are not test cases; a clean registry gives one passing case
//! (`nhi.check` / `gate`), because Jenkins and Azure treat a report without test cases as a broken run. The
//! output holds no timestamp or duration: the same registry and day give the same bytes.

use std::io::{self, Write};

use super::{summary_line, titled, Context, Emitter};
use crate::finding::{Finding, Severity};
use crate::report::text::xml as escape;

pub struct Junit;

impl Emitter for Junit {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(document(cx).as_bytes())
    }
}

/// The XML document.
pub fn document(cx: &Context<'_>) -> String {
    let failing: Vec<&Finding> = cx
        .outcome
        .findings
        .iter()
        .filter(|f| f.waived_by.is_none() && f.severity == Severity::Error)
        .collect();
    let tests = failing.len().max(1);
    let counts = format!(
        "tests=\"{tests}\" failures=\"{}\" errors=\"0\" skipped=\"0\"",
        failing.len()
    );
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml += &format!("<testsuites name=\"nhi check\" {counts}>\n");
    xml += &format!("  <testsuite name=\"nhi check\" {counts}>\n");
    xml += &format!(
        "    <properties>\n      <property name=\"as_of\" value=\"{}\"/>\n    </properties>\n",
        cx.outcome.as_of
    );
    if failing.is_empty() {
        xml += &format!(
            "    <testcase name=\"gate\" classname=\"nhi.check\">\n      <system-out>{}</system-out>\n    </testcase>\n",
            escape(&summary_line(&cx.outcome))
        );
    }
    for f in failing {
        xml += &case(cx, f);
    }
    xml += "  </testsuite>\n</testsuites>\n";
    xml
}

/// One failing test case: the rule as the class (Jenkins groups by it), the subject and place as the name.
fn case(cx: &Context<'_>, f: &Finding) -> String {
    let path = cx.repo_path(&f.file);
    let place = format!("{path}:{}:{}", f.pos.line, f.pos.column);
    let name = if f.subject.id.is_empty() {
        place.clone()
    } else {
        format!("{} {} ({place})", f.subject.kind, f.subject.id)
    };
    let message = titled(f);
    format!(
        "    <testcase name=\"{}\" classname=\"nhi.{}\" file=\"{}\" line=\"{}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
        escape(&name),
        f.rule,
        escape(&path),
        f.pos.line,
        escape(&message),
        f.rule,
        escape(&format!("{place}: {message}")),
    )
}
