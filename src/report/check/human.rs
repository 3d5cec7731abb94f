//! Human diagnostics: `severity[rule]: message`, the file, line and column, the source line, and the fix.

use std::collections::HashMap;
use std::io::{self, Write};

use super::{summary_line, Context, Emitter};
use crate::finding::{Finding, Severity};
use crate::report::text::terminal as clean;
use crate::secrets;

pub struct Human;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Notice => "1;36",
        };
        self.wrap(code, s.as_str())
    }
}

impl Emitter for Human {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        let paint = Paint(cx.color);
        let mut sources = Sources {
            root: cx.root,
            cache: HashMap::new(),
        };
        for f in cx.outcome.findings {
            finding(out, &paint, &mut sources, cx, f)?;
        }
        let verdict = if cx.outcome.fails(false) {
            paint.wrap("1;31", "gate: failed")
        } else {
            paint.wrap("1;32", "gate: passed")
        };
        writeln!(out, "{}\n{verdict}", summary_line(&cx.outcome))
    }
}

fn finding(
    out: &mut dyn Write,
    paint: &Paint,
    sources: &mut Sources<'_>,
    cx: &Context<'_>,
    f: &Finding,
) -> io::Result<()> {
    let waived = f
        .waived_by
        .as_ref()
        .map(|w| format!(" (waived by {w})"))
        .unwrap_or_default();
    // A waived finding does not fail the gate: say so before anything else on its line.
    let head = match f.waived_by {
        Some(_) => format!(
            "{} {}[{}]",
            paint.wrap("2", "waived"),
            f.severity.as_str(),
            f.rule
        ),
        None => format!("{}[{}]", paint.severity(f.severity), f.rule),
    };
    writeln!(
        out,
        "{head}: {}{}",
        clean(&f.message),
        paint.wrap("2", &waived)
    )?;
    let path = cx.root.join(&*f.file);
    writeln!(
        out,
        "  {} {}:{}:{}",
        paint.wrap("1;34", "-->"),
        clean(&path.display().to_string()),
        f.pos.line,
        f.pos.column
    )?;
    let line_no = f.pos.line.get();
    if let Some(line) = sources.line(&f.file, line_no) {
        let gutter = " ".repeat(line_no.to_string().len());
        let bar = paint.wrap("1;34", "|");
        writeln!(out, "{gutter} {bar}")?;
        if secrets::detect(&line).is_some() {
            writeln!(
                out,
                "{} {bar} {}",
                paint.wrap("1;34", &line_no.to_string()),
                paint.wrap("2", "(line hidden: it holds a secret value)")
            )?;
        } else {
            let column = usize::try_from(f.pos.column.get()).unwrap_or(1);
            let (line, column) = window(&line, column);
            let caret = caret_under(&line, column);
            writeln!(
                out,
                "{} {bar} {line}",
                paint.wrap("1;34", &line_no.to_string())
            )?;
            writeln!(out, "{gutter} {bar} {}", paint.wrap("1;31", &caret))?;
        }
    }
    let subject = if f.subject.id.is_empty() {
        f.subject.kind.to_string()
    } else {
        format!("{} {}", f.subject.kind, f.subject.id)
    };
    writeln!(out, "  = {}", clean(&subject))?;
    writeln!(out, "  = fix: {}", f.rule.rule().fix)?;
    writeln!(out)
}

/// Spaces up to `column` (1-based, in characters) and carets under the token that starts there.
/// Source lines longer than this are shown as a window around the column.
const MAX_SHOWN: usize = 120;

/// The part of a long `line` around `column`, with `…` where it was cut, and the column within it.
fn window(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_SHOWN {
        return (line.to_string(), column);
    }
    let at = column.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(MAX_SHOWN / 3);
    let end = (start + MAX_SHOWN).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, at - start + 1 + usize::from(start > 0))
}

fn caret_under(line: &str, column: usize) -> String {
    let chars: Vec<char> = line.chars().collect();
    let start = column.saturating_sub(1).min(chars.len());
    let pad: String = chars[..start]
        .iter()
        .map(|c| if *c == '\t' { '\t' } else { ' ' })
        .collect();
    let len = chars[start..]
        .iter()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ':' | ',' | ']' | '}' | '…'))
        .count()
        .clamp(1, MAX_SHOWN);
    format!("{pad}{}", "^".repeat(len))
}

/// Source lines, read once per file and only for files with findings.
struct Sources<'a> {
    root: &'a std::path::Path,
    cache: HashMap<String, Option<Vec<String>>>,
}

impl Sources<'_> {
    fn line(&mut self, file: &str, line: u32) -> Option<String> {
        let root = self.root;
        let lines = self.cache.entry(file.to_string()).or_insert_with(|| {
            // Only what the loader would read: inside the registry, and within the size limit.
            let path = root.join(file);
            let inside = root
                .canonicalize()
                .is_ok_and(|r| crate::load::resolves_inside(&r, &path));
            let small =
                std::fs::metadata(&path).is_ok_and(|m| m.len() <= crate::load::MAX_FILE_BYTES);
            if !inside || !small {
                return None;
            }
            let text = std::fs::read(path).ok()?;
            let text = String::from_utf8_lossy(&text);
            Some(
                text.lines()
                    .map(|l| clean(l.trim_start_matches('\u{feff}')))
                    .collect(),
            )
        });
        lines
            .as_ref()?
            .get(usize::try_from(line).ok()?.checked_sub(1)?)
            .cloned()
    }
}
