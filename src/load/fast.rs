//! A fast path for the plain block YAML that registry files are made of.
//!
//! Most registry files use a small part of YAML: block maps and lists indented with spaces, one-line flow
//! lists and maps, plain and quoted one-line scalars, comments and `---`. For such a file this module
//! produces the very events the full parser would, with the same positions, in a single pass over its
//! lines; the profile of `nhi check` showed the full parser at about half of its instructions. Anything
//! outside that subset (anchors, tags, block scalars, multi-line scalars, escapes, tabs, carriage returns,
//! non-ASCII text, unusual indentation, errors of any kind) returns `None`, and the caller parses the file
//! with the full parser: this path never decides what a file means on its own. A differential test holds
//! the two to the same output over the example registry, generated registries and random edits of them.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle};

use crate::span::Pos;

/// Nesting past this goes to the full parser, which enforces the real limits.
const MAX_NESTING: usize = 16;

/// YAML caps an implicit key at 1024 characters: longer ones (an error) take the full parser.
const MAX_KEY: usize = 1000;
/// Files with more `---` than this take the full parser.
const MAX_MARKERS: usize = 1000;

/// The events of a file, each with the position it starts at.
pub type Events<'a> = Vec<(Event<'a>, Pos)>;

/// The events of `text` when the whole file is in the subset, else `None`.
pub fn events(text: &str) -> Option<Events<'_>> {
    // Control characters (tabs and carriage returns among them) and non-ASCII text take the full parser.
    if text.bytes().any(|b| (b < b' ' && b != b'\n') || b >= 0x7f) {
        return None;
    }
    let mut lines = Vec::with_capacity(64);
    let mut markers = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let content = raw.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = raw.len() - content.len();
        let marker = indent == 0 && content.starts_with("---");
        if marker && content != "---" {
            return None; // content after the marker, or a scalar that starts like one
        }
        markers += usize::from(marker);
        if markers > MAX_MARKERS {
            return None; // the full parser reports the document limit where it is passed
        }
        if indent == 0 && (content.starts_with("...") || content.starts_with('%')) {
            return None;
        }
        lines.push(Line {
            number: index + 1,
            indent,
            content,
            marker,
        });
    }
    let mut parser = Fast {
        lines,
        at: 0,
        out: Vec::with_capacity(128),
    };
    parser.stream()?;
    Some(parser.out)
}

/// A line with content: its number, its indentation, and the text after the indentation.
#[derive(Clone, Copy)]
struct Line<'a> {
    number: usize,
    indent: usize,
    content: &'a str,
    /// `---` alone: a document starts.
    marker: bool,
}

struct Fast<'a> {
    lines: Vec<Line<'a>>,
    /// The line being read.
    at: usize,
    out: Events<'a>,
}

fn pos(line: usize, column: usize) -> Pos {
    Pos::from_parser(line, column)
}

impl<'a> Fast<'a> {
    fn line(&self) -> Option<Line<'a>> {
        self.lines.get(self.at).copied()
    }

    fn emit(&mut self, event: Event<'a>, at: Pos) {
        self.out.push((event, at));
    }

    fn scalar(&mut self, text: Cow<'a, str>, style: ScalarStyle, at: Pos) {
        self.emit(Event::Scalar(text, style, 0, None), at);
    }

    /// Documents, separated by `---`; an empty document is left out (the caller skips it too).
    fn stream(&mut self) -> Option<()> {
        let Some(first) = self.line() else {
            return Some(()); // only comments and blank lines: no document
        };
        let mut explicit = first.marker;
        if explicit {
            self.at += 1;
        }
        loop {
            let start = self.line().map_or(Pos::START, |l| pos(l.number, 0));
            self.emit(Event::DocumentStart(explicit), start);
            if let Some(line) = self.line().filter(|l| !l.marker) {
                if line.indent != 0 {
                    return None;
                }
                self.block(0, 0)?;
            }
            self.emit(Event::DocumentEnd, start);
            match self.line() {
                None => return Some(()),
                Some(line) if line.marker => {
                    self.at += 1;
                    explicit = true;
                }
                Some(_) => return None, // content after the root node ends
            }
        }
    }

    /// The block node starting at the current line, whose indentation is `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> Option<()> {
        if depth > MAX_NESTING {
            return None;
        }
        let line = self.line()?;
        if is_item(line.content) {
            let at = pos(line.number, indent);
            self.sequence(indent, at, depth)
        } else {
            self.map(line.indent, line.content, depth)
        }
    }

    /// A block sequence whose dashes sit at `indent`, starting at the current line.
    fn sequence(&mut self, indent: usize, at: Pos, depth: usize) -> Option<()> {
        self.emit(Event::SequenceStart(0, None), at);
        while let Some(line) = self.line() {
            if line.indent != indent || !is_item(line.content) {
                break;
            }
            let rest = line.content[1..].trim_start_matches(' ');
            if rest.is_empty() || is_item(rest) {
                return None; // an item on the following lines, or a list in a list
            }
            let column = indent + line.content.len() - rest.len();
            if entry_key(rest).is_some() {
                self.map(column, rest, depth + 1)?;
            } else {
                self.value(rest, line.number, column)?;
                self.at += 1;
                self.no_continuation(indent)?;
            }
        }
        self.emit(Event::SequenceEnd, Pos::START);
        // A line indented more than the dashes but belonging to no item is an error.
        self.no_continuation(indent)
    }

    /// A block map whose keys sit at `indent`; its first entry is `first`, the rest of the current line.
    fn map(&mut self, indent: usize, first: &'a str, depth: usize) -> Option<()> {
        if depth > MAX_NESTING {
            return None;
        }
        let number = self.line()?.number;
        self.emit(Event::MappingStart(0, None), pos(number, indent));
        self.entry(indent, first, depth)?;
        while let Some(line) = self.line() {
            if line.marker || line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            if is_item(line.content) {
                break; // the list goes on (an entry of a map inside a list item ended)
            }
            self.entry(indent, line.content, depth)?;
        }
        self.emit(Event::MappingEnd, Pos::START);
        Some(())
    }

    /// One `key: value` entry of a map at `indent`, `text` being the line from the key on.
    fn entry(&mut self, indent: usize, text: &'a str, depth: usize) -> Option<()> {
        let number = self.line()?.number;
        let key = entry_key(text)?;
        self.scalar(Cow::Borrowed(key), ScalarStyle::Plain, pos(number, indent));
        let after = &text[key.len() + 1..];
        let rest = after.trim_start_matches(' ');
        if rest.is_empty() || rest.starts_with('#') {
            // The value is on the following lines, or empty.
            self.at += 1;
            let empty_at = pos(number, indent + key.len());
            return match self.line() {
                Some(next) if !next.marker && next.indent > indent => {
                    self.block(next.indent, depth + 1)
                }
                Some(next) if !next.marker && next.indent == indent && is_item(next.content) => {
                    // A list at the key's own indentation starts where its first item's content does.
                    let item = next.content[1..].trim_start_matches(' ');
                    let at = pos(next.number, indent + next.content.len() - item.len());
                    self.sequence(indent, at, depth + 1)
                }
                _ => {
                    self.scalar(Cow::Borrowed(""), ScalarStyle::Plain, empty_at);
                    Some(())
                }
            };
        }
        let column = indent + text.len() - rest.len();
        self.value(rest, number, column)?;
        self.at += 1;
        self.no_continuation(indent)
    }

    /// Fails when the current line is indented past `indent`: it would continue a scalar or be an error.
    fn no_continuation(&self, indent: usize) -> Option<()> {
        match self.line() {
            Some(line) if !line.marker && line.indent > indent => None,
            _ => Some(()),
        }
    }

    /// A one-line value starting at `column`: a scalar, or a flow list or map of scalars.
    fn value(&mut self, text: &'a str, number: usize, column: usize) -> Option<()> {
        let rest = match text.as_bytes()[0] {
            b'[' => self.flow(text, number, column, b']')?,
            b'{' => self.flow(text, number, column, b'}')?,
            b'"' | b'\'' => {
                let (value, style, rest) = quoted(text)?;
                self.scalar(value, style, pos(number, column));
                rest
            }
            _ => {
                let value = block_plain(text)?;
                self.scalar(
                    Cow::Borrowed(value),
                    ScalarStyle::Plain,
                    pos(number, column),
                );
                ""
            }
        };
        only_comment(rest)
    }

    /// A flow list (`close` is `]`) or map (`}`) on one line; the text after it.
    fn flow(&mut self, text: &'a str, number: usize, column: usize, close: u8) -> Option<&'a str> {
        let is_map = close == b'}';
        let start = if is_map {
            Event::MappingStart(0, None)
        } else {
            Event::SequenceStart(0, None)
        };
        self.emit(start, pos(number, column));
        let mut rest = text[1..].trim_start_matches(' ');
        if rest.as_bytes().first() == Some(&close) {
            self.close_flow(is_map);
            return Some(&rest[1..]);
        }
        loop {
            let at = |rest: &str| pos(number, column + text.len() - rest.len());
            if is_map {
                let key = flow_plain(rest).filter(|k| !k.ends_with(' ') && k.len() <= MAX_KEY)?;
                let after = rest[key.len()..].strip_prefix(": ")?;
                self.scalar(Cow::Borrowed(key), ScalarStyle::Plain, at(rest));
                rest = after.trim_start_matches(' ');
            }
            let item_at = at(rest);
            rest = match rest.as_bytes().first()? {
                b'"' | b'\'' => {
                    let (value, style, after) = quoted(rest)?;
                    self.scalar(value, style, item_at);
                    after
                }
                _ => {
                    let value = flow_plain(rest)?;
                    let trimmed = value.trim_end_matches(' ');
                    self.scalar(Cow::Borrowed(trimmed), ScalarStyle::Plain, item_at);
                    &rest[value.len()..]
                }
            }
            .trim_start_matches(' ');
            match rest.as_bytes().first()? {
                b',' => {
                    rest = rest[1..].trim_start_matches(' ');
                    if matches!(rest.as_bytes().first(), Some(b']' | b'}') | None) {
                        return None; // a trailing comma
                    }
                }
                c if *c == close => {
                    self.close_flow(is_map);
                    return Some(&rest[1..]);
                }
                _ => return None,
            }
        }
    }

    fn close_flow(&mut self, is_map: bool) {
        let end = if is_map {
            Event::MappingEnd
        } else {
            Event::SequenceEnd
        };
        self.emit(end, Pos::START);
    }
}

/// A list item: `- ` or a lone `-`.
fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// The bytes of `text` when it starts with a letter, a digit or `_`.
fn starts_word(text: &str) -> Option<&[u8]> {
    let bytes = text.as_bytes();
    let first = bytes.first()?;
    (first.is_ascii_alphanumeric() || *first == b'_').then_some(bytes)
}

/// The key of a `key: value` (or `key:`) line: letters, digits and `_.-/`, starting with a letter, digit
/// or `_`.
fn entry_key(text: &str) -> Option<&str> {
    let bytes = starts_word(text)?;
    let end = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/')))?;
    let after = &bytes[end..];
    let is_entry = after.first() == Some(&b':') && matches!(after.get(1), None | Some(b' '));
    (is_entry && end <= MAX_KEY).then(|| &text[..end])
}

/// A plain scalar in block context running to the end of the line (or to a comment), trimmed.
fn block_plain(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let first_ok = bytes[0].is_ascii_alphanumeric()
        || matches!(
            bytes[0],
            b'_' | b'.' | b'/' | b'+' | b'~' | b'$' | b'=' | b'(' | b'^'
        )
        || (bytes[0] == b'-' && bytes.get(1).is_some_and(u8::is_ascii_alphanumeric));
    if !first_ok {
        return None;
    }
    let end = text.find(" #").unwrap_or(text.len());
    let value = text[..end].trim_end_matches(' ');
    let special = value.contains(": ")
        || value.ends_with(':')
        || value
            .bytes()
            .any(|b| matches!(b, b'[' | b']' | b'{' | b'}'));
    (!special).then_some(value)
}

/// A plain scalar inside a flow collection: up to the next `,`, `]` or `}` (untrimmed).
fn flow_plain(text: &str) -> Option<&str> {
    let bytes = starts_word(text)?;
    let end = bytes
        .iter()
        .position(|b| matches!(b, b',' | b']' | b'}' | b':'));
    let value = &text[..end.unwrap_or(text.len())];
    let plain =
        |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/' | b'+' | b'@');
    // Words of those characters, separated by spaces: after a space the full parser reads `-`, `?` and
    // the like as indicators.
    let words = value
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| w.bytes().all(|b| plain(&b)) && w.as_bytes()[0].is_ascii_alphanumeric());
    (words && end.is_some()).then_some(value)
}

/// A one-line quoted scalar: its value, style, and the text after the closing quote. Double quotes with
/// escapes go to the full parser.
fn quoted(text: &str) -> Option<(Cow<'_, str>, ScalarStyle, &str)> {
    if text.as_bytes()[0] == b'"' {
        let end = text[1..].find(['"', '\\'])? + 1;
        if text.as_bytes()[end] == b'\\' {
            return None;
        }
        return Some((
            Cow::Borrowed(&text[1..end]),
            ScalarStyle::DoubleQuoted,
            &text[end + 1..],
        ));
    }
    let mut from = 1;
    loop {
        let end = from + text[from..].find('\'')?;
        if text.as_bytes().get(end + 1) == Some(&b'\'') {
            from = end + 2;
            continue;
        }
        let inner = &text[1..end];
        let value = if inner.contains("''") {
            Cow::Owned(inner.replace("''", "'"))
        } else {
            Cow::Borrowed(inner)
        };
        return Some((value, ScalarStyle::SingleQuoted, &text[end + 1..]));
    }
}

/// Whether what follows a value is nothing, spaces, or a comment after a space.
fn only_comment(rest: &str) -> Option<()> {
    let trimmed = rest.trim_start_matches(' ');
    let ok = trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len());
    ok.then_some(())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::Path;

    use super::events;
    use crate::load::yaml::{parse, parse_full};
    use crate::synth::Rng;

    /// Every YAML file under `dir`, recursively.
    fn yaml_files(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push(text);
                }
            }
        }
    }

    /// The example registry, the test registries, and a generated registry of every kind and field.
    pub(crate) fn corpus() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        yaml_files(&root.join("registry"), &mut texts);
        yaml_files(&root.join("tests"), &mut texts);
        let dir = tempfile::tempdir().expect("a temporary directory");
        crate::synth::generate(dir.path(), 300, 7).expect("a generated registry");
        yaml_files(dir.path(), &mut texts);
        texts
    }

    /// One random edit of `text`: one of `pieces` inserted or put in place of up to 3 bytes, or up to 3
    /// bytes removed.
    pub(crate) fn mutate(text: &mut String, rng: &mut Rng, pieces: &[&str]) {
        let mut at = rng.below(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + rng.below(4)).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        match rng.below(3) {
            0 => text.insert_str(at, pieces[rng.below(pieces.len())]),
            1 => text.replace_range(at..end, pieces[rng.below(pieces.len())]),
            _ => text.replace_range(at..end, ""),
        }
    }

    /// A number from the environment, for longer runs than the suite's (docs/testing.md).
    fn knob(name: &str, default: u64) -> u64 {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    fn same(text: &str) {
        let fast = format!("{:?}", parse(text));
        let full = format!("{:?}", parse_full(text));
        assert_eq!(fast, full, "the fast path differs on:\n{text}");
    }

    #[test]
    fn registry_files_take_the_fast_path_and_parse_the_same() {
        let texts = corpus();
        assert!(texts.len() > 500, "{} files", texts.len());
        let fast = texts.iter().filter(|t| events(t).is_some()).count();
        // The generated files are all in the subset; hand-written and hostile test files need not be.
        assert!(
            fast * 10 >= texts.len() * 8,
            "{fast} of {} files",
            texts.len()
        );
        for text in &texts {
            same(text);
        }
    }

    /// Random edits of registry files: characters YAML gives meaning to, inserted, replaced or removed,
    /// lines re-indented or joined. Whatever the fast path accepts must parse exactly as the full parser.
    #[test]
    fn edited_files_parse_the_same_or_take_the_full_parser() {
        const TRICKY: &[&str] = &[
            " ", "  ", "\n", "\n  ", "\n- ", "-", "- ", ":", ": ", "#", " #", "'", "''", "\"", ",",
            "[", "]", "{", "}", "&a ", "*a", "!", "|", ">", "?", "%", "@", "`", "~", "---",
            "\n---\n", "...", "\\", "\t", "\r", "é", "0", "1.5", "null", "a: b", "x", "\n\n", "-5",
            "0x1F", "true",
        ];
        let texts = corpus();
        let mut rng = Rng(knob("NHI_FAST_SEED", 11));
        let mut accepted = 0;
        for round in 0..knob("NHI_FAST_ROUNDS", 6000) as usize {
            let mut text = texts[round % texts.len()].clone();
            for _ in 0..1 + rng.below(knob("NHI_FAST_EDITS", 3) as usize) {
                mutate(&mut text, &mut rng, TRICKY);
            }
            accepted += usize::from(events(&text).is_some());
            same(&text);
        }
        // The edits must exercise the fast path itself, not only the fallback.
        assert!(
            accepted > 1000,
            "only {accepted} edited files took the fast path"
        );
    }

    #[test]
    fn constructs_outside_the_subset_take_the_full_parser() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: one\n  two\n",
            "a: \"esc\\n\"\n",
            "a:\tb\n",
            "a: b\r\n",
            "a: é\n",
            "? a\n: b\n",
            "a: [b, [c]]\n",
            "--- a\n",
            "a: 1\n...\n",
            "%YAML 1.2\n---\na: 1\n",
            "  a: 1\n",
            "\"a\": 1\n",
            "a: b: c\n",
            &format!("{}: 1\n", "k".repeat(1025)),
            &format!("a: {{{}: 1}}\n", "k".repeat(1025)),
        ] {
            assert!(events(text).is_none(), "taken by the fast path: {text:?}");
            same(text);
        }
    }

    #[test]
    fn the_subset_gives_the_full_parsers_tree_and_positions() {
        for text in [
            "kind: Identity\nid: a-b   # c\naccess:\n- system: x\n  level: \"read\"\n  scope: 'it''s'\n",
            "tags: [a, \"b\", c]\nlinks: {runbook: \"https://x\", y: z}\nempty:\nlast: 2024-01-01\n",
            "nested:\n  k: v\n  l:\n    - 1\n    - [ ]\n    - {}\n",
            "a:\n- x\n- y: 1\n  z: 2\nb:\n  - p\nc: [ a b , \"q\" ]\nd: {k: v, j: 1}\ne: -5\nf: a,b\n",
            "---\na: 1\n---\n---\nb: 2\n",
            "# only a comment\n",
            "",
            "a: 1\na: 2\n",
            "key:   # nothing here\nnext: ~\n",
            "- a\n- b\n",
            "x: 0o17\ny: .inf\nz: 1e3\nw: 'yes'\nv: no\n",
        ] {
            assert!(events(text).is_some(), "not taken by the fast path: {text:?}");
            same(text);
        }
    }
}
