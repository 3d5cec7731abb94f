//! Who approved an exception, by git: the commit that set its `approved_by`, and whether that commit's author
//! is the requester or a member of the team that owns a waived identity (an approval by one's own commit,
//! whatever `approved_by` says).

use crate::model::{Doc, Exception, Person, Registry};

use super::changes::{Changes, Commit};

/// The commit that set an exception's approval.
pub struct Approval<'c> {
    pub commit: &'c Commit,
    /// Why the commit is the approver's own: its author is the requester or in the owning team.
    pub own: Option<String>,
}

/// The newest commit that added an `approved_by` line to the exception, and whether its author is one of
/// the people who may not approve it.
pub fn of<'c>(
    changes: &'c Changes,
    registry: &Registry,
    doc: &Doc<Exception>,
) -> Option<Approval<'c>> {
    let change = changes.of(&doc.source).iter().find(|c| c.approval)?;
    let commit = changes.commits.get(change.commit)?;
    Some(Approval {
        commit,
        own: own(registry, &doc.item, commit),
    })
}

/// Why `commit`'s author may not approve `e`, if they may not.
fn own(registry: &Registry, e: &Exception, commit: &Commit) -> Option<String> {
    let person = registry
        .persons
        .iter()
        .map(|p| &p.item)
        .find(|p| is_author(p, commit))?;
    if e.requested_by.as_deref() == Some(person.id.as_str()) {
        return Some(format!(
            "committed by {}, who requested the exception",
            person.id
        ));
    }
    for id in &e.identities {
        let owner = registry
            .identities
            .iter()
            .find(|i| i.item.id == *id)
            .and_then(|i| i.item.owner.as_deref());
        let Some(owner) = owner else { continue };
        if owner == person.id || person.team.as_deref() == Some(owner) {
            return Some(format!(
                "committed by {}, of {owner}, which owns {id}",
                person.id
            ));
        }
    }
    None
}

/// Whether the Person wrote the commit: the same e-mail (case ignored), or the GitHub handle as the
/// author's name or in a GitHub no-reply address (`123+handle@users.noreply.github.com`).
pub fn is_author(person: &Person, commit: &Commit) -> bool {
    let email = commit.email.to_ascii_lowercase();
    if person
        .email
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case(&email))
    {
        return true;
    }
    let Some(handle) = person.github.as_deref().map(|h| h.trim_start_matches('@')) else {
        return false;
    };
    if handle.is_empty() || handle.contains('/') {
        return false;
    }
    let noreply = email
        .strip_suffix("@users.noreply.github.com")
        .map(|local| local.rsplit('+').next().unwrap_or(local));
    commit.author.eq_ignore_ascii_case(handle)
        || noreply.is_some_and(|local| local.eq_ignore_ascii_case(handle))
}

#[cfg(test)]
mod tests {
    use super::is_author;
    use crate::history::changes::Commit;
    use crate::model::Person;

    fn commit(author: &str, email: &str) -> Commit {
        Commit {
            hash: "0".repeat(40),
            date: jiff::civil::date(2026, 1, 1),
            author: author.into(),
            email: email.into(),
            subject: String::new(),
            pr: None,
        }
    }

    #[test]
    fn authors_match_by_email_or_github_handle() {
        let p = Person {
            id: "yuki.sato".into(),
            email: Some("Yuki@Example.com".into()),
            github: Some("@yuki-s".into()),
            ..Person::default()
        };
        assert!(is_author(&p, &commit("Y", "yuki@example.com")));
        assert!(is_author(&p, &commit("yuki-s", "other@example.com")));
        assert!(is_author(
            &p,
            &commit("Y", "1234+yuki-s@users.noreply.github.com")
        ));
        assert!(is_author(
            &p,
            &commit("Y", "yuki-s@users.noreply.github.com")
        ));
        assert!(!is_author(&p, &commit("Yuki Sato", "yuki@elsewhere.com")));
        assert!(!is_author(
            &p,
            &commit("Y", "1234+yuki@users.noreply.github.com")
        ));
    }
}
