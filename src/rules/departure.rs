//! `rotate-after-departure`: a static secret that a person who has since left could have copied.
//!
//! The owner, the contact and a human user (`used_by` naming a Person) all could read the secret. When one
//! of them left after the credential was last rotated (or created), the copy they may have kept still works.

use super::Ctx;
use crate::catalogue::RuleId;
use crate::finding::Finding;
use crate::model::{Doc, Identity, Kind, Person};

/// The persons who left after `identity`'s credential was last rotated: (field, person, its document).
/// A person who left on an unknown day counts, and so does every leaver when the rotation day is unknown.
pub fn leavers_since_rotation<'c>(
    ctx: &'c Ctx<'_>,
    identity: &'c Identity,
) -> impl Iterator<Item = (&'static str, &'c str, &'c Doc<Person>)> + 'c {
    let last = identity.last_rotation();
    identity.holders().filter_map(move |(field, id)| {
        if ctx.teams.contains_key(id) {
            return None;
        }
        let person = *ctx.persons.get(id)?;
        if person.item.is_active() {
            return None;
        }
        match (person.item.left_on, last) {
            (Some(left), Some(rotated)) if left <= rotated => None,
            _ => Some((field, id, person)),
        }
    })
}

/// Runs the rule over every active identity with a static credential.
pub fn rules(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for doc in &ctx.registry.identities {
        let i = &doc.item;
        if !i.is_active() || !i.is_static() {
            continue;
        }
        let mut seen: Vec<&str> = Vec::new();
        for (field, id, person) in leavers_since_rotation(ctx, i) {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let left = person.item.left_on.map_or_else(
                || "on a day not recorded".to_string(),
                |d| format!("on {d}"),
            );
            let since = i.last_rotation().map_or_else(
                || "a rotation of unknown date".to_string(),
                |d| format!("the last rotation ({d})"),
            );
            let message = format!(
                "`{id}` ({field}) left {left}, after {since}: rotate the credential, then record it with `nhi rotated {}`",
                i.id
            );
            let pointer = pointer(i, field, id);
            out.push(
                Finding::at(
                    RuleId::RotateAfterDeparture,
                    Kind::Identity,
                    &i.id,
                    &doc.source,
                    &pointer,
                    message,
                )
                .on_value(),
            );
        }
    }
}

/// Where the person is named: `/owner`, `/contact` or `/used_by/N`.
fn pointer(i: &Identity, field: &str, id: &str) -> String {
    match field {
        "used_by" => {
            let n = i.used_by.iter().position(|u| u == id).unwrap_or(0);
            format!("/used_by/{n}")
        }
        other => format!("/{other}"),
    }
}
