//! Streams the items of a JSON export one at a time, with the line each starts on.
//!
//! `gcloud … --format=json` prints one array; `kubectl get … -o json` prints a `List` object whose `items`
//! array holds the resources. Exports of large estates run to hundreds of megabytes, and findings must name
//! the line of the item they are about, which `serde_json` does not report for values inside a document. So
//! this scanner walks the bytes itself (iteratively: no nesting depth can overflow the stack), cuts out each
//! item, and hands it to `serde_json` to parse; an error inside an item is reported at its line in the file.

use std::io::{BufRead, ErrorKind};

use serde_json::{Map, Value};

/// Larger items are refused: no service account is described in this much JSON.
pub const MAX_ITEM_BYTES: usize = 16 * 1024 * 1024;

/// A syntax error: the 1-based line and what is wrong.
#[derive(Debug)]
pub struct SyntaxError {
    pub line: u32,
    pub message: String,
}

/// The members of a top-level object other than `items` (e.g. `kind: List`), or `None` for an array.
pub type Envelope = Option<Map<String, Value>>;

/// Members of a wrapping object that only say where the next page is: such an object alone (an empty REST
/// page, `{}`) holds no item.
pub const PAGING: [&str; 5] = [
    "nextPageToken",
    "NextToken",
    "@odata.nextLink",
    "@odata.context",
    "total_count",
];

/// Whether a wrapping object without a list of items is an empty page rather than a single resource.
pub fn is_empty_page(members: &Map<String, Value>) -> bool {
    members.keys().all(|k| PAGING.contains(&k.as_str()))
}

/// Calls `each(item, line)` for every item of each top-level document: the top-level array's, or the
/// `items` array's of a top-level object; an object without `items` is itself an item.
pub fn items<R: BufRead>(
    reader: R,
    each: impl FnMut(Value, u32) -> Result<(), SyntaxError>,
) -> Result<Vec<Map<String, Value>>, SyntaxError> {
    items_under(reader, &["items"], each)
}

/// As [`items`], streaming the first array found under one of `keys` (`Records`, `RoleDetailList`,
/// `accounts`, …). Documents may follow one another (several `gcloud` calls, JSON Lines); an empty page
/// (`{}`, `{"nextPageToken": …}`) holds no item. Returns the wrapping objects' other members.
pub fn items_under<R: BufRead>(
    reader: R,
    keys: &[&str],
    mut each: impl FnMut(Value, u32) -> Result<(), SyntaxError>,
) -> Result<Vec<Map<String, Value>>, SyntaxError> {
    let mut envelopes = Vec::new();
    documents(reader, keys, true, &mut |event| match event {
        Event::Item(raw, line) => each(parse(raw, line)?, line),
        Event::Done((Some(members), false, start)) if !is_empty_page(&members) => {
            each(Value::Object(members), start)
        }
        Event::Done((Some(members), true, _)) => {
            envelopes.push(members);
            Ok(())
        }
        Event::Done(_) => Ok(()),
    })?;
    Ok(envelopes)
}

/// The bytes of each item of the top-level array, or of the first array under one of `keys` in a
/// top-level object, with the line each starts on: the caller parses them into what it needs (typed
/// structs skip the fields they do not name, which is much faster than building a [`Value`]). Returns the
/// object's other members, and whether an array was streamed; `start` receives the object's first line.
/// One document only.
pub fn raw_items_under<R: BufRead>(
    reader: R,
    keys: &[&str],
    start: &mut u32,
    mut each: impl FnMut(&[u8], u32) -> Result<(), SyntaxError>,
) -> Result<(Envelope, bool), SyntaxError> {
    let mut result = (None, false);
    documents(reader, keys, false, &mut |event| match event {
        Event::Item(raw, line) => each(raw, line),
        Event::Done((envelope, streamed, line)) => {
            *start = line;
            result = (envelope, streamed);
            Ok(())
        }
    })?;
    Ok(result)
}

/// One document's wrapper members (`None` for an array), whether its items were streamed, its first line.
type Document = (Envelope, bool, u32);

/// What [`documents`] reports, in the order of the file.
enum Event<'a> {
    /// An item's bytes and its first line.
    Item(&'a [u8], u32),
    /// A document ended.
    Done(Document),
}

/// Every top-level document (only the first unless `several`), item by item.
fn documents<R: BufRead>(
    reader: R,
    keys: &[&str],
    several: bool,
    on: &mut impl FnMut(Event<'_>) -> Result<(), SyntaxError>,
) -> Result<(), SyntaxError> {
    let mut s = Scanner {
        reader,
        line: 1,
        peeked: None,
    };
    s.skip_bom()?;
    s.skip_ws()?;
    let mut count = 0usize;
    loop {
        let start = s.line;
        let document = match s.peek()? {
            Some(b'[') => {
                s.next()?;
                s.array_items(&mut |raw, line| on(Event::Item(raw, line)))?;
                (None, true, start)
            }
            Some(b'{') => {
                let mut members = Map::new();
                let streamed = s.object_members(keys, &mut members, &mut |raw, line| {
                    on(Event::Item(raw, line))
                })?;
                (Some(members), streamed, start)
            }
            Some(_) if count > 0 => {
                let more = if several {
                    "a JSON document"
                } else {
                    "the JSON document"
                };
                return Err(s.error(&format!("unexpected text after the end of {more}")));
            }
            Some(_) => return Err(s.error(
                "expected a JSON array or object (is this the `--format=json` / `-o json` output?)",
            )),
            None if count > 0 => return Ok(()),
            None => return Err(s.error("the file is empty")),
        };
        on(Event::Done(document))?;
        count += 1;
        s.skip_ws()?;
        if !several && s.peek()?.is_some() {
            return Err(s.error("unexpected text after the end of the JSON document"));
        }
    }
}

/// Parses one item's bytes; an error names the line in the file.
fn parse(raw: &[u8], start: u32) -> Result<Value, SyntaxError> {
    serde_json::from_slice(raw).map_err(|e| syntax_at(&e, start))
}

/// A `serde_json` error inside an item that starts on line `start`, at its line in the file.
pub fn syntax_at(e: &serde_json::Error, start: u32) -> SyntaxError {
    let line = start.saturating_add(u32::try_from(e.line()).unwrap_or(1).saturating_sub(1));
    SyntaxError {
        line,
        message: format!("invalid JSON: {}", strip_position(&e.to_string())),
    }
}

struct Scanner<R> {
    reader: R,
    line: u32,
    peeked: Option<u8>,
}

impl<R: BufRead> Scanner<R> {
    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            line: self.line,
            message: message.to_string(),
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, SyntaxError> {
        if self.peeked.is_none() {
            let first = loop {
                match self.reader.fill_buf() {
                    Ok(buf) => break buf.first().copied(),
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(self.error(&format!("cannot read the file: {e}"))),
                }
            };
            let Some(byte) = first else { return Ok(None) };
            self.reader.consume(1);
            self.peeked = Some(byte);
        }
        Ok(self.peeked)
    }

    fn next(&mut self) -> Result<Option<u8>, SyntaxError> {
        let b = self.peek()?;
        self.peeked = None;
        if b == Some(b'\n') {
            self.line = self.line.saturating_add(1);
        }
        Ok(b)
    }

    fn skip_bom(&mut self) -> Result<(), SyntaxError> {
        if self.peek()? == Some(0xEF) {
            for expected in [0xEF, 0xBB, 0xBF] {
                if self.next()? != Some(expected) {
                    return Err(self.error("the file is not valid UTF-8 JSON"));
                }
            }
        }
        Ok(())
    }

    fn skip_ws(&mut self) -> Result<(), SyntaxError> {
        while matches!(self.peek()?, Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.next()?;
        }
        Ok(())
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), SyntaxError> {
        self.skip_ws()?;
        if self.next()? == Some(byte) {
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}")))
        }
    }

    /// After `[`: each item up to the closing `]`.
    fn array_items(
        &mut self,
        each: &mut impl FnMut(&[u8], u32) -> Result<(), SyntaxError>,
    ) -> Result<(), SyntaxError> {
        self.skip_ws()?;
        if self.peek()? == Some(b']') {
            self.next()?;
            return Ok(());
        }
        let mut buf = Vec::new();
        loop {
            self.skip_ws()?;
            let line = self.line;
            buf.clear();
            self.raw(&mut buf)?;
            each(&buf, line)?;
            self.skip_ws()?;
            match self.next()? {
                Some(b',') => {}
                Some(b']') => return Ok(()),
                _ => return Err(self.error("expected `,` or `]` after an item")),
            }
        }
    }

    /// After `{` is peeked: the members into `members`, streaming the first array under one of `keys`.
    /// Returns whether an array was streamed.
    fn object_members(
        &mut self,
        keys: &[&str],
        members: &mut Map<String, Value>,
        each: &mut impl FnMut(&[u8], u32) -> Result<(), SyntaxError>,
    ) -> Result<bool, SyntaxError> {
        self.next()?;
        let mut streamed = false;
        self.skip_ws()?;
        if self.peek()? == Some(b'}') {
            self.next()?;
            return Ok(false);
        }
        loop {
            self.skip_ws()?;
            let key = match self.value()? {
                Value::String(key) => key,
                _ => return Err(self.error("expected a string as an object key")),
            };
            self.expect(b':', "`:` after an object key")?;
            self.skip_ws()?;
            if keys.contains(&key.as_str()) && self.peek()? == Some(b'[') && !streamed {
                self.next()?;
                self.array_items(each)?;
                streamed = true;
            } else {
                let value = self.value()?;
                members.insert(key, value);
            }
            self.skip_ws()?;
            match self.next()? {
                Some(b',') => {}
                Some(b'}') => return Ok(streamed),
                _ => return Err(self.error("expected `,` or `}` after an object member")),
            }
        }
    }

    /// One complete JSON value, cut out byte for byte and parsed by `serde_json`.
    fn value(&mut self) -> Result<Value, SyntaxError> {
        let start = self.line;
        let mut buf = Vec::new();
        self.raw(&mut buf)?;
        parse(&buf, start)
    }

    /// One complete JSON value's bytes, appended to `buf`.
    fn raw(&mut self, buf: &mut Vec<u8>) -> Result<(), SyntaxError> {
        let start = self.line;
        let mut depth: usize = 0;
        loop {
            let Some(b) = self.peek()? else {
                return Err(SyntaxError {
                    line: start,
                    message: "the file ends inside a value".into(),
                });
            };
            match b {
                b'"' => {
                    self.string(buf)?;
                    if depth == 0 {
                        break;
                    }
                }
                b'{' | b'[' => {
                    depth += 1;
                    buf.push(b);
                    self.next()?;
                }
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    buf.push(b);
                    self.next()?;
                    if depth == 0 {
                        break;
                    }
                }
                b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => break,
                _ => {
                    buf.push(b);
                    self.next()?;
                }
            }
            if buf.len() > MAX_ITEM_BYTES {
                return Err(SyntaxError {
                    line: start,
                    message: format!(
                        "an item is larger than {} MiB",
                        MAX_ITEM_BYTES / 1024 / 1024
                    ),
                });
            }
        }
        Ok(())
    }

    /// A string literal, escapes and all, appended to `buf`.
    fn string(&mut self, buf: &mut Vec<u8>) -> Result<(), SyntaxError> {
        let start = self.line;
        let unterminated = || SyntaxError {
            line: start,
            message: "the file ends inside a string".into(),
        };
        buf.push(b'"');
        self.next()?;
        loop {
            match self.next()? {
                None => return Err(unterminated()),
                Some(b'\\') => {
                    buf.push(b'\\');
                    buf.push(self.next()?.ok_or_else(unterminated)?);
                }
                Some(b'"') => {
                    buf.push(b'"');
                    return Ok(());
                }
                Some(c) => buf.push(c),
            }
        }
    }
}

/// `serde_json` ends its messages with " at line L column C" relative to the item: the caller gives the line.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    type Collected = (Vec<(Value, u32)>, Envelope);

    fn collect(text: &str) -> Result<Collected, SyntaxError> {
        let mut out = Vec::new();
        let envelopes = items_under(text.as_bytes(), &["items", "accounts"], |v, line| {
            out.push((v, line));
            Ok(())
        })?;
        Ok((out, envelopes.into_iter().next()))
    }

    #[test]
    fn array_items_carry_their_first_line() {
        let (items, envelope) =
            collect("[\n  {\"a\": \"x]\\\"\"},\n  {\n    \"b\": [1, 2]\n  }\n]\n").unwrap();
        assert!(envelope.is_none());
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].0["a"], "x]\"");
        assert_eq!((items[0].1, items[1].1), (2, 3));
    }

    #[test]
    fn list_objects_stream_their_items_and_keep_the_rest() {
        let (items, envelope) = collect("{\"apiVersion\": \"v1\",\n\"items\": [\n{\"n\": 1},\n{\"n\": 2}],\n\"kind\": \"List\"}").unwrap();
        assert_eq!(
            items
                .iter()
                .map(|(v, l)| (v["n"].as_i64().unwrap(), *l))
                .collect::<Vec<_>>(),
            vec![(1, 3), (2, 4)]
        );
        assert_eq!(envelope.unwrap()["kind"], "List");
    }

    #[test]
    fn a_single_object_is_the_only_item() {
        let (items, _) = collect("\n{\"kind\": \"ServiceAccount\"}").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].1, 2);
    }

    #[test]
    fn errors_name_the_line_in_the_file() {
        let e = collect("[\n{\"a\": 1},\n{\"a\":\n  tru}\n]").unwrap_err();
        assert_eq!(e.line, 4, "{}", e.message);
        let e = collect("[\n{\"a\": 1}\n{\"a\": 2}]").unwrap_err();
        assert_eq!(e.line, 3);
        let e = collect("[{\"a\": \"unterminated]").unwrap_err();
        assert!(e.message.contains("ends inside"));
        assert!(collect("").is_err());
        assert!(collect("[1] x").is_err());
    }

    #[test]
    fn documents_one_after_another_and_rest_pages() {
        let (items, _) = collect("[{\"n\": 1}]\n[{\"n\": 2}]\n{\"n\": 3}\n{\"n\": 4}").unwrap();
        let lines: Vec<u32> = items.iter().map(|(_, l)| *l).collect();
        assert_eq!(lines, [1, 2, 3, 4]);
        let (items, envelope) =
            collect("{\"accounts\": [{\"n\": 1}],\n \"nextPageToken\": \"abc\"}\n{}").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(envelope.unwrap()["nextPageToken"], "abc");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        assert!(collect(&deep).is_err());
    }
}
