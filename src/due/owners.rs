//! The owners that items are routed to: what the outputs show of each (name, chat channel, GitHub handle).

use std::collections::BTreeMap;

use crate::model::Registry;

/// A Team or Person as the outputs of `nhi due` name it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Owner {
    /// `Team` or `Person`.
    pub kind: &'static str,
    pub name: Option<String>,
    pub slack: Option<String>,
    /// A GitHub handle to mention (`@org/team` or `@user`), when the registry gives a well-formed one.
    pub github: Option<String>,
    /// How many identities (of any status) name it as owner.
    pub identities: usize,
}

/// Every Team and Person by id (the first document of an id wins, as for the rules).
pub fn of(registry: &Registry) -> BTreeMap<String, Owner> {
    let mut owners = BTreeMap::new();
    for t in &registry.teams {
        let t = &t.item;
        owners.entry(t.id.clone()).or_insert_with(|| Owner {
            kind: "Team",
            name: t.name.clone(),
            slack: t.slack.clone(),
            github: t.github.as_deref().and_then(handle),
            identities: 0,
        });
    }
    for p in &registry.persons {
        let p = &p.item;
        owners.entry(p.id.clone()).or_insert_with(|| Owner {
            kind: "Person",
            name: p.name.clone(),
            slack: None,
            github: p.github.as_deref().and_then(handle),
            identities: 0,
        });
    }
    for i in &registry.identities {
        if let Some(owner) = i.item.owner.as_deref().and_then(|o| owners.get_mut(o)) {
            owner.identities += 1;
        }
    }
    owners
}

/// `@name` or `@org/team` as GitHub spells handles (a leading `@` optional in the registry); anything else
/// is not mentioned, so a registry value cannot smuggle text into an issue or a message.
pub fn handle(raw: &str) -> Option<String> {
    let bare = raw.trim().strip_prefix('@').unwrap_or(raw.trim());
    let (org, team) = match bare.split_once('/') {
        Some((org, team)) => (org, Some(team)),
        None => (bare, None),
    };
    let login = |s: &str| {
        (1..=39).contains(&s.len())
            && !s.starts_with('-')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let slug = |s: &str| {
        (1..=100).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    (login(org) && team.is_none_or(slug)).then(|| format!("@{bare}"))
}

#[cfg(test)]
mod tests {
    use super::handle;

    #[test]
    fn only_well_formed_github_handles_are_mentioned() {
        assert_eq!(
            handle("@northwind/payments").as_deref(),
            Some("@northwind/payments")
        );
        assert_eq!(handle("octocat").as_deref(), Some("@octocat"));
        for bad in [
            "", "@", "@a b", "@x/y z", "@-x", "@x/", "x\n@y", "@x/y/z", "<b>",
        ] {
            assert_eq!(handle(bad), None, "{bad:?}");
        }
    }
}
