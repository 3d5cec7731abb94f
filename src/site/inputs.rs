//! What each page is made from, so that a rebuild renders only the pages whose inputs changed.
//!
//! A page's bytes are a function of the templates, the page's context and the site-wide values the
//! templates read (`site.as_of`, `site.commit`, …). Its *input key* is a SHA-256 over the first two and
//! the values of the site-wide fields the page read when it was last rendered; [`FILE`] records the key
//! and those fields for every page. A rebuild computes each page's context, and when the key is the one
//! recorded, the page is the previous site's file (hard-linked) without rendering it. That is exact, not a
//! guess: rendering the same templates with the same context and the same values for every site-wide
//! field it reads takes the same steps and reads the same fields, so it writes the same bytes.

use foldhash::HashMap;
use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Value as Jinja};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The file of the site that records each page's input key, listed in the manifest like every file.
pub const FILE: &str = "data/page-inputs.tsv";

thread_local! {
    /// The site-wide fields read by the page being rendered on this thread, one bit per field.
    static READ: Cell<u32> = const { Cell::new(0) };
}

/// The site-wide values (`site` in templates), noting which fields each rendering reads.
#[derive(Debug)]
pub struct Globals {
    names: Vec<String>,
    values: Vec<Jinja>,
    /// Each value as JSON, for input keys.
    json: Vec<String>,
}

impl Globals {
    pub fn new(fields: Map<String, Value>) -> Globals {
        assert!(fields.len() <= 32, "at most 32 site-wide fields");
        let mut globals = Globals {
            names: Vec::new(),
            values: Vec::new(),
            json: Vec::new(),
        };
        for (name, value) in fields {
            globals.json.push(value.to_string());
            globals
                .values
                .push(Jinja::from(minijinja::value::Serde(&value)));
            globals.names.push(name);
        }
        globals
    }

    /// The bit of the field `name` in the fields a page read; 0 for no such field.
    pub fn bit(&self, name: &str) -> u32 {
        self.names
            .iter()
            .position(|n| n == name)
            .map_or(0, |n| 1 << n)
    }

    fn all(&self) -> u32 {
        (1u64 << self.names.len()).wrapping_sub(1) as u32
    }

    fn note(&self, bits: u32) {
        READ.with(|r| r.set(r.get() | bits));
    }

    /// Renders with `f`, returning its result and the fields it read.
    pub fn tracking<T>(f: impl FnOnce() -> T) -> (T, u32) {
        READ.with(|r| r.set(0));
        let value = f();
        (value, READ.with(Cell::get))
    }
}

impl Object for Globals {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Jinja) -> Option<Jinja> {
        let n = self
            .names
            .iter()
            .position(|name| Some(name.as_str()) == key.as_str());
        match n {
            Some(n) => {
                self.note(1 << n);
                Some(self.values[n].clone())
            }
            None => {
                // What an unknown field would give depends on the others' names only, which the
                // templates' fingerprint does not cover: count it as reading all of them.
                self.note(self.all());
                None
            }
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.note(self.all());
        Enumerator::Values(self.names.iter().map(|n| Jinja::from(n.as_str())).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.note(self.all());
        Some(self.names.len())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.names.is_empty()
    }
}

/// A page's input key without the site-wide fields: the templates, the template and the context.
pub struct Base([u8; 32]);

impl Base {
    pub fn of(templates: &[u8; 32], template: &str, ctx: &Value) -> Base {
        thread_local! {
            /// The bytes fed for a context, kept between pages: one hash update instead of thousands.
            static BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BYTES.with_borrow_mut(|bytes| {
            bytes.clear();
            bytes.extend_from_slice(templates);
            bytes.extend_from_slice(template.as_bytes());
            bytes.push(0);
            feed(bytes, ctx);
            Base(Sha256::digest(&bytes[..]).into())
        })
    }

    /// The key with the values of the site-wide fields in `read`.
    pub fn key(&self, globals: &Globals, read: u32) -> String {
        let mut h = Sha256::new();
        h.update(self.0);
        for n in (0..globals.names.len()).filter(|n| read & (1 << n) != 0) {
            h.update(globals.names[n].as_bytes());
            h.update([0]);
            h.update(globals.json[n].as_bytes());
            h.update([0]);
        }
        // 128 bits, in hex.
        super::output::hex(&h.finalize()[..16])
    }
}

/// Feeds a JSON value into the hash without printing it: a tag per node, and strings, keys and arrays
/// with their lengths, so that two different values never feed the same bytes.
fn feed(h: &mut Vec<u8>, value: &Value) {
    let len = |h: &mut Vec<u8>, n: usize| h.extend_from_slice(&(n as u64).to_le_bytes());
    match value {
        Value::Null => h.push(0),
        Value::Bool(b) => h.extend_from_slice(&[1, u8::from(*b)]),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => {
                h.push(2);
                h.extend_from_slice(&u.to_le_bytes());
            }
            (None, Some(i), _) => {
                h.push(6);
                h.extend_from_slice(&i.to_le_bytes());
            }
            (None, None, f) => {
                h.push(7);
                h.extend_from_slice(&f.unwrap_or(f64::NAN).to_bits().to_le_bytes());
            }
        },
        Value::String(s) => {
            h.push(3);
            len(h, s.len());
            h.extend_from_slice(s.as_bytes());
        }
        Value::Array(items) => {
            h.push(4);
            len(h, items.len());
            for item in items {
                feed(h, item);
            }
        }
        Value::Object(map) => {
            h.push(5);
            len(h, map.len());
            for (key, item) in map {
                len(h, key.len());
                h.extend_from_slice(key.as_bytes());
                feed(h, item);
            }
        }
    }
}

/// One page's entry in [`FILE`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub path: String,
    /// The site-wide fields the page read, one bit per field in the order of [`Globals`].
    pub read: u32,
    pub key: String,
}

/// A page's line in [`FILE`]: `path<TAB>fields read (hex)<TAB>key`.
impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\t{:x}\t{}", self.path, self.read, self.key)
    }
}

/// The text of [`FILE`]: a line per page, sorted by path.
pub fn text(inputs: &mut [Input]) -> String {
    inputs.sort();
    let mut out = String::with_capacity(inputs.len() * 72);
    for i in inputs.iter() {
        let _ = writeln!(out, "{i}");
    }
    out
}

/// Reads [`FILE`] as [`text`] writes it: path → (fields read, key). Lines that do not parse are left out
/// (their pages are rendered).
pub fn parse(text: &str) -> HashMap<String, (u32, String)> {
    text.lines()
        .filter_map(parse_line)
        .map(|(path, read, key)| (path.to_string(), (read, key.to_string())))
        .collect()
}

/// One line of [`FILE`]: its path, the fields read and the key; `None` when it does not parse.
pub fn parse_line(line: &str) -> Option<(&str, u32, &str)> {
    let mut parts = line.split('\t');
    let (path, read, key) = (parts.next()?, parts.next()?, parts.next()?);
    Some((path, u32::from_str_radix(read, 16).ok()?, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globals() -> Arc<Globals> {
        let Value::Object(map) =
            serde_json::json!({"as_of": "2026-01-01", "commit": "abc", "n": 3})
        else {
            unreachable!()
        };
        Arc::new(Globals::new(map))
    }

    fn render(globals: &Arc<Globals>, source: &str) -> (String, u32) {
        let mut env = minijinja::Environment::new();
        env.add_global("site", Jinja::from_dyn_object(globals.clone()));
        env.add_template("t", source).unwrap();
        let t = env.get_template("t").unwrap();
        let (html, read) = Globals::tracking(|| t.render(()).unwrap());
        (html, read)
    }

    #[test]
    fn a_rendering_notes_the_site_fields_it_reads_and_no_others() {
        let g = globals();
        assert_eq!(render(&g, "{{ site.as_of }}"), ("2026-01-01".into(), 0b001));
        assert_eq!(
            render(&g, "{{ site.n }} {{ site.commit }}"),
            ("3 abc".into(), 0b110)
        );
        assert_eq!(render(&g, "plain").1, 0);
        // Taking a branch reads what the branch reads.
        assert_eq!(
            render(&g, "{% if site.n > 5 %}{{ site.commit }}{% endif %}").1,
            0b100
        );
        // Listing the fields, or asking for one that is not there, reads them all.
        assert_eq!(render(&g, "{% for k in site %}{% endfor %}").1, 0b111);
        assert_eq!(render(&g, "{{ site.nope is defined }}").1, 0b111);
        assert_eq!(render(&g, "{{ site|length }}").1, 0b111);
        assert_eq!(render(&g, "{{ site|items|list }}").1, 0b111);
    }

    #[test]
    fn a_key_changes_with_the_context_the_template_and_the_fields_read() {
        let g = globals();
        let fp = [7u8; 32];
        let ctx = serde_json::json!({"a": 1});
        let key = |fp: &[u8; 32], t: &str, ctx: &Value, read| Base::of(fp, t, ctx).key(&g, read);
        let k = key(&fp, "x.html", &ctx, 0b001);
        assert_eq!(k.len(), 32);
        assert_eq!(k, key(&fp, "x.html", &ctx, 0b001));
        assert_ne!(k, key(&[8u8; 32], "x.html", &ctx, 0b001));
        assert_ne!(k, key(&fp, "y.html", &ctx, 0b001));
        assert_ne!(k, key(&fp, "x.html", &serde_json::json!({"a": 2}), 0b001));
        assert_ne!(k, key(&fp, "x.html", &ctx, 0b011));
    }

    #[test]
    fn the_file_reads_back_what_was_written() {
        let mut inputs = vec![
            Input {
                path: "identities/b.html".into(),
                read: 0x5,
                key: "ab".repeat(16),
            },
            Input {
                path: "identities/a.html".into(),
                read: 0,
                key: "cd".repeat(16),
            },
        ];
        let text = text(&mut inputs);
        assert!(text.starts_with("identities/a.html\t0\t"));
        let back = parse(&text);
        assert_eq!(back["identities/b.html"], (0x5, "ab".repeat(16)));
        assert_eq!(back.len(), 2);
        assert!(parse("garbage\nx\ty\tz\n").is_empty());
    }
}
