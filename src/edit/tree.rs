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

/// Parses every non-empty document of `text` (numbered as the loader numbers them).
pub fn parse(text: &str) -> Result<Vec<Doc>, Unreadable> {
    let offsets = Offsets::new(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut indirection: Option<usize> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| Unreadable {
            at: offsets.byte(e.marker().index()),
            message: e.info().to_string(),
        })?;
        let at = offsets.byte(span.start.index());
        let node = match event {
            Event::DocumentStart(_) => {
                root = None;
                indirection = None;
                continue;
            }
            Event::DocumentEnd => {
                if let Some(root) = root.take() {
                    if !root.is_null() {
                        docs.push(Doc { root, indirection });
                    }
                }
                continue;
            }
            Event::Alias(_) => {
                indirection.get_or_insert(at);
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
                    indirection.get_or_insert(at);
                }
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::Single,
                    ScalarStyle::DoubleQuoted => Style::Double,
                    _ => Style::Block,
                };
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
                    indirection.get_or_insert(at);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Unreadable {
                        at,
                        message: format!("nesting is deeper than {MAX_DEPTH} levels"),
                    });
                }
                let flow = matches!(text.as_bytes().get(at), Some(b'{' | b'['));
                stack.push(if matches!(event, Event::MappingStart(..)) {
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
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let close = offsets.byte(span.start.index());
                match stack.pop() {
                    Some(Frame::Map {
                        start,
                        flow,
                        entries,
                        ..
                    }) => {
                        let end = if flow {
                            close + 1
                        } else {
                            entries.last().map_or(start, |(_, v)| v.end)
                        };
                        Node {
                            start,
                            end,
                            kind: NodeKind::Map { flow, entries },
                        }
                    }
                    Some(Frame::Seq { start, flow, items }) => {
                        let end = if flow {
                            close + 1
                        } else {
                            items.last().map_or(start, |v| v.end)
                        };
                        Node {
                            start,
                            end,
                            kind: NodeKind::Seq { flow, items },
                        }
                    }
                    None => continue,
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
        };
        attach(&mut stack, &mut root, node, at)?;
    }
    Ok(docs)
}

fn attach(
    stack: &mut [Frame],
    root: &mut Option<Node>,
    node: Node,
    at: usize,
) -> Result<(), Unreadable> {
    match stack.last_mut() {
        None => *root = Some(node),
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
