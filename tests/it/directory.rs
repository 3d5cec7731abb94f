//! Directory exports that find leavers: each documented response shape gives "person X left on day D".

use nhi::directory::{leavers, Directory, Left};

use crate::common::{as_of, repo};

fn registry() -> nhi::model::Registry {
    nhi::load::load(&repo().join("tests/data/offboarding"))
        .expect("the fixture loads")
        .registry
}

fn export(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/data/directory").join(name)).unwrap()
}

fn people(left: &[Left]) -> Vec<(&str, String)> {
    left.iter()
        .map(|l| (l.person.as_str(), l.on.to_string()))
        .collect()
}

#[test]
fn a_handle_missing_from_the_whole_github_organisation_has_left() {
    // Two pages (of two members at most) as `gh api --paginate` prints them; logins match
    // case-insensitively (`Sam-Sec`).
    let left = leavers(
        Directory::GithubOrgMembers,
        &export("github-org-members.json"),
        &registry(),
        as_of(),
    )
    .unwrap();
    // pia-lind is not a member; carl has no handle and so cannot be judged.
    assert_eq!(people(&left), [("pia", crate::common::AS_OF.to_string())]);
    // The same pages slurped into one array read the same.
    let pages: Vec<serde_json::Value> =
        serde_json::Deserializer::from_str(&export("github-org-members.json"))
            .into_iter()
            .map(Result::unwrap)
            .collect();
    let slurped = serde_json::to_string(&pages).unwrap();
    assert_eq!(
        leavers(Directory::GithubOrgMembers, &slurped, &registry(), as_of()).unwrap(),
        left
    );
}

#[test]
fn a_github_list_without_any_known_handle_is_refused() {
    let one_stranger = r#"[{"login": "octocat", "id": 1, "type": "User", "site_admin": false}]"#;
    let err = leavers(
        Directory::GithubOrgMembers,
        one_stranger,
        &registry(),
        as_of(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("--paginate"), "{err}");
    assert!(leavers(Directory::GithubOrgMembers, "[]", &registry(), as_of()).is_err());
}

/// A member list of `n` strangers and the given logins, as one JSON array.
fn members(logins: &[&str], strangers: usize) -> Vec<serde_json::Value> {
    let named = logins.iter().map(|l| l.to_string());
    let others = (0..strangers).map(|n| format!("stranger-{n}"));
    named
        .chain(others)
        .map(|login| serde_json::json!({"login": login, "type": "User", "site_admin": false}))
        .collect()
}

fn github(text: &str, registry: &nhi::model::Registry) -> Result<Vec<Left>, String> {
    leavers(Directory::GithubOrgMembers, text, registry, as_of()).map_err(|e| e.to_string())
}

#[test]
fn a_single_github_page_of_exactly_30_or_100_members_is_taken_for_a_first_page() {
    let registry = registry();
    for size in [30, 100] {
        let page = serde_json::to_string(&members(&["alice-ng", "sam-sec"], size - 2)).unwrap();
        let err = github(&page, &registry).unwrap_err();
        assert!(
            err.contains("first page") && err.contains("--paginate"),
            "{err}"
        );
        // The same members slurped by `--paginate --slurp` are one complete page.
        let slurped = format!("[{page}]");
        assert_eq!(
            people(&github(&slurped, &registry).unwrap()),
            [("pia", crate::common::AS_OF.to_string())]
        );
    }
    // Any other size is a whole list.
    let page = serde_json::to_string(&members(&["alice-ng", "sam-sec"], 29)).unwrap();
    assert_eq!(github(&page, &registry).unwrap().len(), 1);
}

#[test]
fn github_pages_of_uneven_size_are_not_one_list() {
    let registry = registry();
    let page = |logins: &[&str], n| serde_json::to_string(&members(logins, n)).unwrap();
    // A short page before the last one.
    let text = format!(
        "{}\n{}\n{}",
        page(&["alice-ng"], 9),
        page(&[], 4),
        page(&["sam-sec"], 2)
    );
    let err = github(&text, &registry).unwrap_err();
    assert!(err.contains("10, 4, 3"), "{err}");
    // Full pages, then a shorter last one: one list.
    let text = format!(
        "{}\n{}\n{}",
        page(&["alice-ng"], 9),
        page(&[], 10),
        page(&["sam-sec"], 2)
    );
    assert_eq!(github(&text, &registry).unwrap().len(), 1);
}

#[test]
fn a_github_list_missing_most_people_is_refused_rather_than_marking_them_left() {
    // Five active people with handles; a list with only two of them would mark three as gone.
    let dir = tempfile::tempdir().unwrap();
    let people: String = (0..5)
        .map(|n| format!("---\nkind: Person\nid: p{n}\ngithub: p{n}-gh\n"))
        .collect();
    std::fs::create_dir_all(dir.path().join("owners")).unwrap();
    std::fs::write(dir.path().join("owners/people.yaml"), people).unwrap();
    std::fs::write(
        dir.path().join("nhi.yaml"),
        "kind: Policy\norganization: x\n",
    )
    .unwrap();
    let registry = nhi::load::load(dir.path()).unwrap().registry;
    assert_eq!(registry.persons.len(), 5);
    let text = serde_json::to_string(&members(&["p0-gh", "p1-gh"], 3)).unwrap();
    let err = github(&text, &registry).unwrap_err();
    assert!(err.contains("3 of the 5 active people"), "{err}");
    // Two of five leaving is believed.
    let text = serde_json::to_string(&members(&["p0-gh", "p1-gh", "p2-gh"], 3)).unwrap();
    let left: Vec<String> = github(&text, &registry)
        .unwrap()
        .into_iter()
        .map(|l| l.person)
        .collect();
    assert_eq!(left, ["p3", "p4"]);
}

#[test]
fn okta_deprovisioned_and_suspended_users_left_on_the_day_their_status_changed() {
    let left = leavers(
        Directory::OktaUsers,
        &export("okta-users.json"),
        &registry(),
        as_of(),
    )
    .unwrap();
    // E-mail matches ignore case (PIA@example.com); an address the registry does not know is no fact.
    assert_eq!(
        people(&left),
        [
            ("pia", "2026-10-30".to_string()),
            ("sam", "2026-11-02".to_string())
        ]
    );
    assert!(left[0].evidence.contains("DEPROVISIONED"));
}

#[test]
fn google_workspace_suspended_users_have_left() {
    let left = leavers(
        Directory::GoogleWorkspaceUsers,
        &export("google-workspace-users.json"),
        &registry(),
        as_of(),
    )
    .unwrap();
    assert_eq!(people(&left), [("pia", crate::common::AS_OF.to_string())]);
}

#[test]
fn an_export_of_another_format_is_an_error_not_an_empty_answer() {
    let reg = registry();
    assert!(leavers(
        Directory::GoogleWorkspaceUsers,
        &export("okta-users.json"),
        &reg,
        as_of()
    )
    .is_err());
    assert!(leavers(
        Directory::OktaUsers,
        &export("google-workspace-users.json"),
        &reg,
        as_of()
    )
    .is_err());
    assert!(leavers(Directory::OktaUsers, "{not json", &reg, as_of()).is_err());
}

/// `nhi sync okta-users` writes `active: false` and `left_on` for the leavers, and nothing else; the
/// offboarding report then reads the departure from the registry.
#[test]
fn sync_records_the_leavers_a_directory_shows() {
    let dir = tempfile::tempdir().unwrap();
    let owners = dir.path().join("owners");
    std::fs::create_dir_all(&owners).unwrap();
    let fixture = repo().join("tests/data/offboarding");
    for sub in ["identities", "systems", "exceptions"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(fixture.join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    std::fs::copy(fixture.join("nhi.yaml"), dir.path().join("nhi.yaml")).unwrap();
    let before = std::fs::read_to_string(fixture.join("owners/owners.yaml")).unwrap();
    std::fs::write(owners.join("owners.yaml"), &before).unwrap();
    let export = repo().join("tests/data/directory/okta-users.json");
    let root = dir.path().to_str().unwrap();
    let out = crate::common::run(&[
        "sync",
        "okta-users",
        export.to_str().unwrap(),
        root,
        "--as-of",
        crate::common::AS_OF,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    let after = std::fs::read_to_string(owners.join("owners.yaml")).unwrap();
    let added = crate::common::added_lines(&before, &after);
    assert_eq!(
        added,
        [
            "active: false",
            "left_on: 2026-10-30",
            "active: false",
            "left_on: 2026-11-02"
        ]
    );
    assert_eq!(after.lines().count(), before.lines().count() + 4);
    let report = crate::common::run(&[
        "offboard",
        "pia",
        root,
        "--format",
        "json",
        "--as-of",
        crate::common::AS_OF,
    ]);
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(json["person"]["active"], false);
    assert_eq!(json["person"]["left_on"], "2026-10-30");
}
