//! The file as the editor sees it: every node with the byte range it occupies in the text, built from the
//! same YAML parser as the loader, so both agree on what the file says.

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::load::yaml::{resolve_plain, Value, MAX_DEPTH};

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Single,
    Double,
    Block,
}

/// A node and the bytes `start..end` of its text (for collections: from the first key, item or bracket
/// to the end of the last value or the closing bracket).
#[derive(Clone, Debug)]
pub struct Node {
    pub start: usize,
    pub end: usize,
    pub kind: NodeKind,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Scalar {
        style: Style,
        value: String,
    },
    Map {
        flow: bool,
        entries: Vec<(Node, Node)>,
    },
    Seq {
        flow: bool,
        items: Vec<Node>,
    },
}

impl Node {
    /// The text of a scalar key, for looking entries up.
    pub fn key_text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether the node is a null scalar (an empty value, `~` or `null`).
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { style: Style::Plain, value } if matches!(resolve_plain(value), Value::Null))
    }
}

/// One document: its root, and the first anchor, alias or tag in it (the editor does not edit through them).
#[derive(Debug)]
pub struct Doc {
    pub root: Node,
    pub indirection: Option<usize>,
}

/// Why a file cannot be edited: the byte where it goes wrong and what.
#[derive(Debug)]
pub struct Unreadable {
    pub at: usize,
    pub message: String,
}

enum Frame {
    Map {
        start: usize,
        flow: bool,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
    Seq {
        start: usize,
        flow: bool,
        items: Vec<Node>,
    },
}

/// Character index to byte offset (the parser counts characters).
struct Offsets<'a> {
    text: &'a str,
    table: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            t.push(text.len());
            t
        });
        Offsets { text, table }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            Some(t) => t.get(char_index).copied().unwrap_or(self.text.len()),
            None => char_index.min(self.text.len()),
        }
    }
}

/// Parses every non-empty document of `text` (numbered as the loader numbers them). A file in the loader's
/// fast subset (`crate::load::fast`: the plain block YAML registry files are made of) is read from its
/// events, which carry the full parser's start positions; anything else, or anything those events leave in
/// doubt, goes through the full parser.
pub fn parse(text: &str) -> Result<Vec<Doc>, Unreadable> {
    match fast(text) {
        Some(docs) => Ok(docs),
        None => full(text),
    }
}

/// The tree from the fast path's events, or `None` when the file is outside its subset or a position does
/// not check out against the text.
fn fast(text: &str) -> Option<Vec<Doc>> {
    let events = crate::load::fast::events(text)?;
    let mut lines = vec![0];
    lines.extend(line_breaks(text));
    let mut tree = Builder::default();
    for (event, pos) in events {
        // The subset is ASCII: columns are bytes.
        let line = usize::try_from(pos.line.get()).ok()?;
        let column = usize::try_from(pos.column.get()).ok()?;
        let at = lines.get(line - 1)? + column - 1;
        match event {
            Event::DocumentStart(_) => tree.start_document(),
            Event::DocumentEnd => tree.end_document(),
            Event::Scalar(value, style, _, _) => {
                let style = style_of(style);
                let end = match style {
                    // A plain scalar of the subset is its own text, on one line.
                    Style::Plain => {
                        let end = at + value.len();
                        (text.get(at..end)? == value).then_some(end)?
                    }
                    _ => scalar_end(text, at, text.len(), style),
                };
                let node = Node {
                    start: at,
                    end,
                    kind: NodeKind::Scalar {
                        style,
                        value: value.into_owned(),
                    },
                };
                tree.attach(node, at).ok()?;
            }
            Event::MappingStart(..) => tree.open(text, at, true).ok()?,
            Event::SequenceStart(..) => tree.open(text, at, false).ok()?,
            // The subset's end events carry no position: a flow collection ends at its bracket, found
            // after its last entry.
            Event::MappingEnd | Event::SequenceEnd => {
                let node = tree.close(text, None)?.ok()?;
                tree.attach(node, at).ok()?;
            }
            _ => return None,
        }
    }
    Some(tree.docs)
}

/// The offsets just past each line break.
fn line_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

/// The tree from the full parser's events.
fn full(text: &str) -> Result<Vec<Doc>, Unreadable> {
    let offsets = Offsets::new(text);
    let mut tree = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| Unreadable {
            at: offsets.byte(e.marker().index()),
            message: e.info().to_string(),
        })?;
        let at = offsets.byte(span.start.index());
        let node = match event {
            Event::DocumentStart(_) => {
                tree.start_document();
                continue;
            }
            Event::DocumentEnd => {
                tree.end_document();
                continue;
            }
            Event::Alias(_) => {
                tree.indirection.get_or_insert(at);
                Node {
                    start: at,
                    end: offsets.byte(span.end.index()),
                    kind: NodeKind::Scalar {
                        style: Style::Plain,
                        value: String::new(),
                    },
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    tree.indirection.get_or_insert(at);
                }
                let style = style_of(style);
                let end = scalar_end(text, at, offsets.byte(span.end.index()), style);
                Node {
                    start: at,
                    end,
                    kind: NodeKind::Scalar {
                        style,
                        value: value.into_owned(),
                    },
                }
            }
            Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
                if anchor != 0 || tag.is_some() {
                    tree.indirection.get_or_insert(at);
                }
                tree.open(text, at, matches!(event, Event::MappingStart(..)))?;
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match tree.close(text, Some(at)) {
                Some(Ok(node)) => node,
                _ => continue,
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
        };
        tree.attach(node, at)?;
    }
    Ok(tree.docs)
}

fn style_of(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::Single,
        ScalarStyle::DoubleQuoted => Style::Double,
        _ => Style::Block,
    }
}

/// The documents built so far and the collections open in the current one.
#[derive(Default)]
struct Builder {
    docs: Vec<Doc>,
    stack: Vec<Frame>,
    root: Option<Node>,
    indirection: Option<usize>,
}

impl Builder {
    fn start_document(&mut self) {
        self.root = None;
        self.indirection = None;
    }

    fn end_document(&mut self) {
        if let Some(root) = self.root.take() {
            if !root.is_null() {
                self.docs.push(Doc {
                    root,
                    indirection: self.indirection,
                });
            }
        }
    }

    fn open(&mut self, text: &str, at: usize, map: bool) -> Result<(), Unreadable> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Unreadable {
                at,
                message: format!("nesting is deeper than {MAX_DEPTH} levels"),
            });
        }
        let flow = matches!(text.as_bytes().get(at), Some(b'{' | b'['));
        self.stack.push(if map {
            Frame::Map {
                start: at,
                flow,
                entries: Vec::new(),
                key: None,
            }
        } else {
            Frame::Seq {
                start: at,
                flow,
                items: Vec::new(),
            }
        });
        Ok(())
    }

    /// Closes the innermost collection (`None`: nothing was open). A flow collection ends past its bracket:
    /// at `close` when the parser says where that is, else at the first character after its last entry (or
    /// its opening bracket) that is not a space, which must be the bracket (`Some(Err(at))` when it is not).
    fn close(&mut self, text: &str, close: Option<usize>) -> Option<Result<Node, usize>> {
        let (start, flow, last, kind) = match self.stack.pop()? {
            Frame::Map {
                start,
                flow,
                entries,
                ..
            } => (
                start,
                flow,
                entries.last().map(|(_, v)| v.end),
                NodeKind::Map { flow, entries },
            ),
            Frame::Seq { start, flow, items } => (
                start,
                flow,
                items.last().map(|v| v.end),
                NodeKind::Seq { flow, items },
            ),
        };
        if !flow {
            let end = last.unwrap_or(start);
            return Some(Ok(Node { start, end, kind }));
        }
        let close = match close {
            Some(close) => close,
            None => {
                let from = last.unwrap_or(start + 1);
                let rest = text.as_bytes().get(from..).unwrap_or_default();
                let close = from + rest.iter().take_while(|&&b| b == b' ').count();
                let bracket = match kind {
                    NodeKind::Map { .. } => b'}',
                    _ => b']',
                };
                if text.as_bytes().get(close) != Some(&bracket) {
                    return Some(Err(close));
                }
                close
            }
        };
        Some(Ok(Node {
            start,
            end: close + 1,
            kind,
        }))
    }

    fn attach(&mut self, node: Node, at: usize) -> Result<(), Unreadable> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    if node.key_text().is_none() {
                        return Err(Unreadable {
                            at,
                            message: "a mapping key that is not a scalar".into(),
                        });
                    }
                    *key = Some(node);
                }
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// Where a scalar's text ends. The parser's end marker is right for plain scalars, but may run past the
/// closing quote of a quoted one, so quoted scalars are scanned.
fn scalar_end(text: &str, start: usize, parser_end: usize, style: Style) -> usize {
    let bytes = text.as_bytes();
    match style {
        Style::Plain => parser_end.max(start),
        Style::Single => {
            let mut i = start + 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            parser_end
        }
        Style::Double => {
            let mut i = start + 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => return i + 1,
                    _ => i += 1,
                }
            }
            parser_end
        }
        Style::Block => {
            let slice = &text[start.min(parser_end)..parser_end];
            start + slice.trim_end().len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{fast, full};
    use crate::load::fast::tests::{corpus, mutate};
    use crate::synth::Rng;

    /// The fast path's tree, when it gives one, is the full parser's to the byte.
    fn same(text: &str) -> bool {
        let Some(quick) = fast(text) else {
            return false;
        };
        let reference = full(text).expect("the fast path took a file the full parser refuses");
        assert_eq!(
            format!("{quick:?}"),
            format!("{reference:?}"),
            "the trees differ on:\n{text}"
        );
        true
    }

    /// Every YAML file of the repository's registries and tests, a generated registry, and random edits of
    /// them around flow collections, quotes, comments and spacing.
    #[test]
    fn the_fast_tree_is_the_full_parsers_tree() {
        const TRICKY: &[&str] = &[
            " ", "  ", "\n", "\n  ", "- ", ":", ": ", "#", " #", "'", "''", "\"", ",", ", ", "[",
            "]", "{", "}", "[]", "{}", "[ ]", "{ }", "[a, b]", "{a: b}", "{a: 'b'}", " ]", " }",
            "x", "0", "-5", "---\n", "\t", "\r",
        ];
        let texts = corpus();
        let fast_files = texts.iter().filter(|t| same(t)).count();
        assert!(
            fast_files * 2 > texts.len(),
            "{fast_files} of {}",
            texts.len()
        );
        let mut rng = Rng(5);
        let mut fast_edits = 0;
        for round in 0..4000 {
            let mut text = texts[round % texts.len()].clone();
            for _ in 0..1 + rng.below(2) {
                mutate(&mut text, &mut rng, TRICKY);
            }
            fast_edits += usize::from(same(&text));
        }
        assert!(
            fast_edits > 1000,
            "only {fast_edits} edited files took the fast path"
        );
    }
}
