//! The site's data files: CSV downloads (safe to open in a spreadsheet), the registry as JSON, and JSON
//! embedded in JavaScript files (which `file://` pages can load with `<script src>`, unlike `fetch`).
//! Each is written to its file as it is made, row by row or value by value: at a million identities the
//! whole of one would take gigabytes.

use std::io::{self, Write};

use serde::Serialize;
#[cfg(test)]
use serde_json::Value;

use crate::finding::Finding;
use crate::model::{Doc, Identity, Registry};

/// One CSV record: RFC 4180 quoting, and cells that a spreadsheet would take for a formula prefixed with `'`.
pub fn csv_row(out: &mut String, cells: &[&str]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let guarded = if formula {
            format!("'{cell}")
        } else {
            (*cell).to_string()
        };
        if guarded.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&guarded.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&guarded);
        }
    }
    out.push_str("\r\n");
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// `inventory.csv`: one row per identity.
pub fn inventory_csv(
    identities: &[&Doc<Identity>],
    findings_of: impl Fn(&str) -> (usize, usize),
    to: &mut dyn Write,
) -> io::Result<()> {
    let mut out = String::new();
    let header = [
        "id",
        "name",
        "type",
        "owner",
        "contact",
        "environment",
        "status",
        "system_of_record",
        "external_id",
        "credential_kind",
        "created",
        "last_rotated",
        "rotation_days",
        "expires",
        "revoked_on",
        "stores",
        "access",
        "used_by",
        "last_used",
        "review_last",
        "review_by",
        "vendor",
        "vendor_review",
        "tags",
        "open_findings",
        "waived_findings",
        "file",
    ];
    csv_row(&mut out, &header);
    for doc in identities {
        let i = &doc.item;
        let c = &i.credential;
        let access: Vec<String> = i
            .access
            .iter()
            .map(|a| format!("{}:{}", a.system, opt(a.level)))
            .collect();
        let (open, waived) = findings_of(&i.id);
        let review = i.review.as_ref();
        let row = [
            i.id.clone(),
            opt(i.name.as_ref()),
            opt(i.kind),
            opt(i.owner.as_ref()),
            opt(i.contact.as_ref()),
            opt(i.environment),
            opt(i.status),
            opt(i.system_of_record.as_ref()),
            opt(i.external_id.as_ref()),
            opt(c.kind),
            opt(c.created),
            opt(c.last_rotated),
            opt(c.rotation_days),
            opt(c.expires),
            opt(c.revoked_on),
            c.stores.join(" "),
            access.join(" "),
            i.used_by.join(" "),
            opt(i.last_used),
            opt(review.and_then(|r| r.last)),
            opt(review.and_then(|r| r.by.as_ref())),
            opt(i.vendor.as_ref()),
            opt(i.vendor_review),
            i.tags.join(" "),
            open.to_string(),
            waived.to_string(),
            doc.source.file.to_string(),
        ];
        csv_row(
            &mut out,
            &row.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        to.write_all(out.as_bytes())?;
        out.clear();
    }
    to.write_all(out.as_bytes())
}

/// `findings.csv`: one row per finding, in the order of every output.
pub fn findings_csv(findings: &[Finding], to: &mut dyn Write) -> io::Result<()> {
    let mut out = String::new();
    csv_row(
        &mut out,
        &[
            "rule",
            "severity",
            "waived_by",
            "kind",
            "id",
            "file",
            "line",
            "column",
            "message",
        ],
    );
    for f in findings {
        let (line, column) = (f.pos.line.to_string(), f.pos.column.to_string());
        let waived = f.waived_by.clone().unwrap_or_default();
        let row = [
            f.rule.as_str(),
            f.severity.as_str(),
            &waived,
            f.subject.kind,
            &f.subject.id,
            &f.file,
            &line,
            &column,
            &f.message,
        ];
        csv_row(&mut out, &row);
        to.write_all(out.as_bytes())?;
        out.clear();
    }
    to.write_all(out.as_bytes())
}

/// `registry.json`: every document as loaded, with its file, and the effective policy, without the fields
/// a document leaves unset (no `"expires": null`: a fifth of the file); written document by document
/// from the registry to the file (no JSON tree of it in memory: at 100,000 identities that tree took a
/// gigabyte, and its text at a million another).
pub fn registry_json(
    registry: &Registry,
    as_of: &str,
    commit: &str,
    to: &mut dyn Write,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Located<'a, T> {
        #[serde(flatten)]
        item: &'a T,
        file: &'a str,
        line: u32,
    }
    struct Docs<'a, T>(&'a [Doc<T>]);
    impl<T: Serialize> Serialize for Docs<'_, T> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(|d| {
                Set(Located {
                    item: &d.item,
                    file: &d.source.file,
                    line: d.source.start.line.get(),
                })
            }))
        }
    }
    #[derive(Serialize)]
    struct Document<'a> {
        as_of: &'a str,
        commit: &'a str,
        policy: Set<&'a crate::model::Policy>,
        identities: Docs<'a, crate::model::Identity>,
        teams: Docs<'a, crate::model::Team>,
        persons: Docs<'a, crate::model::Person>,
        systems: Docs<'a, crate::model::System>,
        exceptions: Docs<'a, crate::model::Exception>,
    }
    serde_json::to_writer(
        &mut *to,
        &Document {
            as_of,
            commit,
            policy: Set(&registry.policy),
            identities: Docs(&registry.identities),
            teams: Docs(&registry.teams),
            persons: Docs(&registry.persons),
            systems: Docs(&registry.systems),
            exceptions: Docs(&registry.exceptions),
        },
    )?;
    to.write_all(b"\n")
}

/// A value without its `null` fields, at any depth (`null`s in lists stay: they hold a place).
struct Set<T>(T);

impl<T: Serialize> Serialize for Set<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn set(value: &mut serde_json::Value) {
            match value {
                serde_json::Value::Object(fields) => {
                    fields.retain(|_, v| !v.is_null());
                    fields.values_mut().for_each(set);
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(set),
                _ => {}
            }
        }
        let mut value = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
        set(&mut value);
        value.serialize(s)
    }
}

/// A JavaScript file that assigns `value` to `window[name]`, written as it is serialised. The JSON is
/// escaped so that no registry value can end the script (`</script>`), open a comment or entity, or break a
/// line in older parsers.
pub fn js_data(name: &str, value: &impl Serialize, to: &mut dyn Write) -> io::Result<()> {
    write!(to, "window.{name} = ")?;
    let mut safe = ScriptSafe {
        inner: &mut *to,
        held: Vec::new(),
    };
    serde_json::to_writer(&mut safe, value)?;
    safe.finish()?;
    to.write_all(b";\n")
}

/// Writes JSON with `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes (still the same JSON value: outside
/// strings JSON has none of them). U+2028 and U+2029 are three bytes in UTF-8 that may arrive split
/// between two writes, so a write ending in the start of one holds those bytes back until the next.
struct ScriptSafe<'a> {
    inner: &'a mut dyn Write,
    held: Vec<u8>,
}

/// The UTF-8 bytes of U+2028 and U+2029 but the last, which tells them apart.
const SEPARATOR: [u8; 2] = [0xE2, 0x80];

impl ScriptSafe<'_> {
    /// Writes `bytes`, escaped, keeping back a trailing start of U+2028 or U+2029.
    fn escape(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let escape: Option<(&[u8], usize)> = match bytes[i] {
                b'<' => Some((b"\\u003c", 1)),
                b'>' => Some((b"\\u003e", 1)),
                b'&' => Some((b"\\u0026", 1)),
                0xE2 if bytes.len() - i < 3 => {
                    if SEPARATOR.starts_with(&bytes[i..]) {
                        self.inner.write_all(&bytes[start..i])?;
                        self.held.extend_from_slice(&bytes[i..]);
                        return Ok(());
                    }
                    None
                }
                0xE2 if bytes[i + 1] == 0x80 && bytes[i + 2] == 0xA8 => Some((b"\\u2028", 3)),
                0xE2 if bytes[i + 1] == 0x80 && bytes[i + 2] == 0xA9 => Some((b"\\u2029", 3)),
                _ => None,
            };
            match escape {
                Some((text, len)) => {
                    self.inner.write_all(&bytes[start..i])?;
                    self.inner.write_all(text)?;
                    i += len;
                    start = i;
                }
                None => i += 1,
            }
        }
        self.inner.write_all(&bytes[start..])
    }

    /// Writes what is held back (a split character that did not turn out to be a separator).
    fn finish(&mut self) -> io::Result<()> {
        let held = std::mem::take(&mut self.held);
        self.inner.write_all(&held)
    }
}

impl Write for ScriptSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.held.is_empty() {
            self.escape(buf)?;
        } else {
            let mut joined = std::mem::take(&mut self.held);
            joined.extend_from_slice(buf);
            self.escape(&joined)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_cells_that_look_like_formulas_are_prefixed() {
        let mut out = String::new();
        csv_row(
            &mut out,
            &["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "plain", "a,b"],
        );
        assert_eq!(
            out,
            "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),plain,\"a,b\"\r\n"
        );
    }

    fn js(name: &str, value: &Value) -> String {
        let mut out = Vec::new();
        js_data(name, value, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_in_scripts_cannot_close_the_script() {
        let js = js(
            "X",
            &json!({"name": "</script><script>alert(1)</script>&\u{2028}"}),
        );
        assert!(
            !js.contains('<') && !js.contains('>') && !js.contains('&') && !js.contains('\u{2028}'),
            "{js}"
        );
        let back: Value =
            serde_json::from_str(js.trim_start_matches("window.X = ").trim_end_matches(";\n"))
                .unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script>&\u{2028}");
    }

    #[test]
    fn separators_split_between_writes_are_still_escaped() {
        let text = "a\u{2028}b\u{2029}c\u{2020}d\u{e000}<é&\u{2028}";
        let json = serde_json::to_string(&json!([text])).unwrap();
        let whole = {
            let mut out = Vec::new();
            let mut safe = ScriptSafe {
                inner: &mut out,
                held: Vec::new(),
            };
            safe.write_all(json.as_bytes()).unwrap();
            safe.finish().unwrap();
            out
        };
        for size in 1..5 {
            let mut out = Vec::new();
            let mut safe = ScriptSafe {
                inner: &mut out,
                held: Vec::new(),
            };
            for piece in json.as_bytes().chunks(size) {
                safe.write_all(piece).unwrap();
            }
            safe.finish().unwrap();
            assert_eq!(out, whole, "pieces of {size} bytes");
        }
        let whole = String::from_utf8(whole).unwrap();
        assert_eq!(
            whole,
            "[\"a\\u2028b\\u2029c\u{2020}d\u{e000}\\u003cé\\u0026\\u2028\"]"
        );
        let back: Vec<String> = serde_json::from_str(&whole).unwrap();
        assert_eq!(back, [text]);
    }
}
