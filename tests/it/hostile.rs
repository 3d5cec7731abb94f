//! Hostile file contents from an untrusted pull request: each gives a clear finding naming the file, and
//! every other file of the registry is still checked (a clean identity and a canary with one known finding).

use nhi::finding::Finding;
use nhi::load::yaml::{MAX_DEPTH, MAX_FILE_NODES, MAX_NODES};
use nhi::load::{MAX_DOCUMENTS, MAX_FILE_BYTES};

use crate::common::{nhi, stdout, TempRegistry, AS_OF, CLEAN_IDENTITY};

/// An identity whose only finding is `review-missing` at line 1.
const CANARY: &str = "kind: Identity
id: canary
type: bot
owner: team-a
purpose: Proves the other files are still checked
environment: dev
status: active
credential: {kind: none}
";

/// Checks a registry holding `contents` at `rel` beside a clean identity and the canary; asserts both were
/// checked as usual, and returns the findings about `rel`.
fn findings_for(rel: &str, contents: impl AsRef<[u8]>) -> Vec<Finding> {
    let reg = TempRegistry::new();
    reg.write("identities/zz-canary.yaml", CANARY);
    reg.write(rel, contents);
    let checked = reg.check();
    assert_others_checked(&checked);
    checked
        .findings
        .into_iter()
        .filter(|f| &*f.file == rel)
        .collect()
}

pub fn assert_others_checked(checked: &nhi::Checked) {
    let ids: Vec<&str> = checked
        .registry
        .identities
        .iter()
        .map(|d| d.item.id.as_str())
        .collect();
    assert!(ids.contains(&"ok") && ids.contains(&"canary"), "{ids:?}");
    let about = |file: &str| {
        checked
            .findings
            .iter()
            .filter(|f| &*f.file == file)
            .map(|f| f.rule.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(about("identities/ok.yaml"), Vec::<&str>::new());
    assert_eq!(about("identities/zz-canary.yaml"), ["review-missing"]);
}

/// Asserts one finding about the file has `rule` and a message containing `needle`, and returns them all.
fn expect(rel: &str, contents: impl AsRef<[u8]>, needle: &str) -> Vec<Finding> {
    let found = findings_for(rel, contents);
    assert!(
        found
            .iter()
            .any(|f| f.rule.as_str() == "schema" && f.message.contains(needle)),
        "no schema finding containing {needle:?} for {rel}: {:#?}",
        found
            .iter()
            .map(|f| (&f.message, f.pos))
            .collect::<Vec<_>>()
    );
    found
}

fn position(found: &[Finding], needle: &str) -> (u32, u32) {
    let f = found
        .iter()
        .find(|f| f.message.contains(needle))
        .unwrap_or_else(|| panic!("{needle}: {found:#?}"));
    (f.pos.line.get(), f.pos.column.get())
}

#[test]
fn billion_laughs() {
    let mut text = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for (prev, next) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let items = vec![format!("*{prev}"); 9].join(", ");
        text.push_str(&format!("{next}: &{next} [{items}]\n"));
    }
    expect(
        "identities/lol.yaml",
        text,
        &format!("more than {MAX_NODES} nodes"),
    );
}

#[test]
fn many_small_alias_bombs_in_one_file() {
    let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, next) in [('a', 'b'), ('b', 'c'), ('c', 'd')] {
        doc.push_str(&format!(
            "{next}: &{next} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    doc.push_str("e: [*d, *d, *d, *d, *d, *d, *d]\n---\n");
    expect(
        "identities/bombs.yaml",
        doc.repeat(1000),
        &format!("more than {MAX_FILE_NODES} nodes"),
    );
}

#[test]
fn nesting_100000_levels_deep() {
    let deep = format!("nesting is deeper than {MAX_DEPTH} levels");
    expect("identities/flow-seq.yaml", "[".repeat(100_000), &deep);
    expect("identities/flow-map.yaml", "{a: ".repeat(100_000), &deep);
    expect(
        "identities/block-seq.yaml",
        format!("{}x\n", "- ".repeat(100_000)),
        &deep,
    );
    let block_maps: String = (0..1_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    expect("identities/block-map.yaml", block_maps, &deep);
    // Just under the limit is fine.
    let ok = format!(
        "kind: Identity\nid: shallow\nx-deep: {}1{}\n",
        "[".repeat(MAX_DEPTH - 2),
        "]".repeat(MAX_DEPTH - 2)
    );
    let found = findings_for("identities/shallow.yaml", ok);
    assert!(
        !found.iter().any(|f| f.message.contains("deeper")),
        "{found:#?}"
    );
}

#[test]
fn a_file_over_the_size_limit_is_not_read() {
    let reg = TempRegistry::new();
    reg.write("identities/zz-canary.yaml", CANARY);
    let path = reg.write("identities/huge.yaml", "");
    // Sparse: the limit is enforced before reading, so the test writes no 10 MiB.
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(MAX_FILE_BYTES + 1)
        .unwrap();
    let checked = reg.check();
    assert_others_checked(&checked);
    let found: Vec<_> = checked
        .findings
        .iter()
        .filter(|f| &*f.file == "identities/huge.yaml")
        .collect();
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("larger than the 10 MiB limit"),
        "{}",
        found[0].message
    );
    // The human output does not read it either (it would show a line of it).
    let out = nhi()
        .args(["check", "--as-of", AS_OF, "--color", "never"])
        .arg(reg.path())
        .output()
        .unwrap();
    assert!(stdout(&out).contains("larger than the 10 MiB limit"));
}

#[test]
fn more_documents_than_the_limit() {
    let text = "kind: Team\nid: t\n---\n".repeat(MAX_DOCUMENTS + 1);
    let found = expect(
        "owners/many.yaml",
        text,
        &format!("more than {MAX_DOCUMENTS} documents"),
    );
    assert_eq!(found.len(), 1, "one finding, not one per document");
}

#[test]
fn nul_bytes_and_invalid_utf8() {
    let found = expect(
        "identities/nul.yaml",
        b"kind: Identity\nid: nul\npurpose: a\0b\n",
        "unprintable",
    );
    assert_eq!(position(&found, "unprintable"), (3, 11));
    let found = expect(
        "identities/latin1.yaml",
        b"kind: Identity\nid: l\npurpose: caf\xe9\n",
        "not valid UTF-8",
    );
    assert_eq!(position(&found, "UTF-8"), (3, 13));
    expect(
        "identities/overlong.yaml",
        b"kind: Identity\nid: \xc0\xaf\n",
        "not valid UTF-8",
    );
}

#[test]
fn a_byte_order_mark_and_crlf_keep_positions_right() {
    let doc = CLEAN_IDENTITY
        .replace("id: ok", "id: pos")
        .replace("owner: team-a", "owner: nobody");
    let plain = findings_for("identities/pos.yaml", &doc);
    let positions = |found: &[Finding]| {
        found
            .iter()
            .map(|f| (f.rule.as_str(), f.pos.line.get(), f.pos.column.get()))
            .collect::<Vec<_>>()
    };
    assert_eq!(positions(&plain), [("unknown-reference", 4, 8)]);
    let bom = findings_for("identities/pos.yaml", format!("\u{feff}{doc}"));
    assert_eq!(positions(&bom), positions(&plain));
    let crlf = findings_for("identities/pos.yaml", doc.replace('\n', "\r\n"));
    assert_eq!(positions(&crlf), positions(&plain));
    let both = findings_for(
        "identities/pos.yaml",
        format!("\u{feff}{}", doc.replace('\n', "\r\n")),
    );
    assert_eq!(positions(&both), positions(&plain));
}

#[test]
fn tabs() {
    expect(
        "identities/tab.yaml",
        "kind: Identity\nid: tab\ncredential:\n\tkind: none\n",
        "tabs",
    );
    // A tab inside a value is just a character.
    let doc = CLEAN_IDENTITY
        .replace("id: ok", "id: tabbed")
        .replace("purpose: ", "purpose: \"a\\tb\" # ");
    assert_eq!(findings_for("identities/tabbed.yaml", doc).len(), 0);
}

#[test]
fn empty_and_comment_only_files() {
    let none = "holds no YAML document";
    expect("identities/empty.yaml", "", none);
    expect(
        "identities/comments.yaml",
        "# nothing here\n# at all\n",
        none,
    );
    expect("identities/dashes.yaml", "---\n---\n...\n", none);
    expect("identities/blank.yml", "\n\n   \n", none);
}

#[test]
fn duplicate_keys() {
    let doc = CLEAN_IDENTITY.replace("id: ok", "id: dup") + "owner: team-b\n";
    let found = expect(
        "identities/dup.yaml",
        doc,
        "duplicate key `owner` (first at line 4)",
    );
    assert_eq!(position(&found, "duplicate"), (10, 1));
    assert!(
        !found.iter().any(|f| f.rule.as_str() == "unknown-reference"),
        "the first value is kept: {found:#?}"
    );
}

#[test]
fn documents_that_are_not_maps() {
    let map = "must be a map";
    expect("identities/list.yaml", "- kind: Identity\n- id: x\n", map);
    expect("identities/scalar.yaml", "just a sentence\n", map);
    expect("identities/number.yaml", "42\n", map);
    let found = expect(
        "identities/mixed.yaml",
        format!(
            "- a\n---\n{}",
            CLEAN_IDENTITY.replace("id: ok", "id: second")
        ),
        map,
    );
    assert_eq!(
        found.len(),
        1,
        "the second document is still read: {found:#?}"
    );
}

#[test]
fn yaml_tags() {
    let doc = CLEAN_IDENTITY.replace("id: ok", "id: tagged");
    expect(
        "identities/binary.yaml",
        format!("{doc}x-blob: !!binary aGVsbG8=\n"),
        "YAML tag",
    );
    expect(
        "identities/custom.yaml",
        format!("{doc}x-obj: !custom {{a: 1}}\n"),
        "YAML tag `!custom`",
    );
    expect(
        "identities/python.yaml",
        format!("{doc}x-py: !!python/object:os.system echo\n"),
        "YAML tag",
    );
    // Core tags are fine.
    let found = findings_for(
        "identities/core.yaml",
        doc.replace("purpose: ", "purpose: !!str "),
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn merge_keys() {
    let text = "base: &b {kind: Identity, type: bot}\n<<: *b\nid: merged\n";
    expect("identities/merge.yaml", text, "merge keys");
}

#[test]
fn numbers_and_dates_in_odd_forms() {
    let identity = |credential: &str| {
        CLEAN_IDENTITY.replace("id: ok", "id: odd").replace(
            "credential: {kind: federated}",
            &format!("credential:\n  kind: static\n{credential}"),
        )
    };
    let cases = [
        ("  created: 2026-1-1\n", "date written YYYY-MM-DD"),
        ("  created: 20260101\n", "must be a string, not a number"),
        (
            "  created: 2026-02-29\n",
            "calendar date YYYY-MM-DD that exists",
        ),
        (
            "  created: 2026-11-23T10:00:00Z\n",
            "date written YYYY-MM-DD",
        ),
        (
            "  created: 2026-10-01\n  rotation_days: 1.5\n",
            "must be an integer",
        ),
        (
            "  created: 2026-10-01\n  rotation_days: 99999999999999999999\n",
            "at most 36500",
        ),
        ("  created: 2026-10-01\n  rotation_days: -5\n", "at least 1"),
        (
            "  created: 2026-10-01\n  rotation_days: .inf\n",
            "rotation_days",
        ),
        (
            "  created: 2026-10-01\n  rotation_days: 1_000\n",
            "must be an integer, not a string",
        ),
    ];
    for (credential, needle) in cases {
        expect("identities/odd.yaml", identity(credential), needle);
    }
    // Valid YAML 1.2 integers in other notations are read as their value: 1e2 is 100, 0x10 is 16.
    let rotation = |days: &str| {
        let found = findings_for(
            "identities/odd.yaml",
            identity(&format!("  created: 2026-08-20\n  rotation_days: {days}\n")),
        );
        found.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>()
    };
    assert_eq!(
        rotation("1e2"),
        ["rotation-due"],
        "95 days old, period 100: due in 5 days (the default 90 would be overdue)"
    );
    assert_eq!(rotation("0x10"), ["rotation-overdue"]);
    assert_eq!(rotation("0o200"), Vec::<&str>::new(), "0o200 is 128 days");
}

#[test]
fn an_out_of_range_policy_value_does_not_discard_the_policy() {
    let reg = TempRegistry::new();
    reg.write(
        "nhi.yaml",
        "kind: Policy\nreview_days: 5000000000\nrules: {owner-is-person: error}\n",
    );
    reg.write(
        "identities/p.yaml",
        CLEAN_IDENTITY
            .replace("id: ok", "id: p")
            .replace("owner: team-a", "owner: alice"),
    );
    let checked = reg.check();
    let rules: Vec<(&str, &str)> = checked
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.severity.as_str()))
        .collect();
    assert!(rules.contains(&("schema", "error")), "{rules:?}");
    assert!(
        rules.contains(&("owner-is-person", "error")),
        "the rest of the policy applies: {rules:?}"
    );
}

#[test]
fn very_long_strings_and_keys() {
    let long = "a".repeat(256 << 10);
    let doc = CLEAN_IDENTITY
        .replace("id: ok", "id: long")
        .replace("purpose: ", &format!("purpose: {long} "));
    assert!(findings_for("identities/long.yaml", &doc).is_empty());
    // YAML caps an implicit key at 1024 characters; an explicit key can be longer.
    let key = "k".repeat(100_000);
    expect(
        "identities/key.yaml",
        format!("{}{key}: 1\n", CLEAN_IDENTITY.replace("id: ok", "id: key")),
        "invalid YAML",
    );
    let found = expect(
        "identities/key.yaml",
        format!(
            "{}? {key}\n: 1\n",
            CLEAN_IDENTITY.replace("id: ok", "id: key")
        ),
        "unknown field",
    );
    assert!(
        found.iter().all(|f| f.message.len() < 400),
        "messages do not repeat a 100 kB key"
    );
    let id = "x".repeat(300);
    let found = expect(
        "identities/id.yaml",
        format!("kind: Identity\nid: {id}\n"),
        "must be an id",
    );
    assert!(found.iter().all(|f| f.message.len() < 400));
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let reg = TempRegistry::new();
    reg.write(
        "identities/esc.yaml",
        "kind: \"\\e[2J\\e]0;pwned\\a\"\nid: \"x\\e[31m\"\n",
    );
    reg.write(
        "identities/esc2.yaml",
        "kind: Identity\nid: \"y\\e[2J\\r\\n\"\n",
    );
    reg.write("identities/name\u{1b}[2J.yaml", "kind: Identity\nid: z\n");
    let out = nhi()
        .args(["check", "--as-of", AS_OF, "--color", "never"])
        .arg(reg.path())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("esc2.yaml"));
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\r'),
        "{text}"
    );
}

/// Many exceptions and findings (waivers are looked up by rule and identity, not scanned): the first
/// exception in force by id waives, the others are unused.
#[test]
fn many_exceptions_waive_by_rule_and_identity() {
    let reg = TempRegistry::new();
    reg.write(
        "owners/approvers.yaml",
        "kind: Person\nid: sam\n---\nkind: Person\nid: pat\n",
    );
    let mut identities = String::new();
    let mut exceptions = String::new();
    for i in 0..1500 {
        let doc = CLEAN_IDENTITY
            .replace("id: ok", &format!("id: i{i}"))
            .replace("review: {last: 2026-11-01, by: alice}\n", "");
        identities.push_str(&format!("{doc}---\n"));
        let target = if i % 2 == 0 {
            "review-missing"
        } else {
            "dormant"
        };
        exceptions.push_str(&format!(
            "kind: Exception\nid: exc-{i:04}\nrule: {target}\nidentities: [i{i}, i{}]\nreason: r\nrequested_by: pat\napproved_by: sam\napproved_on: 2026-11-01\nexpires: 2027-01-31\n---\n",
            (i + 2) % 1500
        ));
    }
    reg.write("identities/many.yaml", identities);
    let twenty: Vec<String> = (0..20).map(|i| format!("i{i}")).collect();
    exceptions.push_str(&format!(
        "kind: Exception\nid: exc-wide\nrule: dormant\nidentities: [{}]\nreason: r\nrequested_by: pat\napproved_by: sam\napproved_on: 2026-11-01\nexpires: 2027-01-31\n",
        twenty.join(", ")
    ));
    reg.write("exceptions/many.yaml", exceptions);
    let checked = reg.check();
    let waived = |id: &str| {
        checked
            .findings
            .iter()
            .find(|f| f.rule.as_str() == "review-missing" && f.subject.id == id)
            .and_then(|f| f.waived_by.clone())
    };
    // i2 is named by exc-0000 (i0, i2) and exc-0002 (i2, i4): the first by id waives.
    assert_eq!(waived("i2").as_deref(), Some("exc-0000"));
    assert_eq!(waived("i0").as_deref(), Some("exc-0000"));
    assert_eq!(
        waived("i1"),
        None,
        "odd exceptions waive `dormant`, which does not fire"
    );
    let unused = checked
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "exception-unused")
        .count();
    // The 750 `dormant` ones, exc-1498 (i1498 and i0 are waived by exc-1496 and exc-0000 first), exc-wide.
    assert_eq!(unused, 752);
    let wide = checked
        .findings
        .iter()
        .find(|f| f.subject.id == "exc-wide")
        .unwrap();
    assert!(
        wide.message.contains("i0, i1, i2, i3, i4 and 15 more"),
        "{}",
        wide.message
    );
}
