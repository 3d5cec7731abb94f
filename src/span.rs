//! Positions in registry files: 1-based line and column, and a compact index from JSON pointers to them.
//!
//! Every finding points at the key or value it is about. Documents are converted to JSON for the schema and
//! the typed model; the [`Locator`] keeps, for each JSON pointer of the document, where its key and its value
//! start in the file, so the rules can name a line and column without keeping the YAML tree alive.

use std::fmt;
use std::num::NonZeroU32;

use serde::Serialize;

/// A 1-based line and column (columns count characters, as SARIF's default `unicodeCodePoints`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: NonZeroU32,
    pub column: NonZeroU32,
}

impl Pos {
    /// The first character of a file.
    pub const START: Pos = Pos {
        line: NonZeroU32::MIN,
        column: NonZeroU32::MIN,
    };

    /// Builds a position from a 1-based line and a 0-based column, as the YAML parser reports them.
    pub fn from_parser(line: usize, col0: usize) -> Pos {
        let clamp = |n: usize| {
            NonZeroU32::new(u32::try_from(n).unwrap_or(u32::MAX).max(1)).unwrap_or(NonZeroU32::MIN)
        };
        Pos {
            line: clamp(line),
            column: clamp(col0.saturating_add(1)),
        }
    }

    /// Builds a position from 1-based numbers.
    pub fn new(line: u32, column: u32) -> Pos {
        Pos {
            line: NonZeroU32::new(line).unwrap_or(NonZeroU32::MIN),
            column: NonZeroU32::new(column).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// A file and a 1-based line: where a report says something is declared or was found
/// (`identities/ci.yaml:12`). JSON reports flatten it into `file` and `line`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Place {
    /// A registry file relative to the registry root (`/`-separated); an export or a scanner's report as
    /// it names the file.
    pub file: String,
    pub line: NonZeroU32,
}

impl Place {
    /// Builds a place from a 1-based line (0, which no reader gives, becomes 1 as in [`Pos::new`]).
    pub fn new(file: impl Into<String>, line: u32) -> Place {
        Place {
            file: file.into(),
            line: NonZeroU32::new(line).unwrap_or(NonZeroU32::MIN),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Where one JSON pointer sits in the file: its key (for a mapping entry) and its value.
#[derive(Clone, Copy, Debug)]
struct Entry {
    hash: u64,
    key: Pos,
    value: Pos,
}

/// A sorted index from JSON pointer (as a 64-bit hash) to its positions.
#[derive(Clone, Debug, Default)]
pub struct Locator {
    entries: Vec<Entry>,
}

impl Locator {
    /// Records the positions of `pointer`; call [`Locator::finish`] once all are in.
    pub fn insert(&mut self, pointer: &str, key: Pos, value: Pos) {
        self.entries.push(Entry {
            hash: fnv1a(pointer),
            key,
            value,
        });
    }

    /// Sorts the index for lookups and releases spare capacity.
    pub fn finish(&mut self) {
        self.entries.sort_by_key(|e| e.hash);
        self.entries.dedup_by_key(|e| e.hash);
        self.entries.shrink_to_fit();
    }

    fn get(&self, pointer: &str) -> Option<&Entry> {
        let hash = fnv1a(pointer);
        self.entries
            .binary_search_by_key(&hash, |e| e.hash)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The position of the key of `pointer` (the item itself inside a sequence), if it exists.
    pub fn key(&self, pointer: &str) -> Option<Pos> {
        self.get(pointer).map(|e| e.key)
    }

    /// The position of the value at `pointer`, if it exists.
    pub fn value(&self, pointer: &str) -> Option<Pos> {
        self.get(pointer).map(|e| e.value)
    }

    /// The key of `pointer`, or of the nearest ancestor that exists, or the document start.
    pub fn nearest(&self, pointer: &str) -> Pos {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.key(p) {
                return pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return self.key("").unwrap_or(Pos::START),
            }
        }
    }
}

/// FNV-1a: small, stable across runs and platforms, and good enough for a few dozen keys per document.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 requires.
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// One reference token of a JSON pointer as it was before [`push_token`] escaped it.
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
