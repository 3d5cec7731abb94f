//! Small facts about the text around a byte offset: lines, indentation, comments, and how a scalar is
//! written so that it reads back as the same value.

use super::tree::Style;
use crate::load::yaml::{resolve_plain, Value};

/// The offset of the start of the line holding `at`.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset just past the line break ending the line holding `at` (the text's end on the last line).
pub fn line_end(text: &str, at: usize) -> usize {
    text[at.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| at + i + 1)
}

/// The 1-based line number of `at`.
pub fn line_number(text: &str, at: usize) -> u32 {
    let n = text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// The column of `at` in characters from its line's start.
pub fn column(text: &str, at: usize) -> usize {
    text[line_start(text, at)..at].chars().count()
}

/// Whether only spaces stand between the line's start and `at`.
pub fn starts_line(text: &str, at: usize) -> bool {
    text[line_start(text, at)..at].bytes().all(|b| b == b' ')
}

/// Extends `start` (a line start) upwards over the comment lines directly above it indented by `indent`:
/// the comments that introduce what starts there.
pub fn with_comments_above(text: &str, mut start: usize, indent: usize) -> usize {
    while start > 0 {
        let prev = line_start(text, start - 1);
        let line = text[prev..start].trim_end_matches(['\n', '\r']);
        let body = line.trim_start_matches(' ');
        if body.starts_with('#') && line.len() - body.len() == indent {
            start = prev;
        } else {
            break;
        }
    }
    start
}

/// The line break the file uses.
pub fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// A scalar as written in YAML, in `style` where that reads back as the same string (plain only when it
/// cannot be taken for anything else), otherwise quoted.
pub fn render_str(s: &str, style: Style, flow: bool) -> String {
    let printable = !s.chars().any(|c| c.is_control());
    match style {
        Style::Plain if plain_ok(s, flow) => s.to_string(),
        Style::Plain | Style::Single if printable => format!("'{}'", s.replace('\'', "''")),
        _ => serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()),
    }
}

/// Whether `s` written plain reads back as the string `s`.
pub fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !matches!(resolve_plain(s), Value::Str(_)) || s.trim() != s {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-` starts plain text when a non-space follows (`-x`), but dates and ids never start with it.
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control())
    {
        return false;
    }
    !(flow && s.contains([',', '[', ']', '{', '}']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_when_it_reads_back_as_the_same_string() {
        assert!(plain_ok("2026-12-02", false));
        assert!(plain_ok("ken.ito", false));
        assert!(!plain_ok("yes: no", false));
        assert!(!plain_ok("true", false));
        assert!(!plain_ok("123", false));
        assert!(!plain_ok("a, b", true));
        assert!(plain_ok("a, b", false));
        assert!(!plain_ok("#x", false));
        assert_eq!(render_str("it's", Style::Plain, false), "it's");
        assert_eq!(render_str("a: b", Style::Plain, false), "'a: b'");
        assert_eq!(render_str("x", Style::Double, false), "\"x\"");
        assert_eq!(render_str("a\nb", Style::Single, false), "\"a\\nb\"");
    }

    #[test]
    fn comments_above_are_taken_at_the_same_indentation_only() {
        let text = "a: 1\n  # deeper\n# mine\n# also\nb: 2\n";
        let b = text.find("b:").unwrap();
        assert_eq!(
            with_comments_above(text, b, 0),
            text.find("# mine").unwrap()
        );
    }
}
