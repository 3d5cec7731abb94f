//! The one lossless editor for registry files: every command that records a decision writes through it.
//!
//! Edits are splices of the file's text at the byte ranges the YAML parser reports, so everything the
//! edit does not touch (comments above, beside and below, blank lines, key order, quoting, indentation,
//! CRLF, a byte-order mark, the presence of a final newline) stays byte for byte. After each edit the
//! file is parsed again with the loader's own parser and must give the same tree with only the edited
//! value changed; otherwise the edit is refused. Documents using anchors, aliases or tags, files that do
//! not parse and values on several lines are refused too, naming the file and line. Nothing is written
//! until a [`Plan`] is applied, and then atomically per file (a temporary file in the same directory,
//! renamed over the original, with its permissions).
//!
//! ```no_run
//! use nhi::edit::{EditFile, Plan, Scalar};
//!
//! # fn main() -> Result<(), nhi::edit::EditError> {
//! let mut file = EditFile::open("registry/identities/payments.yaml".as_ref(), "identities/payments.yaml")?;
//! let doc = file.find("Identity", "payments-stripe-key")?;
//! file.set(doc, "/review/last", Scalar::from("2026-12-02"))?;       // inserts `review:` when missing
//! file.set(doc, "/review/by", Scalar::from("ken.ito"))?;
//! file.set_after(doc, "/decommissioned_on", Scalar::from("2026-12-02"), &["status"])?;
//! file.remove(doc, "/access")?;                                     // with its lines and comments
//! let mut plan = Plan::default();
//! plan.add(file);
//! print!("{}", plan.diff());                                        // a unified diff, for --dry-run
//! let written: Vec<String> = plan.apply()?;                         // every file, or none
//! # Ok(()) }
//! ```

mod ops;
mod release;
mod stamp;
mod text;
mod tree;
mod verify;
mod write;

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

pub use write::Plan;

/// A value the editor writes. Dates are strings (`YYYY-MM-DD`), written plain where that reads back as
/// the same string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar {
    Str(String),
    Bool(bool),
    Int(i64),
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Scalar::Str(s.to_string())
    }
}

impl From<String> for Scalar {
    fn from(s: String) -> Self {
        Scalar::Str(s)
    }
}

impl From<bool> for Scalar {
    fn from(b: bool) -> Self {
        Scalar::Bool(b)
    }
}

impl From<jiff::civil::Date> for Scalar {
    fn from(d: jiff::civil::Date) -> Self {
        Scalar::Str(d.to_string())
    }
}

impl Scalar {
    fn json(&self) -> Json {
        match self {
            Scalar::Str(s) => Json::String(s.clone()),
            Scalar::Bool(b) => Json::Bool(*b),
            Scalar::Int(i) => Json::from(*i),
        }
    }

    fn same_as(&self, text: &str) -> bool {
        matches!(self, Scalar::Str(s) if s == text)
    }
}

/// An edit that cannot be made safely: the file (as the user knows it), the line, and why. Nothing was
/// written.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct EditError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// One file being edited: its original bytes and the text as edited so far.
#[derive(Clone, Debug)]
pub struct EditFile {
    path: PathBuf,
    display: String,
    original: Option<Vec<u8>>,
    /// The file's metadata when it was read, to tell at writing time that it did not change.
    stamp: Option<stamp::Stamp>,
    bom: bool,
    text: String,
    /// The tree of every document as the loader reads it, with the edits made so far applied.
    expected: Vec<Json>,
    /// Whether the trees were let go ([`EditFile::seal`]): no further edit.
    sealed: bool,
}

impl EditFile {
    /// Reads a file to edit; `display` names it in messages (the path relative to the registry).
    pub fn open(path: &Path, display: &str) -> Result<EditFile, EditError> {
        let fail = |message: String| EditError {
            file: display.to_string(),
            line: 1,
            message,
        };
        // The stamp is taken before the bytes are read: a change after it shows at writing time.
        let before = std::time::SystemTime::now();
        let meta =
            std::fs::symlink_metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
        if !meta.file_type().is_file() {
            return Err(fail("not a regular file (a link?); edit it by hand".into()));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
        let mut file = EditFile::from_bytes(display, bytes)?;
        file.path = path.to_path_buf();
        file.stamp = Some(stamp::Stamp::new(&meta, before));
        Ok(file)
    }

    /// A file held in memory (as read from `display`), for planning edits and for tests.
    pub fn from_bytes(display: &str, bytes: Vec<u8>) -> Result<EditFile, EditError> {
        let text = std::str::from_utf8(&bytes).map_err(|e| EditError {
            file: display.to_string(),
            line: text::line_number(
                &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                usize::MAX,
            ),
            message: "the file is not UTF-8".into(),
        })?;
        let bom = text.starts_with('\u{feff}');
        let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
        let expected = verify::trees(&text).map_err(|(line, message)| EditError {
            file: display.to_string(),
            line,
            message: format!("the file does not parse ({message}); it was left as it is"),
        })?;
        Ok(EditFile {
            path: PathBuf::from(display),
            display: display.to_string(),
            original: Some(bytes),
            stamp: None,
            bom,
            text,
            expected,
            sealed: false,
        })
    }

    /// A new file with `text` (which must parse); applying the plan refuses to overwrite an existing file.
    pub fn create(path: &Path, display: &str, text: &str) -> Result<EditFile, EditError> {
        let mut file = EditFile::from_bytes(display, text.as_bytes().to_vec())?;
        file.path = path.to_path_buf();
        file.original = None;
        Ok(file)
    }

    /// The name the file goes by in messages.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Lets go of the trees kept for checking edits, once every edit of the file is made (a plan of many
    /// files then holds little more than their texts): the file can still be diffed and written, and a
    /// further edit is refused.
    pub fn seal(&mut self) {
        self.expected = Vec::new();
        self.sealed = true;
    }

    /// The index of the document with this `kind` and `id`.
    pub fn find(&self, kind: &str, id: &str) -> Result<usize, EditError> {
        if self.sealed {
            return Err(self.error(0, "the file is planned already; no further edit"));
        }
        self.expected
            .iter()
            .position(|d| d["kind"] == kind && d["id"] == id)
            .ok_or_else(|| self.error(0, format!("no {kind} `{id}` in this file")))
    }

    /// The current value at `pointer` of document `doc`, as the loader reads it.
    pub fn get(&self, doc: usize, pointer: &str) -> Option<&Json> {
        self.expected.get(doc)?.pointer(pointer)
    }

    /// Sets `pointer` of document `doc` to `value`, inserting missing keys (and mappings) after the last
    /// entry of their mapping. Returns whether the text changed.
    pub fn set(&mut self, doc: usize, pointer: &str, value: Scalar) -> Result<bool, EditError> {
        self.set_after(doc, pointer, value, &[])
    }

    /// As [`EditFile::set`]; a missing key goes after the first of `after` present in its mapping.
    pub fn set_after(
        &mut self,
        doc: usize,
        pointer: &str,
        value: Scalar,
        after: &[&str],
    ) -> Result<bool, EditError> {
        let path = tokens(pointer);
        let splice = {
            let docs = self.docs()?;
            let root = self.doc_root(&docs, doc)?;
            ops::set(&self.text, root, &path, &value, after)
        };
        let splice = splice.map_err(|r| self.error(r.at, r.message))?;
        let mut expected = self.expected[doc].clone();
        verify::set(&mut expected, &path, value.json());
        self.apply(splice, doc, expected, pointer)
    }

    /// Removes the entry or list item at `pointer` of document `doc`, with its own lines and the comment
    /// lines directly above it. Returns whether the text changed (`false`: it was not there).
    pub fn remove(&mut self, doc: usize, pointer: &str) -> Result<bool, EditError> {
        let path = tokens(pointer);
        let splice = {
            let docs = self.docs()?;
            let root = self.doc_root(&docs, doc)?;
            ops::remove(&self.text, root, &path)
        };
        let splice = splice.map_err(|r| self.error(r.at, r.message))?;
        let mut expected = self.expected[doc].clone();
        verify::remove(&mut expected, &path);
        self.apply(splice, doc, expected, pointer)
    }

    /// Whether the text differs from what was read.
    pub fn changed(&self) -> bool {
        self.original.as_deref() != Some(&self.bytes()[..])
    }

    /// The file's bytes as edited.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len() + 3);
        if self.bom {
            out.extend_from_slice("\u{feff}".as_bytes());
        }
        out.extend_from_slice(self.text.as_bytes());
        out
    }

    fn docs(&self) -> Result<Vec<tree::Doc>, EditError> {
        tree::parse(&self.text).map_err(|u| {
            self.error(
                u.at,
                format!(
                    "the file does not parse ({}); it was left as it is",
                    u.message
                ),
            )
        })
    }

    fn doc_root<'a>(&self, docs: &'a [tree::Doc], doc: usize) -> Result<&'a tree::Node, EditError> {
        let d = docs
            .get(doc)
            .filter(|_| docs.len() == self.expected.len())
            .ok_or_else(|| self.error(0, format!("the file has no document {doc}")))?;
        if let Some(at) = d.indirection {
            return Err(self.error(
                at,
                "this document uses an anchor, alias or tag; nhi does not edit through them: edit it by hand",
            ));
        }
        Ok(&d.root)
    }

    /// Makes the splice when the text it gives reads back as the documents so far, with document `doc`
    /// now `expected`.
    fn apply(
        &mut self,
        splice: Option<ops::Splice>,
        doc: usize,
        expected: Json,
        pointer: &str,
    ) -> Result<bool, EditError> {
        let Some(s) = splice else {
            return Ok(false);
        };
        let mut text = String::with_capacity(self.text.len() + s.text.len());
        text.push_str(&self.text[..s.start]);
        text.push_str(&s.text);
        text.push_str(&self.text[s.end..]);
        let same = |trees: &[Json]| {
            trees.len() == self.expected.len()
                && trees.iter().enumerate().all(|(n, t)| {
                    if n == doc {
                        *t == expected
                    } else {
                        *t == self.expected[n]
                    }
                })
        };
        match verify::trees(&text) {
            Ok(trees) if same(&trees) => {
                self.text = text;
                self.expected[doc] = expected;
                Ok(true)
            }
            _ => Err(self.error(
                s.start,
                format!(
                    "editing `{pointer}` here would change more than that value; edit it by hand"
                ),
            )),
        }
    }

    fn error(&self, at: usize, message: impl Into<String>) -> EditError {
        EditError {
            file: self.display.clone(),
            line: text::line_number(&self.text, at),
            message: message.into(),
        }
    }
}

/// The tokens of a JSON pointer (`/review/last` → `review`, `last`).
fn tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(crate::span::unescape_token)
        .collect()
}

#[cfg(test)]
mod tests;
