//! JUnit XML, the test report Jenkins (`junit`), GitLab (`artifacts:reports:junit`) and Azure DevOps
//! (`PublishTestResults`) all read: one failing test case per unwaived error, so a registry error shows up
//! where a team already looks for failed tests.
//!
//! Warnings and notices do not fail the gate and are not test cases; a clean registry gives one passing case
//! (`nhi.check` / `gate`), because Jenkins and Azure treat a report without test cases as a broken run. The
//! output holds no timestamp or duration: the same registry and day give the same bytes.

use std::io::{self, Write};

use super::{summary_line, Context, Emitter};
use crate::finding::{Finding, Severity};

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
            escape(&summary_line(&cx.outcome), false)
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
    let subject = if f.subject.id.is_empty() {
        String::new()
    } else {
        format!("{} {}: ", f.subject.kind, f.subject.id)
    };
    let message = format!("{subject}{}", f.message);
    format!(
        "    <testcase name=\"{}\" classname=\"nhi.{}\" file=\"{}\" line=\"{}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
        escape(&name, true),
        f.rule,
        escape(&path, true),
        f.pos.line,
        escape(&message, true),
        f.rule,
        escape(&format!("{place}: {message}"), false),
    )
}

/// XML 1.0 escaping. In attributes, tab, LF and CR are character references (a parser would otherwise turn
/// them into spaces); in text, CR is (a parser would otherwise turn CR LF into LF). Characters XML 1.0
/// cannot hold at all (other control characters, U+FFFE, U+FFFF) become U+FFFD.
pub fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping_keeps_line_breaks_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b>&\"c\"\r\n\t\u{1}", true),
            "a&lt;b&gt;&amp;&quot;c&quot;&#13;&#10;&#9;\u{fffd}"
        );
        assert_eq!(escape("\"x\"\r\n", false), "\"x\"&#13;\n");
    }
}
