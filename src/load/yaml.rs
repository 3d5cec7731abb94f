//! YAML text to a tree of nodes with positions, driven from the parser's events with hard limits.
//!
//! The tree is built iteratively (no recursion per nesting level), so hostile input cannot overflow the
//! stack: nesting deeper than [`MAX_DEPTH`], aliases that expand past [`MAX_NODES`] in a document or past
//! [`MAX_FILE_NODES`] in the file, and more than `MAX_DOCUMENTS` documents stop the file with a problem instead. Scalars resolve by the YAML 1.2 core schema (`no` and `2024-01-01` stay strings).
//! Duplicate keys are problems, never a silent "last one wins".

use std::collections::HashMap;
use std::num::NonZeroU32;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::span::Pos;

/// Deeper nesting than any registry document needs; past it the file is rejected.
pub const MAX_DEPTH: usize = 64;
/// Nodes one document may hold once aliases are expanded; past it the file is rejected.
pub const MAX_NODES: usize = 100_000;
/// Nodes all documents of one file may hold once aliases are expanded (many small alias bombs add up).
pub const MAX_FILE_NODES: usize = 2_000_000;

/// A YAML node and where it starts.
#[derive(Clone, Debug)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// The value of a node after core-schema resolution.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key: always text, with its position.
#[derive(Clone, Debug)]
pub struct Key {
    pub text: String,
    pub pos: Pos,
}

/// Something wrong with the YAML itself, at a position.
#[derive(Clone, Debug)]
pub struct Problem {
    pub pos: Pos,
    pub message: String,
}

/// One document of a file: its root node and any non-fatal problems (duplicate keys, unsupported tags).
#[derive(Debug)]
pub struct Document {
    pub root: Node,
    pub problems: Vec<Problem>,
}

/// What a file parses to: the documents read before any fatal problem, and that problem.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub fatal: Option<Problem>,
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Key, Node)>,
        key: Option<Key>,
        /// The line of each key so far, once the map is too large to scan its keys for a duplicate.
        lines: Option<HashMap<String, NonZeroU32>>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    /// Nodes of the file's earlier documents: the file as a whole has a budget too.
    file_nodes: usize,
    root: Option<Node>,
    problems: Vec<Problem>,
}

/// Parses every document of `text`. Empty documents (a stray `---`) are skipped.
pub fn parse(text: &str) -> Parsed {
    match super::fast::events(text) {
        Some(events) => build(events.into_iter().map(Ok)),
        None => parse_full(text),
    }
}

/// As [`parse`], always with the full parser: the reference the fast path is held to.
pub fn parse_full(text: &str) -> Parsed {
    build(Parser::new_from_str(text).map(|event| match event {
        Ok((event, span)) => Ok((event, Pos::from_parser(span.start.line(), span.start.col()))),
        Err(e) => {
            let m = e.marker();
            // The scanner stops flow collections nested past 255 levels before any event reaches the
            // builder's own depth limit: say so in the same words.
            let message = match e.info() {
                "recursion limit exceeded" => format!("nesting is deeper than {MAX_DEPTH} levels"),
                info => info.to_string(),
            };
            Err(Problem {
                pos: Pos::from_parser(m.line(), m.col()),
                message,
            })
        }
    }))
}

/// The documents built from a file's events, each with the position it starts at.
fn build<'a>(events: impl Iterator<Item = Result<(Event<'a>, Pos), Problem>>) -> Parsed {
    let mut parsed = Parsed::default();
    let mut builder = Builder::default();
    for event in events {
        let (event, pos) = match event {
            Ok(e) => e,
            Err(problem) => {
                parsed.fatal = Some(problem);
                return parsed;
            }
        };
        let step = match event {
            Event::DocumentStart(_) => {
                builder = Builder {
                    file_nodes: builder.file_nodes.saturating_add(builder.nodes),
                    ..Builder::default()
                };
                Ok(())
            }
            Event::DocumentEnd => {
                if let Some(root) = builder.root.take() {
                    if !matches!(root.value, Value::Null) {
                        let problems = std::mem::take(&mut builder.problems);
                        parsed.documents.push(Document { root, problems });
                    }
                }
                if parsed.documents.len() > super::MAX_DOCUMENTS {
                    let message = format!(
                        "the file holds more than {} documents; split it",
                        super::MAX_DOCUMENTS
                    );
                    Err(Problem { pos, message })
                } else {
                    Ok(())
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                builder.scalar(&text, style, anchor, tag.as_deref(), pos)
            }
            Event::Alias(id) => builder.alias(id, pos),
            Event::SequenceStart(anchor, tag) => builder.open(
                Frame::Seq {
                    pos,
                    anchor,
                    items: Vec::new(),
                },
                tag.as_deref(),
            ),
            Event::MappingStart(anchor, tag) => builder.open(
                Frame::Map {
                    pos,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    lines: None,
                },
                tag.as_deref(),
            ),
            Event::SequenceEnd | Event::MappingEnd => builder.close(),
            Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
        };
        if let Err(problem) = step {
            parsed.fatal = Some(problem);
            return parsed;
        }
    }
    parsed
}

impl Builder {
    fn count(&mut self, n: usize, pos: Pos) -> Result<(), Problem> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(Problem {
                pos,
                message: format!("the document expands to more than {MAX_NODES} nodes (an alias bomb?); registry documents are small"),
            });
        }
        if self.file_nodes.saturating_add(self.nodes) > MAX_FILE_NODES {
            return Err(Problem {
                pos,
                message: format!("the file expands to more than {MAX_FILE_NODES} nodes (an alias bomb?); split it"),
            });
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, tag: Option<&Tag>) -> Result<(), Problem> {
        let pos = match &frame {
            Frame::Seq { pos, .. } | Frame::Map { pos, .. } => *pos,
        };
        if self.stack.len() >= MAX_DEPTH {
            return Err(Problem {
                pos,
                message: format!("nesting is deeper than {MAX_DEPTH} levels"),
            });
        }
        if let Some(tag) = tag {
            self.tag_problem(tag, pos);
        }
        self.count(1, pos)?;
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Result<(), Problem> {
        let (node, anchor) = match self.stack.pop() {
            Some(Frame::Seq { pos, anchor, items }) => (
                Node {
                    pos,
                    value: Value::Seq(items),
                },
                anchor,
            ),
            Some(Frame::Map {
                pos,
                anchor,
                entries,
                ..
            }) => (
                Node {
                    pos,
                    value: Value::Map(entries),
                },
                anchor,
            ),
            None => return Ok(()),
        };
        self.finish(node, anchor)
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        pos: Pos,
    ) -> Result<(), Problem> {
        self.count(1, pos)?;
        // Only the core schema's scalar tags are understood; any other tag is a problem, and the text stays.
        let core = tag
            .map(|t| t.suffix.as_str())
            .filter(|_| tag.is_some_and(Tag::is_yaml_core_schema));
        let understood = matches!(core, Some("str" | "null" | "bool" | "int" | "float"));
        if let Some(tag) = tag.filter(|_| !understood) {
            self.tag_problem(tag, pos);
        }
        // A mapping key keeps the scalar's text as written.
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            if style == ScalarStyle::Plain && text == "<<" {
                self.problems.push(Problem {
                    pos,
                    message: "merge keys (`<<`) are not supported: write the keys out".into(),
                });
            }
            let value = Value::Str(text.to_string());
            return self.finish(Node { pos, value }, anchor);
        }
        let resolves = match tag {
            None => style == ScalarStyle::Plain,
            Some(_) => understood && core != Some("str"),
        };
        let value = if resolves {
            resolve_plain(text)
        } else {
            Value::Str(text.to_string())
        };
        self.finish(Node { pos, value }, anchor)
    }

    fn alias(&mut self, id: usize, pos: Pos) -> Result<(), Problem> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(Problem {
                pos,
                message: "alias to an unknown anchor".into(),
            });
        };
        let (mut node, size) = (node.clone(), *size);
        node.pos = pos;
        self.count(size, pos)?;
        self.place(node)
    }

    fn tag_problem(&mut self, tag: &Tag, pos: Pos) {
        let tag = crate::hint::shown(&tag.to_string());
        self.problems.push(Problem { pos, message: format!("YAML tag `{tag}` is not supported: registry values are plain strings, numbers, lists and maps") });
    }

    /// Records an anchored node for later aliases, then places it in its parent.
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Problem> {
        if anchor > 0 {
            let size = node_count(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.place(node)
    }

    fn place(&mut self, node: Node) -> Result<(), Problem> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                lines,
                ..
            }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    let Value::Str(text) = node.value else {
                        return Err(Problem {
                            pos: node.pos,
                            message: "a mapping key must be a plain value, not a list or a map"
                                .into(),
                        });
                    };
                    if let Some(first) = first_line(entries, lines, &text, node.pos.line) {
                        let message = format!(
                            "duplicate key `{}` (first at line {first})",
                            crate::hint::shown(&text)
                        );
                        self.problems.push(Problem {
                            pos: node.pos,
                            message,
                        });
                    }
                    *key = Some(Key {
                        text,
                        pos: node.pos,
                    });
                }
            },
        }
        Ok(())
    }
}

/// Maps up to this many keys are scanned for a duplicate; larger ones keep an index of their keys.
const SCAN_KEYS: usize = 16;

/// The line where `text` was first a key of the map holding `entries`, if it was: a scan of the keys while
/// the map is small, then an index (`lines`, built once), so a huge map costs no more than linear time.
/// Records `text` at `line`.
fn first_line(
    entries: &[(Key, Node)],
    lines: &mut Option<HashMap<String, NonZeroU32>>,
    text: &str,
    line: NonZeroU32,
) -> Option<NonZeroU32> {
    if lines.is_none() && entries.len() < SCAN_KEYS {
        return entries
            .iter()
            .find(|(k, _)| k.text == text)
            .map(|(k, _)| k.pos.line);
    }
    let index = lines.get_or_insert_with(|| {
        let mut index = HashMap::with_capacity(entries.len() * 2);
        for (k, _) in entries {
            index.entry(k.text.clone()).or_insert(k.pos.line);
        }
        index
    });
    let first = index.get(text).copied();
    if first.is_none() {
        index.insert(text.to_string(), line);
    }
    first
}

fn node_count(node: &Node) -> usize {
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => todo.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    count
}

/// Resolves a plain scalar by the YAML 1.2 core schema.
pub fn resolve_plain(text: &str) -> Value {
    resolve_plain_scalar(text).unwrap_or_else(|| Value::Str(text.to_string()))
}

/// A plain scalar's value when it is not a string.
fn resolve_plain_scalar(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    if let Some(int) = resolve_int(text) {
        return Some(int);
    }
    if is_core_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Some(Value::Float(f));
        }
    }
    None
}

fn resolve_int(text: &str) -> Option<Value> {
    let (radix, digits) = if let Some(d) = text.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = text.strip_prefix("0x") {
        (16, d)
    } else {
        let d = text.strip_prefix(['-', '+']).unwrap_or(text);
        if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return Some(match text.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(text.parse::<f64>().ok()?),
        });
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    i64::from_str_radix(digits, radix).ok().map(Value::Int)
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text).as_bytes();
    let digits = |s: &[u8], i: &mut usize| {
        let start = *i;
        while *i < s.len() && s[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let mut i = 0;
    let int = digits(s, &mut i);
    if i < s.len() && s[i] == b'.' {
        i += 1;
        let frac = digits(s, &mut i);
        if int == 0 && frac == 0 {
            return false;
        }
    } else if int == 0 {
        return false;
    }
    if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
        i += 1;
        if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
            i += 1;
        }
        if digits(s, &mut i) == 0 {
            return false;
        }
    }
    i == s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let parsed = parse(text);
        assert!(parsed.fatal.is_none(), "{:?}", parsed.fatal);
        parsed.documents.into_iter().next().unwrap().root
    }

    #[test]
    fn core_schema_keeps_dates_and_norway_as_strings() {
        let Value::Map(entries) =
            root("a: 2024-01-01\nb: no\nc: 017\nd: 1_000\ne: 1.5\nf: ~\ng: 0x1F\n").value
        else {
            panic!()
        };
        let values: Vec<String> = entries
            .iter()
            .map(|(_, n)| format!("{:?}", n.value))
            .collect();
        assert_eq!(
            values,
            [
                "Str(\"2024-01-01\")",
                "Str(\"no\")",
                "Int(17)",
                "Str(\"1_000\")",
                "Float(1.5)",
                "Null",
                "Int(31)"
            ]
        );
    }

    #[test]
    fn positions_are_one_based() {
        let Value::Map(entries) = root("kind: Identity\nid:   x\n").value else {
            panic!()
        };
        assert_eq!(entries[1].0.pos, Pos::new(2, 1));
        // `id:   x`: the value starts at the seventh character.
        assert_eq!(entries[1].1.pos, Pos::new(2, 7));
    }

    #[test]
    fn duplicate_keys_are_problems() {
        let parsed = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(
            parsed.documents[0].problems[0].message,
            "duplicate key `a` (first at line 1)"
        );
        assert_eq!(parsed.documents[0].problems[0].pos, Pos::new(3, 1));
    }

    #[test]
    fn duplicate_keys_are_found_before_and_after_a_map_grows_large() {
        // Keys k0..k39 on lines 1..40, then k3 (scanned territory) and k25 (indexed) again, and k3 a third time.
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k3: again\nk25: again\nk3: thrice\n");
        let parsed = parse(&text);
        let problems: Vec<(String, Pos)> = parsed.documents[0]
            .problems
            .iter()
            .map(|p| (p.message.clone(), p.pos))
            .collect();
        assert_eq!(
            problems,
            [
                (
                    "duplicate key `k3` (first at line 4)".to_string(),
                    Pos::new(41, 1)
                ),
                (
                    "duplicate key `k25` (first at line 26)".to_string(),
                    Pos::new(42, 1)
                ),
                (
                    "duplicate key `k3` (first at line 4)".to_string(),
                    Pos::new(43, 1)
                ),
            ]
        );
        // A small map's duplicate of a key that is still the one being read is found too.
        let parsed = parse("a:\n  b: 1\na: 2\n");
        assert_eq!(parsed.documents[0].problems.len(), 1);
    }

    #[test]
    fn tagged_keys_keep_their_text_and_unknown_tags_are_problems() {
        let parsed = parse("!!str a: 1\n!custom b: 2\n");
        let Value::Map(entries) = &parsed.documents[0].root.value else {
            panic!("a map");
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.text.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(parsed.documents[0].problems.len(), 1);
        assert!(parsed.documents[0].problems[0]
            .message
            .contains("`!custom`"));
    }

    #[test]
    fn deep_nesting_stops_without_overflow() {
        let text = "[".repeat(100_000);
        let parsed = parse(&text);
        let message = parsed.fatal.unwrap().message;
        assert!(
            message.contains("deeper than") || message.contains("recursion"),
            "{message}"
        );
        let block: String = (0..2000)
            .map(|i| format!("{}- \n", " ".repeat(i)))
            .collect();
        assert!(parse(&block).fatal.is_some());
    }

    #[test]
    fn alias_bomb_is_stopped() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            text.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse(&text).fatal.unwrap().message.contains("alias bomb"));
    }

    #[test]
    fn many_small_alias_bombs_hit_the_file_budget() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, next) in [('a', 'b'), ('b', 'c'), ('c', 'd')] {
            let items = vec![format!("*{prev}"); 10].join(", ");
            doc.push_str(&format!("{next}: &{next} [{items}]\n"));
        }
        doc.push_str(&format!("e: [{}]\n---\n", ["*d"; 7].join(", ")));
        let parsed = parse(&doc.repeat(300));
        assert!(parsed.documents.len() < 30, "{}", parsed.documents.len());
        assert!(parsed
            .fatal
            .unwrap()
            .message
            .contains("the file expands to more than"));
    }

    #[test]
    fn documents_past_the_limit_stop_the_parse() {
        let parsed = parse(&"a: 1\n---\n".repeat(super::super::MAX_DOCUMENTS + 5));
        assert_eq!(parsed.documents.len(), super::super::MAX_DOCUMENTS + 1);
        assert!(parsed
            .fatal
            .unwrap()
            .message
            .contains("more than 10000 documents"));
    }

    #[test]
    fn multi_document_files_and_empty_documents() {
        let parsed = parse("---\na: 1\n---\n---\nb: 2\n");
        assert_eq!(parsed.documents.len(), 2);
    }
}
