//! Registry text made safe for each kind of output, and the small wording helpers every output shares.
//!
//! Everything from the registry is hostile: a value must not move the cursor or recolour a terminal, nor
//! become a link, an image, a tag, a table break or an `@mention` in Markdown, nor end an XML element.

use std::fmt::Display;

/// `1 identity`, `2 identities`.
pub fn plural<N: Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    if n == N::from(1) {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The width of a table column holding `cells`: the longest, in characters, and at least `at_least`.
pub fn column_width<'a>(cells: impl Iterator<Item = &'a str>, at_least: usize) -> usize {
    cells
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .max(at_least)
}

/// Text for a terminal: control characters (escape sequences, carriage returns) shown escaped, tabs kept.
pub fn terminal(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A value in a Markdown table cell that GitHub also reads as HTML: entities for `<`, `>` and `&`, a
/// backslash before every other ASCII punctuation character (so no link, image, emphasis, code span,
/// autolink or cell break can start), a word joiner after `@` (a backslash does not stop GitHub's mentions,
/// which are found in the rendered text), line breaks as spaces, other control characters dropped.
pub fn cell(s: &str) -> String {
    markdown(
        s,
        |c| c.is_ascii_punctuation(),
        |c| matches!(c, '\r' | '\n').then_some(' '),
    )
}

/// An id as a code span when it is well formed (nothing in it can end the span or the cell), else escaped
/// as a [`cell`]: a malformed id comes straight from the registry.
pub fn code(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if plain {
        format!("`{id}`")
    } else {
        cell(id)
    }
}

/// Any text (a path, a value, a revision) as an inline code span: backticks cannot close it early, lines
/// cannot break the table.
pub fn span(s: &str) -> String {
    let inner: String = s
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .map(|c| match c {
            '`' => '\'',
            '\n' => ' ',
            c => c,
        })
        .collect::<String>()
        .replace('|', "\\|");
    format!("`{inner}`")
}

/// A finding's message in Markdown: its `quoted` parts (ids, fields, commands) as code spans, the rest as
/// a [`cell`]. A quoted part that holds what a renderer might still read as markup (`<`, `[`, `(`, `|`, a
/// backslash…: registry values can), or an unpaired backtick, is escaped as text with its backticks.
pub fn message(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let paired = parts.len() % 2 == 1;
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let quoted = i % 2 == 1;
            let closed = paired || i + 1 < parts.len();
            match (quoted, closed) {
                (true, true) if plain_code(part) => format!("`{part}`"),
                (true, true) => cell(&format!("`{part}`")),
                (true, false) => cell(&format!("`{part}")),
                (false, _) => cell(part),
            }
        })
        .collect()
}

/// Any text as a code span when it is [`plain_code`], else escaped as a [`cell`].
pub fn quoted(s: &str) -> String {
    if plain_code(s) {
        format!("`{s}`")
    } else {
        cell(s)
    }
}

/// Whether a quoted part can be a code span as it is: not empty, and nothing a Markdown or HTML reader (or
/// GitHub's table parser) could act on.
fn plain_code(s: &str) -> bool {
    !s.trim().is_empty()
        && !s.chars().any(|c| {
            c.is_control()
                || matches!(
                    c,
                    '<' | '>' | '&' | '[' | ']' | '(' | ')' | '|' | '\\' | '!'
                )
        })
}

/// Prose meant to be read as it is too (runbooks, checklists) and safe where Markdown is rendered: only what
/// could open a tag, link, image, emphasis, code span, strike-through or table cell is escaped, a word joiner
/// follows `@`, control characters become spaces.
pub fn prose(s: &str) -> String {
    let opens = |c| matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~');
    markdown(s, opens, |_| Some(' '))
}

/// Text made safe for rendered Markdown: entities for `<`, `>` and `&`, a word joiner after `@`, a
/// backslash before the punctuation `escaped` picks, and a control character as `control` has it (dropped
/// when `None`).
fn markdown(
    s: &str,
    escaped: impl Fn(char) -> bool,
    control: impl Fn(char) -> Option<char>,
) -> String {
    escape(s, |out, c| match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '@' => out.push_str("@\u{2060}"),
        c if c.is_control() => out.extend(control(c)),
        c if escaped(c) => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    })
}

/// As [`message`], with the rest as readable [`prose`].
pub fn readable(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { span(part) } else { prose(part) })
        .collect()
}

/// Text escaped for XML content and attribute values; characters XML 1.0 forbids become U+FFFD.
pub fn xml(s: &str) -> String {
    escape(s, |out, c| match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&apos;"),
        '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
        c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
        c => out.push(c),
    })
}

/// `s` with each character written by `each`, which pushes it as it is or escaped: the loop of every
/// escaper, so that each one states only what it escapes and how.
pub fn escape(s: &str, each: impl Fn(&mut String, char)) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        each(&mut out, c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_plain_quotes_as_code_and_escape_the_rest() {
        assert_eq!(
            message("run `nhi rotated x` now"),
            "run `nhi rotated x` now"
        );
        assert_eq!(message("id `a<b>`"), r"id \`a&lt;b&gt;\`");
        assert_eq!(message("x `[a](j:x)`"), r"x \`\[a\]\(j\:x\)\`");
        assert_eq!(message("open `tick"), r"open \`tick");
        assert_eq!(message("a `|` b"), r"a \`\|\` b");
        assert_eq!(message("``"), r"\`\`");
    }

    #[test]
    fn cells_cannot_inject_markdown_or_html() {
        assert_eq!(
            cell("![x](http://e.vil/p.png)"),
            r"\!\[x\]\(http\:\/\/e\.vil\/p\.png\)"
        );
        assert_eq!(
            cell("<img src=x>|a`b`\n*c*"),
            r"&lt;img src\=x&gt;\|a\`b\` \*c\*"
        );
        assert_eq!(cell(r"a\b"), r"a\\b");
        assert_eq!(cell("ask @octocat"), "ask @\u{2060}octocat");
        assert_eq!(code("exc-2026.07_a"), "`exc-2026.07_a`");
        assert_eq!(code("x`|y"), r"x\`\|y");
        assert_eq!(span("a`b|c\nd"), r"`a'b\|c d`");
        assert_eq!(message("owner `t1` is gone."), r"owner `t1` is gone\.");
        assert_eq!(
            readable("ask @a: [x](y) <b> `c|d` e-f."),
            "ask @\u{2060}a: \\[x\\](y) &lt;b&gt; `c\\|d` e-f."
        );
    }

    #[test]
    fn terminals_see_no_control_characters() {
        assert_eq!(terminal("a\u{1b}[31mb\tc\r"), "a\\u{1b}[31mb\tc\\r");
        assert_eq!(plural(1usize, "identity", "identities"), "1 identity");
        assert_eq!(plural(0i64, "identity", "identities"), "0 identities");
    }
}
