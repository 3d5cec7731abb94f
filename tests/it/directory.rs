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
    // Two pages as `gh api --paginate` prints them; logins match case-insensitively (`Sam-Sec`).
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
    let added: Vec<&str> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect();
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
