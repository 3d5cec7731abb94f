//! An export's bytes as the sources read them: text in UTF-8 (with or without a byte-order mark) or in
//! UTF-16 with a byte-order mark (what PowerShell's `>` writes), and listings in JSON or YAML.
//!
//! Listings arrive in many wrappers: a bare array (`gcloud … --format=json`), a `List` object whose `items`
//! hold the resources (`kubectl … -o json`), a REST page (`{"accounts": […], "nextPageToken": …}`), several
//! JSON documents one after another (one `gcloud` call per project, JSON Lines), or YAML (`kubectl … -o
//! yaml`, `gcloud … --format=yaml`, one document per resource). [`items`] hands every item of any of them to
//! the source, with the line it starts on, so a source never knows which wrapper it was given.

use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::Path;

use serde_json::{Map, Value};

use super::json_stream::{self, SyntaxError};
use super::{ImportError, Record};
use crate::load::yaml;

/// YAML listings are read whole (the parser needs the text); larger ones are refused with advice.
pub const MAX_YAML_BYTES: u64 = 256 * 1024 * 1024;

/// The members of each top-level object other than its list of items (`kind`, `nextPageToken`, …).
pub type Envelopes = Vec<Map<String, Value>>;

/// Opens an export file for streaming, as UTF-8 text: a UTF-8 byte-order mark is dropped, UTF-16 (with its
/// mark) is decoded as it is read. Line numbers are unchanged by the decoding.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>, ImportError> {
    if path.is_dir() {
        let message = std::io::Error::other("it is a directory, not an export file");
        return Err(ImportError::io(path, message));
    }
    let file = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let head = reader.fill_buf().map_err(|e| ImportError::io(path, e))?;
    Ok(match head {
        [0xEF, 0xBB, 0xBF, ..] => {
            reader.consume(3);
            Box::new(reader)
        }
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => {
            let big_endian = head[0] == 0xFE;
            reader.consume(2);
            Box::new(BufReader::with_capacity(
                64 * 1024,
                Utf16 {
                    inner: reader,
                    big_endian,
                    pending: Vec::new(),
                },
            ))
        }
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => {
            let message = std::io::Error::other(
                "it looks like UTF-16 without a byte-order mark: convert it to UTF-8 (PowerShell: `Out-File -Encoding utf8`)",
            );
            return Err(ImportError::io(path, message));
        }
        _ => Box::new(reader),
    })
}

/// Reads the whole (decoded) export into memory, refusing more than `limit` bytes.
pub fn read_all(path: &Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    let mut bytes = Vec::new();
    open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(path, e))?;
    if bytes.len() as u64 > limit {
        let message = format!("larger than {} MiB", limit / 1024 / 1024);
        return Err(ImportError::io(path, std::io::Error::other(message)));
    }
    Ok(bytes)
}

/// UTF-16 code units in, UTF-8 bytes out.
struct Utf16<R> {
    inner: R,
    big_endian: bool,
    /// Decoded bytes not handed out yet.
    pending: Vec<u8>,
}

impl<R: BufRead> Utf16<R> {
    fn unit(&mut self) -> std::io::Result<Option<u16>> {
        let mut pair = [0u8; 2];
        match self.inner.read_exact(&mut pair) {
            Ok(()) => Ok(Some(if self.big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            })),
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Decodes up to about 8 KiB into `pending`.
    fn refill(&mut self) -> std::io::Result<()> {
        let invalid =
            || std::io::Error::new(ErrorKind::InvalidData, "the file is not valid UTF-16");
        while self.pending.len() < 8 * 1024 {
            let Some(unit) = self.unit()? else { break };
            let c = if (0xD800..0xDC00).contains(&unit) {
                let low = self.unit()?.ok_or_else(invalid)?;
                char::decode_utf16([unit, low])
                    .next()
                    .and_then(Result::ok)
                    .ok_or_else(invalid)?
            } else {
                char::from_u32(u32::from(unit)).ok_or_else(invalid)?
            };
            let mut buf = [0u8; 4];
            self.pending
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        Ok(())
    }
}

impl<R: BufRead> Read for Utf16<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            self.refill()?;
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

/// Line ends as `\n` only: the CSV reader counts a `\r\n` row end wrongly (every line number after the
/// header one too low), so `\r` before `\n` is dropped before it reads.
pub struct LfOnly<R> {
    inner: R,
    /// A `\r` that ended the previous read, not yet known to precede `\n`.
    held_cr: bool,
}

impl<R: Read> LfOnly<R> {
    pub fn new(inner: R) -> LfOnly<R> {
        LfOnly {
            inner,
            held_cr: false,
        }
    }
}

impl<R: Read> Read for LfOnly<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.len() < 2 {
            return self.inner.read(out);
        }
        let start = usize::from(self.held_cr);
        let n = self.inner.read(&mut out[start..])?;
        if self.held_cr {
            out[0] = b'\r';
            self.held_cr = false;
        }
        let end = start + n;
        let mut kept = 0;
        for i in 0..end {
            let b = out[i];
            if b == b'\r' && i + 1 < end && out[i + 1] == b'\n' {
                continue;
            }
            if b == b'\r' && i + 1 == end && n > 0 {
                self.held_cr = true;
                continue;
            }
            out[kept] = b;
            kept += 1;
        }
        if kept == 0 && self.held_cr {
            // Only a `\r` so far: read on until it is known what follows.
            return self.read(out);
        }
        Ok(kept)
    }
}

/// The first byte that is not whitespace, without consuming anything (as far as the buffer shows).
fn first_byte(reader: &mut dyn BufRead) -> std::io::Result<Option<u8>> {
    let buf = reader.fill_buf()?;
    Ok(buf.iter().copied().find(|b| !b.is_ascii_whitespace()))
}

/// Calls `each(item, line)` for every item of the listing at `path`, JSON or YAML in any of the wrappers
/// the module describes; `lists` names the members of a wrapping object that hold the items. Returns the
/// wrappers' other members.
pub fn items(
    path: &Path,
    file: &str,
    lists: &[&str],
    mut each: impl FnMut(Value, u32) -> Result<(), SyntaxError>,
) -> Result<Envelopes, ImportError> {
    let mut reader = open(path)?;
    let first = first_byte(&mut *reader).map_err(|e| ImportError::io(path, e))?;
    let syntax = |e: SyntaxError| ImportError::format(file, e.line, e.message);
    match first {
        Some(b'[' | b'{') | None => json_stream::items_under(reader, lists, each).map_err(syntax),
        Some(_) => {
            drop(reader);
            let bytes = read_all(path, MAX_YAML_BYTES)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| ImportError::format(file, 1, "the file is not valid UTF-8"))?;
            yaml_items(&text, lists, &mut each).map_err(syntax)
        }
    }
}

/// Reads a listing of `T` (`what`, as errors name it) into `export`: each item a record made by
/// `record(file, line, item)`, and what each record belongs to added to what the export covers. Returns the
/// wrappers' other members.
pub fn listing<T: serde::de::DeserializeOwned>(
    path: &Path,
    export: &mut super::Export,
    lists: &[&str],
    what: &str,
    mut record: impl FnMut(&str, u32, T) -> Result<Record, SyntaxError>,
) -> Result<Envelopes, ImportError> {
    let file = export.file.clone();
    let mut records = Vec::new();
    let envelopes = items(path, &file, lists, |item, line| {
        records.push(record(&file, line, super::typed(item, line, what)?)?);
        Ok(())
    })?;
    export.add_covering(records);
    Ok(envelopes)
}

/// Reads a listing that does not name what it covers (a repository, an organisation): `covered`, the option
/// that names it, or the error `missing` (naming the option). Each item is a record made by
/// `record(file, line, covered, item)`; an empty listing still speaks for what it covers (the registry's
/// identities there are stale).
pub fn listing_for<T: serde::de::DeserializeOwned>(
    path: &Path,
    export: &mut super::Export,
    covered: Option<&String>,
    missing: &str,
    what: &str,
    mut record: impl FnMut(&str, u32, &str, T) -> Result<Record, SyntaxError>,
) -> Result<(), ImportError> {
    let covered = covered
        .cloned()
        .ok_or_else(|| ImportError::io(path, std::io::Error::other(missing.to_string())))?;
    listing(path, export, &[], what, |file, line, item| {
        record(file, line, &covered, item)
    })?;
    export.scope.insert(covered.to_lowercase());
    Ok(())
}

/// The items of a YAML listing: each document is a resource, a sequence of them, or a wrapper.
fn yaml_items(
    text: &str,
    lists: &[&str],
    each: &mut impl FnMut(Value, u32) -> Result<(), SyntaxError>,
) -> Result<Envelopes, SyntaxError> {
    let parsed = yaml::parse(text);
    let mut envelopes = Vec::new();
    for doc in parsed.documents {
        if let Some(problem) = doc.problems.first() {
            return Err(SyntaxError {
                line: problem.pos.line.get(),
                message: format!("invalid YAML: {}", problem.message),
            });
        }
        let root = doc.root;
        let line = root.pos.line.get();
        match root.value {
            yaml::Value::Null => {}
            yaml::Value::Seq(nodes) => {
                for node in nodes {
                    let line = node.pos.line.get();
                    each(to_json(node), line)?;
                }
            }
            yaml::Value::Map(entries) => {
                let mut members = Map::new();
                let mut streamed = false;
                let empty = entries.is_empty();
                for (key, node) in entries {
                    match node.value {
                        yaml::Value::Seq(nodes)
                            if !streamed && lists.contains(&key.text.as_str()) =>
                        {
                            streamed = true;
                            for node in nodes {
                                let line = node.pos.line.get();
                                each(to_json(node), line)?;
                            }
                        }
                        _ => {
                            members.insert(key.text, to_json(node));
                        }
                    }
                }
                if streamed {
                    envelopes.push(members);
                } else if !empty && !json_stream::is_empty_page(&members) {
                    each(Value::Object(members), line)?;
                }
            }
            _ => {
                return Err(SyntaxError {
                    line,
                    message: "expected a YAML mapping or sequence of resources".into(),
                })
            }
        }
    }
    if let Some(problem) = parsed.fatal {
        return Err(SyntaxError {
            line: problem.pos.line.get(),
            message: format!("invalid YAML: {}", problem.message),
        });
    }
    Ok(envelopes)
}

/// A YAML node as JSON (keys are text; numbers stay numbers).
fn to_json(node: yaml::Node) -> Value {
    match node.value {
        yaml::Value::Null => Value::Null,
        yaml::Value::Bool(b) => Value::Bool(b),
        yaml::Value::Int(i) => Value::from(i),
        yaml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        yaml::Value::Str(s) => Value::String(s),
        yaml::Value::Seq(nodes) => Value::Array(nodes.into_iter().map(to_json).collect()),
        yaml::Value::Map(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.text, to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(bytes: &[u8], lists: &[&str]) -> Vec<(Value, u32)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export");
        std::fs::write(&path, bytes).unwrap();
        let mut out = Vec::new();
        items(&path, "export", lists, |v, line| {
            out.push((v, line));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn utf16_with_a_bom_reads_like_utf8() {
        let text = "[\n{\"n\": \"é𝄞\"},\n{\"n\": 2}]";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        let plain = collect(text.as_bytes(), &[]);
        assert_eq!(plain[0].0["n"], "é𝄞");
        assert_eq!(collect(&le, &[]), plain);
        assert_eq!(collect(&be, &[]), plain);
        assert_eq!(plain[1].1, 3);
    }

    #[test]
    fn crlf_becomes_lf_across_reads() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = out.len().min(self.0.len()).min(1);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        for text in [&b"a\r\nb\r\n\rc\r"[..], b"\r\r\n"] {
            let mut out = Vec::new();
            LfOnly::new(Trickle(text)).read_to_end(&mut out).unwrap();
            let want = String::from_utf8_lossy(text).replace("\r\n", "\n");
            assert_eq!(String::from_utf8_lossy(&out), want);
            let mut out = Vec::new();
            LfOnly::new(text).read_to_end(&mut out).unwrap();
            assert_eq!(String::from_utf8_lossy(&out), want);
        }
    }

    #[test]
    fn yaml_documents_sequences_and_wrappers() {
        let docs = collect(b"---\nemail: a@x\nn: 1\n---\nemail: b@x\n", &["accounts"]);
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].1, docs[1].1), (2, 5));
        let list = collect(
            b"apiVersion: v1\nitems:\n- kind: ServiceAccount\n  metadata: {name: a}\n- kind: ServiceAccount\nkind: List\n",
            &["items"],
        );
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].0["metadata"]["name"], "a");
        assert_eq!((list[0].1, list[1].1), (3, 5));
    }
}
