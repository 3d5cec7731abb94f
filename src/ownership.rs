//! Who owns, is contact for, is a member of, reaches, stores and runs what: the reverse indexes of a
//! registry's references, built once, for the site and for every command that starts from a person, a team
//! or a system (what falls due for a team, what a leaver leaves behind, what a leaked secret store exposes).

use std::collections::{BTreeSet, HashMap};

use crate::model::{Access, Doc, Exception, Identity, Person, System, Team};

/// Documents by the id that names them.
pub type ById<'a, T> = HashMap<&'a str, Vec<&'a Doc<T>>>;

/// What `index` holds under `key`: nothing when it holds nothing.
pub fn of<'i, K, V, S>(index: &'i HashMap<K, Vec<V>, S>, key: &str) -> &'i [V]
where
    K: std::borrow::Borrow<str> + std::hash::Hash + Eq,
    S: std::hash::BuildHasher,
{
    index.get(key).map_or(&[], Vec::as_slice)
}

/// The reverse indexes, each in the order of the documents given.
#[derive(Debug, Default)]
pub struct Ownership<'a> {
    /// Owner (Team or Person) id → the identities it owns.
    pub owned_by: ById<'a, Identity>,
    /// Person id → the identities it is contact for.
    pub contact_for: ById<'a, Identity>,
    /// Team id → the persons naming it as their team.
    pub members: ById<'a, Person>,
    /// System id → the identities with access to it, and that access.
    pub access_to: HashMap<&'a str, Vec<(&'a Doc<Identity>, &'a Access)>>,
    /// System id → the identities whose credential it stores.
    pub stored_in: ById<'a, Identity>,
    /// System or Person id → the identities it runs (`used_by`).
    pub run_by: ById<'a, Identity>,
    /// Identity id → the exceptions naming it.
    pub exceptions_for: ById<'a, Exception>,
    /// Person id → the identities whose latest review they made (`review.by`).
    pub reviewed_by: ById<'a, Identity>,
    /// Person id → the exceptions they requested.
    pub requested_by: ById<'a, Exception>,
    /// Person id → the exceptions they approved.
    pub approved_by: ById<'a, Exception>,
    /// Owner id → the systems it owns (after [`Ownership::with_owners`]).
    pub systems_of: ById<'a, System>,
    /// Person id → the teams they lead (after [`Ownership::with_owners`]).
    pub leads: ById<'a, Team>,
}

impl<'a> Ownership<'a> {
    /// The indexes of `identities`, `persons` and `exceptions` (the caller chooses which documents count:
    /// all of a registry's, or only those with a valid, unique id).
    pub fn new(
        identities: impl IntoIterator<Item = &'a Doc<Identity>>,
        persons: impl IntoIterator<Item = &'a Doc<Person>>,
        exceptions: impl IntoIterator<Item = &'a Doc<Exception>>,
    ) -> Ownership<'a> {
        let mut o = Ownership::default();
        for doc in identities {
            let i = &doc.item;
            if let Some(owner) = i.owner.as_deref() {
                push(&mut o.owned_by, owner, doc);
            }
            if let Some(contact) = i.contact.as_deref() {
                push(&mut o.contact_for, contact, doc);
            }
            for a in &i.access {
                push(&mut o.access_to, a.system.as_str(), (doc, a));
            }
            for s in dedup(&i.credential.stores) {
                push(&mut o.stored_in, s, doc);
            }
            for s in dedup(&i.used_by) {
                push(&mut o.run_by, s, doc);
            }
            if let Some(by) = i.review.as_ref().and_then(|r| r.by.as_deref()) {
                push(&mut o.reviewed_by, by, doc);
            }
        }
        for doc in persons {
            if let Some(team) = doc.item.team.as_deref() {
                push(&mut o.members, team, doc);
            }
        }
        for doc in exceptions {
            for id in dedup(&doc.item.identities) {
                push(&mut o.exceptions_for, id, doc);
            }
            if let Some(by) = doc.item.requested_by.as_deref() {
                push(&mut o.requested_by, by, doc);
            }
            if let Some(by) = doc.item.approved_by.as_deref() {
                push(&mut o.approved_by, by, doc);
            }
        }
        o
    }

    /// Adds who owns which system and who leads which team.
    pub fn with_owners(
        mut self,
        teams: impl IntoIterator<Item = &'a Doc<Team>>,
        systems: impl IntoIterator<Item = &'a Doc<System>>,
    ) -> Ownership<'a> {
        for doc in teams {
            if let Some(lead) = doc.item.lead.as_deref() {
                push(&mut self.leads, lead, doc);
            }
        }
        for doc in systems {
            if let Some(owner) = doc.item.owner.as_deref() {
                push(&mut self.systems_of, owner, doc);
            }
        }
        self
    }
}

fn push<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, Vec<V>>, key: K, value: V) {
    map.entry(key).or_default().push(value);
}

/// Each id once, in first-seen order.
fn dedup(ids: &[String]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    ids.iter()
        .map(String::as_str)
        .filter(|id| seen.insert(*id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_indexed_backwards_once_each() {
        let registry = crate::check_bytes(
            "identities/a.yaml",
            b"kind: Identity\nid: a\ntype: token\nowner: t\ncontact: p\nstatus: active\nenvironment: prod\n\
purpose: x\nused_by: [ci, ci]\ncredential: {kind: static, stores: [vault, vault]}\n\
access: [{system: db, level: read}]\n",
            jiff::civil::date(2026, 1, 1),
        )
        .unwrap()
        .registry;
        let o = Ownership::new(
            &registry.identities,
            &registry.persons,
            &registry.exceptions,
        );
        let ids = |v: Option<&Vec<&Doc<Identity>>>| -> Vec<String> {
            v.map_or(vec![], |v| v.iter().map(|d| d.item.id.clone()).collect())
        };
        assert_eq!(ids(o.owned_by.get("t")), ["a"]);
        assert_eq!(ids(o.contact_for.get("p")), ["a"]);
        assert_eq!(ids(o.stored_in.get("vault")), ["a"]);
        assert_eq!(ids(o.run_by.get("ci")), ["a"]);
        assert_eq!(o.access_to["db"].len(), 1);
        assert!(!o.owned_by.contains_key("p"));
    }
}
