//! Decisions about identities: a review (one, or a campaign over an owner's identities), a rotation, a
//! decommissioning.

use jiff::civil::Date;

use super::{invalid, not_future, Refused, Workspace};
use crate::catalogue::RuleId;
use crate::day;
use crate::edit::{EditError, EditFile, Scalar};
use crate::graph::Graph;
use crate::model::{Doc, Identity, Kind, Status};
use crate::rules::Ctx;

/// What a review records.
#[derive(Clone, Debug)]
pub struct Review {
    pub by: String,
    pub on: Date,
    pub note: Option<String>,
    pub ticket: Option<String>,
    /// The vendor's access (`vendor_review`) rather than the identity's (`review`).
    pub vendor: bool,
}

const REVIEW_RULES: [RuleId; 4] = [
    RuleId::ReviewOverdue,
    RuleId::ReviewMissing,
    RuleId::ReviewerLeft,
    RuleId::ReviewNotIndependent,
];

impl Review {
    /// The rules a review answers, which the gate judges after it.
    fn rules(&self) -> &'static [RuleId] {
        if self.vendor {
            &[RuleId::VendorReviewOverdue]
        } else {
            &REVIEW_RULES
        }
    }
}

/// `nhi review ID`: records the review of one identity; the gate is judged as of `today`.
pub fn review(ws: &mut Workspace, id: &str, r: &Review, today: Date) -> Result<(), Refused> {
    not_future("the review on", r.on, today)?;
    ws.active_person(&r.by, "reviewer")?;
    let doc = ws.identity(id)?.clone();
    if r.vendor && doc.item.vendor.is_none() {
        return invalid(format!(
            "`{id}` names no `vendor`: there is no vendor access to review"
        ));
    }
    record_review(ws, &doc, r);
    ws.gate(today, &[(Kind::Identity, id)], r.rules())
}

fn record_review(ws: &mut Workspace, doc: &Doc<Identity>, r: &Review) {
    let id = doc.item.id.clone();
    let what = if r.vendor { "vendor review" } else { "review" };
    let note = format!("{what} of {id} on {} by {}", r.on, r.by);
    let r = r.clone();
    ws.edit(&doc.source, Kind::Identity, &id, note, move |f, d| {
        if r.vendor {
            return f.set_after(d, "/vendor_review", r.on.into(), &["vendor"]);
        }
        let mut changed = f.set_after(d, "/review/last", r.on.into(), &["last_used", "used_by"])?;
        changed |= f.set(d, "/review/by", Scalar::from(r.by.as_str()))?;
        // A note or ticket belongs to the review it was written for: a new review replaces them.
        for (key, value) in [("note", &r.note), ("ticket", &r.ticket)] {
            let pointer = format!("/review/{key}");
            changed |= match value {
                Some(v) => f.set(d, &pointer, Scalar::from(v.as_str()))?,
                None => f.remove(d, &pointer)?,
            };
        }
        Ok(changed)
    });
}

/// `nhi review --owner OWNER`: every active identity of `owner` whose review is overdue, missing, or due
/// within `within` days of `today`. Returns the ids reviewed.
pub fn campaign(
    ws: &mut Workspace,
    owner: &str,
    r: &Review,
    within: u32,
    today: Date,
) -> Result<Vec<String>, Refused> {
    not_future("the review on", r.on, today)?;
    if ws.registry.owner(owner).is_none() {
        return invalid(format!("no Team or Person `{owner}` in the registry"));
    }
    ws.active_person(&r.by, "reviewer")?;
    let due: Vec<Doc<Identity>> = {
        let graph = Graph::build(&ws.registry);
        let ctx = Ctx::new(&ws.registry, today).with_graph(&graph);
        let horizon = day::add(today, i64::from(within));
        ws.registry
            .identities
            .iter()
            .filter(|d| d.item.is_active() && d.item.owner.as_deref() == Some(owner))
            .filter(|d| {
                let last = if r.vendor {
                    if d.item.vendor.is_none() {
                        return false;
                    }
                    d.item.vendor_review
                } else {
                    d.item.review.as_ref().and_then(|v| v.last)
                };
                last.is_none_or(|last| {
                    day::add(last, i64::from(ctx.review_period(&d.item))) <= horizon
                })
            })
            .cloned()
            .collect()
    };
    for doc in &due {
        record_review(ws, doc, r);
    }
    let ids: Vec<String> = due.iter().map(|d| d.item.id.clone()).collect();
    let subjects: Vec<(Kind, &str)> = ids.iter().map(|i| (Kind::Identity, i.as_str())).collect();
    ws.gate(today, &subjects, r.rules())?;
    Ok(ids)
}

/// `nhi rotated ID`: the credential was rotated on `on` (and, with `expires`, expires then).
pub fn rotated(
    ws: &mut Workspace,
    id: &str,
    on: Date,
    expires: Option<Date>,
    today: Date,
) -> Result<(), Refused> {
    not_future("the rotation on", on, today)?;
    let doc = ws.identity(id)?.clone();
    let c = &doc.item.credential;
    if let Some(created) = c.created.filter(|c| on < *c) {
        return invalid(format!(
            "`{id}`'s credential was created on {created}: it cannot have been rotated on {on}"
        ));
    }
    if let Some(x) = expires.filter(|x| *x <= on) {
        return invalid(format!("a credential rotated on {on} cannot expire on {x}"));
    }
    if !doc.item.is_static() && expires.is_none() {
        let kind = c
            .kind
            .map(|k| k.to_string())
            .unwrap_or_else(|| "unknown".into());
        return invalid(format!("`{id}` has a `{kind}` credential, which is not rotated by hand; give --expires for a new expiry"));
    }
    let is_static = doc.item.is_static();
    let note = match expires {
        Some(x) => format!("rotation of {id} on {on}, expires {x}"),
        None => format!("rotation of {id} on {on}"),
    };
    ws.edit(&doc.source, Kind::Identity, id, note, move |f, d| {
        let mut changed = false;
        if is_static {
            changed |= f.set_after(
                d,
                "/credential/last_rotated",
                on.into(),
                &["created", "kind"],
            )?;
        }
        if let Some(x) = expires {
            changed |= f.set_after(
                d,
                "/credential/expires",
                x.into(),
                &["last_rotated", "created", "kind"],
            )?;
        }
        Ok(changed)
    });
    ws.gate(
        today,
        &[(Kind::Identity, id)],
        &[RuleId::RotationOverdue, RuleId::CredentialExpired],
    )
}

/// `nhi decommission ID`: retired on `on`, its credential revoked on `revoked_on`, its access removed.
pub fn decommission(
    ws: &mut Workspace,
    id: &str,
    on: Date,
    revoked_on: Date,
    today: Date,
) -> Result<(), Refused> {
    not_future("the decommissioning on", on, today)?;
    not_future("the revocation on", revoked_on, today)?;
    let doc = ws.identity(id)?.clone();
    if let Some(created) = doc.item.credential.created.filter(|c| revoked_on < *c) {
        return invalid(format!("`{id}`'s credential was created on {created}: it cannot have been revoked on {revoked_on}"));
    }
    let note = format!("decommissioning of {id} on {on}, revoked on {revoked_on}");
    ws.edit(&doc.source, Kind::Identity, id, note, move |f, d| {
        retire(f, d, on, revoked_on)
    });
    ws.gate(
        today,
        &[(Kind::Identity, id)],
        &[RuleId::DecommissionedNotRevoked],
    )
}

fn retire(f: &mut EditFile, d: usize, on: Date, revoked_on: Date) -> Result<bool, EditError> {
    let retired = f.get(d, "/status").and_then(|s| s.as_str())
        == Some(Status::Decommissioned.to_string().as_str());
    let mut changed = f.set(
        d,
        "/status",
        Scalar::from(Status::Decommissioned.to_string()),
    )?;
    // An identity already decommissioned keeps the day it was.
    if !retired || f.get(d, "/decommissioned_on").is_none() {
        changed |= f.set_after(d, "/decommissioned_on", on.into(), &["status"])?;
    }
    if f.get(d, "/credential/revoked_on").is_none() {
        changed |= f.set_after(
            d,
            "/credential/revoked_on",
            revoked_on.into(),
            &["expires", "last_rotated", "created", "kind"],
        )?;
    }
    changed |= f.remove(d, "/access")?;
    Ok(changed)
}
