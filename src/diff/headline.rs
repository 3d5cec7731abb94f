//! The one sentence a reviewer reads first: what the change adds and removes, who gains admin, whose blast
//! radius grows, and what it does to the gate. E.g. "adds 1 service account with admin on 2 critical systems;
//! blast radius of ci-deployer grows from 4 to 11 systems".

use std::collections::{BTreeMap, BTreeSet};

use super::{AccessChange, Diff, IdentityRef};
use crate::finding::Severity;
use crate::model::{Criticality, IdentityType, Level};

/// How many identities the sentence names before it says "and N more".
const NAMED: usize = 2;

/// The sentence; `id` formats an identity id (plain text, or a Markdown code span).
pub fn headline(diff: &Diff, id: &dyn Fn(&str) -> String) -> String {
    let mut parts = Vec::new();
    let added: BTreeSet<&str> = diff
        .identities
        .added
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    if let Some(part) = by_type("adds", &diff.identities.added, &diff.access.gained) {
        parts.push(part);
    }
    if let Some(part) = by_type("removes", &diff.identities.removed, &[]) {
        parts.push(part);
    }
    let existing: Vec<&AccessChange> = diff
        .access
        .gained
        .iter()
        .filter(|a| !added.contains(a.identity.as_str()))
        .collect();
    parts.extend(admin_grants(&existing, id));
    if !diff.identities.changed.is_empty() {
        parts.push(format!(
            "changes {}",
            count(diff.identities.changed.len(), "identity", "identities")
        ));
    }
    parts.extend(blast_growth(diff, id));
    parts.extend(findings(diff));
    if parts.is_empty() {
        return "no change to identities, access or findings".to_string();
    }
    parts.join("; ")
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The noun for an identity type, singular and plural.
fn noun(kind: Option<IdentityType>) -> (&'static str, &'static str) {
    match kind {
        Some(IdentityType::ServiceAccount) => ("service account", "service accounts"),
        Some(IdentityType::ApiKey) => ("API key", "API keys"),
        Some(IdentityType::OauthApp) => ("OAuth app", "OAuth apps"),
        Some(IdentityType::Token) => ("token", "tokens"),
        Some(IdentityType::Certificate) => ("certificate", "certificates"),
        Some(IdentityType::SshKey) => ("SSH key", "SSH keys"),
        Some(IdentityType::Bot) => ("bot", "bots"),
        Some(IdentityType::Workload) => ("workload identity", "workload identities"),
        None => ("identity", "identities"),
    }
}

/// "adds 1 service account with admin on 2 critical systems, 2 API keys".
fn by_type(verb: &str, identities: &[IdentityRef], gained: &[AccessChange]) -> Option<String> {
    if identities.is_empty() {
        return None;
    }
    let mut groups: BTreeMap<Option<IdentityType>, Vec<&str>> = BTreeMap::new();
    for i in identities {
        groups.entry(i.kind).or_default().push(&i.id);
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    // The largest group first; groups as large by the type's name (no type first).
    groups
        .sort_by_key(|(kind, ids)| (std::cmp::Reverse(ids.len()), kind.map(IdentityType::as_str)));
    let phrases: Vec<String> = groups
        .into_iter()
        .map(|(kind, ids)| {
            let (one, many) = noun(kind);
            let mut phrase = count(ids.len(), one, many);
            let admin: Vec<&AccessChange> = gained
                .iter()
                .filter(|a| a.after == Some(Level::Admin) && ids.contains(&a.identity.as_str()))
                .collect();
            if let Some(systems) = admin_systems(&admin) {
                phrase.push_str(&format!(" with admin on {systems}"));
            }
            phrase
        })
        .collect();
    Some(format!("{verb} {}", phrases.join(", ")))
}

/// "2 critical systems" when admin reaches critical systems, else "3 systems"; `None` without admin.
fn admin_systems(admin: &[&AccessChange]) -> Option<String> {
    let systems: BTreeSet<&str> = admin.iter().map(|a| a.system.as_str()).collect();
    let critical: BTreeSet<&str> = admin
        .iter()
        .filter(|a| a.criticality == Some(Criticality::Critical))
        .map(|a| a.system.as_str())
        .collect();
    match (critical.len(), systems.len()) {
        (_, 0) => None,
        (0, n) => Some(count(n, "system", "systems")),
        (c, n) if c == n => Some(count(c, "critical system", "critical systems")),
        (c, n) => Some(format!("{} ({c} critical)", count(n, "system", "systems"))),
    }
}

/// "grants admin to ci-deployer on 1 critical system" for identities that existed before.
fn admin_grants(gained: &[&AccessChange], id: &dyn Fn(&str) -> String) -> Option<String> {
    let mut by_identity: BTreeMap<&str, Vec<&AccessChange>> = BTreeMap::new();
    for a in gained.iter().filter(|a| a.after == Some(Level::Admin)) {
        by_identity.entry(&a.identity).or_default().push(a);
    }
    if by_identity.is_empty() {
        return None;
    }
    let mut phrases: Vec<String> = by_identity
        .iter()
        .take(NAMED)
        .filter_map(|(identity, grants)| {
            Some(format!("{} on {}", id(identity), admin_systems(grants)?))
        })
        .collect();
    if by_identity.len() > NAMED {
        phrases.push(format!("{} more", by_identity.len() - NAMED));
    }
    Some(format!("grants admin to {}", phrases.join(", ")))
}

/// "blast radius of ci-deployer grows from 4 to 11 systems" for identities on both sides.
fn blast_growth(diff: &Diff, id: &dyn Fn(&str) -> String) -> Option<String> {
    let growing: Vec<_> = diff
        .blast_radius
        .iter()
        .filter_map(|b| Some((b, b.before?, b.after?)))
        .filter(|(_, before, after)| after.score > before.score)
        .collect();
    if growing.is_empty() {
        return None;
    }
    let mut phrases: Vec<String> = growing
        .iter()
        .take(NAMED)
        .map(|(b, before, after)| {
            if after.systems != before.systems {
                format!(
                    "blast radius of {} grows from {} to {} systems",
                    id(&b.identity),
                    before.systems,
                    after.systems
                )
            } else {
                format!(
                    "blast radius score of {} grows from {} to {}",
                    id(&b.identity),
                    before.score,
                    after.score
                )
            }
        })
        .collect();
    if growing.len() > NAMED {
        phrases.push(format!("{} more grow", growing.len() - NAMED));
    }
    Some(phrases.join(", "))
}

/// "introduces 1 error and 2 warnings; fixes 3 findings; waives 1 finding".
fn findings(diff: &Diff) -> Vec<String> {
    let f = &diff.findings;
    let mut parts = Vec::new();
    let unwaived = |s: Severity| {
        f.introduced
            .iter()
            .filter(|x| x.waived_by.is_none() && x.severity == s)
            .count()
    };
    let introduced: Vec<String> = [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Notice, "notice", "notices"),
    ]
    .into_iter()
    .filter_map(|(s, one, many)| {
        Some(unwaived(s))
            .filter(|n| *n > 0)
            .map(|n| count(n, one, many))
    })
    .collect();
    if !introduced.is_empty() {
        parts.push(format!("introduces {}", join_and(&introduced)));
    }
    let fixed = f.fixed.iter().filter(|x| x.waived_by.is_none()).count();
    if fixed > 0 {
        parts.push(format!("fixes {}", count(fixed, "finding", "findings")));
    }
    if !f.waived.is_empty() {
        parts.push(format!(
            "waives {}",
            count(f.waived.len(), "finding", "findings")
        ));
    }
    parts
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
