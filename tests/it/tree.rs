//! The file tree of an untrusted registry: symbolic links never lead outside it (nor hang), unreadable
//! files, folders named like files, and names with spaces, unicode and punctuation.

use std::os::unix::fs::symlink;

use crate::common::{check_json, is_root, nhi, rows, stdout, TempRegistry, AS_OF, CLEAN_IDENTITY};

/// A directory outside the registry holding an identity whose text must never show.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stolen.yaml"),
        "kind: Identity\nid: stolen\npurpose: OUTSIDE-TEXT-7f3a\n",
    )
    .unwrap();
    dir
}

fn assert_not_read(reg: &TempRegistry, file: &str) {
    let checked = reg.check();
    crate::hostile::assert_others_checked(&checked);
    assert!(
        !checked
            .registry
            .identities
            .iter()
            .any(|d| d.item.id == "stolen"),
        "a file outside the registry was read"
    );
    let about: Vec<_> = checked
        .findings
        .iter()
        .filter(|f| &*f.file == file)
        .collect();
    assert_eq!(about.len(), 1, "{file}: {about:#?}");
    assert!(
        about[0].message.contains("is not read"),
        "{}",
        about[0].message
    );
    for format in ["human", "json", "github", "sarif"] {
        let out = nhi()
            .args(["check", "--as-of", AS_OF, "--format", format])
            .arg(reg.path())
            .output()
            .unwrap();
        assert!(
            !stdout(&out).contains("OUTSIDE-TEXT") && !stdout(&out).contains("stolen"),
            "{format}"
        );
    }
}

fn registry() -> TempRegistry {
    let reg = TempRegistry::new();
    reg.write("identities/zz-canary.yaml", "kind: Identity\nid: canary\ntype: bot\nowner: team-a\npurpose: p\nenvironment: dev\nstatus: active\ncredential: {kind: none}\n");
    reg
}

#[test]
fn a_link_to_a_file_outside_is_not_followed() {
    let out = outside();
    let reg = registry();
    symlink(
        out.path().join("stolen.yaml"),
        reg.path().join("identities/link.yaml"),
    )
    .unwrap();
    assert_not_read(&reg, "identities/link.yaml");
}

#[test]
fn a_linked_folder_outside_is_not_walked() {
    let out = outside();
    let reg = registry();
    symlink(out.path(), reg.path().join("systems")).unwrap();
    assert_not_read(&reg, "systems");
    let reg = registry();
    symlink(out.path(), reg.path().join("identities/sub")).unwrap();
    let checked = reg.check();
    assert!(!checked
        .registry
        .identities
        .iter()
        .any(|d| d.item.id == "stolen"));
}

#[test]
fn a_policy_linked_outside_is_not_read() {
    let out = outside();
    let reg = registry();
    std::fs::remove_file(reg.path().join("nhi.yaml")).unwrap();
    std::fs::write(
        out.path().join("policy.yaml"),
        "kind: Policy\norganization: OUTSIDE-TEXT-7f3a\n",
    )
    .unwrap();
    symlink(out.path().join("policy.yaml"), reg.path().join("nhi.yaml")).unwrap();
    let (_, json) = check_json(reg.path());
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == "nhi.yaml"
                && f["message"].as_str().unwrap().contains("is not read"))
    );
    let human = stdout(
        &nhi()
            .args(["check", "--as-of", AS_OF])
            .arg(reg.path())
            .output()
            .unwrap(),
    );
    assert!(!human.contains("OUTSIDE-TEXT"), "{human}");
}

#[test]
fn links_inside_the_registry_are_read() {
    let reg = registry();
    reg.write(
        "shared/linked.yaml",
        CLEAN_IDENTITY.replace("id: ok", "id: linked"),
    );
    symlink(
        reg.path().join("shared/linked.yaml"),
        reg.path().join("identities/linked.yaml"),
    )
    .unwrap();
    let checked = reg.check();
    assert!(checked
        .registry
        .identities
        .iter()
        .any(|d| d.item.id == "linked"));
}

#[test]
fn link_loops_do_not_hang() {
    let reg = registry();
    let ids = reg.path().join("identities");
    symlink("b.yaml", ids.join("a.yaml")).unwrap();
    symlink("a.yaml", ids.join("b.yaml")).unwrap();
    symlink("..", ids.join("up")).unwrap();
    symlink(".", ids.join("here.yaml")).unwrap();
    std::fs::create_dir(ids.join("deep")).unwrap();
    symlink(&ids, ids.join("deep/again")).unwrap();
    let checked = reg.check();
    crate::hostile::assert_others_checked(&checked);
    for file in ["identities/a.yaml", "identities/b.yaml"] {
        assert!(
            checked
                .findings
                .iter()
                .any(|f| &*f.file == file && f.message.contains("does not resolve")),
            "{file}"
        );
    }
}

#[test]
fn unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    let reg = registry();
    let path = reg.write(
        "identities/secret.yaml",
        CLEAN_IDENTITY.replace("id: ok", "id: locked"),
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let checked = reg.check();
    crate::hostile::assert_others_checked(&checked);
    if is_root() {
        // root reads it regardless of the mode: it is simply checked.
        assert!(checked
            .registry
            .identities
            .iter()
            .any(|d| d.item.id == "locked"));
    } else {
        assert!(checked
            .findings
            .iter()
            .any(|f| &*f.file == "identities/secret.yaml" && f.message.contains("cannot read")));
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn a_folder_named_like_a_file() {
    let reg = registry();
    reg.write(
        "identities/x.yaml/inner.yaml",
        CLEAN_IDENTITY.replace("id: ok", "id: inner"),
    );
    std::fs::create_dir_all(reg.path().join("owners/empty.yml")).unwrap();
    let checked = reg.check();
    crate::hostile::assert_others_checked(&checked);
    assert!(checked
        .registry
        .identities
        .iter()
        .any(|d| d.item.id == "inner"));
    assert!(!checked
        .findings
        .iter()
        .any(|f| f.file.ends_with("x.yaml") || f.file.ends_with("empty.yml")));
}

#[test]
fn names_with_spaces_unicode_and_punctuation() {
    let names = [
        "identities/with space.yaml",
        "identities/ünïcödé/日本語.yaml",
        "identities/a'b\"c;$(x).yml",
        "identities/-dash.yaml",
    ];
    let reg = registry();
    for (i, name) in names.iter().enumerate() {
        reg.write(
            name,
            CLEAN_IDENTITY
                .replace("id: ok", &format!("id: n{i}"))
                .replace("owner: team-a", "owner: nobody"),
        );
    }
    let (_, json) = check_json(reg.path());
    let files = rows(&json["findings"], "{file}");
    for name in names {
        assert!(files.iter().any(|f| f == name), "{name} in {files:?}");
    }
    // A registry whose own path has spaces and unicode.
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("my régistry");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("nhi.yaml"), "kind: Policy\n").unwrap();
    assert_eq!(check_json(&root).0, 0);
}
