//! Obligations about to fall due: `rotation-due` and `review-due` notices, within `expiry_warning_days`
//! before `rotation-overdue` and `review-overdue` would fire, as `credential-expiring` precedes
//! `credential-expired`. The due days are [`deadline`]'s, the same as the overdue rules' and `nhi due`'s.

use jiff::civil::Date;

use super::deadline;
use super::Ctx;
use crate::catalogue::RuleId;
use crate::day;
use crate::finding::Finding;
use crate::model::{Doc, Identity};

/// An obligation with a known day: when it falls due, and the period and the date it runs from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    /// The last day on which its overdue rule stays silent ([`deadline`]).
    pub day: Date,
    /// The day the period runs from (last rotation or creation; last review).
    pub since: Date,
    pub period: u32,
    /// The field `since` comes from, as a JSON pointer.
    pub pointer: &'static str,
}

impl Due {
    /// Days from `as_of` to the due day (negative once overdue).
    pub fn days_left(&self, as_of: Date) -> i64 {
        day::between(as_of, self.day)
    }
}

/// When a static credential's rotation falls due; `None` for other credentials or an unknown age.
pub fn rotation(ctx: &Ctx<'_>, doc: &Doc<Identity>) -> Option<Due> {
    let r = deadline::rotation(ctx, doc)?;
    let (since, pointer, _) = r.since?;
    Some(Due {
        day: r.deadline.day()?,
        since,
        period: r.period,
        pointer,
    })
}

/// When an identity's next access review falls due; `None` when it was never reviewed.
pub fn review(ctx: &Ctx<'_>, i: &Identity) -> Option<Due> {
    let r = deadline::review(ctx, i);
    Some(Due {
        day: r.deadline.day()?,
        since: r.last?,
        period: r.period,
        pointer: "/review/last",
    })
}

/// Whether `due` falls within the warning window: from the day itself to `expiry_warning_days` ahead.
fn within_warning(ctx: &Ctx<'_>, due: &Due) -> Option<i64> {
    let left = due.days_left(ctx.as_of);
    (0..=i64::from(ctx.policy.expiry_warning_days))
        .contains(&left)
        .then_some(left)
}

fn in_days(left: i64) -> String {
    match left {
        0 => "today".into(),
        1 => "tomorrow".into(),
        n => format!("in {n} days"),
    }
}

/// `rotation-due`: a static credential's rotation falls due within `expiry_warning_days`.
pub fn rotation_due(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let then = format!("rotate it, then `nhi rotated {}`", doc.item.id);
    let due = rotation(ctx, doc);
    notice(ctx, doc, RuleId::RotationDue, due, "rotation", &then, out);
}

/// `review-due`: an access review falls due within `expiry_warning_days`.
pub fn review_due(ctx: &Ctx<'_>, doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let then = format!("review it, then `nhi review {} --by PERSON`", doc.item.id);
    let due = review(ctx, &doc.item);
    notice(
        ctx,
        doc,
        RuleId::ReviewDue,
        due,
        "access review",
        &then,
        out,
    );
}

/// The notice that `what` falls due (when `due` is within the warning window), on the field it runs from.
fn notice(
    ctx: &Ctx<'_>,
    doc: &Doc<Identity>,
    rule: RuleId,
    due: Option<Due>,
    what: &str,
    then: &str,
    out: &mut Vec<Finding>,
) {
    let Some(due) = due else {
        return;
    };
    let Some(left) = within_warning(ctx, &due) else {
        return;
    };
    let message = format!(
        "{what} falls due on {}, {} ({}-day period since {}): {then}",
        due.day,
        in_days(left),
        due.period,
        due.since,
    );
    out.push(crate::finding::on_identity(rule, doc, due.pointer, message).on_value());
}
