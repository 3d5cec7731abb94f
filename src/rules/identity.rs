//! The rules about one identity: ownership, credential dates, reviews, use, storage and access.
//!
//! Each rule is a function of one identity; all but `decommissioned-not-revoked` look at active ones only.

use super::deadline::{self, Deadline};
use super::Ctx;
use crate::catalogue::RuleId;
use crate::day;
use crate::finding::{on_identity as at, Finding};
use crate::model::{CredentialKind, Doc, Identity, IdentityType, Level, Status};

type Rule = fn(&Ctx<'_>, &Doc<Identity>, &mut Vec<Finding>);

/// The rules applied to active identities.
const ACTIVE_RULES: [Rule; 21] = [
    owner_missing,
    orphaned,
    owner_is_person,
    credential_expired,
    credential_expiring,
    rotation_overdue,
    review_missing,
    review_overdue,
    dormant,
    secret_outside_vault,
    admin_without_justification,
    prefer_short_lived,
    cross_environment,
    shared_identity,
    human_use,
    vendor_review_overdue,
    super::upcoming::rotation_due,
    super::upcoming::review_due,
    super::people::contact_left,
    super::people::reviewer_left,
    super::people::review_not_independent,
];

/// Runs every identity rule over every identity.
pub fn all(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for doc in &ctx.registry.identities {
        decommissioned_not_revoked(ctx, doc, out);
        if doc.item.is_active() {
            for rule in ACTIVE_RULES {
                rule(ctx, doc, out);
            }
        }
    }
}

fn owner_missing(_: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    if doc.item.owner.as_deref().is_none_or(str::is_empty) {
        out.push(at(
            RuleId::OwnerMissing,
            doc,
            "/owner",
            "active identity has no `owner`: name the Team accountable for it".into(),
        ));
    }
}

fn orphaned(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(owner) = doc.item.owner.as_deref() else {
        return;
    };
    let message = if let Some(person) = ctx
        .persons
        .get(owner)
        .filter(|_| !ctx.teams.contains_key(owner))
    {
        if person.item.is_active() {
            return;
        }
        let left = super::people::left_on(&person.item);
        format!("owner `{owner}` is a Person who left{left}: the identity is orphaned")
    } else if ctx.teams.contains_key(owner) {
        if ctx.staffed.contains(owner) {
            return;
        }
        format!("owner `{owner}` is a Team with no active member: the identity is orphaned")
    } else {
        return; // an unknown owner is an unknown-reference only
    };
    out.push(at(RuleId::Orphaned, doc, "/owner", message).on_value());
}

fn owner_is_person(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(owner) = doc.item.owner.as_deref() else {
        return;
    };
    if ctx.persons.contains_key(owner) && !ctx.teams.contains_key(owner) {
        let message = format!("owned by the Person `{owner}`; a Team outlives its members (keep the person as `contact`)");
        out.push(at(RuleId::OwnerIsPerson, doc, "/owner", message).on_value());
    }
}

fn credential_expired(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(deadline @ Deadline::On(expires)) = deadline::credential_expiry(&doc.item) else {
        return;
    };
    if deadline.overdue(ctx.as_of) {
        let ago = day::between(expires, ctx.as_of);
        out.push(
            at(
                RuleId::CredentialExpired,
                doc,
                "/credential/expires",
                format!("credential expired on {expires}, {ago} day(s) ago"),
            )
            .on_value(),
        );
    }
}

fn credential_expiring(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(expires) = doc.item.credential.expires else {
        return;
    };
    let left = day::between(ctx.as_of, expires);
    if (0..=i64::from(ctx.policy.expiry_warning_days)).contains(&left) {
        let message =
            format!("credential expires on {expires}, in {left} day(s): renew it before it breaks");
        out.push(
            at(
                RuleId::CredentialExpiring,
                doc,
                "/credential/expires",
                message,
            )
            .on_value(),
        );
    }
}

fn rotation_overdue(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(rotation) = deadline::rotation(ctx, doc) else {
        return;
    };
    if !rotation.deadline.overdue(ctx.as_of) {
        return;
    }
    let period = rotation.period;
    let (Some((last, pointer, rotated)), Deadline::On(due)) = (rotation.since, rotation.deadline)
    else {
        let message = format!("static credential has neither `last_rotated` nor `created`: its age is unknown (rotation period {period} days)");
        out.push(at(RuleId::RotationOverdue, doc, "/credential", message));
        return;
    };
    let what = if rotated {
        "last rotated"
    } else {
        "never rotated since its creation on"
    };
    let age = day::between(last, ctx.as_of);
    let message = format!("static credential {what} {last}, {age} days ago; the rotation period is {period} days (due {due})");
    out.push(at(RuleId::RotationOverdue, doc, pointer, message).on_value());
}

fn review_missing(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    if deadline::review(ctx, &doc.item).deadline == Deadline::Unknown {
        out.push(at(
            RuleId::ReviewMissing,
            doc,
            "/review",
            "active identity has never been reviewed: record `review.last` and `review.by`".into(),
        ));
    }
}

fn review_overdue(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let review = deadline::review(ctx, &doc.item);
    let (Some(last), Deadline::On(_)) = (review.last, review.deadline) else {
        return;
    };
    if review.deadline.overdue(ctx.as_of) {
        let period = review.period;
        let age = day::between(last, ctx.as_of);
        let why = match ctx.reach.get(doc.item.id.as_str()) {
            Some(c) if ctx.policy.review_days_by_criticality.contains_key(c) => {
                format!(" (its blast radius reaches a {c} system)")
            }
            _ => String::new(),
        };
        let message = format!(
            "last reviewed {last}, {age} days ago; the review period is {period} days{why}"
        );
        out.push(at(RuleId::ReviewOverdue, doc, "/review/last", message).on_value());
    }
}

fn dormant(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(last) = doc.item.last_used else {
        return;
    };
    let idle = day::between(last, ctx.as_of);
    if idle > i64::from(ctx.policy.dormant_days) {
        let message = format!(
            "last used {last}, {idle} days ago (dormant after {} days): remove what nobody uses",
            ctx.policy.dormant_days
        );
        out.push(at(RuleId::Dormant, doc, "/last_used", message).on_value());
    }
}

fn decommissioned_not_revoked(_: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let i = &doc.item;
    if i.status != Some(Status::Decommissioned) {
        return;
    }
    let has_credential = !matches!(i.credential.kind, Some(CredentialKind::None));
    if has_credential && i.credential.revoked_on.is_none() {
        let message =
            "decommissioned, but the credential has no `revoked_on`: revoke it and record the day"
                .to_string();
        out.push(at(
            RuleId::DecommissionedNotRevoked,
            doc,
            "/credential/revoked_on",
            message,
        ));
    }
    if !i.access.is_empty() {
        let message = format!(
            "decommissioned, but still lists {} access entr{}: remove them",
            i.access.len(),
            if i.access.len() == 1 { "y" } else { "ies" }
        );
        out.push(at(
            RuleId::DecommissionedNotRevoked,
            doc,
            "/access",
            message,
        ));
    }
}

fn secret_outside_vault(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    if !doc.item.is_static() {
        return;
    }
    for (n, store) in doc.item.credential.stores.iter().enumerate() {
        let Some(system) = ctx.systems.get(store.as_str()) else {
            continue;
        };
        let Some(kind) = system.item.kind else {
            continue;
        };
        if !ctx.policy.allowed_secret_stores.contains(&kind) {
            let allowed: Vec<&str> = ctx
                .policy
                .allowed_secret_stores
                .iter()
                .map(|t| t.as_str())
                .collect();
            let message = format!(
                "static credential is stored in `{store}`, a {kind} system; allowed secret stores are: {}",
                if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") }
            );
            out.push(
                at(
                    RuleId::SecretOutsideVault,
                    doc,
                    &format!("/credential/stores/{n}"),
                    message,
                )
                .on_value(),
            );
        }
    }
}

fn admin_without_justification(_: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    for (n, access) in doc.item.access.iter().enumerate() {
        let justified = access
            .justification
            .as_deref()
            .is_some_and(|j| !j.trim().is_empty());
        if access.level == Some(Level::Admin) && !justified {
            let message = format!("admin access to `{}` has no `justification`: say why admin is needed, or lower the level", access.system);
            out.push(
                at(
                    RuleId::AdminWithoutJustification,
                    doc,
                    &format!("/access/{n}/level"),
                    message,
                )
                .on_value(),
            );
        }
    }
}

fn prefer_short_lived(_: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let i = &doc.item;
    let workload = matches!(
        i.kind,
        Some(IdentityType::Workload | IdentityType::ServiceAccount)
    );
    if i.is_static() && workload && i.environment == Some(crate::model::Environment::Prod) {
        let kind = i.kind.map(|k| k.as_str()).unwrap_or_default();
        let message = format!(
            "a prod {kind} with a static credential: prefer short-lived or federated credentials"
        );
        out.push(at(RuleId::PreferShortLived, doc, "/credential/kind", message).on_value());
    }
}

fn cross_environment(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(env) = doc.item.environment else {
        return;
    };
    for (n, access) in doc.item.access.iter().enumerate() {
        let Some(system_env) = ctx
            .systems
            .get(access.system.as_str())
            .and_then(|s| s.item.environment)
        else {
            continue;
        };
        let prod = crate::model::Environment::Prod;
        let crosses =
            (env == prod && system_env.is_non_prod()) || (env.is_non_prod() && system_env == prod);
        if crosses {
            let message = format!("a {env} identity reaches `{}`, a {system_env} system: use one identity per environment", access.system);
            out.push(
                at(
                    RuleId::CrossEnvironment,
                    doc,
                    &format!("/access/{n}/system"),
                    message,
                )
                .on_value(),
            );
        }
    }
}

fn shared_identity(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let mut systems: Vec<&str> = doc
        .item
        .used_by
        .iter()
        .map(String::as_str)
        .filter(|u| ctx.systems.contains_key(u))
        .collect();
    systems.sort_unstable();
    systems.dedup();
    if systems.len() > 1 {
        let message = format!(
            "used by {} systems ({}): give each workload its own identity",
            systems.len(),
            systems.join(", ")
        );
        out.push(at(RuleId::SharedIdentity, doc, "/used_by", message));
    }
}

fn human_use(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    for (n, user) in doc.item.used_by.iter().enumerate() {
        if ctx.persons.contains_key(user.as_str()) && !ctx.systems.contains_key(user.as_str()) {
            let message = format!("used by the Person `{user}`: people need their own accounts, not a non-human identity");
            out.push(at(RuleId::HumanUse, doc, &format!("/used_by/{n}"), message).on_value());
        }
    }
}

fn vendor_review_overdue(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let i = &doc.item;
    let (Some(vendor), Some(review)) = (i.vendor.as_deref(), deadline::vendor_review(ctx, i))
    else {
        return;
    };
    if !review.deadline.overdue(ctx.as_of) {
        return;
    }
    match review.last {
        None => {
            let message = format!("third party `{vendor}` holds or issued this identity, and its access has never been reviewed");
            out.push(at(RuleId::VendorReviewOverdue, doc, "/vendor", message));
        }
        Some(last) => {
            let age = day::between(last, ctx.as_of);
            let period = review.period;
            let message = format!("access of third party `{vendor}` last reviewed {last}, {age} days ago; the review period is {period} days");
            out.push(at(RuleId::VendorReviewOverdue, doc, "/vendor_review", message).on_value());
        }
    }
}
