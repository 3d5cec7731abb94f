//! The rules about the people an identity names besides its owner: a contact or a reviewer who has left,
//! and (when the policy asks for it) reviews made from inside the owning team.

use super::Ctx;
use crate::catalogue::RuleId;
use crate::finding::{on_identity, Finding};
use crate::model::{Doc, Identity, Person};

/// ` on DAY` for a Person who left on a known day, else nothing: the words after "left".
pub(crate) fn left_on(person: &Person) -> String {
    person
        .left_on
        .map(|d| format!(" on {d}"))
        .unwrap_or_default()
}

/// The Person `id` names, when it names a Person and not a Team.
fn person<'r>(ctx: &Ctx<'r>, id: &str) -> Option<&'r Person> {
    if ctx.teams.contains_key(id) {
        return None;
    }
    ctx.persons.get(id).map(|p| &p.item)
}

/// `contact-left`: an active identity's `contact` is a Person who left.
pub fn contact_left(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(contact) = doc.item.contact.as_deref() else {
        return;
    };
    let Some(p) = person(ctx, contact).filter(|p| !p.is_active()) else {
        return;
    };
    let message = format!(
        "contact `{contact}` left{}: name someone who is still here as `contact`",
        left_on(p)
    );
    out.push(on_identity(RuleId::ContactLeft, doc, "/contact", message).on_value());
}

/// `reviewer-left`: the identity's latest review was made by a Person who has since left.
pub fn reviewer_left(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(review) = doc.item.review.as_ref() else {
        return;
    };
    let Some(by) = review.by.as_deref() else {
        return;
    };
    let Some(p) = person(ctx, by).filter(|p| !p.is_active()) else {
        return;
    };
    let when = review.last.map(|d| format!(" of {d}")).unwrap_or_default();
    let message = format!(
        "the latest review{when} was made by `{by}`, who left{}: nobody here can answer for it; review it again",
        left_on(p)
    );
    out.push(on_identity(RuleId::ReviewerLeft, doc, "/review/by", message).on_value());
}

/// `review-not-independent`: with `review_by_owner: false`, the reviewer belongs to the owning team (or is
/// the owning Person).
pub fn review_not_independent(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    if ctx.policy.review_by_owner {
        return;
    }
    let (Some(owner), Some(by)) = (
        doc.item.owner.as_deref(),
        doc.item.review.as_ref().and_then(|r| r.by.as_deref()),
    ) else {
        return;
    };
    let member = ctx
        .persons
        .get(by)
        .is_some_and(|p| p.item.team.as_deref() == Some(owner));
    if by == owner || member {
        let message = format!(
            "reviewed by `{by}` of the owning {}`{owner}`, and the policy wants independent reviews (`review_by_owner: false`): have someone outside it review",
            if by == owner { "" } else { "team " }
        );
        out.push(on_identity(RuleId::ReviewNotIndependent, doc, "/review/by", message).on_value());
    }
}
