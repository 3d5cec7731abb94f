//! Property tests: whatever a registry file holds, checking gives findings (or a clean result) and every
//! output format renders them, never a panic; escaping round-trips for any string.

use std::path::Path;

use proptest::prelude::*;

use nhi::report::{self, Context, Format};

use crate::common::{as_of, TempRegistry};

const FILES: [&str; 4] = [
    "identities/x.yaml",
    "nhi.yaml",
    "owners/o.yaml",
    "exceptions/e.yaml",
];

const KEYS: &[&str] = &[
    "kind",
    "id",
    "type",
    "owner",
    "contact",
    "purpose",
    "environment",
    "status",
    "credential",
    "created",
    "last_rotated",
    "rotation_days",
    "expires",
    "revoked_on",
    "stores",
    "access",
    "system",
    "level",
    "justification",
    "used_by",
    "last_used",
    "review",
    "last",
    "by",
    "vendor",
    "vendor_review",
    "rule",
    "identities",
    "requested_by",
    "approved_by",
    "approved_on",
    "team",
    "active",
    "left_on",
    "criticality",
    "rules",
    "review_days",
    "x-a",
    "<<",
    "? a",
    "\"q\"",
    "ghp_Vq3ZkP8rT2mW9xLc4NbH7dJs1FgY6uRe0AoQ",
];

const VALUES: &[&str] = &[
    "Identity",
    "Team",
    "Person",
    "System",
    "Exception",
    "Policy",
    "a",
    "team-a",
    "x",
    "static",
    "admin",
    "prod",
    "dev",
    "shared",
    "active",
    "decommissioned",
    "api_key",
    "workload",
    "secret_store",
    "critical",
    "2026-11-23",
    "2026-02-30",
    "2026-1-1",
    "0999-01-01",
    "9999-12-31",
    "0",
    "-1",
    "1e2",
    "0x10",
    ".inf",
    ".nan",
    "99999999999999999999",
    "true",
    "null",
    "~",
    "[a, b]",
    "{a: 1}",
    "[]",
    "{}",
    "&a x",
    "*a",
    "*b",
    "!!binary aGk=",
    "!t x",
    "'q'",
    "\"\\0\\u202e\"",
    "|",
    ">-",
    "-",
    "? ",
    ":",
    "%",
    "::error::x",
    "\"a\\nb\"",
    "off",
    "error",
    "[exc-1]",
    "{system: a, level: admin}",
    "sk_live_51HxQr2eZvKYlo2CAbcDef123",
];

/// YAML-like text: lines of `key: value` at random indentation, list markers and document separators.
fn yaml_like() -> impl Strategy<Value = String> {
    let line = (
        0..4usize,
        0..6u8,
        prop::sample::select(KEYS),
        prop::sample::select(VALUES),
    );
    prop::collection::vec(line, 0..40).prop_map(|lines| {
        let mut text = String::new();
        for (indent, shape, key, value) in lines {
            text.push_str(&"  ".repeat(indent));
            match shape {
                0 => text.push_str(&format!("- {key}: {value}\n")),
                1 => text.push_str(&format!("{key}:\n")),
                2 => text.push_str(&format!("- {value}\n")),
                3 => text.push_str("---\n"),
                _ => text.push_str(&format!("{key}: {value}\n")),
            }
        }
        text
    })
}

/// Every invariant a checked file keeps, and every format renders it.
fn assert_sane(rel: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let checked = nhi::check_bytes(rel, bytes, as_of()).expect("one file and a policy");
    for f in &checked.findings {
        prop_assert_eq!(&*f.file, rel);
        prop_assert!(
            nhi::catalogue::get(f.rule.as_str()).is_some_and(|r| r.id == f.rule),
            "unknown rule {}",
            f.rule
        );
        prop_assert!(!f.message.is_empty());
        prop_assert!(
            f.message.len() < 2000,
            "a long message: {}",
            f.message.len()
        );
    }
    let cx = Context {
        outcome: (&checked).into(),
        root: Path::new("/nonexistent/registry"),
        repo_prefix: String::new(),
        color: false,
        changed: None,
    };
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github] {
        let mut out = Vec::new();
        report::emitter(format).emit(&cx, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        if format == Format::Github {
            for line in text.lines() {
                prop_assert!(
                    line.starts_with("::error ")
                        || line.starts_with("::warning ")
                        || line.starts_with("::notice ")
                        || line.starts_with("nhi: "),
                    "{line:?}"
                );
            }
        }
    }
    let md = report::markdown::summary(&cx);
    prop_assert!(!md.contains('<'));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_give_findings_not_a_panic(rel in prop::sample::select(&FILES[..]), bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        assert_sane(rel, &bytes)?;
    }

    #[test]
    fn yaml_like_text_gives_findings_not_a_panic(rel in prop::sample::select(&FILES[..]), text in yaml_like()) {
        assert_sane(rel, text.as_bytes())?;
    }

    #[test]
    fn github_escaping_round_trips(s in any::<String>()) {
        use nhi::report::github::{escape_data, escape_property};
        let data = escape_data(&s);
        let property = escape_property(&s);
        prop_assert!(!data.contains(['\r', '\n']) && !property.contains(['\r', '\n', ',', ':']));
        let undo = |t: &str, codes: &[(&str, &str)]| {
            let mut out = String::new();
            let mut rest = t;
            while !rest.is_empty() {
                match codes.iter().find(|(code, _)| rest.starts_with(code)) {
                    Some((code, ch)) => { out.push_str(ch); rest = &rest[code.len()..]; }
                    None => { let c = rest.chars().next().unwrap(); out.push(c); rest = &rest[c.len_utf8()..]; }
                }
            }
            out
        };
        prop_assert_eq!(undo(&data, &[("%25", "%"), ("%0D", "\r"), ("%0A", "\n")]), s.clone());
        prop_assert_eq!(undo(&property, &[("%25", "%"), ("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ",")]), s);
    }

    #[test]
    fn markdown_cells_stay_in_their_cell(s in any::<String>()) {
        let cell = nhi::report::text::cell(&s);
        prop_assert!(!cell.contains(['\n', '\r', '<', '>']));
        let bytes = cell.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if matches!(b, b'|' | b'`' | b'[' | b'!' | b'*' | b'_') {
                prop_assert!(i > 0 && bytes[i - 1] == b'\\', "unescaped {} in {cell:?}", *b as char);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The same through the file system, beside a clean identity that must stay clean.
    #[test]
    fn a_hostile_file_in_a_registry(text in yaml_like(), noise in prop::collection::vec(any::<u8>(), 0..64)) {
        let reg = TempRegistry::new();
        let mut bytes = text.into_bytes();
        bytes.extend(noise);
        reg.write("identities/x.yaml", &bytes);
        let checked = reg.check();
        prop_assert!(checked.registry.identities.iter().any(|d| d.item.id == "ok"));
        let about_ok: Vec<_> = checked.findings.iter().filter(|f| &*f.file == "identities/ok.yaml").map(|f| f.rule.as_str()).collect();
        // A hostile file may claim a duplicate id `ok`; nothing else can touch the clean identity.
        prop_assert!(about_ok.iter().all(|r| *r == "duplicate-id"), "{about_ok:?}");
    }
}

/// Inputs the fuzz target once crashed on (`tests/data/fuzz-regressions/`), replayed as the target runs them.
#[test]
fn fuzz_regressions_stay_fixed() {
    let dir = crate::common::repo().join("tests/data/fuzz-regressions");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let (rel, bytes) = match data.split_first() {
            Some((first, rest)) => (FILES[usize::from(*first) % FILES.len()], rest),
            None => (FILES[0], &data[..]),
        };
        assert_sane(rel, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
