//! The editor on files with comments everywhere, flow style, CRLF, BOM, several documents, quoted dates
//! and anchors.

use super::*;

fn edit(
    text: &str,
    f: impl FnOnce(&mut EditFile) -> Result<bool, EditError>,
) -> Result<String, EditError> {
    let mut file = EditFile::from_bytes("x.yaml", text.as_bytes().to_vec())?;
    f(&mut file)?;
    Ok(String::from_utf8(file.bytes()).unwrap())
}

const IDENTITY: &str = "\
# The Stripe key
kind: Identity   # kind comment
id: pay
credential:
  kind: static
  created: 2025-01-10   # first
  last_rotated: '2026-01-01'

# who reviewed
review:
  last: 2026-01-01  # old
  by: bob
access:
  # the main one
  - system: stripe
    level: write
  - system: vault    # second
    level: read
tags: [a]
";

/// Asserts that `change` turns [`IDENTITY`] into itself with `old`, which it holds once, replaced by `new`.
fn assert_replaces(
    change: impl FnOnce(&mut EditFile) -> Result<bool, EditError>,
    old: &str,
    new: &str,
) {
    assert_eq!(
        IDENTITY.matches(old).count(),
        1,
        "{old:?} is not in IDENTITY once"
    );
    assert_eq!(edit(IDENTITY, change).unwrap(), IDENTITY.replace(old, new));
}

#[test]
fn setting_a_value_changes_only_its_text_and_keeps_the_quotes() {
    assert_replaces(
        |f| f.set(0, "/review/last", "2026-12-02".into()),
        "last: 2026-01-01  # old",
        "last: 2026-12-02  # old",
    );
    assert_replaces(
        |f| f.set(0, "/credential/last_rotated", "2026-12-02".into()),
        "'2026-01-01'",
        "'2026-12-02'",
    );
}

#[test]
fn a_missing_key_goes_beside_its_siblings_and_a_missing_mapping_is_created() {
    assert_replaces(
        |f| f.set(0, "/review/note", "quarterly".into()),
        "  by: bob\n",
        "  by: bob\n  note: quarterly\n",
    );
    assert_replaces(
        |f| f.set_after(0, "/decommissioned_on", "2026-12-02".into(), &["id"]),
        "id: pay\n",
        "id: pay\ndecommissioned_on: 2026-12-02\n",
    );
    let text = "kind: Identity\nid: a\ncredential:\n    kind: static\ntags: [x]\n";
    let out = edit(text, |f| f.set(0, "/review/last", "2026-12-02".into())).unwrap();
    assert_eq!(out, format!("{text}review:\n    last: 2026-12-02\n"));
}

#[test]
fn flow_mappings_are_edited_inside_the_flow() {
    let text = "kind: Identity\nid: a\nreview: {last: 2026-01-01, by: bob}  # c\n";
    let out = edit(text, |f| {
        f.set(0, "/review/last", "2026-12-02".into())?;
        f.set(0, "/review/by", "ken.ito".into())?;
        f.set(0, "/review/note", "a, b".into())
    })
    .unwrap();
    assert_eq!(
        out,
        "kind: Identity\nid: a\nreview: {last: 2026-12-02, by: ken.ito, note: 'a, b'}  # c\n"
    );
}

#[test]
fn crlf_bom_and_a_missing_final_newline_survive() {
    let text = "\u{feff}kind: Identity\r\nid: a\r\nreview:\r\n  last: 2026-01-01\r\n  by: bob";
    let out = edit(text, |f| {
        f.set(0, "/review/last", "2026-12-02".into())?;
        f.set(0, "/review/note", "n".into())
    })
    .unwrap();
    assert_eq!(out, "\u{feff}kind: Identity\r\nid: a\r\nreview:\r\n  last: 2026-12-02\r\n  by: bob\r\n  note: n");
}

#[test]
fn removing_an_entry_takes_its_lines_and_its_comments() {
    assert_replaces(
        |f| f.remove(0, "/access/0"),
        "  # the main one\n  - system: stripe\n    level: write\n",
        "",
    );
    let out = edit(IDENTITY, |f| f.remove(0, "/access")).unwrap();
    let start = IDENTITY.find("access:").unwrap();
    let end = IDENTITY.find("tags:").unwrap();
    assert_eq!(out, format!("{}{}", &IDENTITY[..start], &IDENTITY[end..]));
    assert_replaces(
        |f| f.remove(0, "/review"),
        "# who reviewed\nreview:\n  last: 2026-01-01  # old\n  by: bob\n",
        "",
    );
    let text = "a: [x, y, z]\nb: {p: 1, q: 2}\n";
    let out = edit(text, |f| {
        f.remove(0, "/a/1")?;
        f.remove(0, "/b/q")
    })
    .unwrap();
    assert_eq!(out, "a: [x, z]\nb: {p: 1}\n");
}

#[test]
fn only_the_named_document_changes() {
    let text = "kind: Team\nid: t\n---\n# alice\nkind: Person\nid: alice\nteam: t\n---\nkind: Person\nid: bob\n";
    let out = edit(text, |f| {
        let doc = f.find("Person", "alice")?;
        f.set_after(doc, "/active", false.into(), &["team"])?;
        f.set_after(doc, "/left_on", "2026-12-02".into(), &["active"])
    })
    .unwrap();
    assert_eq!(
        out,
        text.replace(
            "team: t\n---\nkind: Person\nid: bob",
            "team: t\nactive: false\nleft_on: 2026-12-02\n---\nkind: Person\nid: bob"
        )
    );
}

#[test]
fn anchors_broken_files_and_multi_line_values_are_refused() {
    let anchored = "kind: Identity\nid: a\nreview: &r\n  last: 2026-01-01\nx-copy: *r\n";
    let e = edit(anchored, |f| f.set(0, "/review/last", "2026-12-02".into())).unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("anchor"), "{e}");
    let e = edit("a: [b\nc: d\n", |_| Ok(true)).unwrap_err();
    assert!(e.message.contains("does not parse"), "{e}");
    let e = edit("a: 1\na: 2\n", |_| Ok(true)).unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    let e = edit("kind: Identity\nid: a\npurpose: >\n  long\n  text\n", |f| {
        f.set(0, "/purpose", "x".into())
    })
    .unwrap_err();
    assert!(e.message.contains("several lines"), "{e}");
}

#[test]
fn values_that_would_read_back_differently_are_quoted() {
    let text = "kind: Identity\nid: a\nreview:\n  by: bob\n";
    let out = edit(text, |f| f.set(0, "/review/note", "yes: all # fine".into())).unwrap();
    assert_eq!(out, format!("{text}  note: 'yes: all # fine'\n"));
    let out = edit(text, |f| f.set(0, "/review/by", "true".into())).unwrap();
    assert!(out.contains("by: 'true'"), "{out}");
    let quoted = "kind: Identity\nid: a\nreview:\n  by: \"bob\"\n";
    let out = edit(quoted, |f| f.set(0, "/review/by", "yes".into())).unwrap();
    assert_eq!(out, quoted.replace("\"bob\"", "\"yes\""));
}

#[test]
fn setting_the_value_already_there_changes_nothing() {
    let mut file = EditFile::from_bytes("x.yaml", IDENTITY.as_bytes().to_vec()).unwrap();
    assert!(!file.set(0, "/review/by", "bob".into()).unwrap());
    assert!(!file
        .set(0, "/credential/last_rotated", "2026-01-01".into())
        .unwrap());
    assert!(!file.changed());
}

#[test]
fn a_plan_writes_every_file_with_its_permissions_or_none() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, "kind: Person\nid: a\n").unwrap();
    std::fs::write(&b, "kind: Person\nid: b\n").unwrap();
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
    let mut plan = Plan::default();
    for (path, name) in [(&a, "a.yaml"), (&b, "b.yaml")] {
        let mut f = EditFile::open(path, name).unwrap();
        f.set(0, "/active", false.into()).unwrap();
        plan.add(f);
    }
    assert!(plan.diff().contains("+active: false"));
    // One file changed on disk since it was read: nothing is written.
    std::fs::write(&b, "kind: Person\nid: b\n# touched\n").unwrap();
    assert!(plan.apply().is_err());
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "kind: Person\nid: a\n"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary file is left"
    );

    let mut plan = Plan::default();
    let mut f = EditFile::open(&a, "a.yaml").unwrap();
    f.set(0, "/active", false.into()).unwrap();
    plan.add(f);
    assert_eq!(plan.apply().unwrap(), vec!["a.yaml".to_string()]);
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "kind: Person\nid: a\nactive: false\n"
    );
    let mode = std::fs::metadata(&a).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn a_sealed_file_keeps_its_edits_and_takes_no_more() {
    let text = "kind: Identity\nid: a\nlast_used: 2026-01-01\n---\nkind: Identity\nid: b\n";
    let mut file = EditFile::from_bytes("x.yaml", text.as_bytes().to_vec()).unwrap();
    let b = file.find("Identity", "b").unwrap();
    assert!(file.set(b, "/last_used", "2026-11-01".into()).unwrap());
    let before = file.bytes();
    file.seal();
    assert_eq!(file.bytes(), before);
    assert!(file.changed());
    let err = file.find("Identity", "a").unwrap_err();
    assert!(err.message.contains("no further edit"), "{err}");
    assert!(file.set(0, "/last_used", "2026-11-02".into()).is_err());
    assert_eq!(file.bytes(), before);
    assert_eq!(
        String::from_utf8(before).unwrap(),
        "kind: Identity\nid: a\nlast_used: 2026-01-01\n---\nkind: Identity\nid: b\nlast_used: 2026-11-01\n"
    );
}

#[test]
fn a_plan_refuses_a_file_changed_after_it_was_read_whatever_its_stamp() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    std::fs::write(&a, "kind: Person\nid: a\n").unwrap();
    let settled = |f: &mut EditFile| {
        // As if the file had been read long after its last change: its stamp vouches for it.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(10);
        f.stamp = Some(stamp::Stamp::new(
            &std::fs::symlink_metadata(&a).unwrap(),
            later,
        ));
    };
    let mut f = EditFile::open(&a, "a.yaml").unwrap();
    settled(&mut f);
    f.set(0, "/active", false.into()).unwrap();
    let mut plan = Plan::default();
    plan.add(f);
    // Replaced by text of the same length (as an editor saving through a new file does): the stamp no
    // longer matches, and the bytes differ. (A change in place within the same clock tick is what a stamp
    // cannot see; a real stamp does not vouch for a file changed that recently.)
    let new = dir.path().join("new");
    std::fs::write(&new, "kind: Person\nid: b\n").unwrap();
    std::fs::rename(&new, &a).unwrap();
    assert!(plan.apply().is_err());
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "kind: Person\nid: b\n"
    );

    // Untouched since the stamp: written.
    let mut f = EditFile::open(&a, "a.yaml").unwrap();
    settled(&mut f);
    f.set(0, "/active", false.into()).unwrap();
    let mut plan = Plan::default();
    plan.add(f);
    assert_eq!(plan.apply().unwrap(), vec!["a.yaml".to_string()]);
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "kind: Person\nid: b\nactive: false\n"
    );
}

#[test]
fn a_large_plan_replaces_every_file_and_leaves_nothing_behind() {
    // Enough files for the replaced ones to be let go on other threads.
    let dir = tempfile::tempdir().unwrap();
    let mut plan = Plan::default();
    for n in 0..150 {
        let path = dir.path().join(format!("p{n}.yaml"));
        std::fs::write(&path, format!("kind: Person\nid: p{n}\n")).unwrap();
        let mut f = EditFile::open(&path, &format!("p{n}.yaml")).unwrap();
        f.set(0, "/active", false.into()).unwrap();
        plan.add(f);
    }
    assert_eq!(plan.apply().unwrap().len(), 150);
    for n in 0..150 {
        let text = std::fs::read_to_string(dir.path().join(format!("p{n}.yaml"))).unwrap();
        assert_eq!(text, format!("kind: Person\nid: p{n}\nactive: false\n"));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 150);
}
