//! The site's data files: CSV downloads (safe to open in a spreadsheet), the registry as JSON, and JSON
//! embedded in JavaScript files (which `file://` pages can load with `<script src>`, unlike `fetch`).

use serde::Serialize;
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
) -> String {
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
    }
    out
}

/// `findings.csv`: one row per finding, in the order of every output.
pub fn findings_csv(findings: &[Finding]) -> String {
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
    }
    out
}

/// `registry.json`: every document as loaded, with its file, and the effective policy; written straight
/// from the registry (no JSON tree of it in memory: at 100,000 identities that tree took a gigabyte).
pub fn registry_json(
    registry: &Registry,
    as_of: &str,
    commit: &str,
) -> serde_json::Result<Vec<u8>> {
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
            s.collect_seq(self.0.iter().map(|d| Located {
                item: &d.item,
                file: &d.source.file,
                line: d.source.start.line.get(),
            }))
        }
    }
    #[derive(Serialize)]
    struct Document<'a> {
        as_of: &'a str,
        commit: &'a str,
        policy: &'a crate::model::Policy,
        identities: Docs<'a, crate::model::Identity>,
        teams: Docs<'a, crate::model::Team>,
        persons: Docs<'a, crate::model::Person>,
        systems: Docs<'a, crate::model::System>,
        exceptions: Docs<'a, crate::model::Exception>,
    }
    let mut out = serde_json::to_vec(&Document {
        as_of,
        commit,
        policy: &registry.policy,
        identities: Docs(&registry.identities),
        teams: Docs(&registry.teams),
        persons: Docs(&registry.persons),
        systems: Docs(&registry.systems),
        exceptions: Docs(&registry.exceptions),
    })?;
    out.push(b'\n');
    Ok(out)
}

/// A JavaScript file that assigns `value` to `window[name]`. The JSON is escaped so that no registry value
/// can end the script (`</script>`), open a comment or entity, or break a line in older parsers.
pub fn js_data(name: &str, value: &Value) -> String {
    format!("window.{name} = {};\n", script_safe_json(value))
}

/// JSON with `<`, `>`, `&`, U+2028 and U+2029 written as `\u` escapes (still the same JSON value).
pub fn script_safe_json(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
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

    #[test]
    fn json_in_scripts_cannot_close_the_script() {
        let js = js_data(
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
}
